from django.urls import path

from sinergi.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("periksa/", views.verify, name="verify"),
]
