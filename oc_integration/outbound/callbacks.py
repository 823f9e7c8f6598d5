"""OC's Outbound Callback: authenticate, store the raw delivery, then confirm with Query v2.

OC's payload and signing are not public, so a delivery is trusted for nothing but a hint:
the status is always confirmed with Outbound Order Query v2 before anything changes.
Deliveries are idempotent (the same delivery twice applies once) and an older status
arriving after a newer one is ignored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from oc_integration.auth.api_client import api_client
from oc_integration.client.outbound import query_orders
from oc_integration.models import AccountOrangeConnex, OutboundOrder, WebhookDelivery
from oc_integration.outbound.status import apply_state, is_older, status_from

logger = logging.getLogger(__name__)

SECRET_HEADER = "HTTP_X_HEMI_WEBHOOK_SECRET"


def presented_secret(meta: dict[str, str]) -> str:
    """The secret a request carries: HTTP Basic password, or the X-Hemi-Webhook-Secret header."""
    header = meta.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]
    return meta.get(SECRET_HEADER, "")


def is_authentic(account: AccountOrangeConnex, secret: str) -> bool:
    """Constant-time comparison against every configured secret (rotation keeps old ones)."""
    if not secret:
        return False
    matches = [
        hmac.compare_digest(secret.encode(), candidate.encode())
        for candidate in account.webhook_secret_list
    ]
    return any(matches)


@dataclass(frozen=True)
class Receipt:
    """What the view answers: an HTTP status and a short JSON-able message."""

    status: int
    message: str
    delivery_id: int | None = None
    process: bool = False


def receive(account: AccountOrangeConnex, body: bytes) -> Receipt:
    """Store the raw delivery first, then decide; never raises for bad input."""
    raw = body.decode("utf-8", errors="replace")
    try:
        payload = json.loads(raw)
        if not isinstance(payload, dict):
            raise ValueError("not an object")
    except ValueError:
        digest = hashlib.sha256(body).hexdigest()
        delivery, _ = WebhookDelivery.objects.get_or_create(
            account=account,
            delivery_id=f"sha256:{digest}",
            defaults={
                "raw_body": raw[:20000],
                "status": WebhookDelivery.Status.REJECTED,
                "outcome": "The body is not a JSON object; kept for review.",
            },
        )
        return Receipt(400, "Body is not a JSON object.", delivery.pk)

    delivery_id = str(payload.get("deliveryId") or "") or (
        "sha256:" + hashlib.sha256(body).hexdigest()
    )
    order_number = str(payload.get("orderNumber") or "")
    reference = str(payload.get("referenceNumber") or "")
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                account=account,
                delivery_id=delivery_id[:100],
                raw_body=raw[:20000],
                event_status=str(payload.get("status") or "")[:32],
                order_number=order_number[:32],
                reference_number=reference[:64],
            )
    except IntegrityError:
        return Receipt(200, "Already received; applied once.")

    outbound = matching_outbound(account, order_number, reference)
    if outbound is None:
        delivery.status = WebhookDelivery.Status.REJECTED
        delivery.outcome = "No outbound order of this account matches it; kept for review."
        delivery.save(update_fields=["status", "outcome"])
        return Receipt(400, "Unknown order.", delivery.pk)
    delivery.outbound_order = outbound
    delivery.save(update_fields=["outbound_order"])
    return Receipt(202, "Accepted.", delivery.pk, process=True)


def matching_outbound(
    account: AccountOrangeConnex, order_number: str, reference: str
) -> OutboundOrder | None:
    """The account's outbound order a delivery speaks of, by OC order number or reference."""
    if not (order_number or reference):
        return None
    lookup = Q(oc_order_number=order_number) if order_number else Q()
    if reference:
        lookup |= Q(reference_number=reference)
    return OutboundOrder.objects.filter(account=account).filter(lookup).first()


def process(delivery_id: int) -> str:
    """Confirm a stored delivery with Query v2 and apply OC's answer (idempotent)."""
    with transaction.atomic():
        delivery = (
            # of=("self",): the outbound order is the nullable side of a join; lock the row only.
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("outbound_order", "account")
            .get(pk=delivery_id)
        )
        if delivery.status != WebhookDelivery.Status.RECEIVED or delivery.outbound_order is None:
            return delivery.status
        outbound = delivery.outbound_order
        reported = status_from(delivery.event_status) if delivery.event_status else None
        if reported and is_older(outbound.status, reported):
            delivery.status = WebhookDelivery.Status.IGNORED
            delivery.outcome = (
                f"Reported {delivery.event_status} after the order was already "
                f"{outbound.get_status_display()}: an older status, ignored."
            )
            delivery.processed_at = timezone.now()
            delivery.save()
            return delivery.status
    # The HTTP call happens outside any transaction; errors propagate so the task retries.
    numbers = [outbound.oc_order_number] if outbound.oc_order_number else None
    references = None if numbers else [outbound.reference_number]
    states, _ = query_orders(
        api_client(delivery.account), order_numbers=numbers, references=references
    )
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status != WebhookDelivery.Status.RECEIVED:
            return delivery.status
        outbound = OutboundOrder.objects.select_for_update().get(pk=outbound.pk)
        state = next(
            (
                s
                for s in states
                if s.order_number == outbound.oc_order_number
                or s.reference_number == outbound.reference_number
            ),
            None,
        )
        if state is None:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.outcome = "OC's Query v2 does not know this order; nothing changed."
        else:
            changed = apply_state(outbound, state)
            delivery.status = WebhookDelivery.Status.APPLIED
            delivery.outcome = f"OC confirms {state.status}" + (
                "." if changed else "; the order already had this status."
            )
        delivery.processed_at = timezone.now()
        delivery.save()
    return delivery.status


def give_up(delivery_id: int, error: BaseException) -> None:
    """After the last retry: the delivery is failed, kept for review, with the reason."""
    WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.RECEIVED).update(
        status=WebhookDelivery.Status.FAILED,
        outcome=f"Could not confirm with OC after several tries ({error}); nothing changed.",
        processed_at=timezone.now(),
    )
