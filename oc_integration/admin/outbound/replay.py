""" "Replay" on OC callbacks: confirm failed or kept-back deliveries with OC once more."""

from __future__ import annotations

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from hemi_fulfilment.audit import record_in_history
from oc_integration.models import WebhookDelivery
from oc_integration.outbound.replay import reopen_for_replay
from oc_integration.tasks import process_outbound_callback

REPLAY_PERMISSION = "oc_integration.replay_webhookdelivery"


def may_replay(request: HttpRequest) -> bool:
    """Whether the user may replay OC callbacks (asked by the callback admin's action)."""
    return request.user.has_perm(REPLAY_PERMISSION)


@admin.action(description="Replay: confirm with OC again", permissions=["replay"])
def replay_callbacks(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[WebhookDelivery]
) -> None:
    """Reopen the selected failed deliveries and queue each for confirmation with OC."""
    if not may_replay(request):
        raise PermissionDenied("You may not replay OC callbacks.")
    replay = reopen_for_replay(queryset.values_list("pk", flat=True))
    for delivery in replay.reopened:
        transaction.on_commit(partial(process_outbound_callback.delay, delivery.pk))
    record_in_history(request, replay.reopened, "Replayed: queued to be confirmed with OC.")
    record_in_history(
        request,
        {
            d.outbound_order_id: d.outbound_order for d in replay.reopened if d.outbound_order
        }.values(),
        "An OC callback about this order was replayed.",
    )
    if replay.reopened:
        messages.success(
            request,
            f"{len(replay.reopened)} callback(s) queued to be confirmed with OC again; "
            "their outcome appears here once the worker has run.",
        )
    for refusal in replay.refused:
        messages.warning(request, f"Not replayed: {refusal}")


def attach_to_callback_admin(site: admin.AdminSite = admin.site) -> None:
    """Give the OC callback admin its "Replay" action and the permission check it names."""
    callback_admin = site.get_model_admin(WebhookDelivery)
    callback_admin.has_replay_permission = may_replay  # type: ignore[attr-defined]
    callback_admin.actions = [*(callback_admin.actions or []), replay_callbacks]
