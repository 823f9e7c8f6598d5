"""Cost estimates of orders about to be pushed, on PostgreSQL against the sandbox:
stored and reused, the asynchronous pair where the synchronous trial fails, a pending
answer asked about (never requested twice), failures reported, bad input not sent."""

from __future__ import annotations

from typing import Any

import pytest

from oc_integration.costs.estimates import NOT_SENT, estimate
from oc_integration.costs.parcels import for_outbound_order
from oc_integration.models import (
    AccountOrangeConnex,
    CostTrial,
    OutboundOrder,
    OutboundOrderLine,
    ServiceCostEstimate,
    TrialMethod,
    TrialStatus,
)
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.costs.conftest import DETAIL, REQUEST, SYNCED
from tests.oc_integration.outbound_helpers import web_orders

pytestmark = pytest.mark.django_db


def planned(account: AccountOrangeConnex, **changes: Any) -> Any:
    """An outbound order as a push would build it (not saved)."""
    from oc_integration.models import ProductAccountOrangeConnex

    order = web_orders(1, prefix=changes.pop("prefix", "EST"))[0]
    item = order.items.get()
    stock = ProductAccountOrangeConnex.objects.filter(
        account=account, product=item.product, region="UK"
    ).first()
    assert stock is not None
    fields = {
        "reference_number": order.number,
        "service_region": "UK",
        "country_code": "GB",
        "zip_code": order.ship_postcode,
        "consignee_name": order.ship_name,
        **changes,
    }
    outbound = OutboundOrder(account=account, **fields)
    line = OutboundOrderLine(sku=item.sku, oc_sku=stock.oc_sku, quantity=item.quantity)
    return for_outbound_order(outbound, [line], ())


def test_an_estimate_is_asked_once_stored_and_read_back(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    request = planned(stocked)
    first = estimate(stocked, [request])[request.key]
    assert first.ready and len(first.services) == 4
    fees = [s.fee for s in first.services if s.fee is not None]
    assert len(fees) == 4 and fees == sorted(fees)  # cheapest first
    assert oc_sandbox.count("POST", SYNCED) == 1
    trial = CostTrial.objects.get()
    assert trial.method == TrialMethod.SYNCED and trial.order_reference == "EST-00000"
    assert ServiceCostEstimate.objects.filter(trial=trial, currency="GBP").count() == 4
    again = estimate(stocked, [request])[request.key]
    assert again.services == first.services
    assert oc_sandbox.count("POST", SYNCED) == 1  # read from the database
    assert estimate(stocked, [request], refresh=True)[request.key].ready
    assert oc_sandbox.count("POST", SYNCED) == 2


def test_the_asynchronous_pair_is_used_where_the_synchronous_trial_fails(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.fault(SYNCED, "http500")
    request = planned(stocked)
    result = estimate(stocked, [request])[request.key]
    assert result.ready and len(result.services) == 4
    trial = CostTrial.objects.get()
    assert trial.method == TrialMethod.ASYNC and trial.status == TrialStatus.READY
    assert oc_sandbox.count("POST", REQUEST) == 1
    assert oc_sandbox.count("POST", DETAIL) == 2  # not ready, then ready


def test_a_pending_answer_is_asked_about_on_the_next_look_never_requested_again(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_COST_ESTIMATE_MODE = "async"
    settings.OC_COST_ESTIMATE_POLLS = 1
    request = planned(stocked)
    pending = estimate(stocked, [request])[request.key]
    assert pending.status == TrialStatus.PENDING and "still calculating" in pending.in_words
    ready = estimate(stocked, [request])[request.key]
    assert ready.ready
    assert oc_sandbox.count("POST", REQUEST) == 1
    assert CostTrial.objects.get().status == TrialStatus.READY


def test_a_lost_request_answer_is_asked_about_before_anything_is_sent_again(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_COST_ESTIMATE_MODE = "async"
    settings.OC_READ_TIMEOUT = 0.5
    oc_sandbox.control("POST", "config", timeout_fault_seconds=1)
    oc_sandbox.fault(REQUEST, "accept_then_timeout")
    request = planned(stocked)
    assert estimate(stocked, [request])[request.key].status == TrialStatus.PENDING
    assert estimate(stocked, [request])[request.key].ready
    assert oc_sandbox.count("POST", REQUEST) == 1  # OC had it: fetched, not requested twice


def test_when_oc_fails_the_estimate_says_so_and_nothing_is_raised(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_COST_ESTIMATE_MODE = "synced"
    oc_sandbox.fault(SYNCED, "http500")
    request = planned(stocked)
    result = estimate(stocked, [request])[request.key]
    assert result.status == TrialStatus.FAILED and "500" in result.in_words
    assert CostTrial.objects.get().status == TrialStatus.FAILED
    assert estimate(stocked, [request])[request.key].ready  # a failure is not reused


def test_an_order_without_a_postcode_is_not_sent_to_oc(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    request = planned(stocked, zip_code="")
    result = estimate(stocked, [request])[request.key]
    assert result.status == NOT_SENT and "Postcode: required" in result.in_words
    assert oc_sandbox.count("POST", SYNCED) == 0 and not CostTrial.objects.exists()


def test_mistyped_settings_are_system_check_errors(settings: Any) -> None:
    from oc_integration.costs.checks import cost_estimate_settings

    assert cost_estimate_settings() == []
    settings.OC_COST_ESTIMATE_MODE = "sometimes"
    settings.OC_COST_ESTIMATE_SHAPE = {"region_currency": {}}
    problems = {m.id: m.msg for m in cost_estimate_settings()}
    assert set(problems) == {"oc.E301", "oc.E302"}
    assert "region_currency" in problems["oc.E302"]


def test_an_unreadable_result_fails_the_trial_and_the_next_look_asks_afresh(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_COST_ESTIMATE_MODE = "async"
    oc_sandbox.fault(DETAIL, "malformed")
    request = planned(stocked)
    failed = estimate(stocked, [request])[request.key]
    assert failed.status == TrialStatus.FAILED and "not valid JSON" in failed.in_words
    assert estimate(stocked, [request])[request.key].ready
    assert list(CostTrial.objects.order_by("id").values_list("status", flat=True)) == [
        TrialStatus.FAILED,
        TrialStatus.READY,
    ]
