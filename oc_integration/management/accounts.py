"""``--account`` for the OC management commands."""

from __future__ import annotations

from hemi_fulfilment.accounts_option import AccountOption
from oc_integration.auth.accounts import authorized_accounts
from oc_integration.models import AccountOrangeConnex

OC_ACCOUNT = AccountOption(
    model=AccountOrangeConnex,
    noun="OC account",
    fields=("name",),
    default=authorized_accounts,
    default_help="every authorized account",
    none_message="No OC account is authorized yet; authorize one in the admin.",
)
