"""The eBay admin pages render with empty, odd and half-finished rows, and their actions work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ebay_orders.models import (
    EbayConnection,
    EbayRun,
    IssueKind,
    OrderIssue,
    ReportStatus,
    RunKind,
    RunTrigger,
    ShipmentReport,
)
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.orders.models import Order

pytestmark = pytest.mark.django_db

MODELS: list[type[models.Model]] = [
    EbayConnection,
    EbayRun,
    ShipmentReport,
    OrderIssue,
    EbayAccount,
]


@pytest.fixture
def odd_rows(demo_data: None) -> None:
    """A connection without a token or cursor, a run still running, a run over all accounts,
    a report stuck in sending, an issue without an order id."""
    account = EbayAccount.objects.get(site_code="UK")
    # The demo seeds a connection: strip it to a bare one.
    EbayConnection.objects.filter(ebay_account=account).update(user_token="", import_cursor=None)
    EbayRun.objects.create(kind=RunKind.IMPORT, ebay_account=account, trigger=RunTrigger.BEAT)
    EbayRun.objects.create(
        kind=RunKind.SHIPPING,
        trigger=RunTrigger.COMMAND,
        status="failed",
        finished=timezone.now(),
        counts={"reported": 0},
        messages="Order <b>X</b> not reported",
    )
    order = Order.objects.filter(ebay_order_id__isnull=False).first()
    assert order is not None
    ShipmentReport.objects.create(
        order=order, status=ReportStatus.SENDING, last_attempt_at=timezone.now() - timedelta(days=1)
    )
    OrderIssue.objects.create(
        ebay_account=account, ebay_order_id="", kind=IssueKind.MALFORMED, message="no OrderID"
    )


def _url(model: type[models.Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label for m in MODELS])
def test_changelist_and_change_pages_render(
    admin_client: Client, odd_rows: None, model: type[models.Model]
) -> None:
    assert admin_client.get(_url(model, "changelist")).status_code == 200
    assert admin_client.get(_url(model, "changelist"), {"q": "zz%_'\""}).status_code == 200
    for obj in model._default_manager.all():
        assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200


def test_a_connection_cannot_be_added_without_a_token(
    admin_client: Client, demo_data: None
) -> None:
    account = EbayAccount.objects.get(site_code="DE")
    EbayConnection.objects.all().delete()  # the demo seeds connections; start without any
    page = admin_client.post(
        _url(EbayConnection, "add"), {"ebay_account": account.pk, "enabled": "on"}
    )
    assert page.status_code == 200 and "Enter the seller" in page.content.decode()
    assert not EbayConnection.objects.exists()


def test_an_interrupted_report_can_be_released_for_retry(
    admin_client: Client, odd_rows: None
) -> None:
    report = ShipmentReport.objects.get()
    admin_client.post(
        _url(ShipmentReport, "changelist"), {"action": "retry", "_selected_action": [report.pk]}
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING


def test_import_action_refuses_accounts_without_a_usable_connection(
    admin_client: Client, odd_rows: None
) -> None:
    account = EbayAccount.objects.get(site_code="UK")  # its connection has no token
    response = admin_client.post(
        _url(EbayAccount, "changelist"),
        {"action": "import_orders_now", "_selected_action": [account.pk]},
        follow=True,
    )
    assert "Not queued for eBay UK" in response.content.decode()


def test_the_ebay_lists_show_the_last_runs_without_a_query_per_row(
    admin_client: Client, odd_rows: None
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    urls = [_url(EbayAccount, "changelist"), _url(EbayConnection, "changelist")]

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    few = [queries(url) for url in urls]
    for n in range(5):
        account = EbayAccount.objects.create(name=f"eBay X{n}", site_code=f"X{n}", site_id=900 + n)
        EbayConnection.objects.create(ebay_account=account)
        EbayRun.objects.create(kind=RunKind.IMPORT, ebay_account=account, trigger=RunTrigger.BEAT)
    assert [queries(url) for url in urls] == few
    page = admin_client.get(urls[0]).content.decode()
    assert "Never run" in page or "Running" in page
