"""Helpers shared by the eBay management commands: picking accounts, parsing dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.core.management.base import CommandError
from django.db.models import Q

from ebay_orders.connections import enabled_account_ids
from hemi_fulfilment.catalog.models import EbayAccount


def pick_accounts(label: str | None) -> list[EbayAccount]:
    """``--account`` by name, site code or id; without it, every enabled connection's account."""
    if not label:
        ids = enabled_account_ids()
        return sorted(EbayAccount.objects.filter(pk__in=ids), key=lambda a: a.name)
    query = Q(name__iexact=label) | Q(site_code__iexact=label)
    if label.isdigit():
        query |= Q(pk=int(label))
    found = list(EbayAccount.objects.filter(query))
    if not found:
        known = ", ".join(EbayAccount.objects.values_list("name", flat=True)) or "none"
        raise CommandError(f"No eBay account {label!r} (known: {known}).")
    return found


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
