"""The JSON API root at /api/v1/: token authentication and one error shape, {"code", "message", "detail"}."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from sinergi.accounts.services import token_authenticate
from sinergi.core.errors import ApplicationError, error_body

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; tokens come from `sinergi token USERNAME`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Sinergi API",
    version="1",
    description="Kemitraan TJSL dan pemasyarakatan. Authenticate with a token from `sinergi token USERNAME`.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, error_body(422, exc.errors), status=422)


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
