"""Following inbound orders at the OC sandbox over HTTP: statuses and received units
follow the sandbox (its control API and its clock), in OC's 7-day windows."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from oc_integration.inbound.placing import PLACED, place_inbound_order
from oc_integration.inbound.runs import sync_all_accounts
from oc_integration.inbound.status import sync_inbound_orders
from oc_integration.models import (
    AccountOrangeConnex,
    InboundOrder,
    InboundReceipt,
    InboundStatus,
)
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.inbound.helpers import FIRST, SECOND, approved_skus, draft_order

pytestmark = pytest.mark.django_db

DETAIL = "/openapi/3pp/inbound/v1/detail"


@pytest.fixture
def placed(authorized_account: AccountOrangeConnex) -> InboundOrder:
    first, second, _ = approved_skus(authorized_account)
    order = draft_order(
        authorized_account, {"C001": [(first, 10), (second, 6)], "C002": [(first, 4)]}
    )
    assert place_inbound_order(order.pk).outcome == PLACED
    order.refresh_from_db()
    return order


def received(order: InboundOrder) -> dict[str, tuple[int | None, int | None]]:
    return {r.oc_sku: (r.sent, r.received) for r in InboundReceipt.objects.filter(order=order)}


def test_statuses_and_short_receipts_follow_the_sandbox_with_a_history(
    placed: InboundOrder, oc_sandbox: Sandbox
) -> None:
    account = placed.account
    first, second = FIRST, SECOND
    oc_sandbox.control(
        "POST", "inbound/advance", inboundNumber=placed.oc_inbound_number, to="ARRIVED"
    )
    result = sync_inbound_orders(account)
    assert (result.checked, result.changed) == (1, 1)
    placed.refresh_from_db()
    assert placed.status == InboundStatus.ARRIVED and placed.oc_status == "ARRIVED"
    oc_sandbox.control(
        "POST",
        "inbound/advance",
        inboundNumber=placed.oc_inbound_number,
        to="RECEIVED",
        received={first: 12},
    )
    sync_inbound_orders(account)
    placed.refresh_from_db()
    assert placed.status == InboundStatus.RECEIVED
    assert received(placed) == {first: (14, 12), second: (6, 6)}
    history = list(placed.status_changes.values_list("status", flat=True))
    assert history == ["created", "arrived", "received"]
    # Received orders are not asked about any more.
    calls = oc_sandbox.count("POST", DETAIL)
    assert sync_inbound_orders(account).checked == 0
    assert oc_sandbox.count("POST", DETAIL) == calls


def test_orders_move_on_on_the_sandbox_s_clock_and_a_sync_sees_it(
    placed: InboundOrder, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.control("POST", "inbound/config", step_seconds=1)
    time.sleep(2.2)  # two steps of the sandbox's clock: shipped, then arrived
    result = sync_inbound_orders(placed.account)
    assert result.changed == 1
    placed.refresh_from_db()
    assert placed.status == InboundStatus.ARRIVED
    assert list(placed.status_changes.values_list("oc_status", flat=True)) == ["", "ARRIVED"]


def test_an_order_checked_long_ago_is_asked_about_in_windows_of_under_7_days(
    placed: InboundOrder, oc_sandbox: Sandbox
) -> None:
    InboundOrder.objects.filter(pk=placed.pk).update(
        checked_until=timezone.now() - timedelta(days=20), placed_at=None
    )
    oc_sandbox.control("POST", "inbound/advance", inboundNumber=placed.oc_inbound_number)
    result = sync_inbound_orders(placed.account)
    assert result.windows == 3 and result.calls == 3
    placed.refresh_from_db()
    assert placed.status == InboundStatus.IN_TRANSIT
    assert placed.checked_until is not None and placed.checked_until > timezone.now() - timedelta(
        minutes=1
    )


def test_a_later_answer_never_moves_a_status_back(
    placed: InboundOrder, oc_sandbox: Sandbox
) -> None:
    InboundOrder.objects.filter(pk=placed.pk).update(status=InboundStatus.RECEIVING)
    oc_sandbox.control(
        "POST", "inbound/advance", inboundNumber=placed.oc_inbound_number, to="SHIPPED"
    )
    assert sync_inbound_orders(placed.account).changed == 0
    placed.refresh_from_db()
    assert placed.status == InboundStatus.RECEIVING and placed.oc_status == "SHIPPED"


def test_a_failing_sync_keeps_the_cursor_and_is_reported_per_account(
    placed: InboundOrder, oc_sandbox: Sandbox
) -> None:
    before = InboundOrder.objects.get(pk=placed.pk).checked_until
    oc_sandbox.fault(DETAIL, "http500")
    outcome = sync_all_accounts()
    assert outcome[placed.account.name].startswith("failed:")
    assert InboundOrder.objects.get(pk=placed.pk).checked_until == before


def test_the_command_prints_the_outcome(
    placed: InboundOrder, oc_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    oc_sandbox.control("POST", "inbound/advance", inboundNumber=placed.oc_inbound_number)
    call_command("oc_sync_inbound")
    out = capsys.readouterr().out
    assert "1 open inbound order(s) checked in 1 window(s), 1 changed status." in out
    oc_sandbox.fault(DETAIL, "http500")
    with pytest.raises(SystemExit) as exit_code:
        call_command("oc_sync_inbound")
    assert exit_code.value.code == 1
