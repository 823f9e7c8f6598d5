"""The warning banner on the Orange Connex admin pages, Hemi's orders and the admin home."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from hemi_fulfilment.admin_forms import WarningsAdminMixin
from oc_integration.models import AccountOrangeConnex, AuthorizationStatus


def account_warnings(
    *, except_account: int | None = None, reauthorization: bool = True
) -> list[str]:
    """Why any OC account needs attention now (one query), one sentence set per account.

    ``except_account`` leaves out the account whose own page already says it;
    ``reauthorization=False`` leaves out the accounts that need re-authorization (the
    list of accounts says it in each one's row).
    """
    horizon = timezone.now() + timedelta(days=settings.OC_REFRESH_TOKEN_WARNING_DAYS)
    accounts = AccountOrangeConnex.objects.filter(
        Q(authorization_status=AuthorizationStatus.REAUTHORIZATION_REQUIRED)
        | Q(
            authorization_status=AuthorizationStatus.AUTHORIZED,
            refresh_token_expires_at__lte=horizon,
        )
    ).only(
        "name",
        "authorization_status",
        "last_error",
        "refresh_token_expires_at",
        "refresh_token_expiry_estimated",
    )
    if except_account is not None:
        accounts = accounts.exclude(pk=except_account)
    if not reauthorization:
        accounts = accounts.exclude(
            authorization_status=AuthorizationStatus.REAUTHORIZATION_REQUIRED
        )
    warnings = []
    for account in accounts:
        if account.authorization_status == AuthorizationStatus.REAUTHORIZATION_REQUIRED:
            reason = f" {account.last_error}" if account.last_error else ""
            warnings.append(
                f"{account.name}: re-authorization required.{reason} "
                'Open the account and click "Authorize with Orange Connex".'
            )
        elif account.refresh_token_expires_at:
            when = f"{account.refresh_token_expires_at:%Y-%m-%d}"
            if account.refresh_token_expiry_estimated:
                when = f"about {when} (estimated: OC did not say)"
            warnings.append(
                f"{account.name}: the authorization expires on {when}. "
                "Authorize it again before then."
            )
    return warnings


def show_account_warnings(
    request: HttpRequest, *, except_account: int | None = None, reauthorization: bool = True
) -> None:
    """Add :func:`account_warnings` to the page's messages (on GET only)."""
    if request.method == "GET":
        for warning in account_warnings(
            except_account=except_account, reauthorization=reauthorization
        ):
            messages.warning(request, warning)


class AccountWarningsMixin(WarningsAdminMixin):
    """Shows :func:`account_warnings` on the changelist and change pages."""

    def show_warnings(self, request: HttpRequest, *, on_list: bool, except_id: int | None) -> None:
        """The OC account warnings; the accounts' own list says "re-authorization
        required" in the account's row, so it leaves that one out."""
        if on_list:
            show_account_warnings(request, reauthorization=not self.warns_about_itself)
        else:
            show_account_warnings(request, except_account=except_id)
