from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Course"

    def ready(self):
        from courses.admin.todo import cohorts_starting
        from courses.learner import copies
        from peersupport.signals import todo_requested

        copies.connect_signals()
        todo_requested.connect(cohorts_starting, dispatch_uid="courses-todo")
