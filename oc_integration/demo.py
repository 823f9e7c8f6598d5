"""Demo data for Orange Connex: the demo account, pointed at the OC sandbox."""

from __future__ import annotations

from hemi_fulfilment.demo.data import DEMO_OC_ACCOUNT
from oc_integration.models import AccountOrangeConnex, Environment


def seed_demo_account(*, sandbox_url: str, public_base_url: str) -> AccountOrangeConnex:
    """The demo OC account, talking to the sandbox at ``sandbox_url``.

    Idempotent: an existing account keeps its authorization and settings; only a missing
    secret key is filled in.
    """
    oc_base = sandbox_url.rstrip("/")
    account, _ = AccountOrangeConnex.objects.get_or_create(
        name=DEMO_OC_ACCOUNT.name,
        defaults={
            "environment": Environment.SANDBOX,
            "api_base_url": f"{oc_base}/openapi",
            "oauth_base_url": oc_base,
            "client_key": DEMO_OC_ACCOUNT.client_key,
            "redirect_uri": f"{public_base_url.rstrip('/')}/oc/oauth/callback/",
        },
    )
    if not account.secret_key:
        account.secret_key = DEMO_OC_ACCOUNT.secret_key
        account.save(update_fields=["secret_key", "updated"])
    return account
