"""The sandbox's cost estimation over real HTTP: consistent prices, OC's error items for
unknown SKUs, the asynchronous result arriving on the next poll, faults by path."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hemi_fulfilment.demo.data import DEMO_OC_ACCOUNT
from oc_integration.auth.api_client import api_client
from oc_integration.client import OCApiClient, OCBusinessError, OCServerError
from oc_integration.client.costs import (
    Parcel,
    ParcelLine,
    estimate_now,
    fetch_estimate,
    request_estimate,
)
from oc_integration.models import AccountOrangeConnex
from tests.oc_integration.conftest import Sandbox

pytestmark = pytest.mark.django_db
SYNCED = "/openapi/calculate/v1/freightTrial/synced"


def parcel(
    reference: str, *lines: tuple[str, int], region: str = "UK", **changes: object
) -> Parcel:
    base = Parcel(
        reference_id=reference,
        region=region,
        country_code="GB" if region == "UK" else "DE",
        post_code="BN2 5ES" if region == "UK" else "10115",
        lines=tuple(ParcelLine(sku, quantity) for sku, quantity in lines),
    )
    return Parcel(**{**base.__dict__, **changes})


@pytest.fixture
def client(demo_account: AccountOrangeConnex) -> OCApiClient:
    return api_client(demo_account)


def first_sku(oc: Sandbox) -> str:
    return str(
        oc.control("GET", "skus", client_id=DEMO_OC_ACCOUNT.client_key)["skus"][0]["MFSKUID"]
    )


def test_every_service_of_the_region_is_priced_consistently(
    client: OCApiClient, oc_sandbox: Sandbox
) -> None:
    sku = first_sku(oc_sandbox)
    one = {e.service_code: e for e in estimate_now(client, parcel("S-1", (sku, 1)))}
    three = {e.service_code: e for e in estimate_now(client, parcel("S-2", (sku, 3)))}
    again = {e.service_code: e for e in estimate_now(client, parcel("S-3", (sku, 1)))}
    assert set(one) == {
        "GBDomesticStandard",
        "GBDomesticExpress",
        "GBDomesticEconomy",
        "GBDomStd_RMOnly",
    }
    for code, estimate in one.items():
        assert estimate.ok and estimate.currency == "GBP"
        assert estimate.other_fee is not None and estimate.ebay_fee is not None
        assert isinstance(estimate.other_fee, Decimal)
        assert estimate.ebay_fee < estimate.other_fee  # the eBay programme's rate
        assert three[code].other_fee > estimate.other_fee  # type: ignore[operator]
        assert again[code].other_fee == estimate.other_fee  # the same parcel, the same price
    assert one["GBDomesticEconomy"].other_fee < one["GBDomesticExpress"].other_fee  # type: ignore[operator]


def test_unknown_skus_and_services_come_back_as_error_items(client: OCApiClient) -> None:
    results = estimate_now(
        client,
        parcel(
            "S-4", ("OC9999999999999", 1), service_codes=("GBDomesticStandard", "NoSuchService")
        ),
    )
    by_code = {r.service_code: r for r in results}
    assert not by_code["GBDomesticStandard"].ok
    assert "OC9999999999999 does not exist" in by_code["GBDomesticStandard"].error
    assert "not offered in UK" in by_code["NoSuchService"].error


def test_the_asynchronous_result_is_ready_on_the_next_poll(
    client: OCApiClient, oc_sandbox: Sandbox
) -> None:
    sku = first_sku(oc_sandbox)
    request_estimate(client, parcel("A-1", (sku, 1), region="DE"))
    assert fetch_estimate(client, "A-1", "DE") is None
    results = fetch_estimate(client, "A-1", "DE") or []
    assert {r.service_code for r in results} == {"DEDomesticStandard", "DEInternationalStandard"}
    assert all(r.currency == "EUR" for r in results)
    with pytest.raises(OCBusinessError, match="already been used"):
        request_estimate(client, parcel("A-1", (sku, 1), region="DE"))
    with pytest.raises(OCBusinessError, match="does not exist"):
        fetch_estimate(client, "A-404", "DE")


def test_the_result_is_ready_at_once_after_a_short_delay(
    client: OCApiClient, oc_sandbox: Sandbox
) -> None:
    request_estimate(client, parcel("A-2", (first_sku(oc_sandbox), 1)))
    oc_sandbox.control("POST", "clock", advance_seconds=5)
    assert fetch_estimate(client, "A-2", "UK")


def test_faults_are_injected_by_path(client: OCApiClient, oc_sandbox: Sandbox) -> None:
    oc_sandbox.fault(SYNCED, "http500")
    with pytest.raises(OCServerError):
        estimate_now(client, parcel("F-1", (first_sku(oc_sandbox), 1)))
    assert estimate_now(client, parcel("F-2", (first_sku(oc_sandbox), 1)))
