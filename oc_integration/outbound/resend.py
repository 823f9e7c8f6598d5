"""When an order whose creation answer was lost may be sent to OC again.

A creation call that timed out or lost its connection may still have created the order at
OC, and OC's Query v2 can lag behind its creation API: one "not found" answer proves
nothing. An Unknown order is therefore sent again only after OC has answered "not found"
on ``OC_RESEND_AFTER_NOT_FOUND_CHECKS`` checks spread over at least
``OC_RESEND_AFTER_NOT_FOUND_MINUTES`` minutes from the first of them. Until then it stays
Unknown and every push (the beat job runs one for each account with Unknown orders)
checks it again. A "found" answer resets the count (see ``status.apply_state``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from oc_integration.models import OutboundOrder, OutboundStatus

#: What :func:`record_not_found` changes on an outbound order.
NOT_FOUND_FIELDS = ["status", "not_found_checks", "first_not_found_at", "last_error", "updated"]


@dataclass(frozen=True)
class ResendRule:
    """How many "not found" checks, over how long, before an order is sent again."""

    checks: int
    minutes: int

    @classmethod
    def from_settings(cls) -> ResendRule:
        """The rule this installation is configured with."""
        return cls(
            checks=settings.OC_RESEND_AFTER_NOT_FOUND_CHECKS,
            minutes=settings.OC_RESEND_AFTER_NOT_FOUND_MINUTES,
        )

    def resend_from(self, first_not_found_at: datetime) -> datetime:
        """The earliest moment an order first not found at ``first_not_found_at`` is re-sent."""
        return first_not_found_at + timedelta(minutes=self.minutes)


def when(moment: datetime) -> str:
    """A moment as staff read it, in this installation's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z").strip()


def _checks(count: int) -> str:
    return "1 check" if count == 1 else f"{count} checks"


def record_not_found(outbound: OutboundOrder, now: datetime, rule: ResendRule) -> bool:
    """Count one "not found" answer for an Unknown order; True when it is queued to re-send.

    The caller saves ``outbound`` (:data:`NOT_FOUND_FIELDS`).
    """
    outbound.not_found_checks += 1
    first = outbound.first_not_found_at or now
    outbound.first_not_found_at = first
    outbound.updated = now
    count, resend_from = outbound.not_found_checks, rule.resend_from(first)
    if count >= rule.checks and now >= resend_from:
        outbound.status = OutboundStatus.QUEUED
        outbound.last_error = (
            f'Queued to send again: {_checks(count)} since {when(first)} answered "not '
            'found", so OC never received it.'
        )
        # A lost answer to the re-send starts the count afresh.
        outbound.not_found_checks = 0
        outbound.first_not_found_at = None
        return True
    answered = "has" if count == 1 else "have"
    outbound.last_error = (
        f"OC did not confirm this order, and {_checks(count)} since {when(first)} {answered} "
        f'answered "not found". It is sent again once {_checks(rule.checks)} have answered '
        f'"not found" and not before {when(resend_from)}; until then it is only checked.'
    )
    return False
