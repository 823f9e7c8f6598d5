"""Helpers shared by the eBay management commands: ``--account`` and ``--since``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.core.management.base import CommandError

from ebay_orders.connections import enabled_account_ids
from hemi_fulfilment.accounts_option import AccountOption
from hemi_fulfilment.catalog.models import EbayAccount


def _enabled_accounts() -> list[EbayAccount]:
    ids = enabled_account_ids()
    return sorted(EbayAccount.objects.filter(pk__in=ids), key=lambda a: a.name)


EBAY_ACCOUNT = AccountOption(
    model=EbayAccount,
    noun="eBay account",
    fields=("name", "site_code"),
    default=_enabled_accounts,
    default_help="every account with an enabled connection",
    none_message="No enabled eBay connection: add one under eBay connections.",
)


def parse_since(value: str) -> datetime:
    """``--since``: a date (midnight UTC) or an ISO 8601 time (UTC unless it says otherwise)."""
    try:
        moment = (
            datetime.combine(date.fromisoformat(value), time(0))
            if len(value) == 10
            else datetime.fromisoformat(value)
        )
    except ValueError:
        raise CommandError(
            f"--since {value!r} is not a date: use YYYY-MM-DD or an ISO 8601 time."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
