from django.urls import path

from sinergi.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list_view, name="notification_list"),
    path("baca-semua/", views.mark_all_read, name="mark_all_read"),
]
