"""The OC accounts' sections of the health page."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from hemi_fulfilment.operations.registry import Line, Section
from oc_integration.models import AuthorizationStatus, SyncRun
from oc_integration.operations import links
from oc_integration.operations.figures import AccountFigures, account_figures


def authorization_line(figures: AccountFigures, now: datetime) -> Line:
    """Authorized until when, expiring soon, or not (with the reason OC gave)."""
    account = figures.account
    link = links.account_page(account.pk)
    status = account.authorization_status
    if status == AuthorizationStatus.REAUTHORIZATION_REQUIRED:
        reason = f" {account.last_error}" if account.last_error else ""
        return Line("Authorization", f"Revoked by OC: authorize again.{reason}", "problem", link)
    if status != AuthorizationStatus.AUTHORIZED:
        return Line("Authorization", "Not authorized yet", "warning", link)
    expires = account.refresh_token_expires_at
    if expires is None:
        return Line("Authorization", "Authorized (expiry not known)", "ok", link)
    about = "about " if account.refresh_token_expiry_estimated else ""
    text = f"Authorized until {about}{expires:%Y-%m-%d %H:%M} UTC"
    if expires <= now:
        return Line(
            "Authorization", f"Expired {about}{expires:%Y-%m-%d}: authorize again", "problem", link
        )
    if expires <= now + timedelta(days=settings.OC_REFRESH_TOKEN_WARNING_DAYS):
        return Line("Authorization", f"{text}: authorize again soon", "warning", link)
    return Line("Authorization", text, "ok", link)


def _count_line(label: str, count: int, link: str, *, bad: str = "problem") -> Line:
    return Line(label, str(count), bad if count else "ok", link)  # type: ignore[arg-type]


def stock_line(figures: AccountFigures) -> Line:
    run_id, status = figures.last_stock_run_id, figures.last_stock_run_status
    account_id = figures.account.pk
    if run_id is None or status is None:
        return Line("Stock sync", "No run yet", "info", links.stock_runs(account_id))
    label = SyncRun.Status(status).label
    if figures.stock_needs_confirmation:
        return Line(
            "Stock sync",
            f"Run #{run_id} needs confirmation: review and apply it",
            "warning",
            links.stock_run_review(run_id),
        )
    state = "problem" if status == SyncRun.Status.FAILED else "ok"
    return Line("Stock sync", f"Last run #{run_id}: {label}", state, links.stock_runs(account_id))  # type: ignore[arg-type]


def account_sections(now: datetime) -> list[Section]:
    """One section per OC account (one query for all of them)."""
    minutes = settings.OC_STUCK_ORDER_MINUTES
    sections = []
    for figures in account_figures(now):
        account_id = figures.account.pk
        sections.append(
            Section(
                title=f"OC account {figures.account.name}",
                link=links.account_page(account_id),
                lines=(
                    authorization_line(figures, now),
                    _count_line(
                        f"Orders stuck Sending or Unknown over {minutes} min",
                        figures.stuck_orders,
                        links.stuck_orders(account_id),
                    ),
                    _count_line(
                        "Orders rejected by OC",
                        figures.rejected_orders,
                        links.rejected_orders(account_id),
                    ),
                    stock_line(figures),
                    _count_line(
                        "Callbacks that failed",
                        figures.failed_callbacks,
                        links.failed_callbacks(account_id),
                        bad="warning",
                    ),
                ),
            )
        )
    return sections
