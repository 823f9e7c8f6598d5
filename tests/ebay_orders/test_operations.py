"""The eBay connections on the health page, in the alerts and on /metrics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from ebay_orders import operations as ebay_operations
from ebay_orders.auth import tokens
from ebay_orders.auth.consent import exchange_code
from ebay_orders.auth.errors import ReconnectRequired
from ebay_orders.models import (
    ConnectionStatus,
    EbayConnection,
    IssueKind,
    OrderIssue,
    ReportStatus,
    ShipmentReport,
)
from ebay_orders.sandbox import RunningSandbox
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.operations.alerts import evaluate
from hemi_fulfilment.orders.models import Order
from tests.ebay_orders.auth.conftest import approve, consented, emulator  # noqa: F401
from tests.ebay_orders.conftest import connected, connection_of, sandbox  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://hemi.example.com"
    settings.EBAY_REFRESH_TOKEN_WARNING_DAYS = 30


def _connection(code: str, **fields: Any) -> EbayConnection:
    site = EbayAccount.objects.create(name=f"eBay {code}", site_code=code, site_id=900)
    return EbayConnection.objects.create(ebay_account=site, **fields)


def test_the_health_lines_match_a_seeded_state_and_link_to_their_pages(
    admin_client: Client,
) -> None:
    held = _connection(
        "XA",
        status=ConnectionStatus.CONNECTED,
        refresh_token_expires_at=timezone.now() + timedelta(days=300),
    )
    for n in range(2):
        OrderIssue.objects.create(
            ebay_account=held.ebay_account,
            ebay_order_id=f"H-{n}",
            kind=IssueKind.UNKNOWN_SKU,
            message="SKU not in Hemi.",
        )
    OrderIssue.objects.create(
        ebay_account=held.ebay_account, kind=IssueKind.MALFORMED, message="x", resolved=True
    )
    for n, status in enumerate([ReportStatus.FAILED, ReportStatus.FAILED, ReportStatus.REPORTED]):
        shipped = Order.objects.create(number=f"SH-{n}", ebay_account=held.ebay_account)
        ShipmentReport.objects.create(order=shipped, status=status)
    _connection("XB", status=ConnectionStatus.RECONNECT_REQUIRED, last_error="eBay refused.")

    sections = {s.title: s for s in ebay_operations.connection_sections(timezone.now())}
    mine = {line.label: line for line in sections["eBay connection eBay XA"].lines}
    assert mine["Consent"].state == "ok" and mine["Consent"].value.startswith("Connected until")
    assert (mine["Orders held for review"].value, mine["Orders held for review"].state) == (
        "2",
        "warning",
    )
    assert mine["Shipment reports that failed (retried next run)"].value == "2"
    revoked = sections["eBay connection eBay XB"].lines[0]
    assert revoked.state == "problem" and "eBay refused." in revoked.value
    for line in mine.values():
        assert admin_client.get(line.link).status_code == 200, line.link
    held_page = admin_client.get(mine["Orders held for review"].link).content.decode()
    assert "H-0" in held_page and "H-1" in held_page
    assert "eBay connection eBay XA" in admin_client.get("/admin/health/").content.decode()


def test_a_revoked_consent_is_alerted_once_to_the_connections_recipients_and_clears_once(
    consented: EbayConnection,  # noqa: F811
    emulator: RunningSandbox,  # noqa: F811
) -> None:
    EbayConnection.objects.filter(pk=consented.pk).update(
        alert_recipients="seller@example.com\nops@example.com"
    )
    assert [i for i in evaluate().opened if i.subject_key.endswith(f":{consented.pk}")] == []
    emulator.state.oauth.revoke()
    emulator.state.oauth.clock.advance(7300)
    EbayConnection.objects.filter(pk=consented.pk).update(
        access_token_expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ReconnectRequired):
        tokens.get_access_token(consented.pk)
    mail.outbox.clear()  # the token service's own notice

    opened = [i for i in evaluate().opened if i.subject_key.endswith(f":{consented.pk}")]
    assert [i.kind for i in opened] == [ebay_operations.REVOKED]
    [message] = [m for m in mail.outbox if "eBay UK" in m.subject]
    assert message.to == ["seller@example.com", "ops@example.com"]  # ADMINS is ops@ too
    assert "Reconnect to eBay" in message.body
    sent = len(mail.outbox)
    assert evaluate().opened == [] and len(mail.outbox) == sent

    exchange_code(connection_of(consented.ebay_account), approve(emulator)["code"])
    resolved = [i for i in evaluate().resolved if i.kind == ebay_operations.REVOKED]
    assert len(resolved) == 1
    recovery = mail.outbox[-1]
    assert recovery.subject.startswith("[Hemi Fulfilment] Recovered: eBay connection eBay UK")
    assert recovery.to == ["seller@example.com", "ops@example.com"]


def test_held_orders_and_an_expiring_consent_alert_once(settings: Any) -> None:
    settings.ADMINS = [("Ops", "ops@example.com")]
    soon = _connection(
        "XC",
        status=ConnectionStatus.CONNECTED,
        refresh_token_expires_at=timezone.now() + timedelta(days=5),
    )
    issue = OrderIssue.objects.create(
        ebay_account=soon.ebay_account, kind=IssueKind.MIXED_FULFILMENT, message="mixed"
    )
    kinds = {i.kind for i in evaluate().opened}
    assert kinds == {ebay_operations.EXPIRING, ebay_operations.HELD}
    assert len(mail.outbox) == 2 and evaluate().opened == [] and len(mail.outbox) == 2
    OrderIssue.objects.filter(pk=issue.pk).update(resolved=True)
    assert [i.kind for i in evaluate().resolved] == [ebay_operations.HELD]


def test_a_disabled_connection_raises_no_alert() -> None:
    _connection("XD", enabled=False, status=ConnectionStatus.RECONNECT_REQUIRED)
    assert evaluate().opened == []


def test_the_metrics_carry_each_connections_figures(settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    expires = timezone.now() + timedelta(days=40)
    connection = _connection(
        "XE", status=ConnectionStatus.CONNECTED, refresh_token_expires_at=expires
    )
    OrderIssue.objects.create(
        ebay_account=connection.ebay_account, kind=IssueKind.UNKNOWN_SKU, message="x"
    )
    text = Client().get("/metrics").content.decode()
    samples = {
        (s.name, s.labels.get("account")): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("hemi_ebay_connected", "eBay XE")] == 1
    assert samples[("hemi_ebay_orders_held", "eBay XE")] == 1
    assert samples[("hemi_ebay_shipment_reports_failed", "eBay XE")] == 0
    assert samples[
        ("hemi_ebay_refresh_token_expiry_timestamp_seconds", "eBay XE")
    ] == pytest.approx(expires.timestamp())
