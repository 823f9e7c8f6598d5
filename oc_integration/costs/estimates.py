"""Asking OC what parcels cost, storing the answers, and reading them back cheaply.

For each parcel: a fresh stored estimate of the same parcel is used as it is; a trial
still waiting for OC's answer is asked again (never requested twice); otherwise the
synchronous freight trial is asked, and where it does not serve (no such endpoint, a
server error, a timeout, an answer in an unexpected shape) the asynchronous pair is used
with a bounded poll. A trial the poll leaves unanswered stays Pending and is asked again
the next time the page is shown.

Settings (defaults in hemi_fulfilment/settings.py): ``OC_COST_ESTIMATE_MODE`` (``auto``,
``synced``, ``async``), ``OC_COST_ESTIMATE_MAX_AGE_MINUTES`` (reuse window, default 60),
``OC_COST_ESTIMATE_POLLS`` and ``OC_COST_ESTIMATE_POLL_SECONDS`` (the bounded poll,
four polls half a second apart) and ``OC_COST_ESTIMATE_SHAPE`` (overrides of ``CostShape``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from hemi_fulfilment.integration_errors import NoUsableToken
from hemi_fulfilment.words import sentence
from oc_integration.auth.api_client import api_client
from oc_integration.client import (
    OCApiClient,
    OCBusinessError,
    OCError,
    OCHttpError,
    OCMalformedResponse,
    OCTokenRejected,
)
from oc_integration.client.costs import (
    DEFAULT_SHAPE,
    CostShape,
    ServiceEstimate,
    estimate_now,
    fetch_estimate,
    parcel_problems,
    request_estimate,
)
from oc_integration.costs.parcels import ParcelRequest, new_reference_id
from oc_integration.models import (
    AccountOrangeConnex,
    CostTrial,
    ServiceCostEstimate,
    TrialMethod,
    TrialStatus,
)

MODES = ("auto", "synced", "async")
#: How long Hemi remembers that an account's host has no synchronous freight trial.
SYNCED_UNAVAILABLE_SECONDS = 3600
NOT_SENT = "not_sent"


def _polls() -> int:
    return max(1, int(settings.OC_COST_ESTIMATE_POLLS))


def mode() -> str:
    """Which trial to use: ``auto`` (synchronous, else the pair), ``synced`` or ``async``."""
    value = str(settings.OC_COST_ESTIMATE_MODE)
    if value not in MODES:
        raise ValueError(f"OC_COST_ESTIMATE_MODE must be one of {', '.join(MODES)}.")
    return value


def shape() -> CostShape:
    """The response shapes in use (``OC_COST_ESTIMATE_SHAPE`` overrides the defaults)."""
    return DEFAULT_SHAPE.with_overrides(settings.OC_COST_ESTIMATE_SHAPE or {})


@dataclass(frozen=True)
class ServiceCost:
    """One shipping service's estimate as the pages show it."""

    service_code: str
    service_name: str
    fee: Decimal | None
    currency: str
    ok: bool
    error: str = ""


@dataclass
class Estimates:
    """What is known of one parcel's costs: per service, or why not."""

    status: str  # a TrialStatus value, or NOT_SENT (invalid input, nothing asked)
    ebay: bool
    services: list[ServiceCost] = field(default_factory=list)
    error: str = ""
    estimated_at: datetime | None = None
    reference_id: str = ""

    @property
    def ready(self) -> bool:
        return self.status == TrialStatus.READY

    def cheapest(self, allowed: Sequence[str] | set[str] = ()) -> ServiceCost | None:
        """The cheapest priced service among ``allowed`` (all when empty)."""
        priced = [
            s
            for s in self.services
            if s.ok and s.fee is not None and (not allowed or s.service_code in allowed)
        ]
        if not priced:
            return None
        currency = priced[0].currency
        return min(
            (s for s in priced if s.currency == currency),
            key=lambda s: (s.fee or Decimal(0), s.service_code),
        )

    @property
    def in_words(self) -> str:
        """Why there are no figures, for the pages (empty when there are)."""
        if self.status == TrialStatus.PENDING:
            return "OC is still calculating these costs; show the page again in a moment."
        if self.status in (TrialStatus.FAILED, NOT_SENT):
            return self.error
        return ""


def _view(trial: CostTrial) -> Estimates:
    return Estimates(
        status=trial.status,
        ebay=trial.ebay_order,
        services=sorted(
            (
                ServiceCost(
                    e.service_code,
                    e.service_name,
                    e.fee_for(ebay=trial.ebay_order),
                    e.currency,
                    e.ok,
                    e.error,
                )
                for e in trial.estimates.all()
            ),
            key=lambda s: (
                not s.ok,
                s.fee if s.fee is not None else Decimal("Infinity"),
                s.service_code,
            ),
        ),
        error=trial.error,
        estimated_at=trial.answered_at or trial.requested_at,
        reference_id=trial.reference_id,
    )


def stored(account: AccountOrangeConnex, keys: Sequence[str]) -> dict[str, CostTrial]:
    """The latest usable trial per parcel key (two queries for any number of keys):
    answered ones within the reuse window, and pending ones still worth asking about."""
    since = timezone.now() - timedelta(minutes=settings.OC_COST_ESTIMATE_MAX_AGE_MINUTES)
    latest: dict[str, CostTrial] = {}
    for trial in (
        CostTrial.objects.filter(
            account=account,
            parcel_key__in=list(keys),
            requested_at__gte=since,
            status__in=[TrialStatus.READY, TrialStatus.PENDING],
        )
        .order_by("-requested_at", "-id")
        .prefetch_related("estimates")
    ):
        latest.setdefault(trial.parcel_key, trial)
    return latest


def _save(trial: CostTrial, results: list[ServiceEstimate] | None) -> CostTrial:
    with transaction.atomic():
        trial.save()
        if results:
            ServiceCostEstimate.objects.filter(trial=trial).delete()
            ServiceCostEstimate.objects.bulk_create(
                [
                    ServiceCostEstimate(
                        trial=trial,
                        service_code=r.service_code[:64],
                        service_name=r.service_name[:255],
                        ebay_fee=r.ebay_fee,
                        other_fee=r.other_fee,
                        currency=r.currency,
                        ok=r.ok,
                        error=r.error,
                    )
                    for r in results
                ]
            )
    # Read back with its estimates, as every page reads them.
    return CostTrial.objects.prefetch_related("estimates").get(pk=trial.pk)


def _poll(client: OCApiClient, trial: CostTrial, current: CostShape, *, polls: int) -> CostTrial:
    """Ask OC for a pending trial's result, at most ``polls`` times."""
    pause = float(settings.OC_COST_ESTIMATE_POLL_SECONDS)
    for attempt in range(polls):
        if attempt:
            time.sleep(pause)
        try:
            results = fetch_estimate(client, trial.reference_id, trial.region, current)
        except OCBusinessError as exc:
            # OC does not know the reference: the request never arrived. A new trial is
            # asked next time (this one is closed, so nothing is asked twice).
            trial.status, trial.error = (
                TrialStatus.FAILED,
                sentence(f"OC has no such estimate: {exc.message}"),
            )
            trial.answered_at = timezone.now()
            return _save(trial, None)
        except OCMalformedResponse as exc:
            # An answer Hemi cannot read will not improve by asking again.
            trial.status, trial.error = TrialStatus.FAILED, exc.message
            trial.answered_at = timezone.now()
            return _save(trial, None)
        if results is not None:
            trial.status, trial.answered_at, trial.error = TrialStatus.READY, timezone.now(), ""
            return _save(trial, results)
    return trial


def _synced_unavailable_key(account: AccountOrangeConnex) -> str:
    return f"oc-costs:synced-unavailable:{account.pk}"


def _ask(
    account: AccountOrangeConnex, client: OCApiClient, request: ParcelRequest, current: CostShape
) -> CostTrial:
    # A reference of its own per question to OC (OC requires it unique per request).
    parcel = replace(request.parcel, reference_id=new_reference_id())
    trial = CostTrial(
        account=account,
        reference_id=parcel.reference_id,
        parcel_key=request.key,
        order_reference=request.order_reference[:64],
        product_id=request.product_id,
        region=parcel.region,
        country_code=parcel.country_code[:2],
        ebay_order=parcel.ebay,
        requested_at=timezone.now(),
    )
    chosen = mode()
    if chosen != "async" and not cache.get(_synced_unavailable_key(account)):
        trial.method = TrialMethod.SYNCED
        try:
            results = estimate_now(client, parcel, current)
        except (OCBusinessError, OCTokenRejected) as exc:
            # OC refused the parcel itself: the asynchronous pair would refuse it too.
            trial.status, trial.error = TrialStatus.FAILED, exc.message
            trial.answered_at = timezone.now()
            return _save(trial, None)
        except OCError as exc:
            if isinstance(exc, OCHttpError) and exc.status in (404, 405):
                cache.set(_synced_unavailable_key(account), True, SYNCED_UNAVAILABLE_SECONDS)
            if chosen == "synced":
                trial.status, trial.error = TrialStatus.FAILED, exc.message
                trial.answered_at = timezone.now()
                return _save(trial, None)
        else:
            trial.status, trial.answered_at = TrialStatus.READY, timezone.now()
            return _save(trial, results)
        trial.reference_id = parcel.reference_id + "-A"  # the trial OC may have half-seen
    trial.method, trial.status = TrialMethod.ASYNC, TrialStatus.PENDING
    # Recorded before the request: a lost answer is then asked about, not requested again.
    trial = _save(trial, None)
    try:
        request_estimate(client, replace(parcel, reference_id=trial.reference_id), current)
    except OCBusinessError as exc:
        trial.status, trial.error = TrialStatus.FAILED, exc.message
        trial.answered_at = timezone.now()
        return _save(trial, None)
    except OCError:
        return trial  # unknown whether OC has it: the next look asks for its result
    return _poll(client, trial, current, polls=_polls())


def estimate(
    account: AccountOrangeConnex,
    requests: Sequence[ParcelRequest],
    *,
    client: OCApiClient | None = None,
    refresh: bool = False,
) -> dict[str, Estimates]:
    """The estimates of each parcel, by parcel key, asking OC only for what is not stored.

    A parcel with bad input is not sent (its ``Estimates`` say which field); a failure at
    OC is recorded on its trial and reported, never raised: the page shows it and the
    push stays possible. ``refresh`` asks OC again even when a fresh estimate is stored
    (a trial still pending is asked about, not requested again).
    """
    keyed = {r.key: r for r in requests}
    found = stored(account, list(keyed))
    current = shape()
    outcome: dict[str, Estimates] = {}
    for key, request in keyed.items():
        problems = parcel_problems(request.parcel)
        if problems:
            words = " ".join(m for messages in problems.values() for m in messages)
            outcome[key] = Estimates(NOT_SENT, request.parcel.ebay, error=f"Not asked: {words}")
            continue
        trial = found.get(key)
        if trial is not None and trial.status == TrialStatus.READY and refresh:
            trial = None
        if trial is not None and trial.status == TrialStatus.READY:
            outcome[key] = _view(trial)
            continue
        try:
            client = client or api_client(account)
            if trial is not None:  # pending: ask for its result, never request it again
                trial = _poll(client, trial, current, polls=_polls())
            else:
                trial = _ask(account, client, request, current)
        except OCError as exc:
            outcome[key] = Estimates(
                TrialStatus.FAILED,
                request.parcel.ebay,
                error=sentence(f"OC could not be asked: {exc.message}"),
            )
            continue
        except NoUsableToken as exc:  # not authorized (any more): the page must still work
            outcome[key] = Estimates(
                TrialStatus.FAILED,
                request.parcel.ebay,
                error=sentence(f"OC could not be asked: {exc}"),
            )
            continue
        outcome[key] = _view(trial)
    return outcome
