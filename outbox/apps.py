from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outgoing mail"

    def ready(self):
        from outbox.todo import todo_items
        from peersupport.signals import todo_requested

        todo_requested.connect(todo_items, dispatch_uid="outbox-todo")
