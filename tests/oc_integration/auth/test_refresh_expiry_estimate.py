"""A refresh-token expiry OC did not give is recorded and shown as an estimate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oc_integration.admin.warnings import account_warnings
from oc_integration.auth import tokens
from oc_integration.client import TokenGrant
from oc_integration.models import AccountOrangeConnex
from tests.oc_integration.factories import unreachable_account

pytestmark = pytest.mark.django_db
OC_SAID = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def account(db: None) -> AccountOrangeConnex:
    return unreachable_account("OC estimate", client_key="ck-estimate")


def _grant(expires_at: datetime | None) -> TokenGrant:
    return TokenGrant(
        access_token="access-1",
        expires_in=3600,
        refresh_token="refresh-1",
        refresh_token_expires_at=expires_at,
    )


def test_a_grant_without_a_refresh_token_expiry_is_stored_as_an_estimate_of_a_year(
    account: AccountOrangeConnex,
) -> None:
    stored = tokens.store_authorization(account.pk, _grant(None))
    stored.refresh_from_db()
    assert stored.refresh_token_expiry_estimated is True
    assert stored.refresh_token_expires_at is not None
    expected = timezone.now() + tokens.REFRESH_TOKEN_DEFAULT_LIFETIME
    assert abs(stored.refresh_token_expires_at - expected) < timedelta(minutes=1)


def test_a_grant_with_ocs_expiry_is_not_an_estimate_even_after_an_estimated_one(
    account: AccountOrangeConnex,
) -> None:
    tokens.store_authorization(account.pk, _grant(None))
    stored = tokens.store_authorization(account.pk, _grant(OC_SAID))
    stored.refresh_from_db()
    assert stored.refresh_token_expiry_estimated is False
    assert stored.refresh_token_expires_at == OC_SAID


def test_the_account_list_shows_an_estimated_expiry_as_such(
    account: AccountOrangeConnex, admin_client: Client
) -> None:
    stored = tokens.store_authorization(account.pk, _grant(None))
    assert stored.refresh_token_expires_at is not None
    page = admin_client.get(reverse("admin:oc_integration_accountorangeconnex_changelist"))
    expected = (
        f"refresh token valid until about {stored.refresh_token_expires_at:%Y-%m-%d} "
        "(estimated: OC did not say)"
    )
    assert expected in page.content.decode()


def test_an_expiry_oc_gave_is_shown_plainly(
    account: AccountOrangeConnex, admin_client: Client
) -> None:
    tokens.store_authorization(account.pk, _grant(OC_SAID))
    url = reverse("admin:oc_integration_accountorangeconnex_change", args=[account.pk])
    page = admin_client.get(url).content.decode()
    assert "refresh token valid until 2027-03-01)" in page and "estimated" not in page


@pytest.mark.parametrize("estimated", [True, False])
def test_the_expiry_warning_and_email_say_when_the_date_is_an_estimate(
    estimated: bool, account: AccountOrangeConnex, settings: Any
) -> None:
    settings.ADMINS = [("Ops", "ops@example.com")]
    tokens.store_authorization(account.pk, _grant(None if estimated else OC_SAID))
    soon = timezone.now() + timedelta(days=5)
    AccountOrangeConnex.objects.filter(pk=account.pk).update(refresh_token_expires_at=soon)

    [warning] = account_warnings()
    assert warning.startswith(f"{account.name}: the authorization expires on ")
    assert ("about" in warning and "(estimated: OC did not say)" in warning) is estimated

    assert tokens.warn_expiring_refresh_tokens() == [account.name]
    [email] = mail.outbox
    assert (f"expires about {soon:%Y-%m-%d}" in email.subject) is estimated
    assert ("This date is an estimate" in email.body) is estimated
