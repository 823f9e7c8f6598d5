"""The monthly fee report and the order page's fees: sums that match the stored parcels,
per currency only, alert lines, CSV, view permission, constant queries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oc_integration.models import (
    AccountOrangeConnex,
    Environment,
    OutboundOrder,
    OutboundParcel,
    OutboundStatus,
    ParcelItem,
)
from oc_integration.outbound.fee_report import fee_report

pytestmark = pytest.mark.django_db
REPORT = reverse("admin:oc_integration_outboundparcel_report")
NOVEMBER = datetime(2026, 11, 10, 12, tzinfo=UTC)
Fee = tuple[str | None, str, str | None, str]  # estimate, its currency, charge, its currency


def _account(name: str = "OC fees") -> AccountOrangeConnex:
    account = AccountOrangeConnex(
        name=name,
        environment=Environment.SANDBOX,
        api_base_url="https://oc.test/openapi",
        oauth_base_url="https://oc.test",
        client_key=f"ck-{name}",
        redirect_uri="http://testserver/oc/oauth/callback/",
    )
    account.secret_key = "sk"
    account.save()
    return account


def _order(
    account: AccountOrangeConnex,
    reference: str,
    *fees: Fee,
    region: str = "UK",
    service: str = "GBDomesticStandard",
    created_at: datetime = NOVEMBER,
) -> OutboundOrder:
    outbound = OutboundOrder.objects.create(
        account=account,
        reference_number=reference,
        oc_order_number=f"OCO{reference}",
        service_region=region,
        shipping_service_code=service,
        status=OutboundStatus.OUTBOUND,
        oc_created_at=created_at,
    )
    OutboundParcel.objects.bulk_create(
        OutboundParcel(
            outbound_order=outbound,
            position=n,
            tracking_number=f"{reference}-{n}",
            chargeable_weight=Decimal("500.0000"),
            weight_unit="g",
            estimated_fee=Decimal(estimate) if estimate else None,
            estimated_currency=estimate_currency,
            charged_fee=Decimal(charge) if charge else None,
            charged_currency=charge_currency,
            updated=timezone.now(),
        )
        for n, (estimate, estimate_currency, charge, charge_currency) in enumerate(fees)
    )
    return outbound


def _viewer() -> Client:
    """Staff who may only look at outbound orders and parcels."""
    user = User.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_outboundorder", "view_outboundparcel"])
    )
    client = Client()
    client.force_login(user)
    return client


def test_the_report_sums_match_the_stored_parcels_per_currency_and_never_mix_them() -> None:
    account = _account()
    _order(account, "A", ("3.20", "GBP", "3.20", "GBP"))
    _order(account, "B", ("3.20", "GBP", "3.90", "GBP"), ("1.00", "GBP", None, ""))  # alert
    _order(account, "C", ("4.10", "EUR", "4.10", "EUR"), region="DE", service="DEDomesticStandard")
    _order(account, "D", ("2.00", "GBP", None, ""), service="GBDomesticExpress")  # not shipped
    _order(
        account, "OCT", ("9.99", "GBP", "9.99", "GBP"), created_at=datetime(2026, 10, 5, tzinfo=UTC)
    )
    _order(_account("other"), "X", ("5.00", "GBP", "5.00", "GBP"))

    report = fee_report(account, date(2026, 11, 1))

    stored = OutboundParcel.objects.filter(
        outbound_order__account=account, outbound_order__oc_created_at__month=11
    )
    totals = {line.currency: line for line in report.totals}
    assert set(totals) == {"EUR", "GBP"}
    for currency, line in totals.items():
        assert (
            line.estimated
            == stored.filter(estimated_currency=currency).aggregate(s=Sum("estimated_fee"))["s"]
        )
        assert (
            line.charged
            == stored.filter(charged_currency=currency).aggregate(s=Sum("charged_fee"))["s"]
        )
    gbp = totals["GBP"]
    assert (gbp.orders, gbp.charged_orders, gbp.alerts) == (3, 2, 1)
    assert (gbp.compared_estimate, gbp.compared_charge, gbp.difference) == (
        Decimal("6.40"),
        Decimal("7.10"),
        Decimal("0.70"),
    )
    assert [(x.region, x.service, x.currency) for x in report.lines] == [
        ("DE", "DEDomesticStandard", "EUR"),
        ("UK", "GBDomesticExpress", "GBP"),
        ("UK", "GBDomesticStandard", "GBP"),
    ]
    (alert,) = report.alerts
    assert alert.label == "OCOB"
    assert "OC charged 3.90 GBP, 21.9 % more than its estimate of 3.20 GBP" in alert.line


def test_the_report_costs_one_query_for_2_or_20_orders(django_assert_num_queries: Any) -> None:
    account = _account()
    for n in range(2):
        _order(account, f"F{n}", ("3.20", "GBP", "3.50", "GBP"))
    with django_assert_num_queries(1):
        fee_report(account, date(2026, 11, 1))
    for n in range(18):
        _order(account, f"M{n}", ("3.20", "GBP", "3.50", "GBP"), ("4.10", "EUR", None, ""))
    with django_assert_num_queries(1):
        report = fee_report(account, date(2026, 11, 1))
    assert sum(line.orders for line in report.totals) == 20 + 18


def test_the_report_page_shows_totals_and_alert_lines_to_view_only_staff() -> None:
    account = _account()
    outbound = _order(account, "B", ("3.20", "GBP", "3.90", "GBP"))
    page = _viewer().get(REPORT, {"account": str(account.pk), "month": "2026-11"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-currency="GBP"' in text and "3.90 GBP" in text
    assert "21.9 % more than its estimate of 3.20 GBP" in text
    assert reverse("admin:oc_integration_outboundorder_change", args=[outbound.pk]) in text


def test_the_csv_has_one_line_per_region_service_and_currency_then_the_totals() -> None:
    account = _account()
    _order(account, "A", ("3.20", "GBP", "3.20", "GBP"))
    _order(account, "C", ("4.10", "EUR", "4.30", "EUR"), region="DE", service="DEDomesticStandard")
    response = _viewer().get(
        REPORT, {"account": str(account.pk), "month": "2026-11", "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["region"], r["currency"], r["charged"]) for r in rows] == [
        ("DE", "EUR", "4.30"),
        ("UK", "GBP", "3.20"),
        ("", "EUR", "4.30"),
        ("", "GBP", "3.20"),
    ]
    assert rows[0]["difference"] == "0.20" and rows[0]["month"] == "2026-11"


def test_a_bad_month_is_a_field_error_and_no_report() -> None:
    _account()
    page = _viewer().get(REPORT, {"month": "November"})
    text = page.content.decode()
    assert page.status_code == 200 and "Month: give it as YYYY-MM" in text
    assert 'id="fee-report"' not in text


def test_staff_without_the_view_permission_may_not_see_the_report() -> None:
    user = User.objects.create_user("nobody", password="pw-nobody-1", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(REPORT).status_code == 403


def test_the_order_page_shows_both_fees_parcels_with_units_serials_and_the_alert() -> None:
    account = _account()
    outbound = _order(account, "B", ("3.20", "GBP", "3.90", "GBP"))
    parcel = OutboundParcel.objects.get(outbound_order=outbound)
    ParcelItem.objects.create(
        parcel=parcel, oc_sku="OC0000000400301", quantity=2, serial_numbers="A01,A02"
    )
    page = _viewer().get(reverse("admin:oc_integration_outboundorder_change", args=[outbound.pk]))
    text = page.content.decode()
    assert "estimated 3.20 GBP, charged 3.90 GBP" in text
    assert "500 g" in text and "OC0000000400301 x 2 (SN: A01, A02)" in text
    assert 'class="fee-alert"' in text and "21.9 % more than its estimate" in text


def test_the_parcel_list_costs_the_same_queries_for_1_or_many_parcels(
    admin_client: Client,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    account = _account()
    url = reverse("admin:oc_integration_outboundparcel_changelist")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    _order(account, "ONE", ("3.20", "GBP", None, ""))
    few = queries()
    for n in range(15):
        outbound = _order(account, f"P{n}", ("3.20", "GBP", "3.20", "GBP"), ("1", "GBP", None, ""))
        ParcelItem.objects.create(
            parcel=OutboundParcel.objects.get(outbound_order=outbound, position=0),
            oc_sku="OC1",
            quantity=1,
            serial_numbers="S1",
        )
    assert queries() == few
    found = admin_client.get(url, {"q": "S1"})
    assert found.status_code == 200 and "P3-0" in found.content.decode()
