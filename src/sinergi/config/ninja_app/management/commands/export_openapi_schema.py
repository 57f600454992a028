"""django-ninja's `export_openapi_schema` (Django finds it in ninja's directory and loads it from here)."""

from ninja.management.commands.export_openapi_schema import Command

__all__ = ["Command"]
