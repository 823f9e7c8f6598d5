"""The inbound sync as a job: lost answers confirmed without sending, the recurring job,
what is on its way to a stock row, and the demo's draft."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from hemi_fulfilment.schedules import register_recurring_jobs
from oc_integration.inbound.demo import DEMO_INBOUND_NUMBER, seed_demo_inbound
from oc_integration.inbound.on_the_way import on_the_way
from oc_integration.inbound.placing import PLACED, UNKNOWN, place_inbound_order
from oc_integration.models import AccountOrangeConnex, InboundOrder, InboundStatus
from oc_integration.tasks import sync_inbound
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.inbound.helpers import FIRST, approved_skus, draft_order

pytestmark = pytest.mark.django_db

CREATION = "/openapi/3pp/inbound/v1/creation"
DETAIL = "/openapi/3pp/inbound/v1/detail"


def test_the_job_confirms_a_lost_answer_at_oc_and_never_sends_it_again(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.control("POST", "config", timeout_fault_seconds=3)
    oc_sandbox.fault(CREATION, "accept_then_timeout")
    oc_sandbox.fault(DETAIL, "http500")
    [sku] = approved_skus(authorized_account, 0)
    order = draft_order(authorized_account, {"C1": [(sku, 3)]})
    assert place_inbound_order(order.pk).outcome == UNKNOWN
    summary = sync_inbound(authorized_account.pk)
    order.refresh_from_db()
    assert order.status == InboundStatus.CREATED and order.oc_inbound_number
    assert "1 open inbound order(s) checked" in summary
    assert oc_sandbox.count("POST", CREATION) == 1


def test_an_order_left_sending_by_a_dead_request_is_looked_up_then_marked_unknown(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    [sku] = approved_skus(authorized_account, 0)
    order = draft_order(authorized_account, {"C1": [(sku, 3)]})
    InboundOrder.objects.filter(pk=order.pk).update(
        status=InboundStatus.SENDING, sent_at=timezone.now() - timedelta(hours=1)
    )
    sync_inbound(authorized_account.pk)
    order.refresh_from_db()
    assert order.status == InboundStatus.UNKNOWN and not order.oc_inbound_number
    assert oc_sandbox.count("POST", CREATION) == 0 and oc_sandbox.count("POST", DETAIL) == 1
    assert place_inbound_order(order.pk).outcome == PLACED  # checked, then sent once


def test_the_inbound_sync_is_a_recurring_job() -> None:
    register_recurring_jobs()
    job = PeriodicTask.objects.get(name="OC: inbound orders")
    assert job.task == "oc.sync_inbound_all_accounts" and job.enabled


def test_only_open_inbound_orders_count_as_on_the_way(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    [sku] = approved_skus(authorized_account, 0)
    soon, later = timezone.localdate() + timedelta(days=3), timezone.localdate() + timedelta(days=9)
    for number, eta, units in (("IN-A", later, 5), ("IN-B", soon, 7), ("IN-C", soon, 100)):
        order = draft_order(
            authorized_account, {"C1": [(sku, units)]}, seller_inbound_number=number, eta=eta
        )
        if number != "IN-C":  # IN-C stays a draft
            assert place_inbound_order(order.pk).outcome == PLACED
    received = draft_order(authorized_account, {"C1": [(sku, 50)]}, seller_inbound_number="IN-D")
    place_inbound_order(received.pk)
    InboundOrder.objects.filter(pk=received.pk).update(status=InboundStatus.RECEIVED)
    coming = on_the_way(authorized_account.pk, "uk", FIRST)
    assert (coming.units, coming.orders, coming.earliest_eta) == (12, 2, soon)
    assert on_the_way(authorized_account.pk, "DE", FIRST).units == 0


def test_the_demo_seeds_one_draft_with_two_cartons_once(demo_data: None) -> None:
    order = InboundOrder.objects.get(seller_inbound_number=DEMO_INBOUND_NUMBER)
    assert seed_demo_inbound(order.account) == order
    assert InboundOrder.objects.filter(seller_inbound_number=DEMO_INBOUND_NUMBER).count() == 1
    assert order.status == InboundStatus.DRAFT
    assert order.cartons.count() == 2 and order.lines.count() == 3
