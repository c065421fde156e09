from django.contrib import admin
from django.urls import include, path

from peersupport import views

admin.site.site_header = "Peer Support Training — administration"
admin.site.site_title = "Peer Support Training admin"
admin.site.index_title = "Course administration"

urlpatterns = [
    path("", include("courses.urls")),
    path("sessions/", include("sessions.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]
