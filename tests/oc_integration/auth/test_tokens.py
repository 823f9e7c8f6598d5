"""The access-token lifecycle: cache, lock, refresh failures and alerts."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from oc_integration.auth import tokens
from oc_integration.auth.api_client import api_client
from oc_integration.models import AccountOrangeConnex, AuthorizationStatus
from tests.oc_integration.conftest import Sandbox


def test_a_cached_token_is_reused_without_asking_oc(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    before = oc_sandbox.token_requests()
    first = tokens.get_access_token(authorized_account.pk)
    assert tokens.get_access_token(authorized_account.pk) == first
    assert oc_sandbox.token_requests() == before


def test_an_expired_cache_entry_is_refreshed_once(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    tokens.forget_access_token(authorized_account.pk)
    token = tokens.get_access_token(authorized_account.pk)
    assert token and tokens.get_access_token(authorized_account.pk) == token
    assert oc_sandbox.token_requests("refresh_token") == 1
    authorized_account.refresh_from_db()
    assert authorized_account.authorization_status == AuthorizationStatus.AUTHORIZED


def test_the_cached_access_token_is_encrypted(authorized_account: AccountOrangeConnex) -> None:
    from django.core.cache import cache

    token = tokens.get_access_token(authorized_account.pk)
    sealed = cache.get(f"oc:access-token:{authorized_account.pk}")
    assert token not in sealed and sealed.startswith("gAAAA")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_threads_finding_the_token_expired_cause_exactly_one_refresh(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    tokens.forget_access_token(authorized_account.pk)
    refresh_token_before = authorized_account.refresh_token
    oc_sandbox.fault("/oauth/token", "latency", latency_ms=300, count=10)  # widen the race
    barrier = threading.Barrier(8)
    results: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(tokens.get_access_token(authorized_account.pk))
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
    assert oc_sandbox.token_requests("refresh_token") == 1
    authorized_account.refresh_from_db()
    assert authorized_account.refresh_token == refresh_token_before


def test_a_revoked_grant_requires_reauthorization_emails_once_and_stops_asking(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.ADMINS = [("Ops", "ops@example.com")]
    oc_sandbox.control("POST", "tokens/revoke", client_id=authorized_account.client_key)
    tokens.forget_access_token(authorized_account.pk)

    with pytest.raises(tokens.ReauthorizationRequired):
        tokens.get_access_token(authorized_account.pk)
    asked = oc_sandbox.token_requests("refresh_token")
    assert asked == 1  # invalid_grant is not retried
    with pytest.raises(tokens.ReauthorizationRequired):
        tokens.get_access_token(authorized_account.pk)
    assert tokens.refresh_expiring_tokens(ahead=timedelta(hours=1))["ok"] == []

    assert oc_sandbox.token_requests("refresh_token") == asked  # no retry storm
    authorized_account.refresh_from_db()
    assert authorized_account.authorization_status == AuthorizationStatus.REAUTHORIZATION_REQUIRED
    assert "invalid_grant" in authorized_account.last_error
    assert len(mail.outbox) == 1
    assert "needs re-authorization" in mail.outbox[0].subject
    assert authorized_account.refresh_token not in mail.outbox[0].body


def test_transient_refresh_failures_are_retried_after_doubling_delays(
    authorized_account: AccountOrangeConnex,
    oc_sandbox: Sandbox,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.OC_TOKEN_REFRESH_ATTEMPTS = 4
    settings.OC_TOKEN_RETRY_BACKOFF_SECONDS = 1
    waited: list[float] = []
    real_sleep = time.sleep
    this_thread = threading.get_ident()

    def record_sleep(seconds: float) -> None:
        # Only this test's own waits are recorded (and skipped); the sandbox's threads
        # keep sleeping for real.
        if threading.get_ident() == this_thread:
            waited.append(seconds)
        else:
            real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", record_sleep)
    tokens.forget_access_token(authorized_account.pk)
    oc_sandbox.fault("/oauth/token", "http500", count=3)
    assert tokens.get_access_token(authorized_account.pk)
    assert oc_sandbox.token_requests("refresh_token") == 4
    assert waited == [1, 2, 4]


def test_persistent_refresh_failures_keep_the_account_authorized_and_say_why(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    tokens.forget_access_token(authorized_account.pk)
    oc_sandbox.fault("/oauth/token", "http500", count=10)
    with pytest.raises(tokens.TokenRefreshFailed):
        tokens.get_access_token(authorized_account.pk)
    authorized_account.refresh_from_db()
    assert authorized_account.authorization_status == AuthorizationStatus.AUTHORIZED
    assert "HTTP 500" in authorized_account.last_error


def test_a_new_refresh_token_in_a_refresh_response_replaces_the_old_one(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.control("POST", "config", rotate_refresh_tokens=True)
    old = authorized_account.refresh_token
    tokens.forget_access_token(authorized_account.pk)
    tokens.get_access_token(authorized_account.pk)
    authorized_account.refresh_from_db()
    assert authorized_account.refresh_token and authorized_account.refresh_token != old


@pytest.mark.parametrize("style", ["http401", "http200"])
def test_an_api_call_with_a_rejected_token_refreshes_and_succeeds(
    style: str, authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.control("POST", "config", token_rejection_style=style)
    tokens.get_access_token(authorized_account.pk)  # cached now
    oc_sandbox.control("POST", "tokens/expire-access")
    response = api_client(authorized_account).call(
        "stock snapshot", "/3pp/inventory/v1/snapshot", [{"MFSKUID": None}]
    )
    assert isinstance(response.data, list) and response.data
    assert oc_sandbox.token_requests("refresh_token") == 1


def test_expiring_refresh_tokens_warn_once(
    authorized_account: AccountOrangeConnex, settings: Any
) -> None:
    settings.ADMINS = [("Ops", "ops@example.com")]
    AccountOrangeConnex.objects.filter(pk=authorized_account.pk).update(
        refresh_token_expires_at=timezone.now() + timedelta(days=10)
    )
    assert tokens.warn_expiring_refresh_tokens() == [authorized_account.name]
    assert tokens.warn_expiring_refresh_tokens() == []
    assert len(mail.outbox) == 1 and "authorization expires" in mail.outbox[0].subject
