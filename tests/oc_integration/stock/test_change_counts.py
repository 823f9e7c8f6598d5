"""Stock runs count only real changes, and say "would" for what they did not apply."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from django.test import Client
from django.urls import reverse

from hemi_fulfilment.apilog.redaction import REDACTED
from oc_integration.auth.tokens import ReauthorizationRequired
from oc_integration.client import OCBusinessError
from oc_integration.models import AccountOrangeConnex, ProductAccountOrangeConnex, SyncRun
from oc_integration.stock.runs import (
    apply_reviewed_run,
    change_summary,
    failure_message,
    queue_stock_sync,
    run_stock_sync,
)
from tests.oc_integration.conftest import Sandbox

pytestmark = pytest.mark.django_db
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjay0xIiwiZXhwIjoxOTAwMDAwMDAwfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)


def _sync(account: AccountOrangeConnex, *, dry_run: bool = False) -> SyncRun:
    run = queue_stock_sync(account, trigger=SyncRun.Trigger.COMMAND, dry_run=dry_run)
    return run_stock_sync(run.pk)


def test_a_dry_run_right_after_a_sync_reports_no_updates_and_every_row_unchanged(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox, admin_client: Client
) -> None:
    first = _sync(demo_account)
    rows = ProductAccountOrangeConnex.objects.count()
    assert first.status == SyncRun.Status.SUCCEEDED and first.rows_created == rows > 0
    assert change_summary(first) == (
        f"Created {rows} rows, updated 0 rows, marked 0 rows Created in OC = No; 0 unchanged."
    )

    dry = _sync(demo_account, dry_run=True)
    assert dry.status == SyncRun.Status.DRY_RUN
    assert (dry.rows_created, dry.rows_updated, dry.flipped_to_no) == (0, 0, 0)
    assert dry.rows_unchanged == rows
    assert change_summary(dry) == (
        "Dry run, nothing was changed: would create 0 rows, would update 0 rows, "
        f"would mark 0 rows Created in OC = No; {rows} unchanged."
    )
    review = admin_client.get(reverse("admin:oc_integration_syncrun_review", args=[dry.pk]))
    page = " ".join(review.content.decode().split())
    assert "would update <strong>0</strong> rows" in page
    assert f"{rows} rows would stay unchanged" in page
    detail = admin_client.get(reverse("admin:oc_integration_syncrun_change", args=[dry.pk]))
    assert "would update 0 rows" in detail.content.decode()


def test_only_rows_whose_figures_changed_are_updates_and_applying_keeps_times_current(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    _sync(demo_account)
    rows = ProductAccountOrangeConnex.objects.count()
    changed = ProductAccountOrangeConnex.objects.order_by("pk").first()
    assert changed is not None
    ProductAccountOrangeConnex.objects.filter(pk=changed.pk).update(
        available_stock=changed.available_stock + 7
    )
    # Every row's snapshot time is older than what OC will report now.
    ProductAccountOrangeConnex.objects.update(stock_updated=None)

    dry = _sync(demo_account, dry_run=True)
    assert (dry.rows_updated, dry.rows_unchanged) == (1, rows - 1)
    assert "would update 1 row," in change_summary(dry)

    applied = apply_reviewed_run(dry.pk)
    assert change_summary(applied).startswith("Created 0 rows, updated 1 row, ")
    assert not ProductAccountOrangeConnex.objects.filter(stock_updated=None).exists()
    # OC's figure is back; the edited figure was the one real change.
    assert ProductAccountOrangeConnex.objects.get(pk=changed.pk).available_stock == (
        changed.available_stock
    )


def test_a_run_waiting_for_confirmation_says_what_it_would_change() -> None:
    run = SyncRun(
        status=SyncRun.Status.NEEDS_CONFIRMATION,
        rows_created=0,
        rows_updated=3,
        rows_unchanged=40,
        flipped_to_no=2,
    )
    assert change_summary(run) == (
        "Not applied yet: would create 0 rows, would update 3 rows, "
        "would mark 2 rows Created in OC = No; 40 unchanged."
    )
    assert change_summary(SyncRun(status=SyncRun.Status.FAILED)) == ""


def test_a_failure_ends_ocs_sentence_before_saying_nothing_changed() -> None:
    assert failure_message(OCBusinessError("OC answered code 1: system busy", code="1")) == (
        "OC answered code 1: system busy. Nothing was changed; the next run will try again."
    )
    reason = "OC refused to refresh the access token: invalid_grant."
    assert failure_message(ReauthorizationRequired(reason)) == (
        "The OC account needs re-authorization (OC refused to refresh the access token: "
        "invalid_grant). Authorize it again in the admin. Nothing was changed."
    )


def test_ocs_error_details_reach_the_run_and_the_admin_without_the_jwt_oc_quoted(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox, admin_client: Client
) -> None:
    snapshot = f"{demo_account.api_base_url}/3pp/inventory/v1/snapshot"
    envelope: dict[str, Any] = {
        "code": 1,
        "message": f"Internal error for credential {JWT}",
        "errors": [{"code": 500001, "message": "system busy"}],
        "success": False,
    }
    with responses.RequestsMock() as mock:
        mock.add_passthru(f"{oc_sandbox.url}/oauth")
        mock.post(snapshot, json=envelope)
        run = _sync(demo_account)

    assert run.status == SyncRun.Status.FAILED
    assert run.error == (
        f"OC answered code 1: Internal error for credential {REDACTED}. "
        "Details: 500001 (system busy). Nothing was changed; the next run will try again."
    )
    page = admin_client.get(reverse("admin:oc_integration_syncrun_change", args=[run.pk]))
    text = page.content.decode()
    assert "500001" in text and JWT not in text and JWT[:40] not in text
