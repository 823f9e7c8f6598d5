"""The shipping services page: says how it is filled, and fetches from OC on request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oc_integration.models import AccountOrangeConnex, ShippingService
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.staff import staff_client

pytestmark = pytest.mark.django_db

PAGE = "admin:oc_integration_shippingservice_changelist"
FETCH = "admin:oc_integration_shippingservice_fetch"


def test_the_empty_page_says_how_the_list_is_filled_and_the_button_fills_it(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    client = staff_client("staff", "refresh_shippingservice")
    page = client.get(reverse(PAGE)).content.decode()
    assert 'id="no-shipping-services"' in page and 'id="fetch-shipping-services"' in page
    page = client.post(reverse(FETCH), follow=True).content.decode()
    count = ShippingService.objects.count()
    assert count > 0 and f"Fetched {count} shipping service(s) from OC." in page
    assert 'id="no-shipping-services"' not in page


def test_a_failing_oc_leaves_the_stored_list_as_it_was_and_says_so(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    client = staff_client("staff", "refresh_shippingservice")
    client.post(reverse(FETCH))
    before = list(ShippingService.objects.values_list("region", "code"))
    oc_sandbox.fault("/openapi/3pp/base/v1/service", "http500")
    page = client.post(reverse(FETCH), follow=True).content.decode()
    assert "the stored list is unchanged" in page
    assert list(ShippingService.objects.values_list("region", "code")) == before


def test_view_only_staff_see_no_button_and_cannot_fetch(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    client = staff_client("staff")
    assert 'id="fetch-shipping-services"' not in client.get(reverse(PAGE)).content.decode()
    assert client.post(reverse(FETCH)).status_code == 403
    assert not ShippingService.objects.exists()
