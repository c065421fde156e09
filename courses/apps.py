from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Course"

    def ready(self):
        from courses import structure

        structure.connect_signals()
