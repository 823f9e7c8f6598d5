"""Per product and region, a standard single-unit estimate: asked on demand by an action
with its permission, stored, shown on the product's page without asking OC."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hemi_fulfilment.catalog.models import Product
from hemi_fulfilment.demo.data import DEMO_SKUS
from oc_integration.models import AccountOrangeConnex, CostTrial, TrialStatus
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.costs.conftest import SYNCED

pytestmark = pytest.mark.django_db
PRODUCTS = reverse("admin:catalog_product_changelist")
TRIALS = reverse("admin:oc_integration_costtrial_changelist")


def staff(*permissions: str) -> Client:
    user = User.objects.create_user("estimator", password="pw-estimator-1", is_staff=True)
    named = [Permission.objects.get(codename=p.split(".")[1]) for p in permissions]
    user.user_permissions.set([*Permission.objects.filter(codename__startswith="view_"), *named])
    client = Client()
    client.force_login(user)
    return client


def estimate(client: Client, *products: Product) -> str:
    response = client.post(
        PRODUCTS,
        {"action": "estimate_fulfilment_costs", "_selected_action": [p.pk for p in products]},
        follow=True,
    )
    return str(response.content.decode())


def test_the_action_stores_an_estimate_per_region_and_the_page_shows_it(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    product = Product.objects.get(sku=DEMO_SKUS[0])
    done = estimate(staff("oc_integration.estimate_costs"), product)
    assert "2 cost estimate(s) from OC stored" in done
    trials = CostTrial.objects.filter(product=product, status=TrialStatus.READY)
    assert sorted(trials.values_list("region", "country_code")) == [("DE", "DE"), ("UK", "GB")]
    calls = oc_sandbox.count("POST", SYNCED)
    page = staff_page(product)
    assert "OC cost estimates" in page and "GBDomesticEconomy" in page
    assert "GBP (eBay order:" in page and "EUR" in page
    assert oc_sandbox.count("POST", SYNCED) == calls  # showing the page asks OC nothing


def staff_page(product: Product) -> str:
    client = Client()
    client.force_login(User.objects.create_superuser("boss", password="pw-boss-1"))
    return str(
        client.get(reverse("admin:catalog_product_change", args=[product.pk])).content.decode()
    )


def test_pressing_again_asks_again_and_the_page_shows_the_latest(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    product = Product.objects.get(sku=DEMO_SKUS[1])
    client = staff("oc_integration.estimate_costs")
    estimate(client, product)
    estimate(client, product)
    assert CostTrial.objects.filter(product=product).count() == 4
    page = staff_page(product)
    assert page.count('class="field-region"') == 2  # the latest per region only


def test_staff_without_the_permission_cannot_ask(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    product = Product.objects.get(sku=DEMO_SKUS[0])
    page = estimate(staff(), product)
    assert "cost estimate(s) from OC" not in page
    assert not CostTrial.objects.exists() and oc_sandbox.count("POST", SYNCED) == 0


def test_the_estimates_list_reads_in_a_constant_number_of_queries(
    stocked: AccountOrangeConnex, admin_client: Client
) -> None:
    products = list(Product.objects.filter(sku__in=DEMO_SKUS[:6]))
    estimate(staff("oc_integration.estimate_costs"), products[0])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(TRIALS).status_code == 200
        return len(captured)

    few = queries()
    estimate(staff_again(), *products[1:])
    assert CostTrial.objects.count() == 12
    assert queries() == few


def staff_again() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("again", password="pw-again-1"))
    return client


def test_the_latest_estimates_are_the_same_without_distinct_on(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite (the demo) has no DISTINCT ON: the product's page there picks the newest
    # trial of each product, account and region with a subquery instead.
    from oc_integration.costs.products import latest_product_trials

    product = Product.objects.get(sku=DEMO_SKUS[1])
    client = staff("oc_integration.estimate_costs")
    estimate(client, product)
    estimate(client, product)
    with_distinct_on = sorted(latest_product_trials(product.pk).values_list("pk", flat=True))
    monkeypatch.setattr(connection.features, "can_distinct_on_fields", False)
    without = sorted(latest_product_trials(product.pk).values_list("pk", flat=True))
    assert len(with_distinct_on) == 2 and without == with_distinct_on
    newest = CostTrial.objects.filter(product=product).order_by("-requested_at", "-id")[:2]
    assert set(without) == {t.pk for t in newest}
