"""The rule for re-sending an order whose creation answer was lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from oc_integration.models import OutboundOrder, OutboundStatus
from oc_integration.outbound.resend import ResendRule, record_not_found

RULE = ResendRule(checks=3, minutes=10)
FIRST = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)


def _unknown() -> OutboundOrder:
    return OutboundOrder(reference_number="WEB-1", status=OutboundStatus.UNKNOWN)


def test_the_rule_is_read_from_the_settings(settings: Any) -> None:
    settings.OC_RESEND_AFTER_NOT_FOUND_CHECKS = 5
    settings.OC_RESEND_AFTER_NOT_FOUND_MINUTES = 30
    assert ResendRule.from_settings() == ResendRule(checks=5, minutes=30)


def test_the_first_not_found_answer_says_how_many_checks_and_when_it_will_be_resent(
    settings: Any,
) -> None:
    settings.TIME_ZONE = "UTC"
    outbound = _unknown()

    assert record_not_found(outbound, FIRST, RULE) is False

    assert outbound.status == OutboundStatus.UNKNOWN
    assert (outbound.not_found_checks, outbound.first_not_found_at) == (1, FIRST)
    assert outbound.last_error == (
        "OC did not confirm this order, and 1 check since 2026-11-20 14:02 UTC has answered "
        '"not found". It is sent again once 3 checks have answered "not found" and not '
        "before 2026-11-20 14:12 UTC; until then it is only checked."
    )


def test_three_checks_within_ten_minutes_keep_waiting() -> None:
    outbound = _unknown()
    for minute in (0, 4, 9):
        assert record_not_found(outbound, FIRST + timedelta(minutes=minute), RULE) is False
    assert outbound.not_found_checks == 3 and outbound.first_not_found_at == FIRST
    assert "3 checks since" in outbound.last_error


def test_ten_minutes_with_two_checks_keep_waiting() -> None:
    outbound = _unknown()
    assert record_not_found(outbound, FIRST, RULE) is False
    assert record_not_found(outbound, FIRST + timedelta(hours=2), RULE) is False
    assert outbound.status == OutboundStatus.UNKNOWN


def test_the_third_check_ten_minutes_after_the_first_queues_it_and_starts_the_count_afresh() -> (
    None
):
    outbound = _unknown()
    record_not_found(outbound, FIRST, RULE)
    record_not_found(outbound, FIRST + timedelta(minutes=5), RULE)

    assert record_not_found(outbound, FIRST + timedelta(minutes=10), RULE) is True

    assert outbound.status == OutboundStatus.QUEUED
    assert (outbound.not_found_checks, outbound.first_not_found_at) == (0, None)
    assert outbound.last_error.startswith("Queued to send again: 3 checks since 2026-11-20")
