"""The routing pages: the preview says what would be routed and why not; only managers
turn routing on (after a confirmation showing the preview) or change rules."""

from __future__ import annotations

from html import escape
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oc_integration.models import AutomaticRouting, OutboundOrder, RoutingCheck, RoutingRule
from oc_integration.outbound.routing.run import route_new_orders, turn_on
from tests.oc_integration.outbound.routing.seed import NOT_ROUTED, ROUTED, Seeded, order, seed
from tests.oc_integration.staff import staff_client

pytestmark = pytest.mark.django_db

MANAGE = "manage_routing"
CHANGELIST = "admin:oc_integration_routingaccount_changelist"


@pytest.fixture
def seeded() -> Seeded:
    return seed()


def preview_url(seeded: Seeded) -> str:
    return reverse("admin:oc_integration_routingaccount_preview", args=[seeded.account.pk])


def turn_on_post(seeded: Seeded, **extra: str) -> dict[str, Any]:
    return {"action": "turn_routing_on", "_selected_action": [seeded.account.pk], **extra}


def test_the_preview_lists_the_orders_that_would_be_routed_and_why_the_others_would_not(
    seeded: Seeded,
) -> None:
    page = staff_client("viewer").get(preview_url(seeded)).content.decode()
    assert "<strong>4</strong> orders would be routed, <strong>6</strong> would not" in page
    assert "1 of them already has an outbound order, so routing leaves it alone" in page
    assert "Automatic routing is <strong>off</strong>" in page
    routed = page.split('class="routing-routed"')[1].split("</table>")[0]
    not_routed = page.split('class="routing-not-routed"')[1].split("</table>")[0]
    for number in ROUTED:
        assert f'data-order="{number}"' in routed and number not in not_routed
    assert "DE (fallback)" in routed
    for number, reason in NOT_ROUTED.items():
        assert f'data-order="{number}"' in not_routed and number not in routed
        row = not_routed.split(f'data-order="{number}"')[1].split("</tr>")[0]
        assert escape(reason) in row
    assert 'id="turn-routing-on"' not in page  # view-only: no button


def test_view_only_staff_can_preview_but_cannot_turn_routing_on_or_route(
    seeded: Seeded, django_capture_on_commit_callbacks: Any
) -> None:
    viewer = staff_client("viewer")
    changelist = viewer.get(reverse(CHANGELIST)).content.decode()
    assert 'value="turn_routing_on"' not in changelist
    assert 'value="route_orders_now"' not in changelist
    with django_capture_on_commit_callbacks(execute=False) as queued:
        for action in ("turn_routing_on", "turn_routing_off", "route_orders_now"):
            viewer.post(reverse(CHANGELIST), {**turn_on_post(seeded, post="yes"), "action": action})
    assert queued == []
    assert not AutomaticRouting.objects.filter(is_on=True).exists()
    route_new_orders(seeded.account.pk)  # still off: nothing happens
    assert not RoutingCheck.objects.exists()


def test_view_only_staff_cannot_add_or_change_a_rule(seeded: Seeded) -> None:
    viewer = staff_client("viewer")
    rule = seeded.rules["web"]
    assert viewer.get(reverse("admin:oc_integration_routingrule_add")).status_code == 403
    change = reverse("admin:oc_integration_routingrule_change", args=[rule.pk])
    viewer.post(change, {"name": "Taken over", "account": seeded.account.pk, "priority": 1})
    rule.refresh_from_db()
    assert rule.name == "UK web shop"


def test_a_manager_turns_routing_on_after_a_confirmation_showing_the_preview(
    seeded: Seeded,
) -> None:
    manager = staff_client("manager", MANAGE)
    confirm = manager.post(reverse(CHANGELIST), turn_on_post(seeded)).content.decode()
    assert "Turn automatic routing on?" in confirm
    assert "<strong>4</strong> orders would be routed, <strong>6</strong> would not" in confirm
    assert 'id="turn-routing-on"' in confirm
    assert not AutomaticRouting.objects.filter(is_on=True).exists()  # only asked, so far
    done = manager.post(reverse(CHANGELIST), turn_on_post(seeded, post="yes"), follow=True)
    assert "Automatic routing is now on for OC routing (test)" in done.content.decode()
    routing = AutomaticRouting.objects.get(account=seeded.account)
    assert routing.is_on and routing.turned_on_by is not None
    assert routing.turned_on_by.username == "manager"
    assert route_new_orders(seeded.account.pk).routed == len(ROUTED)


def test_the_preview_offers_a_manager_the_button_to_turn_routing_on(seeded: Seeded) -> None:
    page = staff_client("manager", MANAGE).get(preview_url(seeded)).content.decode()
    assert 'id="turn-routing-on"' in page


def test_a_rule_with_an_unknown_country_or_region_is_refused_by_field(seeded: Seeded) -> None:
    manager = staff_client("manager", MANAGE)
    form = {
        "account": seeded.account.pk,
        "name": "Ireland",
        "priority": 5,
        "enabled": "on",
        "channels": ["web"],
        "countries": "IE, XX",
        "fallback_region": "FR",
    }
    page = manager.post(reverse("admin:oc_integration_routingrule_add"), form).content.decode()
    assert "Destination countries: XX is not a two-letter ISO country code" in page
    assert "Fallback region: OC routing (test) has no region FR (it has DE, UK)." in page
    assert not RoutingRule.objects.filter(name="Ireland").exists()
    form.update(countries="ie gb", fallback_region="de")
    response = manager.post(reverse("admin:oc_integration_routingrule_add"), form)
    assert response.status_code == 302
    rule = RoutingRule.objects.get(name="Ireland")
    assert rule.countries == ["GB", "IE"] and rule.fallback_region == "DE"
    assert AutomaticRouting.objects.get(account=seeded.account).rules_changed_at is not None


def test_a_rule_that_routed_orders_cannot_be_deleted(seeded: Seeded) -> None:
    turn_on(seeded.account, by=None)
    route_new_orders(seeded.account.pk)
    manager = staff_client("manager", MANAGE)
    rule = seeded.rules["web"]
    delete = reverse("admin:oc_integration_routingrule_delete", args=[rule.pk])
    manager.post(delete, {"post": "yes"})
    assert RoutingRule.objects.filter(pk=rule.pk).exists()


def test_routing_checks_are_evidence_nobody_deletes(seeded: Seeded) -> None:
    turn_on(seeded.account, by=None)
    route_new_orders(seeded.account.pk)
    superuser = User.objects.create_superuser("root", password="pw-root-1")
    client = Client()
    client.force_login(superuser)
    check = RoutingCheck.objects.filter(rule__isnull=False).first()
    assert check is not None
    delete = reverse("admin:oc_integration_routingcheck_delete", args=[check.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert RoutingCheck.objects.filter(pk=check.pk).exists()


def _page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_cost_the_same_queries_for_few_or_many_orders(seeded: Seeded) -> None:
    turn_on(seeded.account, by=None)
    route_new_orders(seeded.account.pk)
    manager = staff_client("manager", MANAGE)
    urls = [
        preview_url(seeded),
        reverse(CHANGELIST),
        reverse("admin:oc_integration_routingcheck_changelist"),
        reverse("admin:oc_integration_routingrule_changelist"),
    ]
    few = [_page_queries(manager, url) for url in urls]
    for n in range(25):
        order(f"MORE-{n:03d}", (seeded.products["P1"], 1))
    route_new_orders(seeded.account.pk)
    assert RoutingCheck.objects.filter(order__number__startswith="MORE-").count() == 25
    # P1's stock ships 6 more from UK and 5 from the fallback region DE; the rest wait.
    assert OutboundOrder.objects.filter(reference_number__startswith="MORE-").count() == 11
    many = [_page_queries(manager, url) for url in urls]
    assert few == many


def test_only_a_manager_changes_how_far_back_routing_looks(seeded: Seeded) -> None:
    routing = turn_on(seeded.account, by=None)
    change = reverse("admin:oc_integration_automaticrouting_change", args=[routing.pk])
    staff_client("viewer").post(change, {"max_order_age_days": 30})
    routing.refresh_from_db()
    assert routing.max_order_age_days == 3
    manager = staff_client("manager", MANAGE)
    page = manager.post(change, {"max_order_age_days": 0}).content.decode()
    assert "Ensure this value is greater than or equal to 1." in page
    assert manager.post(change, {"max_order_age_days": 14}).status_code == 302
    routing.refresh_from_db()
    assert routing.max_order_age_days == 14 and routing.is_on
    # The old order (10 days) is in the window now.
    assert "WEB-OLD" in manager.get(preview_url(seeded)).content.decode()
