"""The health page and the admin home's panel: figures as seeded, constant queries, and
nothing on them acts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from ebay_orders.models import ConnectionStatus, EbayConnection
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.operations.broker import broker_kind
from hemi_fulfilment.operations.models import Heartbeat, JobOutcome
from hemi_fulfilment.operations.schedule_rows import job_rows
from hemi_fulfilment.schedules import declared_jobs, register_recurring_jobs
from oc_integration.models import AccountOrangeConnex, AuthorizationStatus
from tests.hemi_fulfilment.operations.helpers import beat, run_flaky

pytestmark = pytest.mark.django_db

HEALTH = "/admin/health/"


def viewer() -> User:
    """Staff with every view permission and nothing else."""
    user = User.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows(page: str, section_id: str) -> dict[str, str]:
    """``label -> value`` of one module of the page, tags stripped."""
    block = re.search(rf'<div class="module[^"]*" id="{section_id}">(.*?)</div>', page, re.S)
    assert block, section_id
    found = re.findall(r"<th scope=\"row\">(.*?)</th>\s*<td>(.*?)</td>", block.group(1), re.S)
    return {re.sub("<.*?>", "", k).strip(): re.sub("<.*?>", "", v).strip() for k, v in found}


def seed_accounts(count: int, prefix: str = "A") -> None:
    """``count`` authorized OC accounts and as many connected eBay connections."""
    for i in range(count):
        AccountOrangeConnex.objects.create(
            name=f"OC {prefix}{i}",
            api_base_url="http://127.0.0.1:9/openapi",
            oauth_base_url="http://127.0.0.1:9",
            client_key=f"key-{prefix}{i}",
            redirect_uri="http://testserver/oc/oauth/callback/",
            authorization_status=AuthorizationStatus.AUTHORIZED,
            refresh_token_expires_at=timezone.now() + timedelta(days=100 + i),
        )
        site = EbayAccount.objects.create(
            name=f"eBay {prefix}{i}", site_code=f"{prefix}{i}", site_id=1000 + i
        )
        EbayConnection.objects.create(ebay_account=site, status=ConnectionStatus.CONNECTED)


def test_the_machinery_and_jobs_read_as_seeded(admin_client: Client, settings: Any) -> None:
    settings.ALERT_HEARTBEAT_STALE_MINUTES = 5
    now = timezone.now()
    beat(Heartbeat.WORKER, now - timedelta(minutes=20))
    beat(Heartbeat.BEAT, now - timedelta(seconds=30))
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.create(
        name="Flaky job", task="tests.operations.flaky", interval=every_minute, last_run_at=now
    )
    run_flaky(fail=False)
    run_flaky(fail=True)
    run_flaky(fail=True)
    page = admin_client.get(HEALTH).content.decode()
    machinery = rows(page, "machinery")
    assert machinery["Worker"].startswith("stopped? heartbeat 20 min ago")
    assert re.match(r"last tick 3\d s ago", machinery["Beat"])
    assert machinery["Broker"] == broker_kind()
    assert "Queue celery" in machinery
    job = re.search(
        r'<tr class="health-(\w+)">\s*<td><a href="[^"]+">Flaky job</a></td>(.*?)</tr>', page, re.S
    )
    assert job, "the job's row"
    cells = [
        re.sub("<.*?>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", job.group(2), re.S)
    ]
    outcome = JobOutcome.objects.get(task_name="tests.operations.flaky")
    assert job.group(1) == "warning"  # failing, below the alert threshold
    assert cells[0] == "tests.operations.flaky"
    assert cells[1] == f"{outcome.last_success_at:%Y-%m-%d %H:%M:%S}"
    assert cells[2].endswith("RuntimeError: The provider answered 503 Service Unavailable.")
    assert cells[3] == "2"
    next_run = (now + timedelta(minutes=1)).replace(microsecond=0)
    assert cells[5] in {f"{next_run + timedelta(seconds=d):%Y-%m-%d %H:%M:%S}" for d in (-1, 0, 1)}


def test_the_page_costs_the_same_queries_for_one_account_or_five(admin_client: Client) -> None:
    def queries() -> int:
        admin_client.get(HEALTH)  # warm the session and permission caches
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(HEALTH)
        assert response.status_code == 200
        return len(captured.captured_queries)

    seed_accounts(1)
    one = queries()
    seed_accounts(4, prefix="B")
    five = queries()
    assert one == five
    page = admin_client.get(HEALTH).content.decode()
    assert page.count('<div class="module health-section">') == 10


def test_view_only_staff_see_the_page_and_nothing_on_it_acts() -> None:
    seed_accounts(1)
    client = logged_in(viewer())
    response = client.get(HEALTH)
    assert response.status_code == 200
    page = response.content.decode()
    main = page.split('<div id="health">', 1)[1]
    assert "<form" not in main and "<button" not in main and "<input" not in main
    assert client.post(HEALTH).status_code == 405


def test_people_who_are_not_staff_are_sent_to_the_login() -> None:
    user = User.objects.create_user("shopper", password="pw-shopper-1")
    response = logged_in(user).get(HEALTH)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Client().get(HEALTH).status_code == 302


def test_the_home_page_has_the_panel_and_keeps_its_apps(admin_client: Client) -> None:
    beat(Heartbeat.WORKER, timezone.now())
    page = admin_client.get("/admin/").content.decode()
    assert 'id="health-panel"' in page and f'href="{HEALTH}"' in page
    assert 'id="health-attention"' in page
    assert "app-oc_integration" in page and "app-operations" in page  # the app list stays


def test_every_declared_job_is_listed_with_its_next_run() -> None:
    register_recurring_jobs()
    now = timezone.now()
    rows = {row.name: row for row in job_rows(now)}
    assert {job.name for job in declared_jobs()} <= set(rows)
    for job in declared_jobs():
        row = rows[job.name]
        assert row.next_run is not None and row.next_run >= now, job.name
        if job.crontab == "0 7 * * *":
            assert (row.next_run.hour, row.next_run.minute) == (7, 0)
            assert row.next_run - now <= timedelta(days=1)
    heartbeat = rows["Operations: worker heartbeat"]
    assert heartbeat.task == "operations.heartbeat" and heartbeat.next_run is not None
    # Beat counts a job never run from when it first sees it: a minute from now.
    assert heartbeat.next_run - now <= timedelta(minutes=1, seconds=5)
    PeriodicTask.objects.filter(name="Operations: worker heartbeat").update(enabled=False)
    assert {row.name: row for row in job_rows(now)}["Operations: worker heartbeat"].next_run is None
