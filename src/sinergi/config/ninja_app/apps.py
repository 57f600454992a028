from __future__ import annotations

from importlib.util import find_spec

from django.apps import AppConfig


def _ninja_directory() -> str:
    """ninja's package directory, found without running ninja/__init__.py (which imports pydantic)."""
    spec = find_spec("ninja")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("django-ninja is not installed")
    return str(next(iter(spec.submodule_search_locations)))


class NinjaAppConfig(AppConfig):
    """ninja's templates, static files and management command (export_openapi_schema), read from its
    directory; see this package's docstring."""

    name = "sinergi.config.ninja_app"
    label = "ninja"
    verbose_name = "Django Ninja"
    path = _ninja_directory()
