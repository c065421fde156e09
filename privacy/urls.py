from django.urls import path

from privacy import views

urlpatterns = [
    path("", views.account, name="account"),
    path("reading/", views.reading, name="account_reading"),
    path("data/", views.data_download, name="account_data"),
    path("erasure/", views.erasure, name="account_erasure"),
]
