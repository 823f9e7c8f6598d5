"""Whoever runs it: the health page with a stopped worker and a failing job, and a failed
sync run again from its page, which follows the new run until it is done."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from hemi_fulfilment.operations.alerts import evaluate
from hemi_fulfilment.operations.models import Heartbeat
from oc_integration.models import AccountOrangeConnex, SyncRun
from oc_integration.stock.runs import queue_stock_sync, run_stock_sync
from oc_integration.tasks import refresh_shipping_services
from tests.e2e.conftest import Screenshots, log_in
from tests.hemi_fulfilment.operations.helpers import beat
from tests.oc_integration.conftest import Sandbox, demo_account  # noqa: F401  (a fixture)
from tests.oc_integration.outbound_helpers import stock_everything

pytestmark = pytest.mark.django_db(transaction=True)

SERVICE_LIST = "/openapi/3pp/base/v1/service"
SNAPSHOT = "/openapi/3pp/inventory/*/snapshot"  # v1 or v2, as the account chooses


def test_the_health_page_shows_a_stopped_worker_and_a_failing_job_and_alerts_once(
    page: Any,
    live_server: Any,
    manager: User,
    demo_account: AccountOrangeConnex,  # noqa: F811 - the fixture imported above
    oc_sandbox: Sandbox,
    screenshot: Screenshots,
    settings: Any,
) -> None:
    settings.ALERT_HEARTBEAT_STALE_MINUTES = 5
    settings.ADMINS = [("Operations", "ops@example.com")]
    now = timezone.now()
    beat(Heartbeat.WORKER, now - timedelta(minutes=25))  # the worker stopped 25 min ago
    beat(Heartbeat.BEAT, now - timedelta(seconds=20))
    oc_sandbox.fault(SERVICE_LIST, "http500", count=100)  # OC's service list is down
    for _ in range(settings.ALERT_JOB_FAILURES):
        assert refresh_shipping_services.apply().failed()  # through Celery, as the worker runs it
    evaluate()
    evaluate()  # a second evaluation while still broken sends nothing more
    alerts = [str(m.subject) for m in mail.outbox]
    assert len(alerts) == 2, alerts
    assert any("worker" in s.lower() for s in alerts)
    assert any("Job OC: shipping services" in s for s in alerts)

    log_in(page, live_server.url, manager)
    panel = page.inner_text("#health-panel")
    assert "health page" in panel
    page.click("#health-attention a")
    page.wait_for_selector("#machinery")
    assert "stopped? heartbeat 25 min ago" in page.inner_text("#machinery")
    job = page.locator("#jobs tr", has_text="OC: shipping services")
    assert "503" in job.inner_text() or "500" in job.inner_text()
    assert str(settings.ALERT_JOB_FAILURES) in job.inner_text()
    assert "health-problem" in (job.get_attribute("class") or "")
    assert page.locator("#alerts tr.health-problem").count() == 2
    screenshot(page, "health-page")

    # The job's line leads to where it is dealt with: its schedule.
    job.locator("a").first.click()
    page.wait_for_selector("#content-main")
    assert "OC: shipping services" in page.content()


def test_a_failed_stock_sync_is_run_again_from_its_page_which_follows_it_until_done(
    page: Any,
    live_server: Any,
    manager: User,
    demo_account: AccountOrangeConnex,  # noqa: F811 - the fixture imported above
    oc_sandbox: Sandbox,
    worker: None,
    screenshot: Screenshots,
) -> None:
    oc_sandbox.fault(SNAPSHOT, "http500", count=100)
    failed = run_stock_sync(queue_stock_sync(demo_account, trigger=SyncRun.Trigger.BEAT).pk)
    assert failed.status == SyncRun.Status.FAILED
    oc_sandbox.control("DELETE", "faults")  # OC is back

    log_in(page, live_server.url, manager)
    page.goto(f"{live_server.url}/admin/oc_integration/syncrun/{failed.pk}/change/")
    assert "Failed" in page.inner_text("#content-main")
    page.click("#run-again")
    # The new run's page: it refreshes itself until the worker has finished the run.
    page.wait_for_selector(".messagelist .info")
    again = SyncRun.objects.exclude(pk=failed.pk).get()
    assert f"/syncrun/{again.pk}/change/" in page.url
    page.wait_for_function(
        "() => !document.querySelector('#refresh-while-waiting')"
        " && document.body.innerText.includes('Succeeded')",
        timeout=60_000,
    )
    again.refresh_from_db()
    assert again.status == SyncRun.Status.SUCCEEDED
    page.click("#run-calls")
    page.wait_for_selector("#result_list")
    assert "stock snapshot" in page.inner_text("#result_list")
    page.goto(f"{live_server.url}/admin/oc_integration/syncrun/{failed.pk}/history/")
    assert f"Ran run #{failed.pk} again as run #{again.pk}." in page.inner_text("#content-main")
    screenshot(page, "run-again-history")


def test_the_stock_review_fits_a_1280_pixel_screen_and_fresh_rows_are_not_crossed_out(
    page: Any,
    live_server: Any,
    manager: User,
    demo_account: AccountOrangeConnex,  # noqa: F811 - the fixture imported above
    oc_sandbox: Sandbox,
    screenshot: Screenshots,
) -> None:
    stock_everything(oc_sandbox, demo_account)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server.url, manager)
    page.goto(f"{live_server.url}/admin/oc_integration/productaccountorangeconnex/")
    page.wait_for_selector("#result_list")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow} px wider than the screen"
    # Django's list scrolls sideways inside its box when too wide: that must not happen.
    hidden = page.evaluate(
        "() => { const box = document.querySelector('#changelist .results');"
        " return box.scrollWidth - box.clientWidth; }"
    )
    assert hidden <= 0, f"the list is {hidden} px wider than its box"
    figures = page.locator("#result_list td.field-freshness").all_inner_texts()
    assert figures and set(figures) == {"fresh"}
    assert page.locator("#result_list td.field-freshness img").count() == 0  # no ✖ icon
    screenshot(page, "stock-review-1280")
