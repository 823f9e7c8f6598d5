"""Consent tokens against the sandbox: kept fresh under a lock, revocation, alerts, beat jobs."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from ebay_orders import tasks
from ebay_orders.auth import tokens
from ebay_orders.auth.errors import ReconnectRequired, TokenRefreshFailed
from ebay_orders.connections import ConnectionNotReady, PastedToken, client_for, tokens_for
from ebay_orders.importer import import_orders
from ebay_orders.models import ConnectionStatus, EbayConnection, ShipmentReport
from ebay_orders.sandbox import RunningSandbox
from ebay_orders.sandbox.oauth import Answer
from ebay_orders.shipping import ship_orders
from hemi_fulfilment.orders.models import Order
from tests.ebay_orders.auth.conftest import token_requests
from tests.ebay_orders.conftest import connection_of
from tests.ebay_orders.test_shipping import imported as import_and_split
from tests.ebay_orders.test_shipping import ship


def expire_access_token(connection: EbayConnection, sandbox: RunningSandbox) -> None:
    """Two hours and a bit later, on the sandbox's clock and in the database."""
    sandbox.state.oauth.clock.advance(7300)
    EbayConnection.objects.filter(pk=connection.pk).update(
        access_token_expires_at=timezone.now() - timedelta(minutes=1)
    )


def test_consent_stores_both_tokens_encrypted_with_their_expiry_and_connects(
    consented: EbayConnection,
) -> None:
    from django.db import connection as db

    assert consented.status == ConnectionStatus.CONNECTED and consented.connected_at
    assert consented.access_token and consented.refresh_token and not consented.user_token
    assert consented.access_token_expires_at is not None
    lifetime = consented.access_token_expires_at - timezone.now()
    assert timedelta(hours=1, minutes=59) < lifetime <= timedelta(hours=2)
    assert consented.refresh_token_expires_at is not None
    assert consented.refresh_token_expires_at - timezone.now() > timedelta(days=540)
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token FROM ebay_orders_ebayconnection WHERE id = %s",
            [consented.pk],
        )
        stored = cursor.fetchone()
    assert consented.access_token not in stored[0] and consented.refresh_token not in stored[1]


def test_a_valid_access_token_is_used_without_asking_ebay(
    consented: EbayConnection, emulator: RunningSandbox
) -> None:
    before = token_requests(emulator)
    assert tokens.get_access_token(consented.pk) == consented.access_token
    assert token_requests(emulator) == before


def test_an_import_through_consent_works_and_survives_the_two_hours(
    consented: EbayConnection, emulator: RunningSandbox
) -> None:
    assert import_orders(account_id=consented.ebay_account_id).error == ""
    expire_access_token(consented, emulator)
    result = import_orders(account_id=consented.ebay_account_id)
    assert result.error == ""
    assert token_requests(emulator, "refresh_token") == 1
    fresh = connection_of(consented.ebay_account)
    assert fresh.access_token != consented.access_token
    assert fresh.refresh_token == consented.refresh_token  # eBay keeps the refresh token


def test_a_token_the_sandbox_refuses_early_is_renewed_by_the_trading_client(
    consented: EbayConnection, emulator: RunningSandbox
) -> None:
    # eBay may refuse a token before the time it gave (a password change, say).
    emulator.state.oauth.clock.advance(7300)
    assert import_orders(account_id=consented.ebay_account_id).error == ""
    assert token_requests(emulator, "refresh_token") == 1
    refused = [c for c in emulator.state.calls() if c.get("token_expired")]
    assert len(refused) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_workers_finding_the_access_token_expired_cause_exactly_one_refresh(
    consented: EbayConnection, emulator: RunningSandbox
) -> None:
    expire_access_token(consented, emulator)
    barrier = threading.Barrier(8)
    results: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(tokens.ConsentTokens(consented.pk).access_token())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert not errors
    assert len(results) == 8 and len(set(results)) == 1
    assert token_requests(emulator, "refresh_token") == 1
    assert emulator.state.oauth.access_token_valid(results[0])


def test_a_revoked_grant_requires_reconnecting_emails_once_and_stops_asking(
    consented: EbayConnection, emulator: RunningSandbox
) -> None:
    ship(*import_and_split(emulator, consented.ebay_account)["seller"][:2])
    emulator.state.oauth.revoke()
    expire_access_token(consented, emulator)

    with pytest.raises(ReconnectRequired) as caught:
        tokens.get_access_token(consented.pk)
    assert "Reconnect required" in str(caught.value)
    asked = token_requests(emulator, "refresh_token")
    assert asked == 1  # invalid_grant is not retried
    with pytest.raises(ReconnectRequired):
        tokens.ConsentTokens(consented.pk).renew_after_rejection("whatever")
    assert tasks.refresh_access_tokens()["ok"] == []
    imported = import_orders(account_id=consented.ebay_account_id)
    shipped = ship_orders(account_id=consented.ebay_account_id)

    assert token_requests(emulator, "refresh_token") == asked  # no retry loop
    assert "Reconnect required" in imported.error
    assert any("eBay UK: Reconnect required." in e for e in shipped.errors)
    assert emulator.state.calls("CompleteSale") == []
    assert not ShipmentReport.objects.filter(order__in=Order.objects.filter(shipped=True)).exists()
    connection = connection_of(consented.ebay_account)
    assert connection.status == ConnectionStatus.RECONNECT_REQUIRED
    assert connection.last_error == (
        "eBay refused to refresh the access token: eBay refused the token request: "
        "invalid_grant (the provided authorization refresh token is invalid or was issued "
        "to another client)."
    )
    assert not connection.access_token
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith("eBay connection eBay UK needs reconnecting")
    assert connection.refresh_token not in mail.outbox[0].body
    assert "Reconnect to eBay" in mail.outbox[0].body


def test_the_shipping_job_says_reconnect_required_before_it_claims_any_order(
    consented: EbayConnection,
) -> None:
    EbayConnection.objects.filter(pk=consented.pk).update(
        status=ConnectionStatus.RECONNECT_REQUIRED, last_error="eBay refused it."
    )
    with pytest.raises(ConnectionNotReady) as caught:
        client_for(connection_of(consented.ebay_account))
    assert str(caught.value) == (
        "eBay UK: Reconnect required. eBay refused it. Open the eBay connection in the admin "
        "and click Reconnect to eBay."
    )


def test_transient_refresh_failures_are_retried_after_doubling_delays(
    consented: EbayConnection, emulator: RunningSandbox, settings: Any, monkeypatch: Any
) -> None:
    settings.EBAY_TOKEN_REFRESH_ATTEMPTS = 3
    settings.EBAY_TOKEN_RETRY_BACKOFF_SECONDS = 0.2
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    store = emulator.state.oauth
    real = store.token
    answers = iter([503, 503])

    def flaky(authorization: str, body: bytes) -> Any:
        status = next(answers, None)
        if status is None:
            return real(authorization, body)
        return Answer(status, "text/html", b"<html>Service Unavailable</html>")

    monkeypatch.setattr(store, "token", flaky)
    expire_access_token(consented, emulator)
    token = tokens.get_access_token(consented.pk)
    assert store.access_token_valid(token)
    assert slept == [0.2, 0.4]
    assert token_requests(emulator, "refresh_token") == 1  # the third attempt got through


def test_persistent_refresh_failures_keep_the_connection_connected_and_say_why(
    consented: EbayConnection, emulator: RunningSandbox, settings: Any, monkeypatch: Any
) -> None:
    settings.EBAY_TOKEN_REFRESH_ATTEMPTS = 2
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    emulator.server.server_close()  # nobody answers any more
    EbayConnection.objects.filter(pk=consented.pk).update(
        access_token_expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(TokenRefreshFailed) as caught:
        tokens.get_access_token(consented.pk)
    assert "The next run tries again." in str(caught.value)
    connection = connection_of(consented.ebay_account)
    assert connection.status == ConnectionStatus.CONNECTED
    assert connection.last_error.startswith("Token refresh failed: Could not reach eBay")
    assert mail.outbox == []


def test_the_beat_job_refreshes_only_what_expires_before_its_next_run(
    consented: EbayConnection, emulator: RunningSandbox
) -> None:
    assert tasks.refresh_access_tokens() == {"ok": ["eBay UK"], "reconnect": [], "failed": []}
    assert token_requests(emulator, "refresh_token") == 0  # two hours left: nothing to do
    EbayConnection.objects.filter(pk=consented.pk).update(
        access_token_expires_at=timezone.now() + timedelta(minutes=40)
    )
    assert tasks.refresh_access_tokens()["ok"] == ["eBay UK"]
    assert token_requests(emulator, "refresh_token") == 1


def test_an_expiring_refresh_token_is_warned_about_once_30_days_ahead(
    consented: EbayConnection,
) -> None:
    EbayConnection.objects.filter(pk=consented.pk).update(
        refresh_token_expires_at=timezone.now() + timedelta(days=31)
    )
    assert tasks.warn_expiring_refresh_tokens() == []
    EbayConnection.objects.filter(pk=consented.pk).update(
        refresh_token_expires_at=timezone.now() + timedelta(days=29)
    )
    assert tasks.warn_expiring_refresh_tokens() == ["eBay UK"]
    assert tasks.warn_expiring_refresh_tokens() == []
    assert len(mail.outbox) == 1 and "consent expires" in mail.outbox[0].subject
    assert consented.refresh_token not in mail.outbox[0].body


def test_the_provider_is_the_consent_when_connected_and_the_pasted_token_otherwise(
    consented: EbayConnection,
) -> None:
    assert isinstance(tokens_for(consented), tokens.ConsentTokens)
    de = EbayConnection.objects.get(ebay_account__site_code="DE")
    assert isinstance(tokens_for(de), PastedToken)
    de.user_token = ""
    with pytest.raises(ConnectionNotReady, match="not connected to eBay yet"):
        tokens_for(de)


def test_the_pasted_default_token_keeps_working_beside_consent(
    consented: EbayConnection, emulator: RunningSandbox
) -> None:
    emulator.state.oauth.clock.advance(10 * 24 * 3600)
    de = EbayConnection.objects.get(ebay_account__site_code="DE")
    assert import_orders(account_id=de.ebay_account_id).error == ""
