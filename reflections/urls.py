from django.urls import path

from reflections import views

urlpatterns = [
    path("", views.journal, name="journal"),
    path("export/", views.journal_export, name="journal_export"),
    path("prompts/<int:prompt_id>/", views.answer, name="reflection_answer"),
    path("<int:pk>/delete/", views.delete_answer, name="reflection_delete"),
]
