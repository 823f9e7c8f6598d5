"""Records that are evidence cannot be deleted from the admin, not even by a superuser."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ebay_orders.models import EbayRun, RunKind, RunTrigger, ShipmentReport
from hemi_fulfilment.apilog.models import ApiCallLog
from hemi_fulfilment.catalog.models import Product
from hemi_fulfilment.orders.models import Order
from oc_integration.models import (
    AccountOrangeConnex,
    OutboundOrder,
    OutboundStatus,
    ProductAccountOrangeConnex,
    SyncRun,
    WebhookDelivery,
)

pytestmark = pytest.mark.django_db

EVIDENCE: list[type[models.Model]] = [
    OutboundOrder,
    SyncRun,
    WebhookDelivery,
    EbayRun,
    ShipmentReport,
    ApiCallLog,
    ProductAccountOrangeConnex,
]


def one_of_each() -> dict[type[models.Model], models.Model]:
    account = AccountOrangeConnex.objects.create(
        name="OC", api_base_url="https://oc.example/openapi", oauth_base_url="https://oc.example"
    )
    order = Order.objects.create(number="H-1", ordered_at=timezone.now())
    product = Product.objects.create(sku="SKU-1", title="A product")
    return {
        OutboundOrder: OutboundOrder.objects.create(
            account=account, reference_number="H-1", status=OutboundStatus.SUBMITTED
        ),
        SyncRun: SyncRun.objects.create(account=account),
        WebhookDelivery: WebhookDelivery.objects.create(account=account, delivery_id="d-1"),
        EbayRun: EbayRun.objects.create(kind=RunKind.IMPORT, trigger=RunTrigger.ADMIN),
        ShipmentReport: ShipmentReport.objects.create(order=order),
        ApiCallLog: ApiCallLog.objects.create(
            provider="oc", operation="op", method="POST", url="https://oc.example"
        ),
        ProductAccountOrangeConnex: ProductAccountOrangeConnex.objects.create(
            account=account, product=product, sku="SKU-1", region="UK"
        ),
    }


@pytest.mark.parametrize("model", EVIDENCE, ids=lambda m: m.__name__)
def test_an_evidence_record_cannot_be_deleted_by_a_superuser(
    model: type[models.Model], admin_client: Client
) -> None:
    record = one_of_each()[model]
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    assert b"delete_selected" not in changelist.content
    delete_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[record.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=record.pk).exists()


def test_every_evidence_model_is_guarded_in_the_admin() -> None:
    for model in EVIDENCE:
        model_admin = admin.site.get_model_admin(model)
        assert model_admin.has_delete_permission.__qualname__.startswith("EvidenceAdminMixin")
