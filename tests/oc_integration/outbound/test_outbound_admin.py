"""Outbound orders in the admin: push from Hemi orders, links both ways, cancel with a reason."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from oc_integration.models import AccountOrangeConnex, OutboundOrder, OutboundStatus
from oc_integration.outbound.push import push_queued
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.factories import region_mapping_form
from tests.oc_integration.outbound_helpers import stock_everything, web_orders

pytestmark = pytest.mark.django_db
ORDERS = reverse("admin:orders_order_changelist")
OUTBOUND = reverse("admin:oc_integration_outboundorder_changelist")


@pytest.fixture
def stocked(demo_account: AccountOrangeConnex, oc_sandbox: Sandbox) -> AccountOrangeConnex:
    stock_everything(oc_sandbox, demo_account)
    return demo_account


def test_push_to_orange_connex_on_hemi_orders_queues_valid_ones_and_explains_the_rest(
    admin_client: Client, stocked: AccountOrangeConnex, django_capture_on_commit_callbacks: Any
) -> None:
    good = web_orders(2, prefix="ADMGOOD")
    bad = web_orders(1, prefix="ADMBAD", ship_country_code="")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(
            ORDERS,
            {
                "action": "push_to_orange_connex",
                "_selected_action": [o.pk for o in good + bad],
                "confirm_push": "yes",  # as the confirmation page sends it
            },
            follow=True,
        )
    page = response.content.decode()
    assert "2 order(s) queued for" in page
    assert "ADMBAD-00000 was not sent. Country code: required by OC." in page
    assert len(callbacks) == 1  # one push task for the account
    assert OutboundOrder.objects.filter(status=OutboundStatus.QUEUED).count() == 2


def test_hemi_order_and_outbound_order_link_to_each_other(
    admin_client: Client, stocked: AccountOrangeConnex
) -> None:
    from oc_integration.outbound.orders import prepare_outbound_orders

    order = web_orders(1, prefix="LINK")[0]
    prepare_outbound_orders(stocked, [order.pk])
    push_queued(stocked.pk)
    outbound = OutboundOrder.objects.get(order=order)
    order_page = admin_client.get(
        reverse("admin:orders_order_change", args=[order.pk])
    ).content.decode()
    assert reverse("admin:oc_integration_outboundorder_change", args=[outbound.pk]) in order_page
    listing = admin_client.get(OUTBOUND).content.decode()
    assert reverse("admin:orders_order_change", args=[order.pk]) in listing
    assert 'data-status="submitted"' in listing


def test_rejected_orders_show_ocs_reason_in_words_and_can_be_filtered(
    admin_client: Client, stocked: AccountOrangeConnex
) -> None:
    from oc_integration.outbound.orders import prepare_outbound_orders

    order = web_orders(1, prefix="REJ", quantity=5000)[0]
    prepare_outbound_orders(stocked, [order.pk])
    push_queued(stocked.pk)
    page = admin_client.get(OUTBOUND, {"status__exact": "rejected"}).content.decode()
    assert "REJ-00000" in page and "Insufficient stock at OC" in page


def test_cancel_at_oc_asks_for_a_reason_then_reports_ocs_answer(
    admin_client: Client, stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    from oc_integration.outbound.orders import prepare_outbound_orders

    order = web_orders(1, prefix="ACAN")[0]
    prepare_outbound_orders(stocked, [order.pk])
    push_queued(stocked.pk)
    outbound = OutboundOrder.objects.get(order=order)
    ask = admin_client.post(OUTBOUND, {"action": "cancel_at_oc", "_selected_action": [outbound.pk]})
    assert ask.status_code == 200 and 'id="confirm-cancel"' in ask.content.decode()
    done = admin_client.post(
        OUTBOUND,
        {"action": "cancel_at_oc", "_selected_action": [outbound.pk], "reason": "Buyer cancelled"},
        follow=True,
    )
    assert "cancelled at OC" in done.content.decode()
    outbound.refresh_from_db()
    assert (
        outbound.status == OutboundStatus.CANCELLED and outbound.cancel_reason == "Buyer cancelled"
    )


def test_the_account_page_shows_the_callback_url_but_never_the_secret(
    admin_client: Client, stocked: AccountOrangeConnex
) -> None:
    url = reverse("admin:oc_integration_accountorangeconnex_change", args=[stocked.pk])
    data = {
        "name": stocked.name,
        "environment": stocked.environment,
        "api_base_url": stocked.api_base_url,
        "oauth_base_url": stocked.oauth_base_url,
        "client_key": stocked.client_key,
        "redirect_uri": stocked.redirect_uri,
        "signature_mode": stocked.signature_mode,
        "token_client_auth": stocked.token_client_auth,
        "access_token_bearer_prefix": "on",
        "stock_snapshot_version": stocked.stock_snapshot_version,
        "new_webhook_secret": "a-brand-new-callback-secret",
        **region_mapping_form(stocked),
    }
    assert admin_client.post(url, data).status_code == 302
    stocked.refresh_from_db()
    assert stocked.webhook_secret_list == ["a-brand-new-callback-secret"]
    page = admin_client.get(url).content.decode()
    assert f"/oc/webhooks/{stocked.webhook_id}/" in page
    assert "a-brand-new-callback-secret" not in page
    assert stocked.secret_key not in page


def test_push_and_cancel_are_in_the_orders_history_and_its_page_links_to_its_calls(
    admin_client: Client, stocked: AccountOrangeConnex, django_capture_on_commit_callbacks: Any
) -> None:
    order = web_orders(1, prefix="AUDIT")[0]
    with django_capture_on_commit_callbacks(execute=False):
        admin_client.post(
            ORDERS,
            {
                "action": "push_to_orange_connex",
                "_selected_action": [order.pk],
                "confirm_push": "yes",
            },
        )
    push_queued(stocked.pk)  # what the queued task runs
    outbound = OutboundOrder.objects.get(order=order)
    admin_client.post(
        OUTBOUND,
        {"action": "cancel_at_oc", "_selected_action": [outbound.pk], "reason": "Buyer cancelled"},
    )
    history = admin_client.get(
        reverse("admin:oc_integration_outboundorder_history", args=[outbound.pk])
    ).content.decode()
    assert "Pushed to Orange Connex (queued for the worker)." in history
    assert f"Cancel at OC: {outbound.oc_order_number}: cancelled at OC" in history
    page = admin_client.get(
        reverse("admin:oc_integration_outboundorder_change", args=[outbound.pk])
    ).content.decode()
    links = re.findall(r'<a href="([^"]+)" class="order-calls">', page)
    assert len(links) == 2  # by Hemi's reference, by OC's order number
    by_reference, by_oc_number = (
        admin_client.get(html.unescape(link)).content.decode() for link in links
    )
    assert "outbound creation" in by_reference.lower()
    assert "outbound cancellation" in by_oc_number.lower()
