from django.urls import path

from sessions import views

urlpatterns = [
    path("<int:number>/", views.session_detail, name="session_detail"),
    path("<int:number>/complete/", views.session_completion, name="session_completion"),
    path("<int:number>/<slug:slug>/", views.lesson_detail, name="lesson_detail"),
    path(
        "<int:number>/<slug:slug>/files/<int:pk>/",
        views.exercise_file_download,
        name="exercise_file_download",
    ),
]
