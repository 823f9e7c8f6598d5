"""Keeping OC's parcels and fees of outbound orders: the estimate before, the charge after.

Query v2 gives each parcel's fee; OC's page says it is an estimate until the order is
outbound and the actual charge after. Whatever Query v2 says while the order is not yet
outbound becomes the parcel's estimate (the latest one wins); once the order is outbound
it is the charge, and the estimate stays as it was, so the two can be compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from oc_integration.client.outbound import OutboundState, TrackingEntry
from oc_integration.models import OutboundOrder, OutboundParcel, OutboundStatus, ParcelItem

#: Statuses whose fee is OC's actual charge (OC: "actual charges after outbound").
CHARGED_STATUSES = {OutboundStatus.OUTBOUND, OutboundStatus.DELIVERED}
PARCEL_FIELDS = [
    "tracking_number",
    "carrier_code",
    "carrier_name",
    "chargeable_weight",
    "weight_unit",
    "estimated_fee",
    "estimated_currency",
    "estimated_at",
    "charged_fee",
    "charged_currency",
    "charged_at",
    "updated",
]
CENT = Decimal("0.01")


def alert_share() -> Decimal:
    """The share by which a charge may exceed its estimate before it is flagged."""
    return max(Decimal(str(settings.OC_FEE_ALERT_SHARE)), Decimal(0))


def amount_text(amount: Decimal) -> str:
    """``3.20``: two decimals, more only where OC gave more (nothing is rounded away)."""
    shown = amount.quantize(CENT) if amount == amount.quantize(CENT) else amount.normalize()
    return f"{shown:f}"


def money(amount: Decimal | None, currency: str) -> str:
    """``3.20 GBP``: an amount is never shown without its currency."""
    if amount is None:
        return "-"
    return f"{amount_text(amount)} {currency or '(currency not given)'}"


def _take(parcel: OutboundParcel, entry: TrackingEntry, *, charged: bool, now: datetime) -> None:
    parcel.tracking_number = entry.tracking_number or parcel.tracking_number
    parcel.carrier_code = entry.carrier_code or parcel.carrier_code
    parcel.carrier_name = entry.carrier_name or parcel.carrier_name
    if entry.chargeable_weight is not None:
        parcel.chargeable_weight = entry.chargeable_weight
        parcel.weight_unit = entry.weight_unit
    parcel.updated = now
    if entry.fee_amount is None or not entry.fee_currency:
        return  # no usable amount: keep what was known (a fee without currency is no money)
    # An order already charged stays charged (e.g. an exception after it shipped).
    if charged or parcel.charged_fee is not None:
        if (parcel.charged_fee, parcel.charged_currency) != (entry.fee_amount, entry.fee_currency):
            parcel.charged_fee, parcel.charged_currency = entry.fee_amount, entry.fee_currency
            parcel.charged_at = now
    elif (parcel.estimated_fee, parcel.estimated_currency) != (
        entry.fee_amount,
        entry.fee_currency,
    ) or parcel.estimated_at is None:
        parcel.estimated_fee, parcel.estimated_currency = entry.fee_amount, entry.fee_currency
        parcel.estimated_at = now


def record_parcels(applied: Sequence[tuple[OutboundOrder, OutboundState]]) -> int:
    """Store the parcels, weights, fees and serial numbers of orders whose Query v2 state
    was just applied (saved orders, status already decided); returns the parcels written.

    A few statements however many orders: read the known parcels and their SKUs, then
    create, update and replace in bulk.
    """
    applied = [(o, s) for o, s in applied if o.pk and s.tracking]
    if not applied:
        return 0
    now = timezone.now()
    known = {
        (p.outbound_order_id, p.position): p
        for p in OutboundParcel.objects.filter(outbound_order_id__in=[o.pk for o, _ in applied])
    }
    items_of: dict[int, list[tuple[str, int, str]]] = {}
    for item in ParcelItem.objects.filter(parcel_id__in=[p.pk for p in known.values()]):
        items_of.setdefault(item.parcel_id, []).append(
            (item.oc_sku, item.quantity, item.serial_numbers)
        )
    fresh: list[OutboundParcel] = []
    seen: list[OutboundParcel] = []
    wanted_items: list[tuple[OutboundParcel, list[tuple[str, int, str]]]] = []
    gone: list[int] = []
    for outbound, state in applied:
        charged = outbound.status in CHARGED_STATUSES
        for position, entry in enumerate(state.tracking):
            parcel = known.get((outbound.pk, position))
            if parcel is None:
                parcel = OutboundParcel(outbound_order=outbound, position=position)
                fresh.append(parcel)
            else:
                seen.append(parcel)
            _take(parcel, entry, charged=charged, now=now)
            items = [(s.oc_sku, s.quantity, ",".join(s.serial_numbers)) for s in entry.skus]
            if items != items_of.get(parcel.pk or 0, []):
                wanted_items.append((parcel, items))
        gone += [
            p.pk
            for (order_id, position), p in known.items()
            if order_id == outbound.pk and position >= len(state.tracking)
        ]
    OutboundParcel.objects.bulk_create(fresh)
    OutboundParcel.objects.bulk_update(seen, PARCEL_FIELDS)
    if gone:
        OutboundParcel.objects.filter(pk__in=gone).delete()
    if wanted_items:
        ParcelItem.objects.filter(parcel_id__in=[p.pk for p, _ in wanted_items]).delete()
        ParcelItem.objects.bulk_create(
            ParcelItem(parcel=parcel, oc_sku=sku, quantity=quantity, serial_numbers=serials)
            for parcel, items in wanted_items
            for sku, quantity, serials in items
        )
    return len(fresh) + len(seen)


class FeeFigures(Protocol):
    """What a fee comparison reads of a parcel (a model row or a report row)."""

    @property
    def estimated_fee(self) -> Decimal | None: ...
    @property
    def estimated_currency(self) -> str: ...
    @property
    def charged_fee(self) -> Decimal | None: ...
    @property
    def charged_currency(self) -> str: ...


@dataclass(frozen=True)
class FeeComparison:
    """One order's estimated and charged fees in one currency (sums over its parcels).

    A charge is compared with its estimate over the parcels that have both
    (``compared_estimate`` and ``compared_charge``): a parcel not charged yet does not
    make a charge look low, and one OC never estimated does not make it look high.
    """

    currency: str
    estimated: Decimal | None
    charged: Decimal | None
    compared_estimate: Decimal | None
    compared_charge: Decimal | None

    @property
    def excess_share(self) -> Decimal | None:
        """How much more than its estimate was charged (0.25: 25 % more); None if unknown."""
        base, charge = self.compared_estimate, self.compared_charge
        if base is None or charge is None or base <= 0:
            return None
        return (charge - base) / base

    def is_alert(self, share: Decimal) -> bool:
        """Whether the charge exceeds the estimate by more than ``share``."""
        excess = self.excess_share
        return excess is not None and excess > share

    def alert_line(self, label: str, share: Decimal) -> str:
        """The sentence shown when the charge is above the alert share ("" otherwise)."""
        excess = self.excess_share
        if excess is None or not self.is_alert(share):
            return ""
        return (
            f"{label}: OC charged {money(self.compared_charge, self.currency)}, "
            f"{(excess * 100).quantize(Decimal('0.1'))} % more than its estimate of "
            f"{money(self.compared_estimate, self.currency)} "
            f"(alert above {(share * 100).normalize():f} %)."
        )


def _add(totals: dict[str, Decimal], currency: str, amount: Decimal) -> None:
    totals[currency] = totals.get(currency, Decimal(0)) + amount


def compare(parcels: Iterable[FeeFigures]) -> list[FeeComparison]:
    """Per currency, one order's estimate and charge; never adds two currencies."""
    estimated: dict[str, Decimal] = {}
    charged: dict[str, Decimal] = {}
    compared_estimate: dict[str, Decimal] = {}
    compared_charge: dict[str, Decimal] = {}
    for parcel in parcels:
        if parcel.estimated_fee is not None:
            _add(estimated, parcel.estimated_currency, parcel.estimated_fee)
        if parcel.charged_fee is not None:
            _add(charged, parcel.charged_currency, parcel.charged_fee)
            same_currency = parcel.estimated_currency == parcel.charged_currency
            if parcel.estimated_fee is not None and same_currency:
                _add(compared_estimate, parcel.charged_currency, parcel.estimated_fee)
                _add(compared_charge, parcel.charged_currency, parcel.charged_fee)
    return [
        FeeComparison(
            currency,
            estimated.get(currency),
            charged.get(currency),
            compared_estimate.get(currency),
            compared_charge.get(currency),
        )
        for currency in sorted(set(estimated) | set(charged))
    ]
