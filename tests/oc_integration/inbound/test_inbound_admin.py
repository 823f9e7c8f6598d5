"""Inbound orders in the admin against the OC sandbox: drafting with cartons and lines,
placing after a confirmation page, labels, tracking, customs files, sent against received,
what view-only staff may do, and a constant number of queries for the list."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hemi_fulfilment.catalog.models import Product
from oc_integration.inbound.placing import PLACED, place_inbound_order
from oc_integration.inbound.status import sync_inbound_orders
from oc_integration.models import (
    AccountOrangeConnex,
    InboundDocument,
    InboundOrder,
    InboundStatus,
    OCSku,
    ProductAccountOrangeConnex,
)
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.inbound.helpers import FIRST, approved_skus, draft_order, next_week

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:oc_integration_inboundorder_changelist")
ADD = reverse("admin:oc_integration_inboundorder_add")
CREATION = "/openapi/3pp/inbound/v1/creation"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def change(order: InboundOrder) -> str:
    return reverse("admin:oc_integration_inboundorder_change", args=[order.pk])


def order_form(
    account: AccountOrangeConnex,
    lines: list[tuple[str, OCSku, int]],
    cartons: tuple[str, ...] = (),
    **fields: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "account": account.pk,
        "seller_inbound_number": "IN-ADMIN-1",
        "region": "UK",
        "shipping_from": "cn",
        "shipping_method": "EX",
        "transport_method": "AF",
        "eta": f"{next_week():%Y-%m-%d}",
        "vat": "",
        **fields,
    }
    for prefix, rows in (("cartons", list(cartons)), ("lines", lines)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": len(rows),
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    for n, number in enumerate(cartons):
        data[f"cartons-{n}-seller_carton_number"] = number
        data[f"cartons-{n}-origin_country"] = ""
    for n, (carton, sku, units) in enumerate(lines):
        data[f"lines-{n}-carton_number"] = carton
        data[f"lines-{n}-sku"] = sku.pk
        data[f"lines-{n}-quantity"] = units
    data.update({"status_changes-TOTAL_FORMS": 0, "status_changes-INITIAL_FORMS": 0})
    return data


def test_staff_draft_an_order_with_two_cartons_from_its_lines(
    manager_client: Client, authorized_account: AccountOrangeConnex
) -> None:
    first, second, _ = approved_skus(authorized_account)
    form = order_form(
        authorized_account,
        [("C001", first, 10), ("C001", second, 4), ("C002", first, 6)],
        cartons=("C001",),
    )
    response = manager_client.post(ADD, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    order = InboundOrder.objects.get(seller_inbound_number="IN-ADMIN-1")
    assert order.shipping_from == "CN" and order.status == InboundStatus.DRAFT
    assert {
        (line.carton.seller_carton_number, line.sku.oc_sku, line.quantity)
        for line in order.lines.select_related("carton", "sku")
    } == {("C001", first.oc_sku, 10), ("C001", second.oc_sku, 4), ("C002", first.oc_sku, 6)}


def test_a_sku_not_approved_in_the_region_is_refused_at_its_line_and_nothing_saved(
    manager_client: Client, authorized_account: AccountOrangeConnex
) -> None:
    [german] = approved_skus(authorized_account, 0, region="DE")
    response = manager_client.post(ADD, order_form(authorized_account, [("C1", german, 2)]))
    assert response.status_code == 200
    assert f"OC SKU {german.oc_sku} is not approved at OC for the fulfilment centre UK" in (
        response.content.decode()
    )
    assert not InboundOrder.objects.exists()


def test_placing_from_the_order_page_shows_what_is_sent_then_places_it(
    manager_client: Client, authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    first, second, _ = approved_skus(authorized_account)
    order = draft_order(authorized_account, {"C1": [(first, 3)], "C2": [(second, 2)]})
    page = manager_client.get(change(order)).content.decode()
    assert 'id="place-at-oc"' in page
    preview = manager_client.post(
        CHANGELIST, {"action": "place_at_oc", "_selected_action": [order.pk]}
    ).content.decode()
    assert 'id="place-preview"' in preview and "Will be placed" in preview
    assert oc_sandbox.count("POST", CREATION) == 0
    done = manager_client.post(
        CHANGELIST,
        {"action": "place_at_oc", "_selected_action": [order.pk], "confirm": "yes"},
        follow=True,
    ).content.decode()
    order.refresh_from_db()
    assert f"was placed at OC as {order.oc_inbound_number}" in done
    page = manager_client.get(change(order)).content.decode()
    assert 'id="place-at-oc"' not in page and 'id="download-labels"' in page


def test_an_order_that_breaks_oc_s_rules_cannot_be_confirmed(
    manager_client: Client, authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    [sku] = approved_skus(authorized_account, 0)
    order = draft_order(authorized_account, {"C1": [(sku, 3)], "C2": []})
    preview = manager_client.post(
        CHANGELIST, {"action": "place_at_oc", "_selected_action": [order.pk]}
    ).content.decode()
    assert "Carton C2 is empty" in preview and 'id="confirm-place"' not in preview


@pytest.fixture
def placed(authorized_account: AccountOrangeConnex) -> InboundOrder:
    first, second, _ = approved_skus(authorized_account)
    order = draft_order(authorized_account, {"C1": [(first, 10)], "C2": [(second, 5)]})
    assert place_inbound_order(order.pk).outcome == PLACED
    order.refresh_from_db()
    return order


def test_labels_download_as_oc_s_pdf(manager_client: Client, placed: InboundOrder) -> None:
    response = manager_client.get(
        reverse("admin:oc_integration_inboundorder_labels", args=[placed.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and placed.oc_inbound_number.encode() in (
        response.content
    )


def test_tracking_numbers_per_carton_are_sent_and_shown(
    manager_client: Client, placed: InboundOrder, oc_sandbox: Sandbox
) -> None:
    url = reverse("admin:oc_integration_inboundorder_tracking", args=[placed.pk])
    empty = manager_client.post(url, {"carrier": "DHL"}).content.decode()
    assert "Enter at least one tracking number." in empty
    response = manager_client.post(
        url, {"carrier": "DHL", "carton_C1": "JD001", "carton_C2": "JD002"}, follow=True
    )
    assert "Tracking numbers sent to OC" in response.content.decode()
    [row] = oc_sandbox.control("GET", "inbound")["orders"]
    assert [t["trackingNumber"] for t in row["tracking"]] == ["JD001", "JD002"]
    assert "DHL JD001 (C1)" in manager_client.get(change(placed)).content.decode()


def test_a_truck_order_takes_no_tracking_numbers_and_nothing_is_sent(
    manager_client: Client, placed: InboundOrder, oc_sandbox: Sandbox
) -> None:
    InboundOrder.objects.filter(pk=placed.pk).update(shipping_method="TK")
    url = reverse("admin:oc_integration_inboundorder_tracking", args=[placed.pk])
    page = manager_client.post(url, {"carrier": "DHL", "whole_order": "X1"}).content.decode()
    assert "express (EX) inbound orders only" in page and "Nothing was sent" in page
    assert oc_sandbox.count("POST", "/openapi/3pp/inbound/v1/upload/shipment-file") == 0


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("papers.exe", b"MZ", "is not one of"),
        ("invoice.pdf", b"not a pdf", "is named .pdf but is not a PDF"),
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "larger than 10 MB"),
    ],
)
def test_a_customs_file_of_the_wrong_type_or_size_gets_a_clear_error_and_is_not_sent(
    manager_client: Client,
    placed: InboundOrder,
    oc_sandbox: Sandbox,
    name: str,
    content: bytes,
    words: str,
) -> None:
    url = reverse("admin:oc_integration_inboundorder_clearance", args=[placed.pk])
    page = manager_client.post(
        url, {"file_type": "IN", "file": SimpleUploadedFile(name, content)}
    ).content.decode()
    assert words in page
    assert oc_sandbox.count("POST", "/openapi/3pp/inbound/v1/upload/customs-clearance-file") == 0
    assert not InboundDocument.objects.exists()


def test_a_customs_file_is_sent_and_oc_s_check_shown_after_a_sync(
    manager_client: Client, placed: InboundOrder, oc_sandbox: Sandbox
) -> None:
    url = reverse("admin:oc_integration_inboundorder_clearance", args=[placed.pk])
    response = manager_client.post(
        url, {"file_type": "IN", "file": SimpleUploadedFile("invoice.pdf", PDF)}, follow=True
    )
    assert "sent to OC" in response.content.decode()
    oc_sandbox.control("POST", "inbound/advance", inboundNumber=placed.oc_inbound_number)
    sync_inbound_orders(placed.account)
    assert InboundDocument.objects.get().verify_status == "PASSED"


def test_sent_against_received_highlights_differences_and_links_sku_and_stock_row(
    manager_client: Client, placed: InboundOrder, oc_sandbox: Sandbox
) -> None:
    product = Product.objects.create(sku="GY0005850", title="Demo product")
    stock = ProductAccountOrangeConnex.objects.create(
        account=placed.account, product=product, region="UK", oc_sku=FIRST, created_in_oc=True
    )
    oc_sandbox.control(
        "POST",
        "inbound/advance",
        inboundNumber=placed.oc_inbound_number,
        to="RECEIVED",
        short={FIRST: 2},
    )
    sync_inbound_orders(placed.account)
    page = manager_client.get(change(placed)).content.decode()
    assert 'id="sent-vs-received"' in page
    assert 'class="inbound-difference" style="color:#c62828;font-weight:bold">-2<' in page
    assert 'class="inbound-same" style="">5<' in page
    assert (
        reverse("admin:oc_integration_productaccountorangeconnex_change", args=[stock.pk]) in page
    )
    assert "Received" in page and "Placed at OC" in page  # the status history


def test_the_stock_row_shows_what_is_on_its_way_and_when(
    manager_client: Client, placed: InboundOrder
) -> None:
    product = Product.objects.create(sku="GY0005850", title="Demo product")
    stock = ProductAccountOrangeConnex.objects.create(
        account=placed.account, product=product, region="UK", oc_sku=FIRST, created_in_oc=True
    )
    page = manager_client.get(
        reverse("admin:oc_integration_productaccountorangeconnex_change", args=[stock.pk])
    ).content.decode()
    assert f"10 unit(s) in 1 open inbound order(s)</a>, first due {placed.eta:%Y-%m-%d}" in page


def test_a_placed_order_is_read_only_and_cannot_be_deleted(
    manager_client: Client, placed: InboundOrder
) -> None:
    page = manager_client.get(change(placed)).content.decode()
    assert 'name="region"' not in page
    delete = reverse("admin:oc_integration_inboundorder_delete", args=[placed.pk])
    assert manager_client.post(delete, {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [placed.pk], "post": "yes"}
    manager_client.post(CHANGELIST, bulk)
    assert InboundOrder.objects.filter(pk=placed.pk).exists()


def test_view_only_staff_see_the_order_but_no_buttons_and_the_pages_refuse_them(
    placed: InboundOrder, oc_sandbox: Sandbox
) -> None:
    viewer = User.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client = Client()
    client.force_login(viewer)
    page = client.get(change(placed)).content.decode()
    assert placed.oc_inbound_number in page
    assert re.search(r'class="field-carton_number">\s*<p>C2</p>', page)  # read-only lines
    for button in ("place-at-oc", "download-labels", "upload-tracking", "upload-clearance"):
        assert f'id="{button}"' not in page
    calls = len(oc_sandbox.control("GET", "calls")["calls"])
    for name in ("labels", "tracking", "clearance"):
        url = reverse(f"admin:oc_integration_inboundorder_{name}", args=[placed.pk])
        assert client.get(url).status_code == 403
    assert len(oc_sandbox.control("GET", "calls")["calls"]) == calls


def test_the_list_takes_the_same_number_of_queries_for_one_order_or_many(
    manager_client: Client, authorized_account: AccountOrangeConnex
) -> None:
    [sku] = approved_skus(authorized_account, 0)
    draft_order(authorized_account, {"C1": [(sku, 1)]}, seller_inbound_number="IN-Q-0")
    manager_client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as one:
        assert manager_client.get(CHANGELIST).status_code == 200
    for n in range(1, 15):
        draft_order(authorized_account, {"C1": [(sku, n)]}, seller_inbound_number=f"IN-Q-{n}")
    with CaptureQueriesContext(connection) as many:
        page = manager_client.get(CHANGELIST).content.decode()
    assert "IN-Q-14" in page
    assert len(many.captured_queries) == len(one.captured_queries)
