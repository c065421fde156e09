from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PeerSupportConfig(AppConfig):
    default = True
    name = "peersupport"
    verbose_name = "Peer Support Training"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from peersupport.middleware import stamp_new_login

        user_logged_in.connect(stamp_new_login, dispatch_uid="peersupport-stamp-new-login")


class PeerSupportAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the project's AdminSite (its front page lists
    what to do next)."""

    default = False
    default_site = "peersupport.admin_site.PeerSupportAdminSite"
