from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "sinergi.notifications"
    label = "notifications"
    verbose_name = "Notifikasi"
