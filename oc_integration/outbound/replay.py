"""Replaying OC callbacks that failed: confirm them with OC once more.

A delivery fails when OC could not be asked after several tries, or was kept back
because no outbound order matched it (the order may have arrived since). Replaying puts
it back to Received, matched to its order, so the callback task confirms it with Query
v2 exactly as on arrival; a delivery that was applied or ignored is never replayed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from oc_integration.models import WebhookDelivery
from oc_integration.outbound.callbacks import matching_outbound

REPLAYABLE = (WebhookDelivery.Status.FAILED, WebhookDelivery.Status.REJECTED)


@dataclass
class Replay:
    """What a replay did: deliveries reopened (to be processed) and those refused, why."""

    reopened: list[WebhookDelivery] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def reopen_for_replay(delivery_ids: Iterable[int]) -> Replay:
    """Put failed or kept-back deliveries back to Received; the caller queues each one."""
    result = Replay()
    with transaction.atomic():
        deliveries = list(
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("account", "outbound_order")
            .filter(pk__in=list(delivery_ids))
            .order_by("pk")
        )
        for delivery in deliveries:
            if delivery.status not in REPLAYABLE:
                result.refused.append(
                    f"{delivery.delivery_id}: {delivery.get_status_display().lower()}, "
                    "nothing to replay."
                )
                continue
            outbound = delivery.outbound_order or matching_outbound(
                delivery.account, delivery.order_number, delivery.reference_number
            )
            if outbound is None:
                result.refused.append(
                    f"{delivery.delivery_id}: still no outbound order of {delivery.account} "
                    "matches it."
                )
                continue
            delivery.outbound_order = outbound
            delivery.status = WebhookDelivery.Status.RECEIVED
            delivery.outcome = "Replayed: waiting to be confirmed with OC again."
            delivery.processed_at = None
            result.reopened.append(delivery)
        WebhookDelivery.objects.bulk_update(
            result.reopened, ["outbound_order", "status", "outcome", "processed_at"]
        )
    return result
