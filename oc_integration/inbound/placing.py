"""Placing an inbound order at OC (PlaceInboundOrder), never twice.

The order is checked against OC's rules first, then marked *sending* (committed) before
the call, so a worker that dies mid-call leaves a trace. When OC's answer is lost
(timeout, broken answer, server error) the order becomes *unknown* and is looked up at
once with the detail query by its seller inbound number; it is placed again only when
OC does not have it. OC saying "this seller inbound number exists" is looked up the
same way. Nothing is sent for an order that is invalid, already placed, or being sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hemi_fulfilment.integration_errors import NoUsableToken
from hemi_fulfilment.words import sentence, sentences
from oc_integration.auth.api_client import api_client
from oc_integration.client import (
    OCApiClient,
    OCBusinessError,
    OCError,
    OCHttpError,
    OCTokenRejected,
)
from oc_integration.client.errors import DUPLICATE_REFERENCE, in_words
from oc_integration.client.inbound import (
    InboundState,
    place_inbound,
    query_details,
    query_windows,
)
from oc_integration.inbound.status import apply_states
from oc_integration.inbound.validation import Problem, check_order, draft_of
from oc_integration.models import (
    AccountOrangeConnex,
    InboundOrder,
    InboundStatus,
    InboundStatusChange,
)

logger = logging.getLogger(__name__)

#: A *sending* order younger than this is another request's: it is left alone.
SENDING_WAIT = timedelta(minutes=settings.OC_INBOUND_SENDING_WAIT_MINUTES)
#: Lost answers are looked up from this long before the first send (clocks differ).
LOOKUP_MARGIN = timedelta(minutes=10)

PLACED = "placed"
CONFIRMED = "confirmed"
REFUSED = "refused"
UNKNOWN = "unknown"
INVALID = "invalid"
NOT_SENT = "not_sent"


@dataclass
class PlaceResult:
    """What placing one inbound order did, for the admin's message or the command's line."""

    outcome: str
    message: str
    inbound_number: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome in (PLACED, CONFIRMED)


def find_at_oc(client: OCApiClient, order: InboundOrder) -> InboundState | None:
    """The order at OC, looked up by its seller inbound number since it was first sent."""
    now = timezone.now()
    since = (order.sent_at or order.created) - LOOKUP_MARGIN
    for start, end in query_windows(since, now + timedelta(minutes=1)):
        for state in query_details(
            client, start=start, end=end, seller_numbers=[order.seller_inbound_number]
        ):
            if state.seller_inbound_number in ("", order.seller_inbound_number):
                return state
    return None


def _adopt(order_id: int, number: str, note: str, state: InboundState | None) -> InboundOrder:
    """Store OC's inbound number: the order is placed (exactly once)."""
    now = timezone.now()
    with transaction.atomic():
        order = InboundOrder.objects.select_for_update().select_related("account").get(pk=order_id)
        order.oc_inbound_number = number
        order.status = InboundStatus.CREATED
        order.oc_status = state.status if state else ""
        order.placed_at = (state.created_at if state else None) or now
        order.status_changed_at = order.placed_at
        order.checked_until = order.placed_at
        order.last_error = ""
        order.save()
        InboundStatusChange.objects.create(
            order=order,
            status=InboundStatus.CREATED,
            oc_status=order.oc_status,
            changed_at=order.placed_at,
            note=note,
        )
    if state is not None:
        apply_states(order.account, [state])
    return order


def _found(order: InboundOrder, found: InboundState) -> PlaceResult:
    """OC has the order whose answer was lost: store it, once, and say so."""
    _adopt(order.pk, found.inbound_number, "Found at OC after a lost answer", found)
    return PlaceResult(
        CONFIRMED,
        f"{order.seller_inbound_number} is at OC as {found.inbound_number} (an answer was "
        "lost and the order was found at OC); it was not sent again.",
        found.inbound_number,
    )


def _mark(order_id: int, status: str, error: str) -> None:
    InboundOrder.objects.filter(pk=order_id).update(
        status=status, last_error=error, updated=timezone.now()
    )


def _claim(order_id: int) -> tuple[InboundOrder | None, PlaceResult | None, bool]:
    """Lock the order and mark it *sending*; returns (order, why not, look up first?)."""
    with transaction.atomic():
        order = InboundOrder.objects.select_for_update().select_related("account").get(pk=order_id)
        if order.oc_inbound_number:
            return (
                None,
                PlaceResult(
                    NOT_SENT,
                    f"{order.seller_inbound_number} is already placed at OC as "
                    f"{order.oc_inbound_number}; nothing was sent.",
                    order.oc_inbound_number,
                ),
                False,
            )
        recent = timezone.now() - SENDING_WAIT
        if order.status == InboundStatus.SENDING and order.sent_at and order.sent_at > recent:
            return (
                None,
                PlaceResult(
                    NOT_SENT,
                    f"{order.seller_inbound_number} is being sent by another request; "
                    "try again in a few minutes.",
                ),
                False,
            )
        look_up = order.status in (InboundStatus.SENDING, InboundStatus.UNKNOWN)
        problems = check_order(order)
        if problems and not look_up:
            return (
                None,
                PlaceResult(
                    INVALID,
                    sentences(
                        f"{order.seller_inbound_number} was not sent",
                        "; ".join(text for _, text in problems),
                    ),
                    problems=problems,
                ),
                False,
            )
        if not look_up:
            order.sent_at = timezone.now()  # the first send: lost answers are looked up since
        order.status = InboundStatus.SENDING
        order.save(update_fields=["status", "sent_at", "updated"])
        return order, None, look_up


def place_inbound_order(order_id: int, *, client: OCApiClient | None = None) -> PlaceResult:
    """Place one inbound order at OC, never twice (see the module's docstring)."""
    order, refusal, look_up = _claim(order_id)
    if order is None:
        assert refusal is not None
        return refusal
    name = order.seller_inbound_number
    try:
        api = client or api_client(order.account)
        if look_up:
            found = find_at_oc(api, order)
            if found is not None:
                return _found(order, found)
            problems = check_order(order)
            if problems:
                _mark(order_id, InboundStatus.DRAFT, "; ".join(t for _, t in problems))
                return PlaceResult(
                    INVALID,
                    sentences(f"OC does not have {name}; it was not sent", problems[0][1]),
                    problems=problems,
                )
    except (OCError, NoUsableToken) as exc:
        _mark(order_id, InboundStatus.UNKNOWN, str(exc))
        return PlaceResult(
            UNKNOWN,
            sentences(
                f"Could not check at OC whether it has {name} ({str(exc).rstrip('.')})",
                "Nothing was sent; try again later.",
            ),
        )
    return _send(order, api)


def _send(order: InboundOrder, api: OCApiClient) -> PlaceResult:
    name, order_id = order.seller_inbound_number, order.pk
    try:
        number = place_inbound(api, draft_of(order))
    except OCBusinessError as exc:
        duplicate = any(e.code == DUPLICATE_REFERENCE for e in exc.errors)
        if duplicate:
            return _lost_answer(order, api, f"OC says {name} exists already")
        reasons = "; ".join(in_words(e.code, e.message) for e in exc.errors) or exc.message
        _mark(order_id, InboundStatus.REFUSED, reasons)
        return PlaceResult(REFUSED, sentence(f"OC refused {name}: {reasons}"))
    except (OCTokenRejected, OCHttpError, NoUsableToken) as exc:
        # Refused before OC looked at the order: nothing was created.
        _mark(order_id, InboundStatus.DRAFT, str(exc))
        return PlaceResult(
            NOT_SENT, sentences(f"{name} was not placed: {str(exc).rstrip('.')}", "Try again.")
        )
    except OCError as exc:
        logger.warning("Placing inbound order %s: answer lost: %s", name, exc)
        return _lost_answer(order, api, str(exc))
    _adopt(order_id, number, "Placed at OC", None)
    return PlaceResult(PLACED, f"{name} was placed at OC as {number}.", number)


def _lost_answer(order: InboundOrder, api: OCApiClient, why: str) -> PlaceResult:
    """OC may have the order: look it up now; unknown (checked before any resend) if OC
    cannot tell yet."""
    name, order_id = order.seller_inbound_number, order.pk
    _mark(order_id, InboundStatus.UNKNOWN, why)
    try:
        found = find_at_oc(api, order)
    except (OCError, NoUsableToken) as exc:
        logger.warning("Looking up inbound order %s failed: %s", name, exc)
        found = None
    if found is not None:
        return _found(order, found)
    return PlaceResult(
        UNKNOWN,
        sentences(
            f"OC's answer for {name} was lost ({why.rstrip('.')})",
            "Whether OC has it is checked before it is ever sent again; place it again later.",
        ),
    )


def confirm_lost_answers(
    account: AccountOrangeConnex, *, client: OCApiClient | None = None
) -> list[str]:
    """Look up the account's orders whose answer was lost (unknown, or left *sending* by
    a request that died) and store the ones OC has; nothing is ever sent from here.
    Returns a line per order found."""
    stale = timezone.now() - SENDING_WAIT
    lost = list(
        InboundOrder.objects.filter(account=account, oc_inbound_number="")
        .filter(
            Q(status=InboundStatus.UNKNOWN) | Q(status=InboundStatus.SENDING, sent_at__lt=stale)
        )
        .order_by("pk")
    )
    if not lost:
        return []
    api = client or api_client(account)
    lines = []
    for order in lost:
        found = find_at_oc(api, order)
        if found is not None:
            lines.append(_found(order, found).message)
        elif order.status == InboundStatus.SENDING:
            _mark(order.pk, InboundStatus.UNKNOWN, "The request placing it stopped midway.")
    return lines
