from django.apps import AppConfig


class CompletionConfig(AppConfig):
    name = "completion"
    verbose_name = "Attendance and certificates"
