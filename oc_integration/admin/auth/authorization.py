"""The authorization part of the OC account admin: button, paste path, refresh, status."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from hemi_fulfilment.audit import record_in_history
from oc_integration.auth.authorization import (
    AuthorizationRejected,
    consume_state,
    exchange_code,
    start_authorization,
)
from oc_integration.auth.redirects import redirect_uri_problem
from oc_integration.auth.tokens import (
    NotAuthorized,
    ReauthorizationRequired,
    TokenRefreshFailed,
    cached_access_token,
    forget_access_token,
    get_access_token,
)
from oc_integration.client.codes import code_from_pasted_text
from oc_integration.models import AccountOrangeConnex, AuthorizationStatus
from oc_integration.views import AUTHORIZE_PERMISSION, account_admin_url


class NeverRedisplayedTextarea(forms.Textarea):
    """A textarea that comes back empty when the form is shown again with an error: a
    pasted code is a secret until it has been exchanged."""

    def format_value(self, value: Any) -> str | None:
        return None


class PasteCodeForm(forms.Form):
    pasted = forms.CharField(
        label="Authorization code or address",
        widget=NeverRedisplayedTextarea(attrs={"rows": 4, "cols": 90, "autocomplete": "off"}),
        help_text="Paste the code OC showed, or the whole address your browser was sent to "
        "after approving (…?act=getAuthorizationCode&code=…&state=…). "
        "Encoded once or twice, both work.",
    )

    def clean_pasted(self) -> tuple[str, str | None]:
        try:
            return code_from_pasted_text(self.cleaned_data["pasted"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class AuthorizationAdminMixin:
    """Adds the "Authorize with Orange Connex" flow to the account admin."""

    admin_site: admin.AdminSite

    # --- status ------------------------------------------------------------------------
    @admin.display(description="Authorization", ordering="authorization_status")
    def authorization_summary(self, obj: AccountOrangeConnex) -> str:
        if obj.authorization_status == AuthorizationStatus.REAUTHORIZATION_REQUIRED:
            return format_html(
                '<strong style="color:#ba2121">Re-authorization required</strong> ({})',
                obj.last_error or "OC refused the grant",
            )
        if obj.authorization_status != AuthorizationStatus.AUTHORIZED:
            return "Not authorized"
        cached = cached_access_token(obj.pk) if obj.pk else None
        access = (
            f"access token valid until {timezone.localtime(cached.usable_until):%Y-%m-%d %H:%M}"
            if cached
            else "access token renewed on next use"
        )
        refresh = "refresh token expiry unknown"
        if obj.refresh_token_expires_at and obj.refresh_token_expiry_estimated:
            refresh = (
                f"refresh token valid until about {obj.refresh_token_expires_at:%Y-%m-%d} "
                "(estimated: OC did not say)"
            )
        elif obj.refresh_token_expires_at:
            refresh = f"refresh token valid until {obj.refresh_token_expires_at:%Y-%m-%d}"
        return format_html(
            '<strong style="color:#2f7d32">Authorized</strong> ({}, {})', access, refresh
        )

    # --- urls --------------------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:account_id>/authorize/",
                wrap(self.authorize_view),
                name="oc_integration_accountorangeconnex_authorize",
            ),
            path(
                "<int:account_id>/paste-code/",
                wrap(self.paste_code_view),
                name="oc_integration_accountorangeconnex_paste_code",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def _require_authorize_permission(self, request: HttpRequest) -> None:
        if not request.user.has_perm(AUTHORIZE_PERMISSION):
            raise PermissionDenied("You may not authorize Orange Connex accounts.")

    def authorize_view(self, request: HttpRequest, account_id: int) -> HttpResponse:
        """POST: send the browser to OC's consent page with a fresh state."""
        self._require_authorize_permission(request)
        account = get_object_or_404(AccountOrangeConnex, pk=account_id)
        if request.method != "POST":
            return HttpResponseRedirect(account_admin_url(account.pk))
        if not account.secret_key or not account.client_key:
            messages.error(request, "Enter the client key and secret key OC issued first.")
            return HttpResponseRedirect(account_admin_url(account.pk))
        if not request.session.session_key:
            request.session.save()
        url = start_authorization(
            account,
            session_key=request.session.session_key or "",
            user_id=getattr(request.user, "pk", None),
        )
        return HttpResponseRedirect(url)

    # The pasted text is an authorization code: an error report must not carry it.
    @method_decorator(sensitive_post_parameters("pasted"))
    @sensitive_variables("code", "state")
    def paste_code_view(self, request: HttpRequest, account_id: int) -> HttpResponse:
        """The paste path: OC's guide tells integrators to copy the code by hand."""
        self._require_authorize_permission(request)
        account = get_object_or_404(AccountOrangeConnex, pk=account_id)
        form = PasteCodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            code, state = form.cleaned_data["pasted"]
            try:
                if state:
                    # A whole address carries a state: it must be this account's, unused.
                    stated = consume_state(state, session_key=request.session.session_key or "")
                    if stated.pk != account.pk:
                        raise AuthorizationRejected(
                            f"The pasted address belongs to the authorization of {stated}, "
                            f"not of {account}."
                        )
                exchange_code(account, code)
            except AuthorizationRejected as exc:
                form.add_error("pasted", str(exc))
            else:
                record_in_history(request, [account], "Authorized with OC (pasted code).")
                messages.success(request, f"{account} is now authorized with Orange Connex.")
                return HttpResponseRedirect(account_admin_url(account.pk))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Paste the authorization code for {account}",
            "account": account,
            "form": form,
            "opts": AccountOrangeConnex._meta,
            "redirect_uri": account.redirect_uri,
        }
        return TemplateResponse(request, "admin/oc_integration/paste_code.html", context)

    # --- change page -------------------------------------------------------------------
    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        account = AccountOrangeConnex.objects.filter(pk=object_id).first()
        extra = dict(extra_context or {})
        if account is not None:
            extra["can_authorize"] = request.user.has_perm(AUTHORIZE_PERMISSION)
            extra["redirect_uri_problem"] = redirect_uri_problem(account)
        return super().change_view(request, object_id, form_url, extra)  # type: ignore[misc]

    # --- actions -----------------------------------------------------------------------
    @admin.action(description="Refresh access token now", permissions=["authorize"])
    def refresh_access_token_now(
        self, request: HttpRequest, queryset: QuerySet[AccountOrangeConnex]
    ) -> None:
        for account in queryset:
            forget_access_token(account.pk)
            try:
                get_access_token(account.pk)
            except ReauthorizationRequired as exc:
                messages.error(request, f"{account}: re-authorization required ({exc}).")
            except NotAuthorized:
                messages.warning(request, f"{account}: not authorized yet; nothing to refresh.")
            except TokenRefreshFailed as exc:
                messages.error(request, f"{account}: OC could not refresh the token now ({exc}).")
            else:
                record_in_history(request, [account], "Refreshed the access token.")
                messages.success(request, f"{account}: access token refreshed.")

    def has_authorize_permission(self, request: HttpRequest) -> bool:
        """Whether the user may authorize accounts (and refresh their tokens now)."""
        return request.user.has_perm(AUTHORIZE_PERMISSION)
