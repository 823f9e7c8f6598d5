"""Cost estimation fixtures: the demo account with stock and shipping services at OC."""

from __future__ import annotations

from typing import Any

import pytest

from oc_integration.models import AccountOrangeConnex
from oc_integration.outbound.shipping_services import refresh_shipping_services
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.outbound_helpers import stock_everything

SYNCED = "/openapi/calculate/v1/freightTrial/synced"
REQUEST = "/openapi/calculate/v1/freightTrial"
DETAIL = "/openapi/calculate/v1/getFreightTrialDetail"


@pytest.fixture
def stocked(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> AccountOrangeConnex:
    """The demo account, every demo SKU stocked in UK and DE, OC's services cached."""
    settings.OC_COST_ESTIMATE_POLL_SECONDS = 0.01
    stock_everything(oc_sandbox, demo_account)
    refresh_shipping_services(demo_account)
    return demo_account
