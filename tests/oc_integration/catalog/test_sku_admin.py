"""The OC SKU catalogue in the admin: the list, the product's links, registering, labels,
EF services, and who may do what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hemi_fulfilment.catalog.models import Product
from oc_integration.catalog.sync import queue_sku_sync, run_sku_sync
from oc_integration.models import (
    AccountOrangeConnex,
    Approval,
    OCSku,
    OCSkuEFService,
    ServiceType,
    SyncRun,
)
from oc_integration.outbound.shipping_services import refresh_shipping_services
from tests.oc_integration.catalog.helpers import products_ready_for_oc
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.factories import unreachable_account
from tests.oc_integration.staff import staff_client

pytestmark = pytest.mark.django_db

SKUS = reverse("admin:oc_integration_ocsku_changelist")
PRODUCTS = reverse("admin:catalog_product_changelist")
SYNC_NOW = reverse("admin:oc_integration_ocsku_sync")
CREATION = "/openapi/3pp/sku/v3/creation"


@pytest.fixture(autouse=True)
def _recent_history_only(settings: Any) -> None:
    settings.OC_SKU_SYNC_EARLIEST_DATE = (timezone.now() - timedelta(days=5)).date().isoformat()


@pytest.fixture
def account_row(db: None) -> AccountOrangeConnex:
    return unreachable_account("OC catalogue")


def _skus(account: AccountOrangeConnex, start: int, count: int) -> None:
    products = Product.objects.bulk_create(
        [Product(sku=f"ADM{n:05d}", title=f"Product {n}") for n in range(start, start + count)]
    )
    skus = OCSku.objects.bulk_create(
        [
            OCSku(
                account=account,
                oc_sku=f"OC{n:013d}",
                seller_sku=product.sku,
                reference_sku=product.sku,
                product=product if n % 2 else None,
                approval=Approval.APPROVED if n % 3 else Approval.DRAFT,
                status="APPROVED" if n % 3 else "DRAFT",
            )
            for n, product in enumerate(products, start=start)
        ]
    )
    OCSkuEFService.objects.bulk_create(
        [
            OCSkuEFService(
                sku=sku,
                region=region,
                service_type=ServiceType.DOMESTIC,
                service_code=f"{region}Std",
            )
            for sku in skus
            for region in ("UK", "DE")
        ]
    )


def _queries(client: Client, url: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def test_the_sku_list_costs_the_same_queries_for_10_and_100_skus(
    admin_client: Client, account_row: AccountOrangeConnex
) -> None:
    filtered = {"approval": "approved", "region": "UK", "linked": "yes", "q": "ADM"}
    _skus(account_row, 0, 10)
    few, few_filtered = _queries(admin_client, SKUS), _queries(admin_client, SKUS, filtered)
    products = _queries(admin_client, PRODUCTS)
    _skus(account_row, 10, 90)
    assert _queries(admin_client, SKUS) == few
    assert _queries(admin_client, SKUS, filtered) == few_filtered
    assert _queries(admin_client, PRODUCTS) == products


def test_the_list_filters_by_status_region_and_link_and_finds_any_of_the_three_skus(
    admin_client: Client, account_row: AccountOrangeConnex
) -> None:
    _skus(account_row, 0, 6)
    OCSku.objects.filter(oc_sku="OC0000000000004").update(reference_sku="REF-XYZ")
    OCSkuEFService.objects.filter(sku__oc_sku="OC0000000000005", region="UK").update(region="AU")

    def shown(**params: str) -> set[str]:
        page = admin_client.get(SKUS, params).content.decode()
        return {sku for sku in (f"OC{n:013d}" for n in range(6)) if f">{sku}<" in page}

    assert shown(approval="draft") == {"OC0000000000000", "OC0000000000003"}
    assert shown(linked="no") == {"OC0000000000000", "OC0000000000002", "OC0000000000004"}
    assert shown(region="AU") == {"OC0000000000005"}
    assert shown(q="REF-XYZ") == shown(q="OC0000000000004") == {"OC0000000000004"}
    assert shown(q="ADM00001") == {"OC0000000000001"}


def test_a_product_links_to_its_oc_skus_and_back(
    admin_client: Client, account_row: AccountOrangeConnex
) -> None:
    _skus(account_row, 0, 2)
    sku = OCSku.objects.get(oc_sku="OC0000000000001")
    assert sku.product is not None
    product_page = admin_client.get(
        reverse("admin:catalog_product_change", args=[sku.product.pk])
    ).content.decode()
    sku_url = reverse("admin:oc_integration_ocsku_change", args=[sku.pk])
    assert sku_url in product_page and "OC registration details" in product_page
    assert sku_url in admin_client.get(PRODUCTS).content.decode()
    sku_page = admin_client.get(sku_url).content.decode()
    assert reverse("admin:catalog_product_change", args=[sku.product.pk]) in sku_page


def test_the_preview_lists_what_is_missing_per_product_and_sends_nothing(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    (ready,) = products_ready_for_oc("PREV-OK")
    (lacking,) = products_ready_for_oc("PREV-BAD", weight=None, declared_currency="")
    bare = Product.objects.create(sku="PREV-BARE", title="No details at all")
    client = staff_client("registrar", "register_ocsku")
    page = client.post(
        PRODUCTS,
        {
            "action": "register_at_orange_connex",
            "_selected_action": [ready.pk, lacking.pk, bare.pk],
        },
    ).content.decode()
    assert "check before sending" in page and "1 of 3 product(s) will be sent" in page
    bad_row = page[page.index('data-sku="PREV-BAD"') :].split("</tr>")[0]
    assert "Weight is missing" in bad_row and "Declared value currency is missing" in bad_row
    bare_row = page[page.index('data-sku="PREV-BARE"') :].split("</tr>")[0]
    assert "Length is missing" in bare_row and "Country of origin is missing" in bare_row
    ok_row = page[page.index('data-sku="PREV-OK"') :].split("</tr>")[0]
    assert "Will be registered" in ok_row and "countryOfOrigin" in ok_row
    assert oc_sandbox.count("POST", CREATION) == 0


def test_confirming_the_preview_registers_the_valid_products_as_drafts(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    ready, lacking = products_ready_for_oc("CONF-OK", "CONF-BAD")
    lacking.oc_details.weight = None
    lacking.oc_details.save()
    client = staff_client("registrar", "register_ocsku")
    response = client.post(
        PRODUCTS,
        {
            "action": "register_at_orange_connex",
            "_selected_action": [ready.pk, lacking.pk],
            "confirm": "yes",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "1 product(s) registered" in page and "draft at OC until approved" in page
    assert "CONF-BAD: Not sent: complete its OC registration details first." in page
    assert OCSku.objects.get(seller_sku="CONF-OK").approval == Approval.DRAFT
    assert not OCSku.objects.filter(seller_sku="CONF-BAD").exists()
    assert (
        "Draft at OC (until approved in OC&#x27;s portal)" in client.get(PRODUCTS).content.decode()
    )


def test_sync_skus_now_queues_a_run_for_staff_with_the_permission_only(
    authorized_account: AccountOrangeConnex,
    oc_sandbox: Sandbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    viewer = staff_client("viewer")
    assert 'id="sync-skus-now"' not in viewer.get(SKUS).content.decode()
    assert viewer.post(SYNC_NOW).status_code == 403
    assert not SyncRun.objects.exists()
    syncer = staff_client("syncer", "run_sku_sync")
    assert 'id="sync-skus-now"' in syncer.get(SKUS).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = syncer.post(SYNC_NOW, follow=True).content.decode()
    assert "SKU sync for" in page and len(queued) == 1
    run = SyncRun.objects.get()
    assert (run.kind, run.trigger, run.status) == (
        SyncRun.Kind.SKUS,
        SyncRun.Trigger.ADMIN,
        SyncRun.Status.QUEUED,
    )


def test_labels_download_as_a_pdf_and_oc_refusing_is_said_clearly(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    run_sku_sync(queue_sku_sync(authorized_account, trigger=SyncRun.Trigger.COMMAND).pk)
    chosen = list(OCSku.objects.order_by("oc_sku").values_list("pk", flat=True)[:2])
    client = staff_client("printer", "download_sku_labels")
    response = client.post(SKUS, {"action": "download_labels", "_selected_action": chosen})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and "2-skus" in response["Content-Disposition"]
    OCSku.objects.filter(pk=chosen[0]).update(oc_sku="OC9999999999999")
    page = client.post(
        SKUS, {"action": "download_labels", "_selected_action": chosen[:1]}, follow=True
    ).content.decode()
    assert "OC returned no labels" in page and "does not exist" in page


def test_ef_services_are_set_up_from_the_admin(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    run_sku_sync(queue_sku_sync(authorized_account, trigger=SyncRun.Trigger.COMMAND).pk)
    refresh_shipping_services()
    sku = OCSku.objects.filter(approval=Approval.APPROVED).order_by("oc_sku")[0]
    client = staff_client("planner", "set_up_sku_ef_services")
    form = client.post(
        SKUS, {"action": "set_up_ef_services", "_selected_action": [sku.pk]}
    ).content.decode()
    assert "UK|GBDomesticStandard" in form
    page = client.post(
        SKUS,
        {
            "action": "set_up_ef_services",
            "_selected_action": [sku.pk],
            "apply": "yes",
            "domestic": ["UK|GBDomesticStandard"],
        },
        follow=True,
    ).content.decode()
    assert "EF services set up at OC for 1 SKU(s)" in page
    assert [s.service_code for s in sku.ef_services.all()] == ["GBDomesticStandard"]
    assert "UK GBDomesticStandard" in client.get(SKUS).content.decode()


def test_the_demo_registers_a_product_oc_lacks_and_never_doubles_one_it_has(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    from hemi_fulfilment.demo.data import DEMO_SKUS
    from oc_integration.demo import DEMO_WITHOUT_WEIGHT

    at_oc_already, not_at_oc = DEMO_SKUS[0], DEMO_SKUS[19]  # the sandbox lacks every 10th
    chosen = Product.objects.filter(sku__in=[at_oc_already, not_at_oc, DEMO_WITHOUT_WEIGHT])
    client = staff_client("registrar", "register_ocsku")
    action = {"action": "register_at_orange_connex", "_selected_action": [p.pk for p in chosen]}
    preview = client.post(PRODUCTS, action).content.decode()
    lacking = preview[preview.index(f'data-sku="{DEMO_WITHOUT_WEIGHT}"') :].split("</tr>")[0]
    assert "Weight is missing" in lacking
    assert f"Already at OC as OC{400300:013d}" in preview  # seeded in the demo catalogue
    page = client.post(PRODUCTS, {**action, "confirm": "yes"}, follow=True).content.decode()
    assert f"1 product(s) registered at {demo_account}" in page and not_at_oc in page
    assert oc_sandbox.count("POST", CREATION) == 1
    assert OCSku.objects.get(seller_sku=not_at_oc).approval == Approval.DRAFT
