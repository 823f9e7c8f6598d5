"""One ``--account`` option serves the commands of both integrations."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
from django.core.management.base import CommandError

from ebay_orders.management.commands._common import EBAY_ACCOUNT
from hemi_fulfilment.accounts_option import AccountOption
from hemi_fulfilment.catalog.models import EbayAccount
from oc_integration.management.accounts import OC_ACCOUNT
from oc_integration.models import AccountOrangeConnex, AuthorizationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites() -> list[EbayAccount]:
    return [
        EbayAccount.objects.create(name="eBay UK", site_code="UK", site_id=3),
        EbayAccount.objects.create(name="eBay DE", site_code="DE", site_id=77),
    ]


def option(default: list[EbayAccount]) -> AccountOption[EbayAccount]:
    return AccountOption(
        model=EbayAccount,
        noun="eBay account",
        fields=("name", "site_code"),
        default=lambda: default,
        default_help="all",
        none_message="Nothing to work for: connect an account.",
    )


def test_an_account_is_named_by_any_field_case_insensitively_or_by_id(
    sites: list[EbayAccount],
) -> None:
    uk, de = sites
    selector = option([])
    assert selector.select("ebay uk") == [uk]
    assert selector.select("de") == [de]
    assert selector.select(str(de.pk)) == [de]


def test_an_unknown_name_says_which_accounts_exist(sites: list[EbayAccount]) -> None:
    with pytest.raises(CommandError, match=r"No eBay account 'FR'\. Known: eBay UK, eBay DE\."):
        option([]).select("FR")


def test_without_a_name_the_default_accounts_or_a_clear_error(sites: list[EbayAccount]) -> None:
    assert option(sites).select(None) == sites
    with pytest.raises(CommandError, match=r"Nothing to work for: connect an account\."):
        option([]).select(None)


def test_the_option_help_says_how_accounts_are_named() -> None:
    def help_of(option: AccountOption[Any]) -> str:
        parser = argparse.ArgumentParser()
        option.add_to(parser)  # type: ignore[arg-type]
        return " ".join(parser.format_help().split())

    assert "An OC account by name or id (default: every authorized account)." in help_of(OC_ACCOUNT)
    assert "An eBay account by name or site code or id" in help_of(EBAY_ACCOUNT)


def test_the_oc_commands_default_to_the_authorized_accounts() -> None:
    common = {"api_base_url": "https://oc.example/openapi", "oauth_base_url": "https://oc.example"}
    AccountOrangeConnex.objects.create(name="Waiting", client_key="a", **common)
    ready = AccountOrangeConnex.objects.create(
        name="Ready", client_key="b", authorization_status=AuthorizationStatus.AUTHORIZED, **common
    )
    assert OC_ACCOUNT.select(None) == [ready]
    assert [a.name for a in OC_ACCOUNT.select("waiting")] == ["Waiting"]
