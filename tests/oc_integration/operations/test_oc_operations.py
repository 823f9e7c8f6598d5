"""The OC accounts on the health page, in the alerts and on /metrics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from hemi_fulfilment.operations.alerts import evaluate
from hemi_fulfilment.operations.models import AlertRecipients, Incident
from oc_integration.auth import tokens
from oc_integration.auth.authorization import exchange_code
from oc_integration.client.codes import decode_until_stable
from oc_integration.models import (
    AccountOrangeConnex,
    AuthorizationStatus,
    OutboundOrder,
    OutboundStatus,
    SyncRun,
    WebhookDelivery,
)
from oc_integration.operations import alerts as oc_alerts
from oc_integration.operations.figures import account_figures
from oc_integration.operations.health import account_sections
from tests.oc_integration.conftest import Sandbox

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.OC_STUCK_ORDER_MINUTES = 60
    settings.OC_REFRESH_TOKEN_WARNING_DAYS = 30
    settings.PUBLIC_BASE_URL = "https://hemi.example.com"


def account(name: str = "OC seeded", **fields: Any) -> AccountOrangeConnex:
    defaults: dict[str, Any] = {
        "api_base_url": "http://127.0.0.1:9/openapi",
        "oauth_base_url": "http://127.0.0.1:9",
        "client_key": f"key-{name}",
        "redirect_uri": "http://testserver/oc/oauth/callback/",
        "authorization_status": AuthorizationStatus.AUTHORIZED,
        "refresh_token_expires_at": timezone.now() + timedelta(days=200),
    }
    return AccountOrangeConnex.objects.create(name=name, **{**defaults, **fields})


def order(
    oc: AccountOrangeConnex, reference: str, status: str, sent_minutes_ago: int | None
) -> OutboundOrder:
    sent_at = (
        None if sent_minutes_ago is None else timezone.now() - timedelta(minutes=sent_minutes_ago)
    )
    return OutboundOrder.objects.create(
        account=oc, reference_number=reference, service_region="UK", status=status, sent_at=sent_at
    )


def run(
    oc: AccountOrangeConnex, status: str, minutes_ago: int, *, dry_run: bool = False
) -> SyncRun:
    created = timezone.now() - timedelta(minutes=minutes_ago)
    stock_run = SyncRun.objects.create(
        account=oc, trigger=SyncRun.Trigger.BEAT, status=status, dry_run=dry_run
    )
    SyncRun.objects.filter(pk=stock_run.pk).update(
        created=created, started=created, finished=created + timedelta(seconds=42)
    )
    return SyncRun.objects.get(pk=stock_run.pk)


@pytest.fixture
def seeded() -> AccountOrangeConnex:
    """An account with 2 stuck, 1 recent and 3 rejected orders, 1 failed callback and a
    stock run that needs confirmation (after an older successful one and a newer dry run)."""
    oc = account()
    order(oc, "STUCK-1", OutboundStatus.SENDING, 90)
    order(oc, "STUCK-2", OutboundStatus.UNKNOWN, 61 * 24)
    order(oc, "RECENT", OutboundStatus.SENDING, 5)  # not stuck yet
    order(oc, "FINE", OutboundStatus.SUBMITTED, 600)
    for n in range(3):
        order(oc, f"REJ-{n}", OutboundStatus.REJECTED, 30)
    other = account("OC other")
    order(other, "OTHER-STUCK", OutboundStatus.SENDING, 500)  # another account's
    WebhookDelivery.objects.create(
        account=oc, delivery_id="d1", status=WebhookDelivery.Status.FAILED
    )
    WebhookDelivery.objects.create(
        account=oc, delivery_id="d2", status=WebhookDelivery.Status.APPLIED
    )
    run(oc, SyncRun.Status.SUCCEEDED, 90)
    run(oc, SyncRun.Status.NEEDS_CONFIRMATION, 30)
    run(oc, SyncRun.Status.DRY_RUN, 10, dry_run=True)
    run(oc, SyncRun.Status.QUEUED, 1)
    return oc


def test_the_figures_match_the_seeded_state(seeded: AccountOrangeConnex) -> None:
    figures = {f.account.name: f for f in account_figures(timezone.now())}
    mine = figures["OC seeded"]
    assert (mine.stuck_orders, mine.rejected_orders, mine.failed_callbacks) == (2, 3, 1)
    assert mine.stock_needs_confirmation and mine.last_sync_seconds == 42
    assert (figures["OC other"].stuck_orders, figures["OC other"].rejected_orders) == (1, 0)


def test_every_health_line_links_to_a_page_that_lists_exactly_its_figure(
    seeded: AccountOrangeConnex, admin_client: Client
) -> None:
    [section] = [s for s in account_sections(timezone.now()) if s.title == "OC account OC seeded"]
    lines = {line.label: line for line in section.lines}
    assert lines["Authorization"].state == "ok"
    assert lines["Authorization"].value.startswith("Authorized until ")
    stuck = lines["Orders stuck Sending or Unknown over 60 min"]
    assert (stuck.value, stuck.state) == ("2", "problem")
    assert (lines["Orders rejected by OC"].value, lines["Orders rejected by OC"].state) == (
        "3",
        "problem",
    )
    assert lines["Callbacks that failed"].value == "1"
    needs = lines["Stock sync"]
    assert needs.state == "warning" and "needs confirmation" in needs.value
    for line in section.lines:
        response = admin_client.get(line.link)
        assert response.status_code == 200, line.link  # a filter Django refuses redirects (?e=1)
    rejected = admin_client.get(lines["Orders rejected by OC"].link).content.decode()
    assert rejected.count("REJ-") >= 3 and "STUCK-1" not in rejected
    # The stuck link lists Sending and Unknown ones; the alert counts only the old ones.
    query = parse_qs(urlsplit(stuck.link).query)
    assert query["status__in"] == ["sending,unknown"]
    assert query["account__id__exact"] == [str(seeded.pk)]


def test_the_health_page_shows_the_accounts(
    seeded: AccountOrangeConnex, admin_client: Client
) -> None:
    page = admin_client.get("/admin/health/").content.decode()
    assert "OC account OC seeded" in page and "OC account OC other" in page
    assert "Orders rejected by OC" in page


def test_stuck_rejected_and_confirmation_alerts_open_once_and_clear_once(
    seeded: AccountOrangeConnex,
) -> None:
    AlertRecipients.objects.create(
        app_label="oc_integration",
        model_name="accountorangeconnex",
        object_id=str(seeded.pk),
        emails="warehouse@example.com, ops@example.com",
    )
    opened = evaluate().opened
    mine = {i.kind for i in opened if i.subject_key.endswith(f":{seeded.pk}")}
    assert mine == {oc_alerts.STUCK, oc_alerts.REJECTED, oc_alerts.NEEDS_CONFIRMATION}
    to_mine = [m for m in mail.outbox if "OC seeded" in m.subject]
    assert len(to_mine) == 3
    assert all(m.to == ["warehouse@example.com", "ops@example.com"] for m in to_mine)
    assert len(mail.outbox) == 4  # and one for the other account's stuck order, to ADMINS
    assert evaluate().opened == [] and len(mail.outbox) == 4

    OutboundOrder.objects.filter(account=seeded, status=OutboundStatus.REJECTED).update(
        status=OutboundStatus.CANCELLED
    )
    run(seeded, SyncRun.Status.SUCCEEDED, 0)
    resolved = evaluate().resolved
    assert {i.kind for i in resolved} == {oc_alerts.REJECTED, oc_alerts.NEEDS_CONFIRMATION}
    recovered = [m for m in mail.outbox if m.subject.startswith("[Hemi Fulfilment] Recovered")]
    assert len(recovered) == 2 and all("warehouse@example.com" in m.to for m in recovered)
    assert Incident.objects.filter(kind=oc_alerts.STUCK, resolved_at=None).count() == 2


def test_an_expiring_authorization_is_alerted_once() -> None:
    account("OC expiring", refresh_token_expires_at=timezone.now() + timedelta(days=10))
    [incident] = evaluate().opened
    assert incident.kind == oc_alerts.EXPIRING
    assert "expires on" in incident.message and len(mail.outbox) == 1
    assert evaluate().opened == [] and len(mail.outbox) == 1


def test_a_revoked_grant_is_alerted_once_and_re_authorizing_clears_it(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    AlertRecipients.objects.create(
        app_label="oc_integration",
        model_name="accountorangeconnex",
        object_id=str(authorized_account.pk),
        emails="manager@example.com",
    )
    assert evaluate().opened == []
    oc_sandbox.control("POST", "tokens/revoke", client_id=authorized_account.client_key)
    tokens.forget_access_token(authorized_account.pk)
    with pytest.raises(tokens.ReauthorizationRequired):
        tokens.get_access_token(authorized_account.pk)
    mail.outbox.clear()  # the token service's own notice to ADMINS

    [incident] = evaluate().opened
    assert incident.kind == oc_alerts.REVOKED
    assert [m.to for m in mail.outbox] == [["manager@example.com", "ops@example.com"]]
    assert "Authorize with Orange Connex" in mail.outbox[0].body
    assert (
        f"{settings.PUBLIC_BASE_URL}/admin/oc_integration/accountorangeconnex/{authorized_account.pk}/change/"
        in mail.outbox[0].body
    )
    for _ in range(2):
        assert evaluate().opened == []
    assert len(mail.outbox) == 1

    exchange_code(
        authorized_account, decode_until_stable(oc_sandbox.fresh_code(authorized_account))
    )
    [cleared] = evaluate().resolved
    assert cleared.pk == incident.pk
    assert len(mail.outbox) == 2 and mail.outbox[1].subject.startswith(
        "[Hemi Fulfilment] Recovered"
    )
    assert evaluate().resolved == [] and len(mail.outbox) == 2


def test_the_metrics_carry_each_accounts_figures(
    seeded: AccountOrangeConnex, settings: Any
) -> None:
    settings.METRICS_TOKEN = ""
    text = Client().get("/metrics").content.decode()
    samples = {
        (s.name, s.labels.get("account")): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("hemi_oc_outbound_orders_stuck", "OC seeded")] == 2
    assert samples[("hemi_oc_outbound_orders_rejected", "OC seeded")] == 3
    assert samples[("hemi_oc_stock_run_needs_confirmation", "OC seeded")] == 1
    assert samples[("hemi_oc_stock_sync_duration_seconds", "OC seeded")] == 42
    assert samples[("hemi_oc_callbacks_failed", "OC seeded")] == 1
    assert samples[("hemi_oc_authorized", "OC seeded")] == 1
    expiry = seeded.refresh_token_expires_at
    assert expiry is not None
    assert samples[
        ("hemi_oc_refresh_token_expiry_timestamp_seconds", "OC seeded")
    ] == pytest.approx(expiry.timestamp())


def test_recipients_are_chosen_per_account_in_the_admin(admin_client: Client) -> None:
    oc = account("OC with people")
    add = "/admin/operations/alertrecipients/add/"
    form = admin_client.get(add).content.decode()
    assert (
        f'value="oc_integration.accountorangeconnex:{oc.pk}"' in form and "OC with people" in form
    )
    record = f"oc_integration.accountorangeconnex:{oc.pk}"
    refused = admin_client.post(add, {"record": record, "emails": "not-an-address"})
    assert (
        refused.status_code == 200
        and "Not an email address: not-an-address." in refused.content.decode()
    )
    assert (
        admin_client.post(
            add, {"record": record, "emails": "a@example.com\nb@example.com, a@example.com"}
        ).status_code
        == 302
    )
    saved = AlertRecipients.objects.get()
    assert (saved.app_label, saved.model_name, saved.object_id) == (
        "oc_integration",
        "accountorangeconnex",
        str(oc.pk),
    )
    assert saved.emails == "a@example.com\nb@example.com"
    twice = admin_client.post(add, {"record": record, "emails": "c@example.com"})
    assert "This record has its recipients already" in twice.content.decode()
    listing = admin_client.get("/admin/operations/alertrecipients/").content.decode()
    assert "OC account OC with people" in listing and "a@example.com, b@example.com" in listing
