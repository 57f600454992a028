from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top of the app stack: setting up an installation and its demo, which touch every app."""

    name = "sinergi.site"
    label = "site"
    verbose_name = "Sinergi"
