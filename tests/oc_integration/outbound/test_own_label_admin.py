"""Attaching the seller's own label in the admin: checked field by field, permission-guarded."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from oc_integration.models import (
    AccountOrangeConnex,
    Environment,
    OutboundOrder,
    OutboundStatus,
    OwnLabel,
)
from oc_integration.outbound.own_label import LabelRefused, attach_label, check_label
from tests.oc_integration.staff import staff_client

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
ZPL = b"\n~SD15\n^XA^FO50,50^FDHello^FS^XZ\n"


@pytest.fixture
def outbound(db: None) -> OutboundOrder:
    account = AccountOrangeConnex(
        name="OC UK (admin test)",
        environment=Environment.SANDBOX,
        api_base_url="http://127.0.0.1:9/openapi",
        oauth_base_url="http://127.0.0.1:9",
        client_key="ck-admin",
        redirect_uri="http://testserver/oc/oauth/callback/",
    )
    account.secret_key = "sk-admin"
    account.save()
    return OutboundOrder.objects.create(
        account=account, reference_number="WEB-00001", service_region="UK", status="queued"
    )


@pytest.fixture
def labeller(db: None) -> Client:
    return staff_client("labeller", "attach_ownlabel")


def _url(outbound: OutboundOrder) -> str:
    return reverse("admin:oc_integration_outboundorder_own_label", args=[outbound.pk])


def _post(client: Client, outbound: OutboundOrder, name: str, content: bytes, **fields: str) -> Any:
    data: dict[str, Any] = {"carrier": "DPD UK", "tracking_number": "15501234GB", **fields}
    data["label_file"] = SimpleUploadedFile(name, content)
    return client.post(_url(outbound), data, follow=True)


def test_a_pdf_label_is_attached_and_shown_on_the_order_page(
    labeller: Client, outbound: OutboundOrder
) -> None:
    response = _post(labeller, outbound, "label.pdf", PDF)

    page = response.content.decode()
    assert "Own label attached to WEB-00001: DPD UK 15501234GB (PDF)" in page
    label = OwnLabel.objects.get(outbound_order=outbound)
    assert bytes(label.content) == PDF and label.file_type == "PDF" and label.size == len(PDF)
    assert label.attached_by is not None and label.attached_by.username == "labeller"
    assert 'id="own-label"' in page and 'id="attach-own-label"' in page


@pytest.mark.parametrize(
    ("name", "content", "fields", "field", "words"),
    [
        ("label.pdf", b"", {}, "label_file", "Label file: the file is empty"),
        ("label.gif", b"GIF89a", {}, "label_file", ".gif is not accepted; allowed types: PDF, PNG, ZPL"),
        ("label.pdf", PNG, {}, "label_file", "Label file: this is not a PDF file"),
        ("label.pdf", PDF + b"0" * 2_000_000, {}, "label_file", "at most 2,000,000 bytes for OC (this file has 2,000,015 bytes)"),
        ("label.pdf", PDF, {"carrier": ""}, "carrier", "Carrier: required"),
        ("label.pdf", PDF, {"tracking_number": "155 01"}, "tracking_number", "letters, digits and hyphens"),
    ],
)  # fmt: skip
def test_a_wrong_label_gets_a_field_named_error_and_nothing_is_stored(
    labeller: Client,
    outbound: OutboundOrder,
    name: str,
    content: bytes,
    fields: dict[str, str],
    field: str,
    words: str,
) -> None:
    response = _post(labeller, outbound, name, content, **fields)

    form = response.context["form"]
    assert any(words in message for message in form.errors[field]), form.errors
    assert "Nothing was attached" in response.content.decode()
    assert not OwnLabel.objects.exists()


def test_the_size_limit_follows_its_setting_and_a_large_file_is_not_read_whole(
    labeller: Client, outbound: OutboundOrder, settings: Any
) -> None:
    settings.OC_OWN_LABEL_MAX_BYTES = 1000

    response = _post(labeller, outbound, "label.png", PNG + b"0" * 5000)

    assert (
        "at most 1 kB for OC (this file has 5 kB)"
        in response.context["form"].errors["label_file"][0]
    )
    assert not OwnLabel.objects.exists()


def test_zpl_and_png_labels_are_recognised_by_their_content() -> None:
    assert check_label("label.zpl", ZPL, "DPD", "1").file_type == "ZPL"
    assert check_label("label.png", PNG, "DPD", "1").file_type == "PNG"
    assert "not a ZPL file" in check_label("label.zpl", PDF, "DPD", "1").errors["label_file"][0]


def test_a_label_cannot_be_attached_once_oc_has_the_order(
    labeller: Client, outbound: OutboundOrder
) -> None:
    OutboundOrder.objects.filter(pk=outbound.pk).update(status=OutboundStatus.SUBMITTED)

    response = _post(labeller, outbound, "label.pdf", PDF)

    assert "a label can only be attached or removed before OC has the order" in (
        response.content.decode()
    )
    assert not OwnLabel.objects.exists()
    with pytest.raises(LabelRefused):
        attach_label(
            outbound_id=outbound.pk,
            file_name="l.pdf",
            content=PDF,
            carrier="DPD",
            tracking_number="1",
        )


def test_replacing_and_removing_the_label(labeller: Client, outbound: OutboundOrder) -> None:
    _post(labeller, outbound, "first.pdf", PDF)
    _post(labeller, outbound, "second.png", PNG, tracking_number="SECOND1")
    label = OwnLabel.objects.get(outbound_order=outbound)
    assert label.file_name == "second.png" and label.tracking_number == "SECOND1"

    response = labeller.post(_url(outbound), {"remove": "1"}, follow=True)

    assert "goes as a normal order" in response.content.decode()
    assert not OwnLabel.objects.exists()


def test_view_only_staff_see_the_label_but_cannot_attach_or_remove_it(
    outbound: OutboundOrder,
) -> None:
    attach_label(
        outbound_id=outbound.pk, file_name="l.pdf", content=PDF, carrier="DPD", tracking_number="7"
    )
    viewer = staff_client("viewer")

    page = viewer.get(reverse("admin:oc_integration_outboundorder_change", args=[outbound.pk]))
    assert 'id="own-label"' in page.content.decode()
    assert 'id="attach-own-label"' not in page.content.decode()
    assert viewer.get(_url(outbound)).status_code == 403
    assert viewer.post(_url(outbound), {"remove": "1"}).status_code == 403
    denied = viewer.post(
        _url(outbound),
        {"carrier": "X", "tracking_number": "8", "label_file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert denied.status_code == 403
    label = OwnLabel.objects.get(outbound_order=outbound)
    assert label.carrier == "DPD" and label.tracking_number == "7"


def test_the_changelist_filters_orders_with_their_own_label(
    labeller: Client, outbound: OutboundOrder
) -> None:
    other = OutboundOrder.objects.create(
        account=outbound.account, reference_number="WEB-00002", service_region="UK"
    )
    _post(labeller, outbound, "label.pdf", PDF)
    changelist = reverse("admin:oc_integration_outboundorder_changelist")

    with_label = labeller.get(changelist, {"own_label": "yes"}).content.decode()
    without = labeller.get(changelist, {"own_label": "no"}).content.decode()

    assert outbound.reference_number in with_label and other.reference_number not in with_label
    assert other.reference_number in without and outbound.reference_number not in without
