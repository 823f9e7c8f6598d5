"""An inbound order's papers: its labels from OC, tracking numbers and customs files to OC.

Everything is checked before anything is sent: an order OC does not have yet, tracking
numbers for an order that does not ship by express, cartons that are not the order's, a
file of the wrong type or size. OC's refusal is raised as its typed error.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from oc_integration.auth.api_client import api_client
from oc_integration.client import OCApiClient
from oc_integration.client.inbound import (
    ClearanceFile,
    TrackingNumber,
    clearance_problems,
    fetch_label,
    tracking_problems,
    upload_clearance,
    upload_tracking,
)
from oc_integration.models import OPEN_INBOUND, InboundDocument, InboundOrder


class NotSent(ValueError):
    """The request was refused in Hemi: nothing was sent to OC. ``str()`` says why."""


def _placed(order: InboundOrder, what: str) -> str:
    if not order.oc_inbound_number:
        raise NotSent(f"{order.seller_inbound_number} is not placed at OC yet: {what} later.")
    return order.oc_inbound_number


def inbound_labels(order: InboundOrder, *, client: OCApiClient | None = None) -> bytes:
    """The PDF with the order's carton and SKU labels, as OC prints them."""
    number = _placed(order, "print its labels")
    return fetch_label(client or api_client(order.account), number)


def send_tracking(
    order: InboundOrder,
    entries: Sequence[TrackingNumber],
    *,
    client: OCApiClient | None = None,
) -> None:
    """Upload the carriers' tracking numbers (per carton, or one for the whole order)."""
    number = _placed(order, "upload tracking numbers")
    if order.shipping_method != "EX":
        raise NotSent("OC takes tracking numbers for express (EX) inbound orders only.")
    if order.status not in OPEN_INBOUND:
        raise NotSent(f"{number} is {order.get_status_display().lower()}: nothing to track.")
    problems = tracking_problems(entries)
    cartons = set(order.cartons.values_list("seller_carton_number", flat=True))
    problems += [
        f"Carton {e.carton_number} is not a carton of {number}."
        for e in entries
        if e.carton_number and e.carton_number not in cartons
    ]
    if problems:
        raise NotSent(" ".join(problems))
    upload_tracking(
        client or api_client(order.account), number, order.seller_inbound_number, entries
    )
    order.tracking = [
        {"carton": e.carton_number, "carrier": e.carrier, "number": e.tracking_number}
        for e in entries
    ]
    order.tracking_uploaded_at = timezone.now()
    order.save(update_fields=["tracking", "tracking_uploaded_at", "updated"])


def send_clearance_file(
    order: InboundOrder, document: ClearanceFile, *, client: OCApiClient | None = None
) -> InboundDocument:
    """Upload one customs-clearance file; it is recorded once OC accepted it."""
    number = _placed(order, "upload customs papers")
    problems = clearance_problems(document)
    if problems:
        raise NotSent(" ".join(text for _, text in problems))
    upload_clearance(client or api_client(order.account), number, [document])
    with transaction.atomic():
        return InboundDocument.objects.create(
            order=order,
            file_type=document.file_type,
            file_name=document.file_name,
            size=len(document.content),
            verify_status="sent",
        )
