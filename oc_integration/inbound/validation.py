"""OC's rules for an inbound order, checked in Hemi before anything is sent.

The field rules are the client's (:func:`oc_integration.client.inbound.draft_problems`);
what only Hemi's data can tell is added here: every line's OC SKU must be approved at OC
and serve the order's fulfilment centre, i.e. the SKU is set up for an EF service in that
region or OC already reports stock of it there.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from oc_integration.client.inbound import InboundCarton, InboundDraft, InboundLine, draft_problems
from oc_integration.models import (
    AccountOrangeConnex,
    Approval,
    InboundOrder,
    OCSku,
    ProductAccountOrangeConnex,
)
from oc_integration.models import InboundLine as InboundLineRow

#: (form field, problem): the admin shows each at its field, the command as a line.
Problem = tuple[str, str]


def skus_approved_in_region(account: AccountOrangeConnex, region: str) -> QuerySet[OCSku]:
    """The account's OC SKUs that may be sent to ``region`` (one query when evaluated)."""
    in_region = Q(ef_services__region__iexact=region) | Q(
        oc_sku__in=ProductAccountOrangeConnex.objects.filter(
            account=account, region__iexact=region, created_in_oc=True
        ).values("oc_sku")
    )
    return (
        OCSku.objects.filter(account=account, approval=Approval.APPROVED)
        .filter(in_region)
        .distinct()
    )


def draft_of(order: InboundOrder) -> InboundDraft:
    """What PlaceInboundOrder is sent for ``order`` (two queries: cartons, lines)."""
    cartons = list(order.cartons.order_by("seller_carton_number"))
    lines: dict[int, list[InboundLine]] = defaultdict(list)
    for carton_id, oc_sku, quantity in (
        InboundLineRow.objects.filter(order=order)
        .order_by("id")
        .values_list("carton_id", "sku__oc_sku", "quantity")
    ):
        lines[carton_id].append(InboundLine(oc_sku, quantity))
    return InboundDraft(
        seller_inbound_number=order.seller_inbound_number.strip(),
        region=order.region.strip(),
        shipping_from=order.shipping_from.strip().upper(),
        shipping_method=order.shipping_method,
        transport_method=order.transport_method,
        eta=order.eta,
        vat=order.vat.strip(),
        cartons=tuple(
            InboundCarton(
                seller_carton_number=carton.seller_carton_number.strip(),
                origin_country=carton.origin_country.strip().upper(),
                lines=tuple(lines[carton.pk]),
            )
            for carton in cartons
        ),
    )


def sku_problems(account: AccountOrangeConnex, region: str, oc_skus: set[str]) -> list[Problem]:
    """A problem per OC SKU that is not approved in ``region`` (one query)."""
    if not oc_skus:
        return []
    approved = set(
        skus_approved_in_region(account, region)
        .filter(oc_sku__in=oc_skus)
        .values_list("oc_sku", flat=True)
    )
    return [
        ("cartons", f"OC SKU {sku} is not approved at OC for the fulfilment centre {region}.")
        for sku in sorted(oc_skus - approved)
    ]


def check_draft(
    account: AccountOrangeConnex, draft: InboundDraft, *, today: date | None = None
) -> list[Problem]:
    """Everything that keeps ``draft`` from being placed (empty: it may be sent)."""
    problems = draft_problems(draft, today=today or timezone.localdate())
    used = {line.oc_sku for carton in draft.cartons for line in carton.lines if line.oc_sku}
    if draft.region.strip():
        problems.extend(sku_problems(account, draft.region.strip(), used))
    return problems


def check_order(order: InboundOrder) -> list[Problem]:
    """Everything that keeps ``order`` from being placed (empty: it may be sent)."""
    return check_draft(order.account, draft_of(order))
