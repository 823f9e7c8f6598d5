"""The push preview: what *Push to Orange Connex* will send, with OC's cost estimates.

Hemi orders are previewed by running the real preparation in a transaction that is
rolled back, so the page shows exactly what confirming creates (region, service,
address, lines, validation) without anything being written or queued.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from oc_integration.costs.cheapest import choose_cheapest_service, without_cheapest_choice
from oc_integration.costs.estimates import Estimates, estimate
from oc_integration.costs.parcels import for_outbound_order
from oc_integration.models import (
    AccountOrangeConnex,
    OrderPlatform,
    OutboundOrder,
    OutboundOrderLine,
    OutboundStatus,
)
from oc_integration.outbound.orders import prepare_outbound_orders, revalidate, services_by_region

WILL_BE_QUEUED = {OutboundStatus.DRAFT, OutboundStatus.REJECTED, OutboundStatus.QUEUED}


@dataclass
class PreviewLine:
    sku: str
    oc_sku: str
    quantity: int
    declared_value: Decimal
    currency: str


@dataclass
class PreviewOrder:
    """One order as it will be sent, and what OC estimated it would cost."""

    reference: str
    account: str
    status: str
    region: str
    service_code: str
    platform: str
    consignee: str
    address: str
    lines: list[PreviewLine]
    will_be_sent: bool
    problems: list[str]
    estimates: Estimates | None = None

    @property
    def ebay(self) -> bool:
        return self.platform == OrderPlatform.EBAY

    @property
    def service_rows(self) -> list[dict[str, Any]]:
        """Each service's estimate for the page: the one sent and the cheapest marked."""
        if self.estimates is None:
            return []
        best = self.estimates.cheapest()
        return [
            {
                "code": s.service_code,
                "name": s.service_name,
                "amount": f"{s.fee} {s.currency}" if s.ok and s.fee is not None else "",
                "error": s.error,
                "chosen": s.service_code == self.service_code,
                "cheapest": best is not None and s.service_code == best.service_code,
            }
            for s in self.estimates.services
        ]

    @property
    def service_estimate(self) -> str:
        """The estimate of the service that will be sent, in words."""
        if self.estimates is None:
            return ""
        chosen = next(
            (s for s in self.estimates.services if s.service_code == self.service_code), None
        )
        if chosen is None or chosen.fee is None:
            return ""
        return f"{chosen.fee} {chosen.currency}"


@dataclass
class PushPreview:
    orders: list[PreviewOrder] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def sendable(self) -> int:
        return sum(1 for order in self.orders if order.will_be_sent)

    @property
    def estimate_failures(self) -> list[str]:
        """One line per order whose estimate failed or is still pending."""
        return [
            f"{order.reference}: {order.estimates.in_words}"
            for order in self.orders
            if order.estimates is not None and order.estimates.in_words
        ]


class _Rollback(Exception):
    """Undoes the preview's preparation."""


def _row(
    outbound: OutboundOrder,
    lines: Sequence[OutboundOrderLine],
    *,
    will_be_sent: bool,
    problems: list[str],
) -> PreviewOrder:
    address = ", ".join(
        part
        for part in (
            outbound.address1,
            outbound.address2,
            outbound.city,
            outbound.zip_code,
            outbound.country_code,
        )
        if part
    )
    return PreviewOrder(
        reference=outbound.reference_number,
        account=str(outbound.account),
        status=outbound.get_status_display(),
        region=outbound.service_region,
        service_code=outbound.shipping_service_code,
        platform=outbound.order_platform,
        consignee=outbound.consignee_name,
        address=address,
        lines=[
            PreviewLine(line.sku, line.oc_sku, line.quantity, line.declared_value, line.currency)
            for line in lines
        ],
        will_be_sent=will_be_sent,
        problems=problems,
    )


def _estimate_rows(
    account: AccountOrangeConnex,
    rows: list[tuple[PreviewOrder, OutboundOrder, list[OutboundOrderLine]]],
) -> None:
    services = services_by_region()
    requests = {
        order.reference: for_outbound_order(outbound, lines, services.get(order.region, set()))
        for order, outbound, lines in rows
        if order.will_be_sent
    }
    found = estimate(account, list(requests.values()))
    for order, _, _ in rows:
        request = requests.get(order.reference)
        if request is not None:
            order.estimates = found.get(request.key)


def preview_hemi_orders(account: AccountOrangeConnex, order_ids: Iterable[int]) -> PushPreview:
    """What pushing these Hemi orders to ``account`` will send, with cost estimates.

    Nothing is written or queued: the preparation runs in a transaction rolled back.
    """
    ids = list(order_ids)
    preview = PushPreview()
    rows: list[tuple[OutboundOrder, list[OutboundOrderLine]]] = []
    try:
        with transaction.atomic(), without_cheapest_choice():
            result = prepare_outbound_orders(account, ids)
            made = [*result.queued, *result.invalid]
            built = (
                OutboundOrder.objects.filter(account=account, reference_number__in=made)
                .select_related("account")
                .prefetch_related("lines")
                .order_by("reference_number")
            )
            rows = [(o, list(o.lines.all())) for o in built]
            raise _Rollback
    except _Rollback:
        pass
    preview.skipped, preview.warnings = result.skipped, result.warnings
    services = services_by_region()
    planned = []
    for outbound, lines in rows:
        problems = [m for messages in (outbound.validation_errors or {}).values() for m in messages]
        order = _row(outbound, lines, will_be_sent=not problems, problems=problems)
        if order.will_be_sent:
            # The same choice confirming makes (the account's cheapest-service option).
            allowed = services.get(outbound.service_region, set())
            preview.warnings += [
                f"{order.reference}: {w}" for w in choose_cheapest_service(outbound, lines, allowed)
            ]
            order.service_code = outbound.shipping_service_code
        planned.append((order, outbound, lines))
    _estimate_rows(account, planned)
    preview.orders = [order for order, _, _ in planned]
    return preview


def preview_outbound_orders(outbounds: Iterable[OutboundOrder]) -> PushPreview:
    """What pushing these outbound orders will send (Drafts and Rejected ones that now
    validate, and Queued ones), with cost estimates; the others are listed as untouched."""
    chosen = list(outbounds)
    checks = revalidate(
        [o for o in chosen if o.status in (OutboundStatus.DRAFT, OutboundStatus.REJECTED)]
    )
    lines: dict[int, list[OutboundOrderLine]] = {}
    for line in OutboundOrderLine.objects.filter(outbound_order__in=chosen).order_by("pk"):
        lines.setdefault(line.outbound_order_id, []).append(line)
    preview = PushPreview()
    by_account: dict[int, list[tuple[PreviewOrder, OutboundOrder, list[OutboundOrderLine]]]] = {}
    for outbound in chosen:
        check = checks.get(outbound.pk)
        problems = (
            [m for messages in check.errors.values() for m in messages] if check is not None else []
        )
        if outbound.status not in WILL_BE_QUEUED:
            problems = [f"Not sent: it is {outbound.get_status_display()} already."]
        order = _row(
            outbound, lines.get(outbound.pk, []), will_be_sent=not problems, problems=problems
        )
        preview.orders.append(order)
        by_account.setdefault(outbound.account_id, []).append(
            (order, outbound, lines.get(outbound.pk, []))
        )
    for rows in by_account.values():
        _estimate_rows(rows[0][1].account, rows)
    return preview
