"""Migrations, recurring-job registration and the demo seed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from hemi_fulfilment import schedules
from hemi_fulfilment.catalog.models import ItemAccount, Product
from hemi_fulfilment.demo.data import DEMO_SKUS, lacks_de_item_account
from hemi_fulfilment.orders.models import Order
from hemi_fulfilment.schedules import (
    RecurringJob,
    declared_jobs,
    recurring_job,
    register_recurring_jobs,
)
from oc_integration.models import AccountOrangeConnex


@pytest.mark.django_db
def test_models_and_migrations_agree() -> None:
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


@pytest.mark.django_db
def test_every_declared_job_is_registered_once_and_edits_survive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A copy of the declared jobs for this test only: the apps' own declarations stay as
    # they are, and the test job is gone afterwards without any clean-up code.
    monkeypatch.setattr(schedules, "_JOBS", dict(schedules._JOBS))
    job = RecurringJob(
        name="test: ping every 5 minutes",
        task="hemi_fulfilment.ping",
        description="test job",
        every_minutes=5,
        kwargs={"nonce": "beat"},
    )
    recurring_job(job)
    assert register_recurring_jobs() == [job.name]
    task = PeriodicTask.objects.get(name=job.name)
    assert task.interval.every == 5 and task.enabled
    task.enabled = False  # staff disable it in the admin
    task.save()
    assert register_recurring_jobs() == []
    assert PeriodicTask.objects.filter(name=job.name).count() == 1
    assert not PeriodicTask.objects.get(name=job.name).enabled
    # Every job the apps declared was written by migrate.
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert {j.name for j in declared_jobs()} <= names


def test_a_job_needs_exactly_one_schedule() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        RecurringJob(name="x", task="t", description="", every_minutes=5, crontab="0 * * * *")


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_a_login() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    counts = (Product.objects.count(), ItemAccount.objects.count(), Order.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Product.objects.count(), ItemAccount.objects.count(), Order.objects.count()) == counts
    assert counts[0] == len(DEMO_SKUS) == 50
    missing_de = sum(lacks_de_item_account(i) for i in range(len(DEMO_SKUS)))
    assert counts[1] == 2 * len(DEMO_SKUS) - missing_de and missing_de > 0
    assert AccountOrangeConnex.objects.get().secret_key
    assert "Admin login: admin / " in out.getvalue()
