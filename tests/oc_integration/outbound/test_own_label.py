"""Orders with the seller's own label through the OC sandbox: push path, never twice, status."""

from __future__ import annotations

import base64
from collections import Counter
from typing import Any

import pytest

from oc_integration.auth.api_client import api_client
from oc_integration.client.own_label import (
    LabelFields,
    SellerLabel,
    create_own_label_orders,
    own_label_order,
)
from oc_integration.models import AccountOrangeConnex, OutboundOrder, OutboundStatus
from oc_integration.outbound.orders import prepare_outbound_orders
from oc_integration.outbound.own_label import attach_label
from oc_integration.outbound.push import preview_queued, push_queued
from oc_integration.outbound.status import refresh_open_orders
from oc_integration.outbound.validation import creation_payload
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.outbound_helpers import stock_everything, web_orders

CREATION = "/openapi/3pp/outbound/v1/creation"
OWN_LABEL = "/openapi/3pp/ocw/v1/creation"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(demo_account: AccountOrangeConnex, oc_sandbox: Sandbox) -> AccountOrangeConnex:
    stock_everything(oc_sandbox, demo_account)
    return demo_account


def _queued(account: AccountOrangeConnex, count: int, prefix: str) -> list[OutboundOrder]:
    orders = web_orders(count, prefix=prefix)
    prepared = prepare_outbound_orders(account, [o.pk for o in orders])
    assert len(prepared.queued) == count, prepared.invalid
    return list(OutboundOrder.objects.filter(reference_number__startswith=prefix).order_by("pk"))


def _label(outbound: OutboundOrder, tracking: str, content: bytes = PDF) -> None:
    attach_label(
        outbound_id=outbound.pk,
        file_name="label.pdf",
        content=content,
        carrier="DPD UK",
        tracking_number=tracking,
    )


def _sandbox_orders(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    return {o["referenceNumber"]: o for o in sandbox.orders()}


def test_own_label_orders_go_to_their_endpoint_with_the_label_and_the_rest_as_usual(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    normal = _queued(stocked, 3, "NORM")
    labelled = _queued(stocked, 2, "OWNL")
    for n, outbound in enumerate(labelled):
        _label(outbound, f"15501234{n}GB")

    pushed = push_queued(stocked.pk)

    assert sorted(pushed.submitted) == sorted(o.reference_number for o in normal + labelled)
    assert pushed.calls == 2
    assert oc_sandbox.count("POST", CREATION) == 1 and oc_sandbox.count("POST", OWN_LABEL) == 1
    at_oc = _sandbox_orders(oc_sandbox)
    assert at_oc["OWNL-00000"]["sellerLabel"] == {
        "trackingNumber": "155012340GB",
        "LMCarrierCode": "DPD UK",
        "LMCarrierName": "DPD UK",
        "labelFileType": "PDF",
    }
    assert at_oc["NORM-00000"]["sellerLabel"] is None
    assert all(
        o.status == OutboundStatus.SUBMITTED and o.oc_order_number
        for o in OutboundOrder.objects.all()
    )


def test_own_label_batches_follow_their_own_size(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_OWN_LABEL_ORDERS_PER_CALL = 2
    for n, outbound in enumerate(_queued(stocked, 5, "BATCH")):
        _label(outbound, f"BATCH{n}")

    pushed = push_queued(stocked.pk)

    assert len(pushed.submitted) == 5 and pushed.calls == 3
    assert oc_sandbox.count("POST", OWN_LABEL) == 3 and oc_sandbox.count("POST", CREATION) == 0


def test_a_lost_own_label_answer_is_checked_by_reference_and_never_sent_twice(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_READ_TIMEOUT = 1
    oc_sandbox.control("POST", "config", timeout_fault_seconds=3)
    oc_sandbox.fault(OWN_LABEL, "accept_then_timeout", count=1)
    for n, outbound in enumerate(_queued(stocked, 4, "LOST")):
        _label(outbound, f"LOST{n}")

    first = push_queued(stocked.pk)
    assert sorted(first.unknown) == [f"LOST-{n:05d}" for n in range(4)]
    assert first.reconciled == 4
    second = push_queued(stocked.pk)

    assert second.calls == 0
    assert oc_sandbox.count("POST", OWN_LABEL) == 1
    per_reference = Counter(o["referenceNumber"] for o in oc_sandbox.orders())
    assert len(per_reference) == 4 and set(per_reference.values()) == {1}
    assert set(OutboundOrder.objects.values_list("status", flat=True)) == {OutboundStatus.SUBMITTED}
    assert all(o["sellerLabel"] for o in oc_sandbox.orders())


def test_an_own_label_call_oc_never_received_is_resent_to_the_own_label_endpoint_only(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_READ_TIMEOUT = 1
    settings.OC_RESEND_AFTER_NOT_FOUND_CHECKS = 1
    settings.OC_RESEND_AFTER_NOT_FOUND_MINUTES = 0
    oc_sandbox.control("POST", "config", timeout_fault_seconds=3)
    oc_sandbox.fault(OWN_LABEL, "timeout", count=1)  # OC never sees the call
    outbound = _queued(stocked, 1, "NEVER")[0]
    _label(outbound, "NEVER1")

    first = push_queued(stocked.pk)
    assert first.unknown == ["NEVER-00000"] and first.requeued == 1
    push_queued(stocked.pk)

    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.SUBMITTED
    assert oc_sandbox.count("POST", OWN_LABEL) == 2 and oc_sandbox.count("POST", CREATION) == 0
    assert [o["referenceNumber"] for o in oc_sandbox.orders()] == ["NEVER-00000"]


def test_a_server_error_leaves_own_label_orders_unknown_until_oc_is_asked(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.fault(OWN_LABEL, "http500", count=1)
    oc_sandbox.fault("/openapi/3pp/outbound/v2/query", "http500", count=2)
    outbound = _queued(stocked, 1, "ERR")[0]
    _label(outbound, "ERR1")

    pushed = push_queued(stocked.pk)

    outbound.refresh_from_db()
    assert pushed.unknown == ["ERR-00000"] and outbound.status == OutboundStatus.UNKNOWN
    assert any("stay Unknown" in p for p in pushed.problems)
    assert oc_sandbox.count("POST", OWN_LABEL) == 1 and not oc_sandbox.orders()


def test_own_label_orders_are_tracked_with_the_sellers_carrier_and_tracking_number(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    outbound = _queued(stocked, 1, "TRK")[0]
    _label(outbound, "TRK0000001GB")
    push_queued(stocked.pk)
    outbound.refresh_from_db()
    number = outbound.oc_order_number

    oc_sandbox.control("POST", "outbound/advance", orderNumber=number, to="Picked")
    refresh_open_orders(stocked)
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.PICKED
    oc_sandbox.control("POST", "outbound/advance", orderNumber=number, to="Outbound")
    refresh_open_orders(stocked)

    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.OUTBOUND
    assert outbound.tracking_number == "TRK0000001GB" and outbound.carrier_name == "DPD UK"
    assert outbound.order is not None
    outbound.order.refresh_from_db()
    assert outbound.order.shipped and outbound.order.tracking_number == "TRK0000001GB"


def test_a_label_made_invalid_by_changed_settings_is_not_sent(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    outbound = _queued(stocked, 1, "OLD")[0]
    _label(outbound, "OLD1")
    settings.OC_OWN_LABEL_TYPES = ["PNG"]

    pushed = push_queued(stocked.pk)

    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.DRAFT and pushed.calls == 0
    assert "PDF labels are no longer accepted" in outbound.validation_errors["own_label"][0]
    assert "Label file" in pushed.invalid["OLD-00000"]
    assert oc_sandbox.count("POST", OWN_LABEL) == 0


def test_the_dry_run_names_an_own_label_problem_and_sends_nothing(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    normal = _queued(stocked, 1, "DRYN")[0]
    labelled = _queued(stocked, 1, "DRYL")[0]
    _label(labelled, "DRY1")
    settings.OC_OWN_LABEL_MAX_BYTES = 10

    valid, invalid = preview_queued(stocked.pk)

    assert valid == [normal.reference_number]
    assert (
        f"Label file: at most 10 bytes for OC (the attached file has {len(PDF)} bytes)"
        in invalid[labelled.reference_number]
    )
    assert oc_sandbox.count("POST", OWN_LABEL) == 0


def _send_raw(account: AccountOrangeConnex, outbound: OutboundOrder, **label_changes: Any) -> Any:
    label = SellerLabel("DPD UK", "RAW1", "PDF", PDF)
    body = own_label_order(
        creation_payload(outbound, list(outbound.lines.all())), label, LabelFields()
    )
    body.update(label_changes)
    return create_own_label_orders(api_client(account), [body], max_per_call=10)


@pytest.mark.parametrize(
    ("changes", "code", "words"),
    [
        ({"labelFile": "not base64 at all!"}, "400202", "not valid base64"),
        ({"labelFile": base64.b64encode(b"GIF89a...").decode()}, "400202", "not a PDF file"),
        ({"labelFileType": "GIF"}, "400202", "labelFileType must be one of"),
        (
            {"labelFile": base64.b64encode(b"%PDF-" + b"0" * 2_000_001).decode()},
            "400201",
            "at most",
        ),
        ({"trackingNumber": ""}, "400200", "trackingNumber is required"),
    ],
)
def test_the_sandbox_checks_each_label_and_creates_nothing_for_a_bad_one(
    stocked: AccountOrangeConnex,
    oc_sandbox: Sandbox,
    changes: dict[str, Any],
    code: str,
    words: str,
) -> None:
    outbound = _queued(stocked, 1, "RAW")[0]

    result = _send_raw(stocked, outbound, **changes)

    assert not result.accepted
    error = result.refused["RAW-00000"]
    assert error.code == code and words in error.message
    assert not oc_sandbox.orders()


def test_the_sandbox_refuses_a_tracking_number_another_order_ships_with(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    first, second = _queued(stocked, 2, "DUP")
    assert _send_raw(stocked, first).accepted

    result = _send_raw(stocked, second)

    assert result.refused["DUP-00001"].code == "400410"
    assert [o["referenceNumber"] for o in oc_sandbox.orders()] == ["DUP-00000"]


@pytest.mark.postgres
def test_pushing_2_or_10_own_label_orders_costs_the_same_statements(
    stocked: AccountOrangeConnex,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements(count: int, prefix: str) -> int:
        for n, outbound in enumerate(_queued(stocked, count, prefix)):
            _label(outbound, f"{prefix}{n}")
        with CaptureQueriesContext(connection) as pushed:
            assert len(push_queued(stocked.pk).submitted) == count
        return len(pushed)

    assert statements(2, "QFEW") == statements(10, "QMANY")


def test_a_wrong_field_configuration_sends_nothing_and_says_why(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_OWN_LABEL_FIELDS = {"labelfile": "labelBase64"}  # not a known field
    outbound = _queued(stocked, 1, "CONF")[0]
    _label(outbound, "CONF1")

    push_queued(stocked.pk)

    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.DRAFT
    assert "OC_OWN_LABEL_FIELDS is wrong: Unknown own-label field(s) labelfile" in (
        outbound.last_error
    )
    assert oc_sandbox.count("POST", OWN_LABEL) == 0


def test_configured_field_names_reach_oc(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    # The sandbox reads keys case-insensitively: another spelling of the inferred names.
    settings.OC_OWN_LABEL_FIELDS = {"label_file": "LABELFILE", "carrier": "CarrierName"}
    outbound = _queued(stocked, 1, "NAMES")[0]
    _label(outbound, "NAMES1")

    assert push_queued(stocked.pk).submitted == ["NAMES-00000"]
    assert _sandbox_orders(oc_sandbox)["NAMES-00000"]["sellerLabel"]["LMCarrierName"] == "DPD UK"
