"""Parcels and fees through the OC sandbox over HTTP: the estimate before outbound, the
charge after, weights with units, serial numbers, all stored in bulk."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from hemi_fulfilment.demo.data import demo_oc_sku
from oc_integration.client.outbound import OutboundState, ParcelSku, TrackingEntry
from oc_integration.models import AccountOrangeConnex, OutboundOrder, OutboundParcel, ParcelItem
from oc_integration.outbound.fees import alert_share, compare, record_parcels
from oc_integration.outbound.orders import prepare_outbound_orders
from oc_integration.outbound.push import push_queued
from oc_integration.outbound.status import refresh_open_orders
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.outbound_helpers import stock_everything, web_orders


@pytest.fixture
def stocked(demo_account: AccountOrangeConnex, oc_sandbox: Sandbox) -> AccountOrangeConnex:
    stock_everything(oc_sandbox, demo_account)
    return demo_account


def pushed(
    account: AccountOrangeConnex, count: int, prefix: str, quantity: int = 1
) -> list[OutboundOrder]:
    orders = web_orders(count, prefix=prefix, quantity=quantity)
    prepare_outbound_orders(account, [o.pk for o in orders])
    push_queued(account.pk)
    return list(OutboundOrder.objects.filter(order__in=orders).order_by("reference_number"))


def advance(sandbox: Sandbox, outbound: OutboundOrder, to: str) -> None:
    sandbox.control("POST", "outbound/advance", orderNumber=outbound.oc_order_number, to=to)


@pytest.mark.django_db
def test_the_estimate_read_before_outbound_stays_beside_the_charge_read_after(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    (outbound,) = pushed(stocked, 1, "FEE", quantity=2)
    refresh_open_orders(stocked)
    assert not OutboundParcel.objects.filter(outbound_order=outbound).exists()  # not packed

    advance(oc_sandbox, outbound, "Packed")
    refresh_open_orders(stocked)
    parcel = OutboundParcel.objects.get(outbound_order=outbound)
    assert (parcel.estimated_fee, parcel.estimated_currency) == (Decimal("3.65"), "GBP")
    assert parcel.charged_fee is None and parcel.estimated_at is not None
    assert parcel.weight_text() == "1 kg"
    (item,) = ParcelItem.objects.filter(parcel=parcel)
    assert item.quantity == 2 and len(item.serial_list()) == 2

    oc_sandbox.control(
        "POST", "outbound/charge", orderNumber=outbound.oc_order_number, feeAmount="4.10"
    )
    advance(oc_sandbox, outbound, "Outbound")
    refresh_open_orders(stocked)
    parcel.refresh_from_db()
    outbound.refresh_from_db()
    assert (parcel.estimated_fee, parcel.charged_fee) == (Decimal("3.65"), Decimal("4.10"))
    assert parcel.charged_currency == "GBP" and parcel.tracking_number == outbound.tracking_number
    # The order's own fields still show its first parcel, now the charge.
    assert (outbound.fee_amount, outbound.fee_currency) == (Decimal("4.10"), "GBP")
    assert outbound.tracking[0]["chargeableWeight"] == "1.0 kg"
    (comparison,) = compare(outbound.parcels.all())
    assert comparison.is_alert(alert_share())
    assert "12.3 % more than its estimate of 3.65 GBP" in comparison.alert_line("X", alert_share())
    assert ParcelItem.objects.filter(parcel=parcel).count() == 1  # not duplicated by a refresh


@pytest.mark.django_db
def test_a_charge_equal_to_the_estimate_raises_no_alert_and_the_share_is_a_setting(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    first, second = pushed(stocked, 2, "SHARE")
    for outbound in (first, second):
        advance(oc_sandbox, outbound, "Packed")
    refresh_open_orders(stocked)
    oc_sandbox.control("POST", "outbound/charge", orderNumber=second.oc_order_number, feeAmount=3.5)
    oc_sandbox.control("POST", "outbound/advance", all=True)
    refresh_open_orders(stocked)
    (same,) = compare(OutboundParcel.objects.filter(outbound_order=first))
    (higher,) = compare(OutboundParcel.objects.filter(outbound_order=second))
    assert same.compared_estimate == same.compared_charge == Decimal("3.2")
    assert not same.is_alert(alert_share())
    # 3.50 for 3.20 is 9.4 % more: below the default 10 %, above a 5 % setting.
    assert not higher.is_alert(alert_share()) and higher.alert_line("X", alert_share()) == ""
    with override_settings(OC_FEE_ALERT_SHARE=0.05):
        assert higher.is_alert(alert_share())
        assert "(alert above 5 %)" in higher.alert_line("X", alert_share())


@pytest.mark.django_db
def test_an_order_oc_made_itself_with_two_skus_has_two_parcels_with_their_serials(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    skus = [demo_oc_sku(0), demo_oc_sku(1)]
    made = oc_sandbox.control(
        "POST",
        "outbound/auto",
        serviceRegion="DE",
        productList=[
            {"MFSKUID": skus[0], "SKUQuantity": 1},
            {"MFSKUID": skus[1], "SKUQuantity": 3},
        ],
    )["order"]
    oc_sandbox.control("POST", "outbound/advance", orderNumber=made["orderNumber"], to="Packed")
    refresh_open_orders(stocked)  # pulls the order in (one order, saved on its own)
    parcels = list(
        OutboundParcel.objects.filter(outbound_order__oc_order_number=made["orderNumber"])
    )
    assert [p.position for p in parcels] == [0, 1]
    assert [(p.estimated_fee, p.estimated_currency) for p in parcels] == [
        (Decimal("4.1"), "EUR"),
        (Decimal("5.2"), "EUR"),
    ]
    items = {i.oc_sku: i for i in ParcelItem.objects.filter(parcel__in=parcels)}
    assert items[skus[1]].quantity == 3 and len(items[skus[1]].serial_list()) == 3
    (comparison,) = compare(parcels)
    assert comparison.estimated == Decimal("9.3") and comparison.charged is None


@pytest.mark.django_db
def test_an_order_first_seen_shipped_has_a_charge_and_no_estimate(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    (outbound,) = pushed(stocked, 1, "LATE")
    advance(oc_sandbox, outbound, "Outbound")
    refresh_open_orders(stocked)
    parcel = OutboundParcel.objects.get(outbound_order=outbound)
    assert parcel.estimated_fee is None and parcel.charged_fee == Decimal("3.2")
    (comparison,) = compare([parcel])
    assert comparison.excess_share is None and not comparison.is_alert(Decimal(0))


@pytest.mark.django_db
def test_the_sandbox_refuses_a_charge_without_a_valid_fee(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    (outbound,) = pushed(stocked, 1, "BAD")
    answer = requests.post(
        f"{oc_sandbox.url}/_sandbox/outbound/charge",
        json={"orderNumber": outbound.oc_order_number, "feeAmount": "lots"},
        timeout=10,
    )
    assert answer.status_code == 400 and "feeAmount must be a number" in answer.text


@pytest.mark.postgres
@pytest.mark.django_db
def test_storing_parcels_costs_the_same_statements_for_5_or_40_packed_orders(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    def statements(count: int, prefix: str) -> int:
        for outbound in pushed(stocked, count, prefix):
            advance(oc_sandbox, outbound, "Packed")
        with CaptureQueriesContext(connection) as captured:
            refresh_open_orders(stocked)
        OutboundOrder.objects.update(status="delivered")  # off the next refresh
        return len(captured)

    assert statements(5, "PFEW") == statements(40, "PMANY")
    assert OutboundParcel.objects.count() == 45


def _state(outbound: OutboundOrder, *parcels: TrackingEntry) -> OutboundState:
    return OutboundState(
        order_number=outbound.oc_order_number or "",
        reference_number=outbound.reference_number,
        status="Packed",
        auto_fulfillment_ef=False,
        created_at=None,
        service_region="UK",
        tracking=parcels,
        raw={},
    )


def _entry(fee: str | None, currency: str = "GBP", serials: tuple[str, ...] = ()) -> TrackingEntry:
    return TrackingEntry(
        tracking_number="RM1",
        carrier_code="RM",
        carrier_name="Royal Mail",
        chargeable_weight=Decimal("500.0000"),
        fee_amount=Decimal(fee) if fee else None,
        fee_currency=currency,
        weight_unit="g",
        skus=(ParcelSku("OC1", len(serials) or 1, serials),),
    )


@pytest.mark.django_db
def test_a_fee_without_currency_keeps_the_last_estimate_and_gone_parcels_are_dropped(
    stocked: AccountOrangeConnex,
) -> None:
    (outbound,) = pushed(stocked, 1, "KEEP")
    record_parcels([(outbound, _state(outbound, _entry("3.20"), _entry("1.10")))])
    assert OutboundParcel.objects.filter(outbound_order=outbound).count() == 2
    record_parcels([(outbound, _state(outbound, _entry("9.99", currency="")))])
    (parcel,) = OutboundParcel.objects.filter(outbound_order=outbound)
    assert (parcel.estimated_fee, parcel.estimated_currency) == (Decimal("3.20"), "GBP")
    assert parcel.weight_text() == "500 g"


@pytest.mark.django_db
def test_serial_numbers_are_replaced_only_when_oc_reports_others(
    stocked: AccountOrangeConnex,
) -> None:
    (outbound,) = pushed(stocked, 1, "SN")
    record_parcels([(outbound, _state(outbound, _entry("3.20", serials=("A01", "A02"))))])
    (first,) = ParcelItem.objects.filter(parcel__outbound_order=outbound)
    record_parcels([(outbound, _state(outbound, _entry("3.20", serials=("A01", "A02"))))])
    assert list(ParcelItem.objects.filter(parcel__outbound_order=outbound)) == [first]
    record_parcels([(outbound, _state(outbound, _entry("3.20", serials=("B07",))))])
    (item,) = ParcelItem.objects.filter(parcel__outbound_order=outbound)
    assert item.pk != first.pk and item.serial_list() == ["B07"]
