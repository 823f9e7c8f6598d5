"""The demo's inbound order: a draft replenishment of two cartons, ready to be placed."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hemi_fulfilment.demo.data import demo_oc_sku
from oc_integration.models import (
    AccountOrangeConnex,
    InboundCarton,
    InboundLine,
    InboundOrder,
    OCSku,
)

DEMO_INBOUND_NUMBER = "IN-DEMO-0001"
#: (carton, index of the demo SKU, units)
DEMO_LINES = (("C001", 0, 24), ("C001", 1, 12), ("C002", 2, 30))


def seed_demo_inbound(account: AccountOrangeConnex) -> InboundOrder | None:
    """A draft inbound order to the UK centre (idempotent; None without the demo's SKUs)."""
    skus = {
        s.oc_sku: s
        for s in OCSku.objects.filter(
            account=account, oc_sku__in=[demo_oc_sku(i) for _, i, _ in DEMO_LINES]
        )
    }
    if len(skus) < len({i for _, i, _ in DEMO_LINES}):
        return None
    with transaction.atomic():
        order, created = InboundOrder.objects.get_or_create(
            account=account,
            seller_inbound_number=DEMO_INBOUND_NUMBER,
            defaults={
                "region": "UK",
                "shipping_from": "CN",
                "shipping_method": "EX",
                "transport_method": "AF",
                "eta": timezone.localdate() + timedelta(days=14),
            },
        )
        if created:
            cartons = {
                number: InboundCarton.objects.create(order=order, seller_carton_number=number)
                for number in dict.fromkeys(c for c, _, _ in DEMO_LINES)
            }
            InboundLine.objects.bulk_create(
                InboundLine(
                    order=order,
                    carton=cartons[carton],
                    sku=skus[demo_oc_sku(index)],
                    quantity=units,
                )
                for carton, index, units in DEMO_LINES
            )
    return order
