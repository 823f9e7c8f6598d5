"""``--account`` for the OC management commands."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db.models import Q

from oc_integration.auth.accounts import authorized_accounts
from oc_integration.models import AccountOrangeConnex


def select_accounts(selector: str | None) -> list[AccountOrangeConnex]:
    """The account named (by name or id), or every authorized one; a clear error otherwise."""
    if not selector:
        accounts = authorized_accounts()
        if not accounts:
            raise CommandError("No OC account is authorized yet; authorize one in the admin.")
        return accounts
    lookup = Q(pk=int(selector)) if selector.isdigit() else Q(name=selector)
    account = AccountOrangeConnex.objects.filter(lookup).first()
    if account is None:
        names = ", ".join(AccountOrangeConnex.objects.values_list("name", flat=True))
        raise CommandError(f"No OC account {selector!r}. Accounts: {names or 'none'}.")
    return [account]
