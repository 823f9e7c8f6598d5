"""Configuration mistakes of the OC integration, reported by ``manage.py check``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError

from hemi_fulfilment.catalog.ebay_sites import EBAY_SITE_IDS
from oc_integration.auth.redirects import redirect_uri_problem
from oc_integration.models import AccountOrangeConnex, AuthorizationStatus


@register()
def check_region_mapping(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Every OC region must map to an eBay site that exists, or its stock is never shown."""
    return [
        Error(
            f"OC_REGION_EBAY_SITES maps OC region {region} to {site!r}, which is not an eBay site.",
            hint="Use one of: " + ", ".join(sorted(EBAY_SITE_IDS)) + ".",
            id="oc.E001",
        )
        for region, site in settings.OC_REGION_EBAY_SITES.items()
        if site not in EBAY_SITE_IDS
    ]


@register(Tags.database)
def check_accounts(
    *, app_configs: Any, databases: Sequence[str] | None, **kwargs: Any
) -> list[CheckMessage]:
    """Each account's redirect URI comes back here; an authorized account can take callbacks.

    Reads the accounts table, so, like Django's own database checks, it runs with
    ``manage.py check --database default`` and before every ``migrate``; before the
    first ``migrate`` there is nothing to check.
    """
    if not databases:
        return []
    try:
        accounts = list(AccountOrangeConnex.objects.only("name", "redirect_uri"))
        # Asked of the column, so no secret is decrypted to answer it.
        without_secret = set(
            AccountOrangeConnex.objects.filter(
                authorization_status=AuthorizationStatus.AUTHORIZED, webhook_secrets=""
            ).values_list("pk", flat=True)
        )
    except DatabaseError:
        return []
    problems: list[CheckMessage] = []
    for account in accounts:
        problem = redirect_uri_problem(account)
        if problem:
            problems.append(
                Error(
                    f"Orange Connex account {account.name!r}: {problem}",
                    hint="Correct the account's redirect URI in the admin, or PUBLIC_BASE_URL.",
                    obj=account,
                    id="oc.E002",
                )
            )
        if account.pk in without_secret:
            problems.append(
                Warning(
                    f"Orange Connex account {account.name!r} is authorized but has no callback "
                    "secret: OC's status callbacks for it are refused.",
                    hint="Set a callback secret on the account page and give it to OC.",
                    obj=account,
                    id="oc.W001",
                )
            )
    return problems
