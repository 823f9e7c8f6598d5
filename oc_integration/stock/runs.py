"""Running the stock sync as a :class:`SyncRun`: locking, outcome, review and apply.

Every entry point (beat, admin, command) goes through :func:`run_stock_sync`, so the
rules are the same everywhere: one run per account at a time, nothing written unless
the whole snapshot is valid, a suspicious snapshot waits for a person.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from hemi_fulfilment.abandoned_runs import fail_abandoned_runs
from hemi_fulfilment.integration_errors import NoUsableToken
from hemi_fulfilment.words import sentence, sentences
from oc_integration.auth.api_client import api_client
from oc_integration.auth.tokens import (
    NotAuthorized,
    ReauthorizationRequired,
    TokenRefreshFailed,
)
from oc_integration.client import OCError
from oc_integration.client.stock import SnapshotRow
from oc_integration.models import AccountOrangeConnex, SyncRun
from oc_integration.stock.plan import (
    PlanSummary,
    Progress,
    StockPlan,
    apply_stock_plan,
    plan_stock_sync,
)
from oc_integration.stock.snapshot import read_snapshot
from oc_integration.stock.sql_plan import StagedPlan, StockRowsAppeared
from oc_integration.stock.staging import snapshot_stage
from oc_integration.stock.writer import AccountGone, CatalogChanged

logger = logging.getLogger(__name__)

MAX_STORED_MESSAGES = 1000
NOTHING_CHANGED = "Nothing was changed; the next run will try again."
#: Runs that computed changes without applying them, and how their summary begins.
WOULD_CHANGE: dict[str, str] = {
    SyncRun.Status.DRY_RUN: "Dry run, nothing was changed",
    SyncRun.Status.NEEDS_CONFIRMATION: "Not applied yet",
}


class ReviewRefused(Exception):
    """A reviewed plan cannot be applied (too old, superseded, or another run is busy)."""


def queue_stock_sync(
    account: AccountOrangeConnex, *, trigger: str, dry_run: bool = False
) -> SyncRun:
    """A run record waiting for a worker (or the command) to execute it."""
    return SyncRun.objects.create(
        account=account, kind=SyncRun.Kind.STOCK, trigger=trigger, dry_run=dry_run
    )


def reap_abandoned_runs() -> int:
    """Mark runs left "running" by a crashed worker as failed (after the run timeout)."""
    minutes = settings.OC_SYNC_RUN_TIMEOUT_MINUTES
    return fail_abandoned_runs(
        SyncRun.objects.all(),
        running=SyncRun.Status.RUNNING,
        failed=SyncRun.Status.FAILED,
        older_than=timedelta(minutes=minutes),
        why={
            "error": f"The run did not finish within {minutes} minutes (the worker probably "
            "stopped). " + NOTHING_CHANGED
        },
    )


def confirmed_snapshot_times() -> dict[int, datetime]:
    """OC account id -> snapshot time of its last applied stock sync (one query).

    Every row that sync left Created in OC = yes and not stale was in that snapshot with
    the figures it holds, so this is the "Stock Updated" to show for it.
    """
    last_applied = SyncRun.objects.filter(
        account=OuterRef("pk"),
        kind=SyncRun.Kind.STOCK,
        status__in=[SyncRun.Status.SUCCEEDED, SyncRun.Status.APPLIED],
    ).order_by(F("finished").desc(nulls_last=True), "-pk")
    return {
        pk: moment
        for pk, moment in AccountOrangeConnex.objects.annotate(
            confirmed=Subquery(last_applied.values("snapshot_time")[:1])
        ).values_list("pk", "confirmed")
        if moment is not None
    }


def take_run_lock(run: SyncRun, *, from_status: str) -> bool:
    """Move ``run`` to running; False when another run of the account and kind holds the
    lock (every kind of sync run shares this rule)."""
    try:
        with transaction.atomic():
            return bool(
                SyncRun.objects.filter(pk=run.pk, status=from_status).update(
                    status=SyncRun.Status.RUNNING, started=timezone.now()
                )
            )
    except IntegrityError:
        return False


def _busy_message(run: SyncRun) -> str:
    other = (
        SyncRun.objects.filter(account=run.account, kind=run.kind, status=SyncRun.Status.RUNNING)
        .exclude(pk=run.pk)
        .first()
    )
    since = f", started {other.started:%Y-%m-%d %H:%M} UTC" if other and other.started else ""
    return (
        f"Another stock sync for {run.account} is running (run #{other.pk if other else '?'}"
        f"{since}); this run did nothing."
    )


def _record_plan(run: SyncRun, summary: PlanSummary) -> None:
    run.skus_seen = summary.skus_seen
    run.snapshot_time = (
        datetime.fromisoformat(summary.snapshot_time).astimezone(UTC)
        if summary.snapshot_time
        else None
    )
    run.rows_created = summary.creates
    run.rows_updated = summary.updates
    run.rows_unchanged = summary.unchanged
    run.flipped_to_no = summary.flips
    run.missing_item_accounts = summary.missing_item_accounts
    run.unknown_skus = summary.unknown_skus
    kept = summary.messages[:MAX_STORED_MESSAGES]
    more = summary.message_total - len(kept)
    run.messages = kept + ([f"… and {more} more"] if more > 0 else [])


class PlannedSync(Protocol):
    """A complete snapshot, planned: what it would change, a review to store, or apply."""

    summary: PlanSummary

    def reviewable(self) -> StockPlan: ...

    def apply(self, progress: Progress, *, run_id: int | None = None) -> None: ...


class _PlannedInPython:
    """The Python planner's plan (databases other than PostgreSQL: the SQLite demo)."""

    def __init__(self, account: AccountOrangeConnex, plan: StockPlan) -> None:
        self.account, self.plan, self.summary = account, plan, plan.summary()

    def reviewable(self) -> StockPlan:
        return self.plan

    def apply(self, progress: Progress, *, run_id: int | None = None) -> None:
        apply_stock_plan(self.account, self.plan, progress, run_id=run_id)


def _settle(run: SyncRun, planned: PlannedSync, *, force: bool, progress: Progress) -> None:
    """Record what the snapshot would change, then apply it, or keep it for review."""
    _record_plan(run, planned.summary)
    reason = planned.summary.confirmation_reason(settings.OC_STOCK_FLIP_CONFIRM_SHARE)
    if run.dry_run:
        run.plan = planned.reviewable().to_json()
        run.status = SyncRun.Status.DRY_RUN
    elif reason and not force:
        run.plan = planned.reviewable().to_json()
        run.status = SyncRun.Status.NEEDS_CONFIRMATION
        run.error = f"{reason} Review the changes in the admin and apply them if they are right."
    else:
        planned.apply(progress, run_id=run.pk)
        run.status = SyncRun.Status.SUCCEEDED


def _sync(run: SyncRun, *, force: bool, progress: Progress) -> None:
    client = api_client(run.account)
    progress("download", 0, 1)
    if connection.vendor != "postgresql":
        rows: list[SnapshotRow] = []
        read_snapshot(run.account, client, rows.extend, progress, restart=rows.clear)
        progress("download", 1, 1)
        plan = plan_stock_sync(run.account, rows, progress)
        _settle(run, _PlannedInPython(run.account, plan), force=force, progress=progress)
        return
    # PostgreSQL: the answer streams into a staging table and is planned there, so memory
    # does not grow with the catalog. Nothing is applied unless all of it parsed.
    with snapshot_stage() as stage:
        read_snapshot(run.account, client, stage, progress, restart=stage.restart)
        stage.flush()
        progress("download", 1, 1)
        with transaction.atomic():
            _settle(run, StagedPlan(run.account, stage), force=force, progress=progress)


def failure_message(exc: Exception) -> str:
    """What went wrong, for people, and what happens next.

    Provider text is made a sentence of its own before the next one starts ("OC answered
    code 1: system busy. Nothing was changed…").
    """
    if isinstance(exc, ReauthorizationRequired):
        return sentences(
            f"The OC account needs re-authorization ({str(exc).rstrip('.')})",
            "Authorize it again in the admin.",
            "Nothing was changed.",
        )
    if isinstance(exc, NotAuthorized):
        return sentences(str(exc), "Authorize it in the admin first.", "Nothing was changed.")
    if isinstance(exc, TokenRefreshFailed):
        return sentences(
            f"OC could not renew the access token ({str(exc).rstrip('.')})", NOTHING_CHANGED
        )
    if isinstance(exc, OCError):
        return sentences(exc.message, NOTHING_CHANGED)
    if isinstance(exc, AccountGone):
        return sentences(str(exc), "Nothing was written.")
    if isinstance(exc, StockRowsAppeared):
        return sentences(str(exc), NOTHING_CHANGED)
    if isinstance(exc, CatalogChanged):
        return sentences(str(exc), NOTHING_CHANGED)
    return sentences(f"Unexpected error: {type(exc).__name__}: {exc}", NOTHING_CHANGED)


def change_summary(run: SyncRun) -> str:
    """What the run changed or, when it was not applied, what it would have changed.

    Only real changes count: a row whose figures OC reported unchanged is "unchanged",
    not "updated". Empty for a run that computed nothing (failed, skipped, queued).
    """
    applied = run.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.APPLIED)
    if not applied and run.status not in WOULD_CHANGE:
        return ""

    def rows(count: int, verb: str, done: str, tail: str = "") -> str:
        what = f"{done}" if applied else f"would {verb}"
        return f"{what} {count} row{'' if count == 1 else 's'}{tail}"

    changes = (
        f"{rows(run.rows_created, 'create', 'created')}, "
        f"{rows(run.rows_updated, 'update', 'updated')}, "
        f"{rows(run.flipped_to_no, 'mark', 'marked', ' Created in OC = No')}; "
        f"{run.rows_unchanged} unchanged"
    )
    if applied:
        return sentence(changes[0].upper() + changes[1:])
    return sentence(f"{WOULD_CHANGE[run.status]}: {changes}")


def run_stock_sync(
    run_id: int, *, force: bool = False, progress: Progress | None = None
) -> SyncRun:
    """Execute a queued stock sync run and return it, finished.

    ``force`` applies a plan that would otherwise wait for confirmation (the command's
    ``--yes``). A run that is not queued any more (a duplicate task delivery) is returned
    as it is.
    """
    run = SyncRun.objects.select_related("account").get(pk=run_id)
    if run.status != SyncRun.Status.QUEUED:
        return run
    reap_abandoned_runs()
    if not take_run_lock(run, from_status=SyncRun.Status.QUEUED):
        run.status = SyncRun.Status.SKIPPED
        run.messages = [_busy_message(run)]
        run.finished = timezone.now()
        run.save()
        return run
    run.refresh_from_db()
    account_gone = False
    try:
        _sync(run, force=force, progress=progress or (lambda *_: None))
    except AccountGone as exc:
        # The account's deletion took its runs, this one too: there is nothing left to
        # record the outcome on (and nothing was written).
        account_gone = True
        run.status = SyncRun.Status.FAILED
        run.error = failure_message(exc)
        logger.warning("Stock sync run #%s stopped: %s", run.pk, run.error)
    except Exception as exc:
        run.status = SyncRun.Status.FAILED
        run.error = failure_message(exc)
        if not isinstance(exc, OCError | NoUsableToken):
            logger.exception("Stock sync run #%s failed unexpectedly", run.pk)
        else:
            logger.warning("Stock sync run #%s failed: %s", run.pk, run.error)
    finally:
        run.finished = timezone.now()
        if not account_gone:
            run.save()
    return run


def apply_reviewed_run(run_id: int) -> SyncRun:
    """Apply the plan of a dry run or of a run that waited for confirmation, exactly as
    reviewed. Refused when the plan is too old or a newer sync has been applied since."""
    run = SyncRun.objects.select_related("account").get(pk=run_id)
    if (
        run.status not in (SyncRun.Status.DRY_RUN, SyncRun.Status.NEEDS_CONFIRMATION)
        or not run.plan
    ):
        raise ReviewRefused(f"Run #{run.pk} has no changes waiting to be applied.")
    max_age = timedelta(hours=settings.OC_STOCK_PLAN_MAX_AGE_HOURS)
    if run.finished and timezone.now() - run.finished > max_age:
        raise ReviewRefused(
            f"Run #{run.pk} is older than {settings.OC_STOCK_PLAN_MAX_AGE_HOURS} hours; "
            "stock has moved since. Start a new dry run."
        )
    newer = SyncRun.objects.filter(
        account=run.account,
        kind=run.kind,
        status__in=[SyncRun.Status.SUCCEEDED, SyncRun.Status.APPLIED],
        finished__gt=run.finished,
    )
    if newer.exists():
        raise ReviewRefused(
            f"A newer stock sync has been applied since run #{run.pk}. Start a new dry run."
        )
    try:
        plan = StockPlan.from_json(run.plan)
    except ValueError:
        raise ReviewRefused(
            f"Run #{run.pk} was stored by an earlier version of Hemi Fulfilment. "
            "Start a new dry run."
        ) from None
    if not take_run_lock(run, from_status=run.status):
        raise ReviewRefused(_busy_message(run))
    try:
        apply_stock_plan(run.account, plan, run_id=run.pk)
    except AccountGone as exc:
        raise ReviewRefused(failure_message(exc)) from exc
    except CatalogChanged as exc:
        # Applying it again could only be refused again.
        message = sentences(str(exc), "Nothing was written.", "Start a new dry run.")
        SyncRun.objects.filter(pk=run.pk).update(
            status=SyncRun.Status.FAILED, finished=timezone.now(), error=message
        )
        raise ReviewRefused(message) from exc
    except Exception:
        SyncRun.objects.filter(pk=run.pk).update(
            status=SyncRun.Status.FAILED,
            finished=timezone.now(),
            error="Applying the reviewed changes failed. Nothing was changed.",
        )
        raise
    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.APPLIED, finished=timezone.now(), plan=None, error=""
    )
    run.refresh_from_db()
    return run
