"""The parcels of the sandbox's outbound orders: weights, fees and serial numbers.

OC's Query v2 gives each parcel (``trackingNumberList[]``) a chargeable weight with its
unit, a fee with its currency, and the SKUs packed in it with their serial numbers
(``SN``, comma-separated). Its fee is an estimate until the order is outbound and the
actual charge after. The sandbox packs an order when it reaches Packed (one parcel per
SKU, its label and tracking number printed then) with an estimate from the region's
tariff below; at Outbound the estimate becomes the charge, unless the control API
(``POST /_sandbox/outbound/charge``) set another one, as OC re-weighing a parcel would.
The figures keep the sandbox's earlier answers: one unit ships at 0.5 kg for 3.20 GBP
(UK) or 4.10 EUR (DE).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

#: Per region: base fee for the first unit, fee per further unit, currency.
TARIFF: dict[str, tuple[Decimal, Decimal, str]] = {
    "UK": (Decimal("3.20"), Decimal("0.45"), "GBP"),
    "DE": (Decimal("4.10"), Decimal("0.55"), "EUR"),
}
KG_PER_UNIT = Decimal("0.5")


def _fee(region: str, units: int) -> Decimal:
    base, extra, _ = TARIFF.get(region, TARIFF["UK"])
    return base + extra * max(units - 1, 0)


def pack(
    region: str,
    products: list[tuple[str, int]],
    carrier: dict[str, Any],
    tracking_numbers: list[str],
) -> list[dict[str, Any]]:
    """The parcels of an order being packed: one per SKU, each with its estimate."""
    currency = TARIFF.get(region, TARIFF["UK"])[2]
    parcels = []
    for (sku, quantity), number in zip(products, tracking_numbers, strict=True):
        serials = ",".join(f"SN{number[-6:]}{n:02d}" for n in range(1, quantity + 1))
        parcels.append(
            {
                "trackingNumber": number,
                "LMCarrierCode": carrier["LMCarrierCode"],
                "LMCarrierName": carrier["LMCarrierName"],
                # Numbers, as the sandbox always answered; OC's own example has "500.0000".
                "chargeableWeight": float(KG_PER_UNIT * quantity),
                "chargeableWeightUnit": "kg",
                "feeAmount": float(_fee(region, quantity)),
                "feeAmountCurrency": currency,
                # "quantity" is the sandbox's earlier name of OC's SKUQuantity.
                "SKUList": [
                    {"MFSKUID": sku, "SKUQuantity": quantity, "quantity": quantity, "SN": serials}
                ],
            }
        )
    return parcels


def apply_charges(parcels: list[dict[str, Any]], charges: dict[int, dict[str, Any]]) -> None:
    """Put the charges set through the control API on the parcels (by parcel index)."""
    for index, charge in charges.items():
        if index < len(parcels):
            parcels[index].update(charge)


def charge_from(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The parcel index and the fields of a control-API charge; ValueError when invalid."""
    index = body.get("parcel", 0)
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError("parcel must be a parcel index (0 for the first)")
    charge: dict[str, Any] = {}
    for name in ("feeAmount", "chargeableWeight"):
        if name not in body:
            continue
        try:
            amount = Decimal(str(body[name]))
        except ArithmeticError:
            raise ValueError(f"{name} must be a number") from None
        if not amount.is_finite() or amount < 0:
            raise ValueError(f"{name} must be a number of at least 0")
        charge[name] = float(amount)
    if "feeAmount" not in charge:
        raise ValueError("feeAmount is required")
    return index, charge
