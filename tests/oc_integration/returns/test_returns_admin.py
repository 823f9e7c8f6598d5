"""Returns in the admin: constant queries, the returned units beside each stock row, the
returns on an outbound order's page, and the label, cancel and tracking pages with their
permissions (against the OC sandbox over HTTP)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hemi_fulfilment.catalog.models import Product
from oc_integration.models import (
    AccountOrangeConnex,
    OutboundOrder,
    ProductAccountOrangeConnex,
    ReturnedStock,
    ReturnOrder,
    ReturnOrderItem,
    ReturnStatus,
)
from oc_integration.returns.sync import import_returns
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.factories import unreachable_account
from tests.oc_integration.returns.helpers import advance_return, oc_return, shipped_orders
from tests.oc_integration.staff import staff_client

pytestmark = pytest.mark.django_db

RETURNS = reverse("admin:oc_integration_returnorder_changelist")
STOCK_ROWS = reverse("admin:oc_integration_productaccountorangeconnex_changelist")
RETURNED_STOCK = reverse("admin:oc_integration_returnedstock_changelist")
IMPORTS = reverse("admin:oc_integration_returnsyncstate_changelist")
CANCEL = "/openapi/3pp/returns/v1/cancel/rma"
QUERY = "/openapi/3pp/returns/v1/query/orders"


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def account(db: None) -> AccountOrangeConnex:
    return unreachable_account("OC returns")


def _rows(account: AccountOrangeConnex, start: int, count: int) -> None:
    """``count`` outbound orders, each with a return of two items, stock rows and
    returned stock."""
    now = timezone.now()
    for n in range(start, start + count):
        product = Product.objects.create(sku=f"RET-{n:04d}", title=f"Product {n}")
        outbound = OutboundOrder.objects.create(
            account=account, reference_number=f"REF-{n:04d}", service_region="UK"
        )
        returned = ReturnOrder.objects.create(
            account=account,
            oc_return_number=f"OCR{n:013d}GB",
            outbound_order=outbound,
            status=ReturnStatus.RECEIVED,
            region="UK",
            oc_updated_at=now - timedelta(minutes=n),
        )
        ReturnOrderItem.objects.bulk_create(
            ReturnOrderItem(return_order=returned, oc_sku=f"OC{n:013d}", quantity=q) for q in (1, 2)
        )
        ProductAccountOrangeConnex.objects.create(
            account=account, product=product, sku=product.sku, region="UK", oc_sku=f"OC{n:013d}"
        )
        ReturnedStock.objects.create(
            account=account, oc_sku=f"OC{n:013d}", region="UK", returned=n + 1, fetched_at=now
        )


def test_the_return_and_stock_lists_cost_the_same_queries_for_2_and_30_rows(
    admin_client: Client, account: AccountOrangeConnex
) -> None:
    _rows(account, 0, 2)
    returns, stock = _queries(admin_client, RETURNS), _queries(admin_client, STOCK_ROWS)
    outbound = OutboundOrder.objects.first()
    assert outbound is not None
    outbound_page = reverse("admin:oc_integration_outboundorder_change", args=[outbound.pk])
    _queries(admin_client, outbound_page)  # the first visit fills caches of its own
    page = _queries(admin_client, outbound_page)
    returned_stock = _queries(admin_client, RETURNED_STOCK)
    _rows(account, 2, 28)
    assert _queries(admin_client, RETURNED_STOCK) == returned_stock
    assert _queries(admin_client, RETURNS) == returns
    assert _queries(admin_client, STOCK_ROWS) == stock
    assert _queries(admin_client, outbound_page) == page


def test_the_stock_row_shows_its_returned_units_and_the_outbound_order_its_returns(
    admin_client: Client, account: AccountOrangeConnex
) -> None:
    _rows(account, 0, 3)
    ReturnedStock.objects.filter(oc_sku="OC0000000000001").delete()
    ReturnedStock.objects.filter(oc_sku="OC0000000000002").update(region="uk")  # OC's spelling
    page = admin_client.get(STOCK_ROWS).content.decode()
    assert '<td class="field-returned_units">3</td>' in page
    assert '<td class="field-returned_units">-</td>' in page  # none returned
    row = ProductAccountOrangeConnex.objects.get(oc_sku="OC0000000000002")
    change = admin_client.get(
        reverse("admin:oc_integration_productaccountorangeconnex_change", args=[row.pk])
    ).content.decode()
    assert "returned" in change and '<div class="readonly">3</div>' in change
    outbound = OutboundOrder.objects.get(reference_number="REF-0000")
    order_page = admin_client.get(
        reverse("admin:oc_integration_outboundorder_change", args=[outbound.pk])
    ).content.decode()
    assert "OCR0000000000000GB" in order_page and "Received at OC" in order_page
    listed = admin_client.get(RETURNED_STOCK).content.decode()
    assert "OC0000000000002" in listed and "delete_selected" not in listed
    import_returns_state = admin_client.get(IMPORTS)
    assert import_returns_state.status_code == 200


def test_view_only_staff_see_no_buttons_and_get_403_from_every_return_page(
    account: AccountOrangeConnex,
) -> None:
    _rows(account, 0, 1)
    returned = ReturnOrder.objects.get()
    viewer = staff_client("viewer")
    page = viewer.get(
        reverse("admin:oc_integration_returnorder_change", args=[returned.pk])
    ).content.decode()
    assert "download-return-label" not in page and "update-return-tracking" not in page
    for name in ("label", "cancel", "tracking"):
        url = reverse(f"admin:oc_integration_returnorder_{name}", args=[returned.pk])
        assert viewer.get(url).status_code == 403
        assert viewer.post(url, {"reason": "x", "tracking_number": "A1"}).status_code == 403
    returned.refresh_from_db()
    assert returned.status == ReturnStatus.RECEIVED


@pytest.fixture
def imported(demo_account: AccountOrangeConnex, oc_sandbox: Sandbox) -> ReturnOrder:
    outbound = shipped_orders(oc_sandbox, demo_account, 1)[0]
    oc_return(oc_sandbox, outbound)
    import_returns(demo_account, with_stock=False)
    return ReturnOrder.objects.get()


def test_a_return_page_downloads_its_label_cancels_after_confirmation_and_says_errors(
    imported: ReturnOrder, oc_sandbox: Sandbox
) -> None:
    change = reverse("admin:oc_integration_returnorder_change", args=[imported.pk])
    label = reverse("admin:oc_integration_returnorder_label", args=[imported.pk])
    cancel = reverse("admin:oc_integration_returnorder_cancel", args=[imported.pk])
    client = staff_client("returns-clerk", "download_return_label", "cancel_returnorder")
    page = client.get(change).content.decode()
    assert 'id="download-return-label"' in page and 'id="cancel-return"' in page
    assert 'id="update-return-tracking"' not in page  # not this clerk's permission
    response = client.get(label)
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    assert imported.oc_return_number in response["Content-Disposition"]
    confirm = client.get(cancel).content.decode()
    assert 'id="confirm-return-action"' in confirm and oc_sandbox.count("POST", CANCEL) == 0
    blank = client.post(cancel, {"reason": ""}).content.decode()
    assert "This field is required" in blank and oc_sandbox.count("POST", CANCEL) == 0
    done = client.post(cancel, {"reason": "Buyer kept the item"}, follow=True).content.decode()
    assert "cancelled at OC" in done
    imported.refresh_from_db()
    assert imported.status == ReturnStatus.CANCELLED
    gone = client.get(label, follow=True).content.decode()
    assert "OC issues no label" in gone


def test_the_tracking_page_names_bad_fields_and_shows_ocs_refusal(
    imported: ReturnOrder, oc_sandbox: Sandbox
) -> None:
    tracking = reverse("admin:oc_integration_returnorder_tracking", args=[imported.pk])
    client = staff_client("returns-clerk", "update_return_tracking")
    bad = client.post(tracking, {"tracking_number": "AB 12", "carrier_code": "DPD"})
    assert "Only letters, digits and hyphens." in bad.content.decode()
    assert oc_sandbox.count("POST", CANCEL) == 0
    # An earlier answer was lost and OC cannot be asked now: nothing is sent again.
    ReturnOrder.objects.filter(pk=imported.pk).update(
        pending_request="tracking", pending_since=timezone.now(), pending_tracking="JD0009"
    )
    oc_sandbox.fault(QUERY, "http500")
    unchecked = client.post(tracking, {"tracking_number": "JD0009", "carrier_code": "DPD"})
    assert "Could not ask OC" in unchecked.content.decode()
    assert oc_sandbox.count("POST", CANCEL) == 0
    ReturnOrder.objects.filter(pk=imported.pk).update(pending_request="")
    advance_return(oc_sandbox, imported.oc_return_number, "PROCESSED")
    refused = client.post(tracking, {"tracking_number": "JD0001", "carrier_code": "DPD"})
    assert (
        "OC refused" in refused.content.decode()
        and "Nothing was changed" in refused.content.decode()
    )
    import_returns(imported.account, with_stock=False)
    assert (
        client.get(reverse("admin:oc_integration_returnorder_change", args=[imported.pk]))
        .content.decode()
        .count("update-return-tracking")
        == 0
    )


def test_a_revoked_authorization_is_a_message_on_the_return_pages_not_an_error_page(
    imported: ReturnOrder, oc_sandbox: Sandbox
) -> None:
    account = imported.account
    oc_sandbox.control("POST", "tokens/revoke", client_id=account.client_key)
    oc_sandbox.control("POST", "tokens/expire-access")
    label = reverse("admin:oc_integration_returnorder_label", args=[imported.pk])
    cancel = reverse("admin:oc_integration_returnorder_cancel", args=[imported.pk])
    client = staff_client("returns-clerk", "download_return_label", "cancel_returnorder")
    page = client.get(label, follow=True)
    assert page.status_code == 200 and "Nothing was asked of OC." in page.content.decode()
    refused = client.post(cancel, {"reason": "Buyer kept the item"}, follow=True)
    assert refused.status_code == 200 and oc_sandbox.count("POST", CANCEL) == 0
    imported.refresh_from_db()
    assert imported.status != ReturnStatus.CANCELLED
