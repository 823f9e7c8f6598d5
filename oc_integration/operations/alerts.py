"""The OC accounts' alerts: authorization revoked or expiring, orders stuck or rejected,
a stock run waiting for confirmation."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from hemi_fulfilment.operations.registry import Problem, Subject
from oc_integration.models import AuthorizationStatus
from oc_integration.operations import links
from oc_integration.operations.figures import AccountFigures, account_figures

REVOKED = "oc_authorization_revoked"
EXPIRING = "oc_authorization_expiring"
STUCK = "oc_orders_stuck"
REJECTED = "oc_orders_rejected"
NEEDS_CONFIRMATION = "oc_stock_needs_confirmation"
KINDS = (REVOKED, EXPIRING, STUCK, REJECTED, NEEDS_CONFIRMATION)


def subject(figures: AccountFigures) -> Subject:
    account = figures.account
    return Subject.record(
        "oc_integration", "accountorangeconnex", account.pk, f"OC account {account.name}"
    )


def _authorization(figures: AccountFigures, now: datetime) -> Problem | None:
    account = figures.account
    about = subject(figures)
    link = links.account_page(account.pk)
    if account.authorization_status == AuthorizationStatus.REAUTHORIZATION_REQUIRED:
        reason = f" {account.last_error}" if account.last_error else ""
        return Problem(
            REVOKED,
            about,
            f"OC revoked the authorization of {account.name}: no OC call works until someone "
            f'authorizes it again ("Authorize with Orange Connex").{reason}',
            link,
        )
    expires = account.refresh_token_expires_at
    horizon = now + timedelta(days=settings.OC_REFRESH_TOKEN_WARNING_DAYS)
    if (
        account.authorization_status == AuthorizationStatus.AUTHORIZED
        and expires
        and expires <= horizon
    ):
        about_date = "about " if account.refresh_token_expiry_estimated else ""
        return Problem(
            EXPIRING,
            about,
            f"The authorization of {account.name} expires on {about_date}{expires:%Y-%m-%d}. "
            "Authorize the account again before then, or OC calls will stop.",
            link,
        )
    return None


def account_problems(now: datetime) -> list[Problem]:
    """Every OC account's current problems (one query)."""
    problems = []
    minutes = settings.OC_STUCK_ORDER_MINUTES
    for figures in account_figures(now):
        account = figures.account
        about = subject(figures)
        found = _authorization(figures, now)
        if found:
            problems.append(found)
        if figures.stuck_orders:
            problems.append(
                Problem(
                    STUCK,
                    about,
                    f"{figures.stuck_orders} outbound order(s) of {account.name} have been Sending "
                    f"or Unknown for over {minutes} minutes: OC never confirmed them.",
                    links.stuck_orders(account.pk),
                )
            )
        if figures.rejected_orders:
            problems.append(
                Problem(
                    REJECTED,
                    about,
                    f"{figures.rejected_orders} outbound order(s) of {account.name} were rejected "
                    "by OC: correct and send them again, or cancel them.",
                    links.rejected_orders(account.pk),
                )
            )
        if figures.stock_needs_confirmation and figures.last_stock_run_id:
            problems.append(
                Problem(
                    NEEDS_CONFIRMATION,
                    about,
                    f"Stock run #{figures.last_stock_run_id} of {account.name} needs confirmation "
                    "before it changes anything: review and apply it.",
                    links.stock_run_review(figures.last_stock_run_id),
                )
            )
    return problems
