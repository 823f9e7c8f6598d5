"""Configuration mistakes of the OC integration are system checks, not runtime surprises."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks

from oc_integration.models import AccountOrangeConnex, AuthorizationStatus

pytestmark = pytest.mark.django_db


def check_ids() -> list[str]:
    return sorted(
        message.id or "" for message in run_checks() if (message.id or "").startswith("oc.")
    )


def make_account(**fields: Any) -> AccountOrangeConnex:
    values: dict[str, Any] = {
        "name": "OC UK",
        "api_base_url": "https://oc.example/openapi",
        "oauth_base_url": "https://oc.example",
        "client_key": "key",
        "redirect_uri": "https://hemi.example/oc/oauth/callback/",
        **fields,
    }
    return AccountOrangeConnex.objects.create(**values)


def test_a_region_mapped_to_an_ebay_site_that_does_not_exist_is_an_error(settings: Any) -> None:
    settings.OC_REGION_EBAY_SITES = {"UK": "UK", "DE": "GERMANY"}
    messages = [m for m in run_checks() if m.id == "oc.E001"]
    assert len(messages) == 1
    assert "DE" in messages[0].msg and "'GERMANY'" in messages[0].msg
    assert "DE" in (messages[0].hint or "")


def test_the_default_region_mapping_passes(settings: Any) -> None:
    settings.OC_REGION_EBAY_SITES = {"UK": "UK", "DE": "DE"}
    assert "oc.E001" not in check_ids()


def test_a_redirect_uri_not_under_the_public_base_url_is_an_error(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://hemi.example"
    make_account(name="Right", redirect_uri="https://hemi.example/oc/oauth/callback/")
    make_account(name="Wrong host", redirect_uri="https://other.example/oc/oauth/callback/")
    messages = [m for m in run_checks(databases=["default"]) if m.id == "oc.E002"]
    assert [m.obj.name for m in messages] == ["Wrong host"]
    assert "PUBLIC_BASE_URL" in messages[0].msg


def test_an_authorized_account_without_a_callback_secret_is_warned_about(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://hemi.example"
    make_account(name="No secret", authorization_status=AuthorizationStatus.AUTHORIZED)
    with_secret = make_account(
        name="With secret", authorization_status=AuthorizationStatus.AUTHORIZED
    )
    with_secret.webhook_secrets = "a-callback-secret"
    with_secret.save()
    make_account(name="Not yet authorized")
    messages = [m for m in run_checks(databases=["default"]) if m.id == "oc.W001"]
    assert [m.obj.name for m in messages] == ["No secret"]


def test_the_account_checks_read_the_database_only_when_asked(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://hemi.example"
    make_account(name="Wrong host", redirect_uri="https://other.example/oc/oauth/callback/")
    # A worker's start-up checks (no database named) never query the accounts table.
    assert "oc.E002" not in [m.id for m in run_checks()]
    assert "oc.E002" in [m.id for m in run_checks(databases=["default"])]
