"""Pushing queued outbound orders to OC, at most 50 a call, never twice.

The state machine: Queued -> Sending (committed before the HTTP call) -> Submitted /
Rejected / Unknown. An order whose fate OC did not confirm (timeout, reset, 5xx, OC
saying the reference already exists) is Unknown and is looked up with Query v2 by its
reference before anything is sent again: an order OC already has is never created twice,
and one OC does not find is re-sent only after several "not found" answers spread over
time (Query v2 may lag behind creation; see ``resend``).
Orders with the seller's own label go the same way, in batches of their own, to OC's
placeThirdPartyLabelOrder (see ``own_label``).
Concurrent pushes claim disjoint orders with ``select_for_update(skip_locked=True)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from hemi_fulfilment.integration_errors import NoUsableToken
from hemi_fulfilment.words import sentence
from oc_integration.auth.api_client import api_client
from oc_integration.client import (
    OCBusinessError,
    OCError,
    OCHttpError,
    OCMalformedResponse,
    OCServerError,
    OCTokenRejected,
    OCTransportError,
)
from oc_integration.client.api import OCApiClient
from oc_integration.client.errors import DUPLICATE_REFERENCE, in_words
from oc_integration.client.outbound import (
    MAX_ORDERS_PER_CREATION,
    CreationResult,
    create_orders,
    query_orders,
)
from oc_integration.models import (
    AccountOrangeConnex,
    AuthorizationStatus,
    OutboundOrder,
    OutboundStatus,
)
from oc_integration.outbound.orders import revalidate
from oc_integration.outbound.own_label import (
    check_labels_before_sending,
    orders_per_call,
    send_own_label_orders,
)
from oc_integration.outbound.resend import NOT_FOUND_FIELDS, ResendRule, record_not_found
from oc_integration.outbound.status import apply_state
from oc_integration.outbound.validation import creation_payload

logger = logging.getLogger(__name__)

# What claiming a batch and recording OC's answer change (written in one statement each).
CLAIM_FIELDS = [
    "status",
    "send_attempts",
    "sent_at",
    "warnings",
    "validation_errors",
    "last_error",
    "updated",
]
RESULT_FIELDS = [
    "status",
    "oc_order_number",
    "status_changed_at",
    "last_error",
    "rejection_code",
    "updated",
]
# A send takes seconds; one still "Sending" after this long belongs to a push that died.
INTERRUPTED_AFTER = timedelta(minutes=10)
NOT_CONFIRMED = (OCTransportError, OCServerError, OCMalformedResponse)

#: progress(sent so far, total queued when the push started)
PushProgress = Callable[[int, int], None]


@dataclass
class PushResult:
    """What one push did, per order reference."""

    calls: int = 0
    submitted: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    invalid: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    reconciled: int = 0
    requeued: int = 0
    #: "Not found" answers for Unknown orders that are not re-sent yet (see ``resend``).
    not_found: int = 0
    problems: list[str] = field(default_factory=list)


def _skip_locked() -> bool:
    # SQLite has no row locks (one writer at a time anyway); PostgreSQL skips locked rows.
    return bool(connection.features.has_select_for_update_skip_locked)


def _claim_batch(
    account: AccountOrangeConnex, result: PushResult, *, own_label: bool = False
) -> tuple[list[OutboundOrder], bool]:
    """Move up to 50 valid queued orders to Sending and commit; invalid ones go to Draft.

    ``own_label``: claim the orders with the seller's own label instead (their batch size
    is ``OC_OWN_LABEL_ORDERS_PER_CALL``). Returns the batch to send and whether any queued
    order of that kind was found at all.
    """
    size = orders_per_call() if own_label else MAX_ORDERS_PER_CREATION
    with transaction.atomic():
        candidates = list(
            # of=("self",): lock the orders only, not the joined account row.
            OutboundOrder.objects.select_for_update(skip_locked=_skip_locked(), of=("self",))
            .select_related("account")
            .prefetch_related("lines")
            .filter(account=account, status=OutboundStatus.QUEUED)
            .filter(own_label__isnull=not own_label)
            .order_by("pk")[:size]
        )
        checks = revalidate(candidates)
        if own_label:
            check_labels_before_sending(candidates, checks)
        batch = []
        now = timezone.now()
        for outbound in candidates:
            check = checks[outbound.pk]
            outbound.warnings = check.warnings
            if check.ok:
                outbound.status = OutboundStatus.SENDING
                outbound.send_attempts += 1
                outbound.sent_at = now
                batch.append(outbound)
            else:
                outbound.status = OutboundStatus.DRAFT
                outbound.validation_errors = check.errors
                outbound.last_error = f"Not sent. {check.in_words}"
                result.invalid[outbound.reference_number] = check.in_words
            outbound.updated = now
        OutboundOrder.objects.bulk_update(candidates, CLAIM_FIELDS)
    return batch, bool(candidates)


def _mark(outbounds: list[OutboundOrder], status: str, message: str) -> None:
    OutboundOrder.objects.filter(pk__in=[o.pk for o in outbounds]).update(
        status=status, last_error=message, updated=timezone.now()
    )


def push_queued(account_id: int, *, progress: PushProgress | None = None) -> PushResult:
    """Send every queued order of the account, in calls of at most 50 orders."""
    account = AccountOrangeConnex.objects.get(pk=account_id)
    result = PushResult()
    reconcile_unknown(account, result)
    total = OutboundOrder.objects.filter(account=account, status=OutboundStatus.QUEUED).count()
    client, own_label = None, False
    while True:
        batch, found = _claim_batch(account, result, own_label=own_label)
        if not found and not own_label:
            own_label = True  # every normal order is sent: now those with their own label
            continue
        if not found:
            break
        if not batch:
            continue  # all 50 were invalid (now Draft): take the next ones
        client = client or api_client(account)
        try:
            outcome = _create(client, batch, own_label=own_label)
        except NOT_CONFIRMED as exc:
            # OC may have created them: find out before anything is sent again.
            _mark(batch, OutboundStatus.UNKNOWN, f"OC did not confirm ({exc.message}); checking.")
            result.calls += 1
            result.unknown += [o.reference_number for o in batch]
            result.problems.append(f"OC did not confirm a batch of {len(batch)}: {exc.message}")
            reconcile_unknown(account, result)
            break
        except (OCBusinessError, OCTokenRejected, OCHttpError, NoUsableToken) as exc:
            # Refused as a whole (or never sent): nothing was created; the next run retries.
            message = exc.message if isinstance(exc, OCError) else str(exc)
            _mark(batch, OutboundStatus.QUEUED, f"Not sent: {message}")
            result.calls += isinstance(exc, OCError)
            result.problems.append(f"OC refused the request: {message}")
            break
        result.calls += 1
        _apply_creation(batch, outcome, result)
        if progress:
            progress(len(result.submitted) + len(result.rejected), total)
    if result.unknown:
        reconcile_unknown(account, result)
    return result


def _create(client: OCApiClient, batch: list[OutboundOrder], *, own_label: bool) -> CreationResult:
    if own_label:
        return send_own_label_orders(client, batch)
    return create_orders(client, [creation_payload(o, list(o.lines.all())) for o in batch])


def _apply_creation(
    batch: list[OutboundOrder], outcome: CreationResult, result: PushResult
) -> None:
    unknown = []
    now = timezone.now()
    with transaction.atomic():
        for outbound in batch:
            reference = outbound.reference_number
            if reference in outcome.accepted:
                outbound.status = OutboundStatus.SUBMITTED
                outbound.oc_order_number = outcome.accepted[reference] or None
                outbound.status_changed_at = now
                outbound.last_error = ""
                outbound.rejection_code = ""
                result.submitted.append(reference)
            elif (
                reference in outcome.refused
                and outcome.refused[reference].code != DUPLICATE_REFERENCE
            ):
                error = outcome.refused[reference]
                outbound.status = OutboundStatus.REJECTED
                outbound.rejection_code = error.code
                outbound.last_error = sentence(in_words(error.code, error.message))
                result.rejected[reference] = outbound.last_error
            else:
                # A duplicate reference means OC already has it; silence means we do not know.
                outbound.status = OutboundStatus.UNKNOWN
                outbound.last_error = "OC did not confirm this order; checking with Query v2."
                unknown.append(reference)
            outbound.updated = now
        OutboundOrder.objects.bulk_update(batch, RESULT_FIELDS)
    result.unknown += unknown


def release_interrupted_sends(account: AccountOrangeConnex) -> int:
    """Orders left Sending by a push that died mid-call become Unknown (then checked)."""
    cutoff = timezone.now() - INTERRUPTED_AFTER
    return OutboundOrder.objects.filter(
        account=account, status=OutboundStatus.SENDING, sent_at__lt=cutoff
    ).update(
        status=OutboundStatus.UNKNOWN,
        last_error="The push sending this order stopped mid-call; checking with OC.",
        updated=timezone.now(),
    )


def accounts_with_pending_orders() -> list[int]:
    """Authorized accounts whose orders wait to be sent or checked with OC."""
    stuck = Q(status=OutboundStatus.SENDING, sent_at__lt=timezone.now() - INTERRUPTED_AFTER)
    waiting = Q(status__in=[OutboundStatus.QUEUED, OutboundStatus.UNKNOWN])
    return list(
        OutboundOrder.objects.filter(
            waiting | stuck, account__authorization_status=AuthorizationStatus.AUTHORIZED
        )
        .values_list("account_id", flat=True)
        .distinct()
        .order_by("account_id")
    )


def reconcile_unknown(account: AccountOrangeConnex, result: PushResult) -> None:
    """Look up Unknown orders by reference: what OC has is taken over; what it has not is
    re-queued only once the :class:`~oc_integration.outbound.resend.ResendRule` allows."""
    release_interrupted_sends(account)
    pending = list(
        OutboundOrder.objects.filter(account=account, status=OutboundStatus.UNKNOWN).values_list(
            "reference_number", flat=True
        )
    )
    if not pending:
        return
    client = api_client(account)
    for start in range(0, len(pending), 100):
        chunk = pending[start : start + 100]
        try:
            states, _ = query_orders(client, references=chunk)
        except (OCError, NoUsableToken) as exc:
            result.problems.append(
                f"Could not check {len(chunk)} unconfirmed orders with OC ({exc}); "
                "they stay Unknown and are checked again before any re-send."
            )
            return
        found = {s.reference_number: s for s in states}
        rule, now = ResendRule.from_settings(), timezone.now()
        with transaction.atomic():
            for outbound in OutboundOrder.objects.select_for_update().filter(
                account=account, status=OutboundStatus.UNKNOWN, reference_number__in=chunk
            ):
                state = found.get(outbound.reference_number)
                if state is not None:
                    apply_state(outbound, state)
                    result.reconciled += 1
                    continue
                requeued = record_not_found(outbound, now, rule)
                outbound.save(update_fields=NOT_FOUND_FIELDS)
                if requeued:
                    result.requeued += 1
                else:
                    result.not_found += 1


def preview_queued(account_id: int) -> tuple[list[str], dict[str, str]]:
    """Dry run: which queued orders would be sent and which are invalid; changes nothing."""
    queued = list(
        OutboundOrder.objects.select_related("account").filter(
            account_id=account_id, status=OutboundStatus.QUEUED
        )
    )
    checks = revalidate(queued)
    check_labels_before_sending(queued, checks, attached_only=True)
    valid = [o.reference_number for o in queued if checks[o.pk].ok]
    invalid = {o.reference_number: checks[o.pk].in_words for o in queued if not checks[o.pk].ok}
    return valid, invalid
