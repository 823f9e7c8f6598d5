"""Outbound orders with the seller's own label: attaching the label, checking it, sending.

Staff attach a label file (PDF, PNG or ZPL by default: ``OC_OWN_LABEL_TYPES``; at most
``OC_OWN_LABEL_MAX_BYTES``) with its carrier and tracking number to an outbound order OC
has not received yet. The push then sends that order with placeThirdPartyLabelOrder
instead of Place Outbound Order, through the same claim / Unknown / Query v2 path (see
``push``): the same validation, never twice, the same status tracking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from oc_integration.client.api import OCApiClient
from oc_integration.client.outbound import CreationResult
from oc_integration.client.own_label import (
    LabelFields,
    SellerLabel,
    create_own_label_orders,
    own_label_order,
)
from oc_integration.models import OutboundOrder, OutboundStatus, OwnLabel
from oc_integration.outbound.validation import Validation, creation_payload

#: Orders OC has not received (or refused): a label may be attached, changed or removed.
ATTACHABLE = (OutboundStatus.DRAFT, OutboundStatus.QUEUED, OutboundStatus.REJECTED)
#: The first bytes of each label type. ZPL is text: its first label starts with ``^XA``,
#: possibly after blank lines or ``~`` setup commands, so it is looked for near the start.
SIGNATURES = {"PDF": b"%PDF-", "PNG": b"\x89PNG\r\n\x1a\n"}
ZPL_START, ZPL_LOOKAHEAD = b"^XA", 512
EXTENSIONS = {".pdf": "PDF", ".png": "PNG", ".zpl": "ZPL", ".txt": "ZPL"}
MAX_TEXT = 64  # carrier and tracking number, as stored
TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9-]+$")

FILE, CARRIER, TRACKING = "label_file", "carrier", "tracking_number"
LABELS = {FILE: "Label file", CARRIER: "Carrier", TRACKING: "Tracking number"}


class LabelRefused(Exception):
    """The label was not attached (nothing changed); ``errors`` name the fields."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


@dataclass
class LabelCheck:
    """What checking an uploaded label found: its type, or errors by field."""

    file_type: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, name: str, message: str) -> None:
        """Record ``message`` against the field ``name``."""
        self.errors.setdefault(name, []).append(f"{LABELS[name]}: {message}")


def allowed_types() -> list[str]:
    """The label types this installation accepts, upper case (``OC_OWN_LABEL_TYPES``)."""
    return [t.strip().upper() for t in settings.OC_OWN_LABEL_TYPES if t.strip()]


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} kB"


def _too_large(limit: int, size: int, what: str) -> str:
    allowed, actual = _megabytes(limit), _megabytes(size)
    if allowed == actual:  # just above the limit: rounding would hide the difference
        allowed, actual = f"{limit:,} bytes", f"{size:,} bytes"
    return f"at most {allowed} for OC ({what} has {actual})"


def _looks_like(file_type: str, content: bytes) -> bool:
    if file_type == "ZPL":
        return content[:ZPL_LOOKAHEAD].lstrip().lstrip(b"~").find(ZPL_START) != -1
    return content.startswith(SIGNATURES.get(file_type, b"\0\0"))


def check_label(
    file_name: str, content: bytes, carrier: str, tracking_number: str, *, size: int | None = None
) -> LabelCheck:
    """Check an uploaded label file and its carrier and tracking number, field by field.

    ``size``: the upload's size when ``content`` holds only its start (a file far above
    the limit is not read whole).
    """
    check = LabelCheck()
    size = len(content) if size is None else size
    allowed = allowed_types()
    extension = PurePath(file_name).suffix.lower()
    file_type = EXTENSIONS.get(extension, "")
    limit = settings.OC_OWN_LABEL_MAX_BYTES
    if not content:
        check.error(FILE, "the file is empty; choose the label file again.")
    elif file_type not in allowed:
        shown = extension or "files without an extension"
        check.error(FILE, f"{shown} is not accepted; allowed types: {', '.join(allowed)}.")
    elif size > limit:
        check.error(FILE, f"{_too_large(limit, size, 'this file')}.")
    elif not _looks_like(file_type, content):
        check.error(FILE, f"this is not a {file_type} file, whatever its name says.")
    else:
        check.file_type = file_type
    for name, value in ((CARRIER, carrier), (TRACKING, tracking_number)):
        if not value.strip():
            check.error(name, "required for an order with its own label.")
        elif len(value.strip()) > MAX_TEXT:
            check.error(name, f"at most {MAX_TEXT} characters (this has {len(value.strip())}).")
    if tracking_number.strip() and not TRACKING_NUMBER.match(tracking_number.strip()):
        check.error(TRACKING, "letters, digits and hyphens only, as printed on the label.")
    return check


def attach_label(
    *,
    outbound_id: int,
    file_name: str,
    content: bytes,
    carrier: str,
    tracking_number: str,
    user: AbstractBaseUser | AnonymousUser | None = None,
) -> OwnLabel:
    """Attach (or replace) the seller's label of an outbound order OC has not received.

    Raises :class:`LabelRefused` with field-named errors, changing nothing, when the file
    or its details are wrong or the order is already with OC.
    """
    check = check_label(file_name, content, carrier, tracking_number)
    if check.errors:
        raise LabelRefused(check.errors)
    with transaction.atomic():
        # Locked like the push's claim, so a push never sends half an attachment.
        outbound = OutboundOrder.objects.select_for_update().get(pk=outbound_id)
        _refuse_unless_attachable(outbound)
        label, _ = OwnLabel.objects.update_or_create(
            outbound_order=outbound,
            defaults={
                "carrier": carrier.strip(),
                "tracking_number": tracking_number.strip(),
                "file_name": PurePath(file_name).name[:255],
                "file_type": check.file_type,
                "size": len(content),
                "content": content,
                "sha256": sha256(content).hexdigest(),
                "attached_by": user if isinstance(user, AbstractBaseUser) else None,
            },
        )
    return label


def remove_label(*, outbound_id: int) -> bool:
    """Remove the label of an order OC has not received; False when it had none.

    The order is then sent as a normal outbound order. Raises :class:`LabelRefused`
    when the order is already with OC.
    """
    with transaction.atomic():
        outbound = OutboundOrder.objects.select_for_update().get(pk=outbound_id)
        _refuse_unless_attachable(outbound)
        deleted, _ = OwnLabel.objects.filter(outbound_order=outbound).delete()
    return bool(deleted)


def _refuse_unless_attachable(outbound: OutboundOrder) -> None:
    if outbound.status not in ATTACHABLE:
        raise LabelRefused(
            {
                FILE: [
                    f"{LABELS[FILE]}: order {outbound.reference_number} is "
                    f"{outbound.get_status_display()}; a label can only be attached or "
                    "removed before OC has the order."
                ]
            }
        )


def check_labels_before_sending(
    outbounds: list[OutboundOrder], checks: dict[int, Validation], *, attached_only: bool = False
) -> None:
    """Add to ``checks`` what is wrong with each order's stored label (one query).

    The file was checked when it was attached; this catches settings changed since (a
    type no longer allowed, a lower size limit, wrong ``OC_OWN_LABEL_FIELDS``) and a
    label removed meanwhile. ``attached_only``: orders without a label are normal orders
    (a dry run over every queued order), not an error.
    """
    labels = {
        label.outbound_order_id: label
        for label in OwnLabel.objects.filter(outbound_order__in=outbounds).defer("content")
    }
    allowed, limit = allowed_types(), settings.OC_OWN_LABEL_MAX_BYTES
    try:
        LabelFields.configured(settings.OC_OWN_LABEL_FIELDS)
        misconfigured = ""
    except ValueError as exc:
        misconfigured = f"{LABELS[FILE]}: not sent, OC_OWN_LABEL_FIELDS is wrong: {exc}"
    for outbound in outbounds:
        label, check = labels.get(outbound.pk), checks[outbound.pk]
        if label is None:
            if not attached_only:
                check.error("own_label", f"{LABELS[FILE]}: none attached any more.")
        elif misconfigured:
            check.error("own_label", misconfigured)
        elif label.file_type not in allowed:
            check.error(
                "own_label",
                f"{LABELS[FILE]}: {label.file_type} labels are no longer accepted "
                f"(allowed: {', '.join(allowed)}); attach the label again.",
            )
        elif label.size > limit:
            check.error(
                "own_label",
                f"{LABELS[FILE]}: {_too_large(limit, label.size, 'the attached file')}; "
                "attach a smaller one.",
            )


def orders_per_call() -> int:
    """How many own-label orders go in one call (``OC_OWN_LABEL_ORDERS_PER_CALL``)."""
    return int(settings.OC_OWN_LABEL_ORDERS_PER_CALL)


def send_own_label_orders(client: OCApiClient, batch: list[OutboundOrder]) -> CreationResult:
    """Send claimed orders with their labels (one query for the labels, one call to OC).

    Each order's body is the normal outbound payload (``creation_payload``) plus its label.
    """
    labels = {
        label.outbound_order_id: label
        for label in OwnLabel.objects.filter(outbound_order__in=batch)
    }
    names = LabelFields.configured(settings.OC_OWN_LABEL_FIELDS)
    orders = []
    for outbound in batch:
        label = labels[outbound.pk]
        seller_label = SellerLabel(
            carrier=label.carrier,
            tracking_number=label.tracking_number,
            file_type=label.file_type,
            content=bytes(label.content),
        )
        payload = creation_payload(outbound, list(outbound.lines.all()))
        orders.append(own_label_order(payload, seller_label, names))
    return create_own_label_orders(client, orders, max_per_call=orders_per_call())
