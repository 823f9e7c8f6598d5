"""Every registered admin page renders for a superuser, also with empty or odd data."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from ebay_orders.models import (
    EbayRun,
    IssueKind,
    OrderIssue,
    ReportStatus,
    RunKind,
    RunTrigger,
    ShipmentReport,
)
from hemi_fulfilment.apilog.models import ApiCallLog
from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount
from hemi_fulfilment.orders.models import Order, OrderItemEbay
from oc_integration.models import (
    AccountOrangeConnex,
    OutboundOrder,
    OutboundOrderLine,
    ProductAccountOrangeConnex,
    ShippingService,
    SyncRun,
    WebhookDelivery,
)

REGISTERED = sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label)
IDS = [model._meta.label for model, _ in REGISTERED]


@pytest.fixture
def odd_data(demo_data: None) -> None:
    """Rows with blanks and edge values next to the demo data."""
    order = Order.objects.create(number="ODD-1", ebay_order_id="", total=0)
    OrderItemEbay.objects.create(order=order, ebay_item_id="", order_line_item_id="odd-line")
    listing = ItemAccount.objects.select_related("product").earliest("pk")
    ProductAccountOrangeConnex.objects.create(
        account=AccountOrangeConnex.objects.get(),
        product=listing.product,
        item_account=listing,
        sku=listing.product.sku,
        region="",
    )
    account = AccountOrangeConnex.objects.get()
    outbound = OutboundOrder.objects.create(
        account=account, reference_number="ODD-REF", service_region=""
    )
    OutboundOrderLine.objects.create(outbound_order=outbound, sku="", quantity=0)
    OutboundOrder.objects.create(
        account=account,
        order=order,
        reference_number="ODD-REF-2",
        service_region="UK",
        status="rejected",
        validation_errors={"lines": ["odd <b>html</b>"]},
    )
    SyncRun.objects.create(
        account=account,
        trigger="beat",
        messages=["<script>x</script>"],
        plan={
            "skus_seen": 0,
            "upserts": [],
            "flips": [],
            "unchanged": 0,
            "created_in_oc_before": 0,
            "missing_item_accounts": [],
            "unknown_skus": [],
            "unmapped_regions": [],
        },
        status="dry_run",
    )
    WebhookDelivery.objects.create(account=account, delivery_id="odd", raw_body="{")
    ShippingService.objects.create(region="UK", code="X", fetched_at=timezone.now())
    EbayRun.objects.create(kind=RunKind.IMPORT, trigger=RunTrigger.BEAT, messages="<b>odd</b>")
    OrderIssue.objects.create(
        ebay_account=EbayAccount.objects.earliest("pk"), ebay_order_id="", kind=IssueKind.MALFORMED
    )
    ShipmentReport.objects.create(order=order, status=ReportStatus.SENDING)
    ApiCallLog.objects.create(
        provider="oc", operation="", method="", url="", outcome="malformed", correlation_id=""
    )
    Group.objects.create(name="Account managers")
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    CrontabSchedule.objects.create(minute="0", hour="3")
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    SolarSchedule.objects.create(event="sunrise", latitude=51.5, longitude=-0.1)
    PeriodicTask.objects.create(name="odd job", task="no.such.task", interval=every, kwargs="{}")


def _url(model: Any, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_changelist_renders(
    admin_client: Client, odd_data: None, model: Any, model_admin: Any
) -> None:
    assert admin_client.get(_url(model, "changelist")).status_code == 200
    assert admin_client.get(_url(model, "changelist"), {"q": "zz%_'\""}).status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_add_page_renders_or_is_refused_on_purpose(
    admin_client: Client, rf: Any, admin_user: Any, odd_data: None, model: Any, model_admin: Any
) -> None:
    request = rf.get("/")
    request.user = admin_user
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert admin_client.get(_url(model, "add")).status_code == expected


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_change_page_renders_for_every_row_kind(
    admin_client: Client, odd_data: None, model: Any, model_admin: Any
) -> None:
    objects = list(model._default_manager.order_by("pk")[:1]) + list(
        model._default_manager.order_by("-pk")[:1]
    )
    if not objects:
        pytest.skip(f"no {model._meta.verbose_name} rows in the demo data")
    for obj in objects:
        assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200
