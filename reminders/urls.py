from django.urls import path

from reminders import views

urlpatterns = [
    path("account/reminders/", views.preferences, name="reminder_preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
