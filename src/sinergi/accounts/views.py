"""Login, password, and the administrator's pages for users, organisations and units."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_otp.plugins.otp_totp.models import TOTPDevice

from sinergi.accounts import selectors, services, twofactor
from sinergi.accounts.choices import OrganisationKind, Role, UnitKind
from sinergi.accounts.forms import (
    LoginForm,
    OrganisationForm,
    PasswordSetForm,
    SinergiPasswordChangeForm,
    SinergiSetPasswordForm,
    TokenForm,
    UserForm,
)
from sinergi.audit.selectors import audit_history
from sinergi.core.access import ANY_ROLE, allow
from sinergi.core.errors import ApplicationError, ForbiddenError
from sinergi.core.forms import apply_error

PAGE_SIZE = 25


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if user.language:  # the stored choice wins, also on the login page after logging out
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        if user.must_change_password:
            return redirect("accounts:password_change")
        return response


@login_not_required
def language_set(request: HttpRequest) -> HttpResponse:
    """The language switch (Django's set_language); for a logged-in user the choice is also stored."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_language_set(actor=request.user, user=request.user, language=language)
    return response


def locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """Shown instead of logging in once an account has too many failed attempts (django-axes)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    message = _(
        "This account is locked for %(minutes)s minutes after %(limit)s wrong passwords. "
        "Try again after %(until)s, or ask your administrator to unlock it."
    ) % {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT, "until": time_format(until, "TIME_FORMAT")}
    form = LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "locked_message": message}, status=429)


@method_decorator(allow(ANY_ROLE), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = SinergiPasswordChangeForm

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.user
        services.user_set_password(actor=user, user=user, password=form.cleaned_data["new_password1"])
        user.must_change_password = False
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect("reports:dashboard")


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@allow(Role.ADMIN)
def user_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "role": request.GET.get("role", ""),
        "q": request.GET.get("q", "").strip(),
        "active": request.GET.get("active", ""),
    }
    users = selectors.user_list(
        actor=request.user, role=filters["role"], q=filters["q"], active=filters["active"]
    )
    page = _page(request, users)
    locked = selectors.locked_usernames([u.username for u in page.object_list])
    return render(
        request,
        "accounts/user_list.html",
        {"page_obj": page, "filters": filters, "roles": Role.choices, "locked": locked},
    )


@allow(Role.ADMIN)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                role=data["role"],
                organisation=data["organisation"],
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            return render(request, "accounts/user_created.html", {"created": user, "password": password})
    return render(request, "accounts/user_form.html", {"form": form, "title": _("New user")})


@allow(Role.ADMIN)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(actor=request.user, pk=pk)
    initial = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role,
        "organisation": user.organisation,
        "is_active": user.is_active,
        "version": user.version,
    }
    form = UserForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("username", "version")}
        try:
            services.user_update(
                actor=request.user, user=user, data=data, version=form.cleaned_data["version"] or user.version
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The user %(name)s has been saved.") % {"name": user.display_name})
            return redirect("accounts:user_list")
    history = audit_history(target_type="accounts.user", target_id=str(user.pk))
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "title": user.display_name,
            "edited": user,
            "history": history,
            "tokens": selectors.token_list(actor=request.user, user=user),
            "two_factor_on": twofactor.enabled(user),
        },
    )


@allow(Role.ADMIN)
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(actor=request.user, pk=pk)
    form = PasswordSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(actor=request.user, user=user, password=form.cleaned_data["password"])
        except ApplicationError as error:
            form.add_error("password", str(error.message))
        else:
            messages.success(
                request, _("The new password for %(name)s has been set.") % {"name": user.display_name}
            )
            return redirect("accounts:user_edit", pk=user.pk)
    return render(request, "accounts/user_password.html", {"form": form, "edited": user})


@allow(Role.ADMIN)
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(actor=request.user, pk=pk)
    services.user_unlock(actor=request.user, user=user)
    messages.success(request, _("%(name)s can log in again.") % {"name": user.display_name})
    if request.POST.get("next") == "list":
        return redirect("accounts:user_list")
    return redirect("accounts:user_edit", pk=user.pk)


@allow(Role.ADMIN)
def organisation_list(request: HttpRequest) -> HttpResponse:
    filters = {"kind": request.GET.get("kind", ""), "q": request.GET.get("q", "").strip()}
    page = _page(request, selectors.organisation_list(actor=request.user, **filters))
    return render(
        request,
        "accounts/organisation_list.html",
        {"page_obj": page, "filters": filters, "kinds": OrganisationKind.choices},
    )


def _organisation_data(cleaned: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in cleaned.items() if k != "version"}
    data["unit_kind"] = data.get("unit_kind") or ""
    return data


@allow(Role.ADMIN)
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                actor=request.user, data=_organisation_data(form.cleaned_data)
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(
                request, _("The organisation %(name)s has been saved.") % {"name": organisation.name}
            )
            return redirect("accounts:organisation_list")
    return render(request, "accounts/organisation_form.html", {"form": form, "title": _("New organisation")})


@allow(Role.ADMIN)
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(actor=request.user, pk=pk)
    initial = {
        "kind": organisation.kind,
        "name": organisation.name,
        "code": organisation.code or "",
        "unit_kind": organisation.unit_kind,
        "regional_office": organisation.regional_office,
        "province": organisation.province,
        "regency": organisation.regency,
        "district": organisation.district_id or "",
        "service_regencies": list(organisation.service_regencies.all()),
        "version": organisation.version,
    }
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user,
                organisation=organisation,
                data=_organisation_data(form.cleaned_data),
                version=form.cleaned_data["version"] or organisation.version,
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(
                request, _("The organisation %(name)s has been saved.") % {"name": organisation.name}
            )
            return redirect("accounts:organisation_list")
    history = audit_history(target_type="accounts.organisation", target_id=str(organisation.pk))
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "title": organisation.name, "edited": organisation, "history": history},
    )


@allow(ANY_ROLE)
def unit_list(request: HttpRequest) -> HttpResponse:
    filters = {"kind": request.GET.get("kind", ""), "q": request.GET.get("q", "").strip()}
    units = selectors.unit_list(actor=request.user, **filters)
    return render(
        request, "accounts/unit_list.html", {"units": units, "filters": filters, "kinds": UnitKind.choices}
    )


def _profile_page(
    request: HttpRequest, form: TokenForm, new_token: str = "", status: int = 200
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "tokens": selectors.token_list(actor=user, user=user),  # type: ignore[arg-type]
            "token_form": form,
            "new_token": new_token,
        },
        status=status,
    )


@allow(ANY_ROLE)
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own account: role, organisation, language and API tokens."""
    return _profile_page(request, TokenForm(initial={"days": settings.SINERGI_TOKEN_DAYS}))


@allow(ANY_ROLE)
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, form, status=400)
    try:
        raw = services.token_create(
            actor=request.user,
            user=request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
        )
    except ApplicationError as error:
        apply_error(form, error)
        return _profile_page(request, form, status=400)
    return _profile_page(request, TokenForm(initial={"days": settings.SINERGI_TOKEN_DAYS}), new_token=raw)


@allow(ANY_ROLE)
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one token: the owner's own, or any for an administrator (the service refuses anyone else)."""
    token = services.token_revoke(actor=request.user, token_id=pk)
    messages.success(request, _("The token %(prefix)s… has been revoked.") % {"prefix": token.prefix})
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("accounts:profile")


@allow(Role.ADMIN)
@require_POST
def user_tokens_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(actor=request.user, pk=pk)
    count = services.tokens_revoke_all(actor=request.user, user=user, reason="administrator")
    messages.success(request, _("%(count)s API tokens revoked.") % {"count": count})
    return redirect("accounts:user_edit", pk=user.pk)


@allow(ANY_ROLE)
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn two-factor login on (QR code, confirmation, recovery codes) or off."""
    user: Any = request.user
    context: dict[str, Any] = {
        "eligible": twofactor.eligible(user),
        "enabled": twofactor.enabled(user),
        "error": "",
    }
    action = request.POST.get("action", "") if request.method == "POST" else ""
    try:
        if action == "start":
            device = twofactor.totp_start(actor=user)
            context |= {
                "qr": twofactor.qr_svg_data_uri(device),
                "secret": device.config_url.split("secret=")[1].split("&")[0],
            }
        elif action == "confirm":
            context["codes"] = twofactor.totp_confirm(
                actor=user,
                code=request.POST.get("code", ""),
                request=request,
            )
            context["enabled"] = True
        elif action == "off":
            twofactor.totp_disable(actor=user, user=user, code=request.POST.get("code", ""))
            request.session[twofactor.SESSION_FLAG] = False
            messages.success(request, _("Two-factor login is off."))
            return redirect("accounts:two_factor")
    except ForbiddenError:
        raise
    except ApplicationError as error:
        context["error"] = str(error.message)
        if action == "confirm":
            device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
            if device is not None:
                context |= {
                    "qr": twofactor.qr_svg_data_uri(device),
                    "secret": device.config_url.split("secret=")[1].split("&")[0],
                }
    return render(request, "accounts/two_factor.html", context, status=400 if context["error"] else 200)


@allow(ANY_ROLE)
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the authenticator app, or a recovery code."""
    target = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    error = ""
    if request.method == "POST":
        if twofactor.verify(request=request, code=request.POST.get("code", "")):
            return redirect(target or "reports:dashboard")
        error = str(twofactor.WRONG_CODE)
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"error": error, "next": target},
        status=400 if error else 200,
    )


@allow(Role.ADMIN)
@require_POST
def user_two_factor_off(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(actor=request.user, pk=pk)
    twofactor.totp_disable(actor=request.user, user=user)  # type: ignore[arg-type]
    messages.success(request, _("Two-factor login is off for %(name)s.") % {"name": user.display_name})
    return redirect("accounts:user_edit", pk=user.pk)


@allow(Role.ADMIN)
@require_POST
def user_reset_link(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(actor=request.user, pk=pk)
    link = services.password_reset_link(
        actor=request.user, user=user, base_url=request.build_absolute_uri("/")
    )
    return render(request, "accounts/reset_link.html", {"edited": user, "link": link})


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The user opens the administrator's link and chooses a new password (the link works once, one day)."""

    template_name = "accounts/password_reset.html"
    form_class = SinergiSetPasswordForm
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.user
        services.user_set_password(actor=user, user=user, password=form.cleaned_data["new_password1"])
        messages.success(self.request, _("Your new password is set. Log in with it."))
        return redirect("accounts:login")
