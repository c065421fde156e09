from django.contrib import admin
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from peersupport.rendering import CONTENT, LEARNER, render_markdown
from peersupport.signals import todo_for

PREVIEW_PROFILES = {profile.name: profile for profile in (CONTENT, LEARNER)}


class PeerSupportAdminSite(admin.AdminSite):
    site_header = "Peer Support Training — administration"
    site_title = "Peer Support Training admin"
    index_title = "Course administration"
    # The sidebar lists every model on every page; building it took 8 of the
    # review queue's 50 ms. Breadcrumbs and the front page lead everywhere.
    enable_nav_sidebar = False

    def each_context(self, request):
        """What every admin page's template is given: Django's, but for the
        sidebar's list of every app and model (``available_apps``), which
        checks a permission and works out an address for each model on every
        page, for a sidebar this site turns off. tests/test_admin.py checks
        that nothing else differs from Django's."""
        if self.enable_nav_sidebar:
            return super().each_context(request)
        script_name = request.META["SCRIPT_NAME"]
        return {
            "site_title": self.site_title,
            "site_header": self.site_header,
            "site_url": script_name if self.site_url == "/" and script_name else self.site_url,
            "has_permission": self.has_permission(request),
            "available_apps": [],
            "is_popup": False,
            "is_nav_sidebar_enabled": False,
            "log_entries": self.get_log_entries(request),
        }

    def has_permission(self, request):
        # Staff must also have passed the second step of signing in (the
        # middleware sends them there first; this is the admin's own check).
        from django_otp import DEVICE_ID_SESSION_KEY

        return super().has_permission(request) and DEVICE_ID_SESSION_KEY in request.session

    def get_urls(self):
        return [
            path(
                "markdown-preview/",
                self.admin_view(self.markdown_preview),
                name="markdown_preview",
            ),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "todo_items": todo_for(request.user)}
        return super().index(request, extra_context)

    @staticmethod
    @require_POST
    def markdown_preview(request):
        """Render Markdown for the admin's live preview; staff only (admin_view).
        ``profile`` names the renderer's profile the text is stored with
        (course content unless it says "learner", as tutors' feedback does)."""
        profile = PREVIEW_PROFILES.get(request.POST.get("profile", ""), CONTENT)
        return JsonResponse({"html": render_markdown(request.POST.get("text", ""), profile)})
