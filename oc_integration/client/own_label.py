"""placeThirdPartyLabelOrder: outbound orders that ship with the seller's own label.

What OC's page (``POST /3pp/ocw/v1/creation``, page 475555135) shows [C]: ``data`` is an
array, and each item starts with ``referenceNumber``, ``orderPlatform``, ``serviceCo…``
(the rest was cut). Everything else in this module is inferred [I] and kept here, in one
place, so it can change without touching anything else:

- each item is Place Outbound Order's item (``productList``, consignee fields…) plus the
  label: the service code under a second name (:attr:`LabelFields.service_code`, after the
  cut ``serviceCo…``), carrier, tracking number, the file in base64 and its type;
- the answer is Place Outbound Order's: ``data`` = ``[{referenceNumber, orderNumber}]``,
  refused orders as error items naming their ``referenceNumber``;
- OC gives no per-call maximum: the caller chooses one (``OC_OWN_LABEL_ORDERS_PER_CALL``).

The JSON names of the label fields are a :class:`LabelFields`, built from configuration
(``OC_OWN_LABEL_FIELDS``) by the caller; this module reads no settings.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from oc_integration.client.api import OCApiClient
from oc_integration.client.errors import OCBusinessError, OCItemError, OCMalformedResponse
from oc_integration.client.outbound import CreationResult

OWN_LABEL_CREATION_PATH = "/3pp/ocw/v1/creation"
#: The fields OC's page shows first, in its order [C]; the body keeps them first.
LEADING_FIELDS = ("referenceNumber", "orderPlatform")


@dataclass(frozen=True)
class LabelFields:
    """The JSON names of an own-label order's label fields (all inferred [I])."""

    #: The shipping service again, under the name OC's page cuts at ``serviceCo…``.
    service_code: str = "serviceCode"
    carrier: str = "carrierName"
    tracking_number: str = "trackingNumber"
    label_file: str = "labelFile"
    label_type: str = "labelFileType"

    @classmethod
    def configured(cls, overrides: Mapping[str, str]) -> LabelFields:
        """The default names with ``overrides`` (attribute name -> JSON name) applied.

        Raises ValueError naming an unknown attribute or an empty JSON name.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(
                f"Unknown own-label field(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}."
            )
        empty = sorted(name for name, value in overrides.items() if not str(value).strip())
        if empty:
            raise ValueError(f"Own-label field(s) {', '.join(empty)} need a JSON name.")
        return replace(cls(), **{name: str(value).strip() for name, value in overrides.items()})


@dataclass(frozen=True)
class SellerLabel:
    """The label the seller supplies for one order."""

    carrier: str
    tracking_number: str
    #: PDF, PNG or ZPL (whatever the installation allows), upper case.
    file_type: str
    content: bytes


def own_label_order(
    order: Mapping[str, Any], label: SellerLabel, names: LabelFields
) -> dict[str, Any]:
    """One own-label order: Place Outbound Order's ``order`` item plus ``label``.

    ``order`` is the body the normal outbound builder makes; it is not changed.
    """
    body: dict[str, Any] = {name: order[name] for name in LEADING_FIELDS if name in order}
    body[names.service_code] = order.get("shippingServiceCode", "")
    body.update({key: value for key, value in order.items() if key not in body})
    body[names.carrier] = label.carrier
    body[names.tracking_number] = label.tracking_number
    body[names.label_type] = label.file_type
    body[names.label_file] = base64.b64encode(label.content).decode("ascii")
    return body


def create_own_label_orders(
    client: OCApiClient, orders: list[dict[str, Any]], *, max_per_call: int
) -> CreationResult:
    """Send own-label orders (built with :func:`own_label_order`), at most ``max_per_call``.

    As with Place Outbound Order, OC refusing some orders is a result; transport failures
    and a refusal of the whole request are raised.
    """
    if len(orders) > max_per_call:
        raise ValueError(f"At most {max_per_call} own-label orders per call")
    try:
        data: Any = client.call("own-label creation", OWN_LABEL_CREATION_PATH, orders).data
        errors: list[OCItemError] = []
    except OCBusinessError as exc:
        if not exc.errors:
            raise  # nothing was created
        data, errors = exc.data, exc.errors
    if data is not None and not isinstance(data, list):
        raise OCMalformedResponse("Own-label creation: 'data' is not a list of orders.")
    accepted: dict[str, str] = {}
    for row in data or []:
        reference = row.get("referenceNumber") if isinstance(row, dict) else None
        if not reference:
            raise OCMalformedResponse(
                "Own-label creation: an accepted order has no referenceNumber."
            )
        accepted[str(reference)] = str(row.get("orderNumber") or "")
    return CreationResult(accepted, {(e.reference_number or e.id): e for e in errors})
