from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Domain events: the outbox through which one app tells the others what happened."""

    name = "sinergi.events"
    label = "events"
    verbose_name = "Peristiwa domain"
