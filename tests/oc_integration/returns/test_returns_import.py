"""Importing return orders from the OC sandbox over HTTP: linked to their outbound and
Hemi orders, statuses followed, never gone back, faults leave the data correct."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from hemi_fulfilment.schedules import register_recurring_jobs
from oc_integration.client import OCServerError
from oc_integration.models import (
    AccountOrangeConnex,
    OutboundOrder,
    ReturnedStock,
    ReturnOrder,
    ReturnOrderItem,
    ReturnStatus,
    ReturnSyncState,
)
from oc_integration.returns.sync import apply_states, import_returns, sync_all_accounts
from oc_integration.tasks import sync_returns
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.returns.helpers import advance_return, oc_return, shipped_orders

pytestmark = pytest.mark.django_db

QUERY = "/openapi/3pp/returns/v1/query/orders"
STOCK = "/openapi/3pp/returns/v1/query/stock"


@pytest.fixture
def shipped(demo_account: AccountOrangeConnex, oc_sandbox: Sandbox) -> list[OutboundOrder]:
    return shipped_orders(oc_sandbox, demo_account, 2)


def test_a_return_is_imported_linked_to_its_outbound_and_hemi_order(
    shipped: list[OutboundOrder], oc_sandbox: Sandbox
) -> None:
    first, second = shipped
    at_oc = oc_return(oc_sandbox, first, reasonCode="DAMAGED")
    result = import_returns(first.account)
    assert (result.seen, result.created, result.linked) == (1, 1, 1)
    imported = ReturnOrder.objects.get()
    assert imported.oc_return_number == at_oc["orderNumber"]
    assert imported.outbound_order == first and imported.order_id == first.order_id
    assert imported.status == ReturnStatus.CREATED and imported.oc_status == "CREATED"
    assert (imported.reason_code, imported.reason) == ("DAMAGED", "Arrived damaged")
    assert imported.tracking_number == at_oc["trackingNumber"] and imported.carrier_name
    assert imported.region == first.service_region and imported.oc_created_at is not None
    line = first.lines.get()
    item = ReturnOrderItem.objects.get(return_order=imported)
    # OC reports the OC SKU; the Hemi SKU comes from the outbound order's line.
    assert (item.oc_sku, item.seller_sku, item.quantity) == (line.oc_sku, line.sku, 2)
    assert second.return_orders.count() == 0
    assert oc_sandbox.count("GET", QUERY) == result.windows == 9  # 60 days, < 7 days each


def test_statuses_follow_oc_and_received_units_reach_the_returned_stock(
    shipped: list[OutboundOrder], oc_sandbox: Sandbox
) -> None:
    first = shipped[0]
    number = oc_return(oc_sandbox, first)["orderNumber"]
    import_returns(first.account)
    advance_return(oc_sandbox, number, "RECEIVED", damaged=True)
    result = import_returns(first.account)
    imported = ReturnOrder.objects.get()
    assert (result.created, result.updated) == (0, 1)
    assert imported.status == ReturnStatus.RECEIVED
    item = imported.items.get()
    assert (item.received_quantity, item.condition) == (2, "UNSELLABLE")
    stock = ReturnedStock.objects.get(oc_sku=item.oc_sku, region=first.service_region)
    assert stock.returned == 2 and stock.counts == {
        "returned": 2,
        "sellable": 0,
        "unsellable": 2,
    }
    advance_return(oc_sandbox, number, "PROCESSED")
    import_returns(first.account)
    assert ReturnOrder.objects.get().status == ReturnStatus.COMPLETED
    assert ReturnOrderItem.objects.count() == 1  # OC's items replace the stored ones


def test_an_older_answer_arriving_late_changes_nothing(
    shipped: list[OutboundOrder], oc_sandbox: Sandbox
) -> None:
    from oc_integration.auth.api_client import api_client
    from oc_integration.client.returns import find_returns

    first = shipped[0]
    number = oc_return(oc_sandbox, first)["orderNumber"]
    api = api_client(first.account)
    created = find_returns(api, [number])
    oc_sandbox.control("POST", "clock", advance_seconds=60)
    advance_return(oc_sandbox, number, "IN_TRANSIT")
    apply_states(first.account, find_returns(api, [number]))
    applied = apply_states(first.account, created)
    assert applied.unchanged == 1
    assert ReturnOrder.objects.get().status == ReturnStatus.IN_TRANSIT


def test_a_return_of_an_order_hemi_does_not_know_is_kept_unlinked_and_said(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    order = oc_sandbox.control("POST", "outbound/auto", referenceNumber="OC-OWN-1")["order"]
    oc_sandbox.control("POST", "outbound/advance", orderNumber=order["orderNumber"], to="Outbound")
    oc_sandbox.control("POST", "returns", outboundOrderNumber=order["orderNumber"])
    OutboundOrder.objects.filter(oc_order_number=order["orderNumber"]).delete()
    result = import_returns(demo_account)
    imported = ReturnOrder.objects.get()
    assert imported.outbound_order is None and imported.reference_number == "OC-OWN-1"
    assert result.linked == 0 and "match no outbound order" in result.messages[0]


def test_windows_go_on_from_the_last_import_and_the_first_looks_back(
    shipped: list[OutboundOrder], oc_sandbox: Sandbox, settings: object
) -> None:
    account = shipped[0].account
    oc_return(oc_sandbox, shipped[0])
    first = import_returns(account)
    assert first.windows == 9  # 60 days back in windows of under 7 days
    state = ReturnSyncState.objects.get(account=account)
    assert state.synced_until is not None and "1 return order(s) read" in state.last_outcome
    oc_return(oc_sandbox, shipped[1])
    second = import_returns(account)
    # The overlap reads the first again (unchanged, rewritten once); nothing is doubled.
    assert (second.windows, second.seen, second.created, second.updated) == (1, 2, 1, 1)
    assert ReturnOrder.objects.count() == 2


def test_a_failing_page_stops_the_import_keeps_the_cursor_and_the_next_run_catches_up(
    shipped: list[OutboundOrder], oc_sandbox: Sandbox
) -> None:
    account = shipped[0].account
    ReturnSyncState.objects.create(account=account, synced_until=timezone.now() - timedelta(days=8))
    oc_return(oc_sandbox, shipped[0])
    oc_sandbox.fault(QUERY, "http500", after=1)  # the second window fails
    with pytest.raises(OCServerError):
        import_returns(account)
    state = ReturnSyncState.objects.get(account=account)
    assert state.last_outcome.startswith("failed: OC answered HTTP 500")
    assert state.synced_until is not None and state.synced_until < timezone.now() - timedelta(
        hours=1
    )
    assert not ReturnOrder.objects.exists()
    import_returns(account)
    assert ReturnOrder.objects.count() == 1


def test_a_malformed_or_lost_answer_changes_nothing(
    shipped: list[OutboundOrder], oc_sandbox: Sandbox
) -> None:
    account = shipped[0].account
    ReturnSyncState.objects.create(account=account, synced_until=timezone.now())
    oc_return(oc_sandbox, shipped[0])
    import_returns(account)
    before = list(ReturnedStock.objects.values_list())
    oc_sandbox.fault(STOCK, "malformed")
    with pytest.raises(Exception, match="not valid JSON"):
        import_returns(account)
    assert list(ReturnedStock.objects.values_list()) == before
    assert ReturnOrder.objects.count() == 1


def test_the_beat_job_and_the_command_import_every_authorized_account(
    shipped: list[OutboundOrder], oc_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    oc_return(oc_sandbox, shipped[0])
    outcome = sync_all_accounts()
    assert list(outcome.values()) == [
        "1 return order(s) read in 9 window(s): 1 new, 0 updated, 1 linked to their outbound "
        f"order; returned stock of {ReturnedStock.objects.count()} SKU/region row(s)."
    ]
    oc_return(oc_sandbox, shipped[1])
    call_command("oc_sync_returns", "--no-stock")
    out = capsys.readouterr().out
    assert "Return import for" in out and "1 new" in out
    assert ReturnOrder.objects.count() == 2


def test_the_command_exits_1_when_oc_fails(
    shipped: list[OutboundOrder], oc_sandbox: Sandbox
) -> None:
    oc_sandbox.fault(QUERY, "http500", count=20)
    with pytest.raises(SystemExit) as exited:
        call_command("oc_sync_returns")
    assert exited.value.code == 1


def test_the_import_is_an_hourly_recurring_job_and_its_task_imports_one_account(
    shipped: list[OutboundOrder], oc_sandbox: Sandbox
) -> None:
    register_recurring_jobs()
    job = PeriodicTask.objects.get(name="OC: returns")
    assert job.task == "oc.sync_returns_all_accounts" and job.enabled
    assert job.interval is not None and job.interval.every == 60
    oc_return(oc_sandbox, shipped[0])
    assert sync_returns(shipped[0].account.pk).startswith("1 return order(s) read")
    assert sync_returns(shipped[0].account.pk).startswith("1 return order(s) read")
    assert ReturnOrder.objects.count() == 1  # a redelivered task changes nothing twice
