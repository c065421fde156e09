import contextlib

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PeerSupportConfig(AppConfig):
    default = True
    name = "peersupport"
    verbose_name = "Peer Support Training"

    def ready(self):
        import os

        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in

        # Uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE are written here.
        # A storage that refuses is reported where files are saved, kindly.
        with contextlib.suppress(OSError):
            os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)

        from peersupport.middleware import stamp_new_login
        from peersupport.orphans import storage_todo
        from peersupport.signals import todo_requested

        todo_requested.connect(storage_todo, dispatch_uid="peersupport-storage-todo")

        user_logged_in.connect(stamp_new_login, dispatch_uid="peersupport-stamp-new-login")


class PeerSupportAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the project's AdminSite (its front page lists
    what to do next)."""

    default = False
    default_site = "peersupport.admin_site.PeerSupportAdminSite"
