from django.urls import path

from completion import views

urlpatterns = [
    path("sessions/<int:number>/apologies/", views.apologies, name="session_apologies"),
    path("certificates/verify/", views.verify, name="certificate_verify"),
    path("certificates/name/", views.certificate_name, name="certificate_name"),
    path(
        "certificates/<int:pk>/certificate.pdf",
        views.certificate_download,
        name="certificate_download",
    ),
    path(
        "certificates/<int:pk>/verification/",
        views.certificate_verification,
        name="certificate_verification",
    ),
]
