"""What staff do with one return at OC: download its label, cancel the RMA, update its
return tracking.

A change whose answer is lost (timeout, dropped connection, HTTP 5xx, unreadable answer)
may have been made at OC, so it is marked pending; before it is sent again, OC is asked
how the return stands ("never twice"), and the import settles it as well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from oc_integration.auth.api_client import api_client
from oc_integration.client import (
    OCApiClient,
    OCBusinessError,
    OCMalformedResponse,
    OCServerError,
    OCTransportError,
)
from oc_integration.client.returns import (
    RmaChange,
    cancel_problems,
    cancel_rma,
    fetch_label,
    find_returns,
    tracking_problems,
    update_tracking,
)
from oc_integration.models import (
    CANCELLABLE_RETURNS,
    TRACKABLE_RETURNS,
    PendingRequest,
    ReturnOrder,
    ReturnStatus,
)
from oc_integration.returns.sync import apply_states

#: The answer to these is lost: OC may or may not have made the change.
ANSWER_LOST = (OCTransportError, OCServerError, OCMalformedResponse)


class InvalidReturnInput(ValueError):
    """What staff entered is wrong: ``problems`` are (field, message); nothing was sent."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))
        self.problems = problems


class ReturnActionRefused(ValueError):
    """The return is in no state for this action (nothing was sent)."""


@dataclass(frozen=True)
class ActionOutcome:
    """What happened: ``done`` when OC made the change (now or before the lost answer)."""

    done: bool
    message: str


def return_label(return_order: ReturnOrder, *, client: OCApiClient | None = None) -> bytes:
    """The return label PDF of ``return_order`` (OC's typed errors as they come)."""
    if return_order.status == ReturnStatus.CANCELLED:
        raise ReturnActionRefused(f"Return {return_order} is cancelled: OC issues no label for it.")
    return fetch_label(client or api_client(return_order.account), return_order.oc_return_number)


def check_with_oc(return_order: ReturnOrder, api: OCApiClient) -> ReturnOrder:
    """Read the return from OC and store what OC says (settling a pending change)."""
    apply_states(return_order.account, find_returns(api, [return_order.oc_return_number]))
    return ReturnOrder.objects.select_related("account").get(pk=return_order.pk)


def _mark_pending(return_order: ReturnOrder, kind: str, tracking: str = "") -> None:
    """Committed before the call, so a lost answer (or a dead worker) is never forgotten."""
    now = timezone.now()
    ReturnOrder.objects.filter(pk=return_order.pk).update(
        pending_request=kind, pending_since=now, pending_tracking=tracking, updated=now
    )


def _send(return_order: ReturnOrder, send: Callable[[], RmaChange]) -> RmaChange | None:
    """Send the change marked pending; None when its answer was lost (it stays pending)."""
    try:
        return send()
    except ANSWER_LOST as exc:
        ReturnOrder.objects.filter(pk=return_order.pk).update(last_error=str(exc))
        return None
    except OCBusinessError as exc:
        # OC refused: it made no change, so nothing is pending.
        ReturnOrder.objects.filter(pk=return_order.pk).update(
            pending_request=PendingRequest.NONE,
            pending_since=None,
            pending_tracking="",
            last_error=str(exc),
        )
        raise


def _locked(return_order_id: int) -> ReturnOrder:
    return ReturnOrder.objects.select_for_update().select_related("account").get(pk=return_order_id)


LOST = (
    "OC did not answer in time: the {what} may or may not have been made. It is checked "
    "with OC before anything is sent again; try again in a minute or wait for the next "
    "return import."
)


def cancel_return(
    return_order_id: int, *, reason: str, client: OCApiClient | None = None
) -> ActionOutcome:
    """Cancel the RMA at OC; refused once the parcel is on its way back."""
    problems = cancel_problems(reason)
    if problems:
        raise InvalidReturnInput(problems)
    with transaction.atomic():
        return_order = _locked(return_order_id)
        api = client or api_client(return_order.account)
        if return_order.pending_request == PendingRequest.CANCEL:
            return_order = check_with_oc(return_order, api)
        if return_order.status == ReturnStatus.CANCELLED:
            return ActionOutcome(True, f"Return {return_order} is cancelled at OC.")
        if return_order.status not in CANCELLABLE_RETURNS:
            raise ReturnActionRefused(
                f"Return {return_order} is {return_order.get_status_display().lower()}: OC "
                "cancels an RMA only before the parcel is on its way back."
            )
        _mark_pending(return_order, PendingRequest.CANCEL)
    change = _send(
        return_order,
        lambda: cancel_rma(api, return_order.oc_return_number, reason, at=timezone.now()),
    )
    if change is None:
        return ActionOutcome(False, LOST.format(what="cancellation"))
    ReturnOrder.objects.filter(pk=return_order.pk).update(
        status=ReturnStatus.CANCELLED,
        oc_status=change.status or "CANCELLED",
        cancel_reason=reason.strip()[:255],
        pending_request=PendingRequest.NONE,
        pending_since=None,
        last_error="",
        updated=timezone.now(),
    )
    return ActionOutcome(True, f"Return {return_order} cancelled at OC.")


def update_return_tracking(
    return_order_id: int,
    *,
    tracking_number: str,
    carrier_code: str,
    carrier_name: str = "",
    client: OCApiClient | None = None,
) -> ActionOutcome:
    """Give OC the tracking number the return parcel travels under."""
    problems = tracking_problems(tracking_number, carrier_code, carrier_name)
    if problems:
        raise InvalidReturnInput(problems)
    number = tracking_number.strip()
    with transaction.atomic():
        return_order = _locked(return_order_id)
        api = client or api_client(return_order.account)
        if return_order.pending_request == PendingRequest.TRACKING:
            return_order = check_with_oc(return_order, api)
            if return_order.tracking_number == number:
                return ActionOutcome(True, f"OC has tracking number {number} for {return_order}.")
        if return_order.status not in TRACKABLE_RETURNS:
            raise ReturnActionRefused(
                f"Return {return_order} is {return_order.get_status_display().lower()}: its "
                "tracking can no longer be changed."
            )
        _mark_pending(return_order, PendingRequest.TRACKING, number)
    change = _send(
        return_order,
        lambda: update_tracking(
            api, return_order.oc_return_number, number, carrier_code, carrier_name
        ),
    )
    if change is None:
        return ActionOutcome(False, LOST.format(what="tracking update"))
    ReturnOrder.objects.filter(pk=return_order.pk).update(
        tracking_number=change.tracking_number or number,
        carrier_code=carrier_code.strip(),
        carrier_name=carrier_name.strip() or carrier_code.strip(),
        pending_request=PendingRequest.NONE,
        pending_since=None,
        pending_tracking="",
        last_error="",
        updated=timezone.now(),
    )
    return ActionOutcome(True, f"Return tracking of {return_order} is now {number}.")
