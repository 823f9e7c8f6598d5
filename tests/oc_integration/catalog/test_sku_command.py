"""``manage.py oc_sync_skus``: progress, --dry-run, --account; and the daily beat job."""

from __future__ import annotations

import io
import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from hemi_fulfilment.schedules import register_recurring_jobs
from oc_integration.catalog.sync import queue_sku_sync, run_sku_sync, windows_between
from oc_integration.models import AccountOrangeConnex, OCSku, SyncRun
from oc_integration.tasks import sync_skus_all_accounts
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.factories import unreachable_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _recent_history_only(settings: Any) -> None:
    settings.OC_SKU_SYNC_EARLIEST_DATE = (timezone.now() - timedelta(days=5)).date().isoformat()


class Terminal(io.StringIO):
    """A stream that says it is a terminal, so the progress bar draws on it."""

    def isatty(self) -> bool:
        return True


def test_the_command_shows_progress_imports_and_summarises(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    out = io.StringIO()
    call_command("oc_sync_skus", "--account", authorized_account.name, stdout=out)
    text = out.getvalue()
    assert "Done:" in text and "match no Hemi product" in text
    assert "SKU query" in terminal.getvalue()
    assert OCSku.objects.filter(account=authorized_account).count() > 0


def test_a_dry_run_prints_what_would_change_and_changes_nothing(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    out = io.StringIO()
    call_command("oc_sync_skus", "--account", str(authorized_account.pk), "--dry-run", stdout=out)
    assert "Dry run, nothing was changed" in out.getvalue() and "would be created" in out.getvalue()
    assert not OCSku.objects.exists()
    assert SyncRun.objects.get().status == SyncRun.Status.DRY_RUN


def test_the_account_option_picks_one_account_and_names_the_known_ones_when_wrong(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    unreachable_account("OC DE (other)", client_key="other")
    call_command("oc_sync_skus", "--account", authorized_account.name, stdout=io.StringIO())
    assert set(SyncRun.objects.values_list("account", flat=True)) == {authorized_account.pk}
    with pytest.raises(CommandError, match="Known: "):
        call_command("oc_sync_skus", "--account", "nobody", stdout=io.StringIO())


def test_a_failed_sync_exits_non_zero(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.fault("/openapi/3pp/sku/v3/query", "http500")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "oc_sync_skus", "--account", authorized_account.name, stdout=io.StringIO(), stderr=err
        )
    assert exit_info.value.code == 1 and "Nothing was changed" in err.getvalue()


def test_the_daily_job_is_registered_and_queues_one_sync_per_authorized_account(
    authorized_account: AccountOrangeConnex, django_capture_on_commit_callbacks: Any
) -> None:
    register_recurring_jobs()
    job = PeriodicTask.objects.get(task="oc.sync_skus_all_accounts")
    assert job.crontab is not None and job.enabled
    with django_capture_on_commit_callbacks(execute=False) as queued:
        run_ids = sync_skus_all_accounts()
    run = SyncRun.objects.get(pk__in=run_ids)
    assert (run.account, run.kind, run.trigger) == (
        authorized_account,
        SyncRun.Kind.SKUS,
        SyncRun.Trigger.BEAT,
    )
    assert len(queued) == 1


def test_a_second_sync_of_an_account_waits_for_the_first(
    authorized_account: AccountOrangeConnex,
) -> None:
    running = queue_sku_sync(authorized_account, trigger=SyncRun.Trigger.BEAT)
    SyncRun.objects.filter(pk=running.pk).update(
        status=SyncRun.Status.RUNNING, started=timezone.now()
    )
    second = run_sku_sync(queue_sku_sync(authorized_account, trigger=SyncRun.Trigger.ADMIN).pk)
    assert second.status == SyncRun.Status.SKIPPED and "is running" in second.messages[0]


def test_later_syncs_ask_only_since_the_last_complete_one(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_SKU_SYNC_EARLIEST_DATE = "2020-01-01"
    settings.OC_SKU_QUERY_WINDOW_DAYS = 400
    query = "/openapi/3pp/sku/v3/query"
    assert run_sku_sync(queue_sku_sync(authorized_account, trigger="command").pk).status == (
        SyncRun.Status.SUCCEEDED
    )
    full = oc_sandbox.count("POST", query)
    today = timezone.now().date()
    assert full == len(windows_between(today.replace(year=2020, month=1, day=1), today, 400))
    run_sku_sync(queue_sku_sync(authorized_account, trigger="command").pk)
    assert oc_sandbox.count("POST", query) - full == 1  # one window, one page


def test_windows_cover_every_day_and_share_their_boundary_days() -> None:
    from datetime import date

    windows = windows_between(date(2024, 1, 1), date(2024, 3, 1), 30)
    assert windows[0].start == date(2024, 1, 1) and windows[-1].end == date(2024, 3, 1)
    assert all(a.end == b.start for a, b in itertools.pairwise(windows))


def test_the_sync_costs_a_constant_number_of_queries_per_batch_of_skus(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    def queries_for(more: int) -> int:
        OCSku.objects.all().delete()
        oc_sandbox.control("POST", "skus/generate", count=more, prefix=f"QC{more}-")
        with CaptureQueriesContext(connection) as queries:
            run = run_sku_sync(queue_sku_sync(authorized_account, trigger="command").pk)
        assert run.status == SyncRun.Status.SUCCEEDED, run.error
        return len(queries)

    small = queries_for(100)  # one batch of 500
    large = queries_for(1000)  # three batches
    assert large - small <= 4 * 2, (small, large)
