"""The SKU catalogue against the OC sandbox over real HTTP: register, approve, sync,
lost answers, a failing page, labels and EF services."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from hemi_fulfilment.catalog.models import Product
from oc_integration.catalog.ef_services import refresh_ef_services, set_up_services
from oc_integration.catalog.labels import TooManyLabels, sku_labels
from oc_integration.catalog.registration import check_products, register_products
from oc_integration.catalog.sync import queue_sku_sync, run_sku_sync
from oc_integration.client import OCBusinessError
from oc_integration.client.sku import DOMESTIC, EFService
from oc_integration.models import (
    AccountOrangeConnex,
    Approval,
    OCSku,
    OCSkuEFService,
    OCSkuRegistration,
    RegistrationStatus,
    SyncRun,
)
from tests.oc_integration.catalog.helpers import products_ready_for_oc
from tests.oc_integration.conftest import Sandbox

pytestmark = pytest.mark.django_db

CREATION = "/openapi/3pp/sku/v3/creation"
QUERY = "/openapi/3pp/sku/v3/query"


@pytest.fixture(autouse=True)
def _recent_history_only(settings: Any) -> None:
    # One query window: the sandbox's SKUs were all modified today.
    settings.OC_SKU_SYNC_EARLIEST_DATE = (timezone.now() - timedelta(days=5)).date().isoformat()


def sync(account: AccountOrangeConnex, **kwargs: Any) -> SyncRun:
    return run_sku_sync(queue_sku_sync(account, trigger=SyncRun.Trigger.COMMAND).pk, **kwargs)


def sandbox_skus(oc: Sandbox, seller: str | None = None) -> list[dict[str, Any]]:
    skus = oc.control("GET", "skus")["skus"]
    return [s for s in skus if seller is None or s["sellerSKUID"] == seller]


def test_register_then_approve_at_oc_then_sync_updates_the_status_and_links_the_product(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    table, lamp = products_ready_for_oc("REG-TABLE", "REG-LAMP")
    result = register_products(authorized_account, [table.pk, lamp.pk])
    assert set(result.created) == {"REG-TABLE", "REG-LAMP"} and result.calls == 1
    stored = OCSku.objects.get(account=authorized_account, seller_sku="REG-TABLE")
    assert stored.oc_sku == result.created["REG-TABLE"]
    assert stored.approval == Approval.DRAFT and stored.product == table
    assert stored.registered_from_hemi is not None and stored.weight is not None
    assert [s["status"] for s in sandbox_skus(oc_sandbox, "REG-TABLE")] == ["DRAFT"]

    oc_sandbox.control("POST", "skus/approve", sellerSKUID="REG-TABLE")
    run = sync(authorized_account)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    stored.refresh_from_db()
    assert stored.approval == Approval.APPROVED and stored.status == "APPROVED"
    assert stored.product == table and stored.last_synced is not None
    lamp_sku = OCSku.objects.get(seller_sku="REG-LAMP")
    assert lamp_sku.approval == Approval.DRAFT and lamp_sku.product == lamp
    # Every SKU the sandbox holds was imported; those of no Hemi product are reported.
    assert OCSku.objects.filter(account=authorized_account).count() == len(sandbox_skus(oc_sandbox))
    assert run.unknown_skus == run.skus_seen - 2 and run.messages


def test_a_product_made_after_its_sku_was_synced_is_linked_by_the_next_sync(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_SKU_SYNC_EARLIEST_DATE = (timezone.now() - timedelta(days=30)).date().isoformat()
    ten_days = 10 * 24 * 3600
    oc_sandbox.control("POST", "clock", advance_seconds=-ten_days)
    oc_sandbox.control("POST", "skus/generate", count=1, prefix="OLD")  # modified 10 days ago
    oc_sandbox.control("POST", "clock", advance_seconds=ten_days)
    assert sync(authorized_account).status == SyncRun.Status.SUCCEEDED
    old = OCSku.objects.get(seller_sku="OLD000000")
    assert old.product is None
    product = Product.objects.create(sku="OLD000000", title="Made later")
    run = sync(authorized_account)  # since the last sync: OC reports nothing new for it
    old.refresh_from_db()
    assert old.product == product and "now linked" in run.messages[0]


def test_products_missing_ocs_fields_are_not_sent(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    (incomplete,) = products_ready_for_oc("REG-BAD", weight=None, country_of_origin="")
    (check,) = check_products(authorized_account, [incomplete.pk])
    assert (
        "Weight is missing" in check.problems and "Country of origin is missing" in check.problems
    )
    result = register_products(authorized_account, [incomplete.pk])
    assert "REG-BAD" in result.not_sent and result.calls == 0
    assert oc_sandbox.count("POST", CREATION) == 0


def test_a_lost_answer_is_found_with_sku_query_and_never_creates_a_second_sku(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_READ_TIMEOUT = 1
    oc_sandbox.control("POST", "config", timeout_fault_seconds=3)
    (product,) = products_ready_for_oc("REG-LOST")
    oc_sandbox.fault(CREATION, "accept_then_timeout")
    first = register_products(authorized_account, [product.pk])
    (at_oc,) = sandbox_skus(oc_sandbox, "REG-LOST")
    assert first.confirmed == {"REG-LOST": at_oc["MFSKUID"]} and not first.created
    assert OCSku.objects.get(seller_sku="REG-LOST").oc_sku == at_oc["MFSKUID"]

    again = register_products(authorized_account, [product.pk])
    assert "REG-LOST" in again.not_sent and "Already at OC" in again.not_sent["REG-LOST"]
    assert oc_sandbox.count("POST", CREATION) == 1
    assert len(sandbox_skus(oc_sandbox, "REG-LOST")) == 1


def test_a_lost_answer_that_cannot_be_checked_is_checked_before_anything_is_sent_again(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_READ_TIMEOUT = 1
    oc_sandbox.control("POST", "config", timeout_fault_seconds=3)
    (product,) = products_ready_for_oc("REG-DARK")
    oc_sandbox.fault(CREATION, "accept_then_timeout")
    oc_sandbox.fault(QUERY, "http500")
    first = register_products(authorized_account, [product.pk])
    assert first.unknown == ["REG-DARK"]
    registration = OCSkuRegistration.objects.get(product=product)
    assert registration.status == RegistrationStatus.UNKNOWN
    assert not OCSku.objects.filter(seller_sku="REG-DARK").exists()

    second = register_products(authorized_account, [product.pk])
    (at_oc,) = sandbox_skus(oc_sandbox, "REG-DARK")
    assert second.confirmed == {"REG-DARK": at_oc["MFSKUID"]}
    assert oc_sandbox.count("POST", CREATION) == 1
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CREATED


def test_ocs_refusal_of_one_sku_is_recorded_and_the_others_are_created(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    good, taken = products_ready_for_oc("REG-OK", "GY0005850")  # the sandbox has GY0005850
    result = register_products(authorized_account, [good.pk, taken.pk])
    assert set(result.created) == {"REG-OK"}
    # OC says it already has GY0005850: SKU Query brings it in instead of a second one.
    assert set(result.confirmed) == {"GY0005850"}
    assert len(sandbox_skus(oc_sandbox, "GY0005850")) == 1


def test_a_failure_on_page_three_changes_nothing_and_the_next_sync_imports_everything(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.control("POST", "skus/generate", count=450, prefix="PAGED")
    total = len(sandbox_skus(oc_sandbox))
    assert total > 400  # three pages of 200

    def fail_page_three(phase: str, done: int, all_windows: int) -> None:
        if phase.endswith("page 2"):
            oc_sandbox.fault(QUERY, "http500")

    failed = sync(authorized_account, progress=fail_page_three)
    assert failed.status == SyncRun.Status.FAILED
    assert "HTTP 500" in failed.error and "Nothing was changed" in failed.error
    assert not OCSku.objects.exists()
    assert oc_sandbox.count("POST", QUERY) == 3

    done = sync(authorized_account)
    assert done.status == SyncRun.Status.SUCCEEDED, done.error
    assert OCSku.objects.count() == done.skus_seen == done.rows_created == total
    again = sync(authorized_account)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, total)


@pytest.mark.parametrize("kind", ["http500", "malformed", "timeout"])
def test_a_fault_on_page_two_leaves_the_catalogue_as_it_was(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any, kind: str
) -> None:
    settings.OC_READ_TIMEOUT = 1
    oc_sandbox.control("POST", "config", timeout_fault_seconds=2)
    assert sync(authorized_account).status == SyncRun.Status.SUCCEEDED
    before = sorted(OCSku.objects.values_list("oc_sku", "approval", "last_synced"))
    oc_sandbox.control("POST", "skus/approve", all=True)
    oc_sandbox.control("POST", "skus/generate", count=300, prefix="LATE", status="DRAFT")
    oc_sandbox.fault(QUERY, kind, after=1)  # the first page answers, the second fails
    failed = sync(authorized_account)
    assert failed.status == SyncRun.Status.FAILED and "Nothing was changed" in failed.error
    assert sorted(OCSku.objects.values_list("oc_sku", "approval", "last_synced")) == before


def test_a_dry_run_changes_nothing(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    run = run_sku_sync(
        queue_sku_sync(authorized_account, trigger=SyncRun.Trigger.COMMAND, dry_run=True).pk
    )
    assert run.status == SyncRun.Status.DRY_RUN and run.rows_created == run.skus_seen > 0
    assert not OCSku.objects.exists()


def test_labels_come_back_as_a_valid_pdf(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    assert sync(authorized_account).status == SyncRun.Status.SUCCEEDED
    chosen = list(OCSku.objects.order_by("oc_sku").values_list("oc_sku", flat=True)[:3])
    pdf = sku_labels(authorized_account, chosen, quantity=2)
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    text = pdf.decode("ascii")
    assert "/Count 6" in text and all(sku in text for sku in chosen)
    # Every object sits at the byte offset the cross-reference table gives for it.
    table = text[text.index("xref\n") :].splitlines()
    offsets = [int(line[:10]) for line in table[3:] if line.endswith(" n ")]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(f"{number} 0 obj".encode())
    startxref = int(re.findall(r"startxref\n(\d+)", text)[0])
    assert pdf[startxref:].startswith(b"xref")
    with pytest.raises(OCBusinessError, match="does not exist"):
        sku_labels(authorized_account, ["OC9999999999999"])
    with pytest.raises(TooManyLabels):
        sku_labels(authorized_account, [f"OC{n}" for n in range(201)])


def test_ef_services_are_set_up_at_oc_and_read_back(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    assert sync(authorized_account).status == SyncRun.Status.SUCCEEDED
    approved = OCSku.objects.filter(approval=Approval.APPROVED).order_by("oc_sku")[0]
    services = [
        EFService("UK", DOMESTIC, "GBDomesticStandard", "UK"),
        EFService("DE", DOMESTIC, "DEDomesticStandard", "DE"),
    ]
    found = set_up_services(authorized_account, [approved.oc_sku], services)
    assert found.services == 2 and found.skus == 1
    stored = OCSkuEFService.objects.filter(sku=approved).order_by("region")
    assert [(s.region, s.service_code) for s in stored] == [
        ("DE", "DEDomesticStandard"),
        ("UK", "GBDomesticStandard"),
    ]
    assert refresh_ef_services(authorized_account, [approved.oc_sku]).services == 2
    (draft,) = products_ready_for_oc("REG-EF")
    register_products(authorized_account, [draft.pk])
    draft_sku = OCSku.objects.get(seller_sku="REG-EF")
    with pytest.raises(OCBusinessError, match="not approved"):
        set_up_services(authorized_account, [draft_sku.oc_sku], services[:1])
    assert not OCSkuEFService.objects.filter(sku=draft_sku).exists()
