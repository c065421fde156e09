from django.apps import AppConfig


class CourseSessionsConfig(AppConfig):
    name = "sessions"
    # "sessions" is django.contrib.sessions' label; this app's tables and
    # migrations live under its own.
    label = "course_sessions"
    verbose_name = "Sessions and lessons"
