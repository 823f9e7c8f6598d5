"""One inbound sync of an account, for the beat job, the admin's button and the command:
lost answers are confirmed first (looked up, never sent), then open orders followed."""

from __future__ import annotations

import logging

from hemi_fulfilment.integration_errors import NoUsableToken
from oc_integration.auth.api_client import api_client
from oc_integration.client import OCError
from oc_integration.inbound.placing import confirm_lost_answers
from oc_integration.inbound.status import InboundSyncResult, sync_inbound_orders
from oc_integration.models import AccountOrangeConnex

logger = logging.getLogger(__name__)


def sync_account(account: AccountOrangeConnex) -> InboundSyncResult:
    """Confirm the account's lost answers at OC, then sync its open inbound orders.

    OC's errors are raised for the caller to report.
    """
    client = api_client(account)
    found = confirm_lost_answers(account, client=client)
    result = sync_inbound_orders(account, client=client)
    result.messages = [*found, *result.messages]
    return result


def sync_all_accounts() -> dict[str, str]:
    """The beat job: every authorized account; one account's failure stops no other."""
    from oc_integration.auth.accounts import authorized_accounts

    outcome = {}
    for account in authorized_accounts():
        try:
            outcome[account.name] = sync_account(account).summary()
        except (OCError, NoUsableToken, ValueError) as exc:
            logger.warning("Inbound sync for %s failed: %s", account, exc)
            outcome[account.name] = f"failed: {exc}"
    return outcome
