"""The JSON API root at /api/v1/: token authentication and one error shape, {"code", "message", "detail"}."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger, _csrf_needed
from ninja.security import HttpBearer

from sinergi.accounts.services import token_authenticate
from sinergi.core.api import validation_detail
from sinergi.core.errors import ApplicationError, error_body
from sinergi.core.middleware import BAD_VALUE_MESSAGE
from sinergi.core.params import BadParameter

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; tokens come from `sinergi token USERNAME`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
            # The language middleware ran before the token was read: answer in the token user's language.
            if getattr(user, "language", "") in dict(settings.LANGUAGES):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        return user


ERROR_SCHEMA = {
    "type": "object",
    "title": "Error",
    "description": "Every error has this shape; `message` is for people (in the user's language).",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "detail": {},
    },
    "required": ["code", "message", "detail"],
}
# What any operation may answer besides its own responses: the request cannot be used (400, 422), no
# valid token (401), outside the user's role or work area (403), not found or not visible (404), and a
# stale version or a state that no longer allows the change (409).
ERROR_RESPONSES = {
    "400": "The request is not valid (for example a parameter out of range).",
    "401": "No valid API token.",
    "403": "The user's role or work area does not allow this.",
    "404": "Not found, or outside the user's access.",
    "409": "The record changed since it was read, or its state does not allow this.",
    "422": "Some fields are not valid; `detail` says which.",
}


class SinergiAPI(NinjaAPI):
    """NinjaAPI whose schema documents the shared error responses on every operation."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        reference = {"$ref": "#/components/schemas/Error"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    responses.setdefault(
                        status,
                        {"description": description, "content": {"application/json": {"schema": reference}}},
                    )
        return schema


class LocalSwagger(Swagger):
    """The docs page from the files django-ninja ships (served by our "ninja" app, config.ninja_app), never
    from a CDN. ninja picks its local files only when the string "ninja" is in INSTALLED_APPS, where our
    lighter app config stands instead; this renders what it renders then."""

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)


api = SinergiAPI(
    title="Sinergi API",
    version="1",
    description="Kemitraan TJSL dan pemasyarakatan. Authenticate with a token from `sinergi token USERNAME`.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    docs=LocalSwagger(),
)


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # 400, not ninja's 422: one status for every refused parameter or field, with a message per field.
    return api.create_response(request, error_body(422, validation_detail(exc.errors)), status=400)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, error_body(401), status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, error_body(exc.status_code, str(exc)), status=exc.status_code)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, error_body(403), status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body(404), status=404)


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.warning("Unvalidated parameter reached the database on %s: %s", request.path, type(exc).__name__)
    return api.create_response(request, BadParameter(BAD_VALUE_MESSAGE).as_dict(), status=400)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s", request.path)
    return api.create_response(request, error_body(500), status=500)


api.add_router("/", "sinergi.accounts.api.router")
api.add_router("/regions/", "sinergi.regions.api.router")
api.add_router("/jobs/", "sinergi.jobs.api.router")
api.add_router("/audit/", "sinergi.audit.api.router")
api.add_router("/agreements", "sinergi.partnerships.api.router")
api.add_router("/persons", "sinergi.beneficiaries.api.router")
api.add_router("/", "sinergi.programs.api.router")
api.add_router("/impact", "sinergi.impact.api.router")
api.add_router("/aftercare", "sinergi.aftercare.api.router")
api.add_router("/exports", "sinergi.reports.api.router")
