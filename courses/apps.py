from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Course"

    def ready(self):
        from courses.learner import copies

        copies.connect_signals()
