"""Both "Push to Orange Connex" actions show what will be sent, with OC's cost
estimates, and queue nothing until confirmed; a failed estimate is said and pushing
stays possible; staff without the push permission get neither page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oc_integration.models import AccountOrangeConnex, CostTrial, OutboundOrder, OutboundStatus
from oc_integration.outbound.orders import prepare_outbound_orders
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.costs.conftest import SYNCED
from tests.oc_integration.outbound_helpers import web_orders

pytestmark = pytest.mark.django_db
ORDERS = reverse("admin:orders_order_changelist")
OUTBOUND = reverse("admin:oc_integration_outboundorder_changelist")


def push(client: Client, url: str, action: str, ids: list[int], **extra: str) -> Any:
    return client.post(url, {"action": action, "_selected_action": ids, **extra}, follow=True)


def test_pushing_hemi_orders_first_shows_what_will_be_sent_with_estimates(
    admin_client: Client,
    stocked: AccountOrangeConnex,
    oc_sandbox: Sandbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    good = web_orders(2, prefix="PREV")
    bad = web_orders(1, prefix="PREVBAD", ship_country_code="")
    ids = [o.pk for o in good + bad]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = push(admin_client, ORDERS, "push_to_orange_connex", ids).content.decode()
    assert queued == [] and not OutboundOrder.objects.exists()  # nothing written or queued
    assert 'id="push-preview"' in page and "2 of 3 order(s) will be sent" in page
    assert 'data-reference="PREV-00000"' in page and "Maresfield Road" in page
    assert "GBDomesticEconomy" in page and " GBP" in page and "cheapest" in page
    assert "will be sent" in page and 'class="sent-cost"' in page
    assert "Country code: required by OC" in page
    assert CostTrial.objects.filter(order_reference__startswith="PREV-").count() == 2
    calls = oc_sandbox.count("POST", SYNCED)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        done = push(
            admin_client, ORDERS, "push_to_orange_connex", ids, confirm_push="yes"
        ).content.decode()
    assert "2 order(s) queued for" in done and len(queued) == 1
    assert OutboundOrder.objects.filter(status=OutboundStatus.QUEUED).count() == 2
    assert oc_sandbox.count("POST", SYNCED) == calls  # no estimate is asked twice


def test_when_estimates_fail_the_page_says_so_and_pushing_stays_possible(
    admin_client: Client, stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_COST_ESTIMATE_MODE = "synced"
    oc_sandbox.fault(SYNCED, "http500", count=5)
    order = web_orders(1, prefix="NOEST")[0]
    page = push(admin_client, ORDERS, "push_to_orange_connex", [order.pk]).content.decode()
    assert 'id="estimate-problems"' in page and "You can still push these orders" in page
    assert "NOEST-00000: " in page and 'id="confirm-push"' in page
    done = push(
        admin_client, ORDERS, "push_to_orange_connex", [order.pk], confirm_push="yes"
    ).content.decode()
    assert "1 order(s) queued for" in done


def test_pushing_outbound_orders_first_shows_them_with_estimates(
    admin_client: Client, stocked: AccountOrangeConnex, django_capture_on_commit_callbacks: Any
) -> None:
    orders = web_orders(2, prefix="OUTPREV")
    prepare_outbound_orders(stocked, [o.pk for o in orders])
    OutboundOrder.objects.filter(reference_number="OUTPREV-00001").update(
        status=OutboundStatus.SUBMITTED
    )
    ids = list(OutboundOrder.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = push(admin_client, OUTBOUND, "push_to_oc", ids).content.decode()
    assert queued == []
    assert "1 of 2 order(s) will be sent" in page
    assert "Not sent: it is Submitted already." in page
    assert "GBDomesticEconomy" in page and " GBP" in page
    with django_capture_on_commit_callbacks(execute=False) as queued:
        done = push(admin_client, OUTBOUND, "push_to_oc", ids, confirm_push="yes")
    assert "push(es) queued for the worker" in done.content.decode() and len(queued) == 1


def test_staff_without_the_push_permission_see_no_preview_and_ask_oc_nothing(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    viewer = User.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client = Client()
    client.force_login(viewer)
    order = web_orders(1, prefix="DENY")[0]
    prepare_outbound_orders(stocked, [order.pk])
    page = push(client, ORDERS, "push_to_orange_connex", [order.pk]).content.decode()
    assert 'id="push-preview"' not in page
    outbound_ids = list(OutboundOrder.objects.values_list("pk", flat=True))
    assert (
        'id="push-preview"'
        not in push(client, OUTBOUND, "push_to_oc", outbound_ids).content.decode()
    )
    assert oc_sandbox.count("POST", SYNCED) == 0 and not CostTrial.objects.exists()


def test_the_preview_reads_stored_estimates_in_a_constant_number_of_queries(
    admin_client: Client, stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    orders = web_orders(4, prefix="QCOUNT")

    def queries(ids: list[int]) -> int:
        push(admin_client, ORDERS, "push_to_orange_connex", ids)  # asks OC, stores
        with CaptureQueriesContext(connection) as captured:
            push(admin_client, ORDERS, "push_to_orange_connex", ids)  # reads them back
        return len(captured)

    calls = oc_sandbox.count("POST", SYNCED)
    one = queries([orders[0].pk])
    assert queries([o.pk for o in orders]) == one
    assert oc_sandbox.count("POST", SYNCED) == calls + 4  # each order asked once
