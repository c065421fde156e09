from django.urls import path

from assessments import views

urlpatterns = [
    path("<int:number>/", views.assignment_detail, name="assignment_detail"),
    path("<int:number>/draft/", views.save_draft, name="assignment_draft"),
    path("<int:number>/preview/", views.preview, name="assignment_preview"),
    path("<int:number>/attachment/", views.attachment, name="assignment_attachment"),
    path("<int:number>/submit/", views.submit, name="assignment_submit"),
    path(
        "<int:number>/attempts/<int:attempt>/file/",
        views.attempt_attachment,
        name="assignment_attempt_file",
    ),
]
