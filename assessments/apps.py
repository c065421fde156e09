from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        from assessments.todo import todo_items
        from peersupport.signals import todo_requested

        todo_requested.connect(todo_items, dispatch_uid="assessments-todo")
