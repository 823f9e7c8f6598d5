"""Cancelling an RMA and updating its return tracking at the OC sandbox: bad input sends
nothing, OC's refusals are kept, and a lost answer is checked before anything is re-sent."""

from __future__ import annotations

import pytest

from oc_integration.client import OCBusinessError
from oc_integration.models import (
    AccountOrangeConnex,
    OutboundOrder,
    PendingRequest,
    ReturnOrder,
    ReturnStatus,
)
from oc_integration.returns.actions import (
    InvalidReturnInput,
    ReturnActionRefused,
    cancel_return,
    return_label,
    update_return_tracking,
)
from oc_integration.returns.sync import import_returns
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.returns.helpers import advance_return, oc_return, shipped_orders

pytestmark = pytest.mark.django_db

CANCEL = "/openapi/3pp/returns/v1/cancel/rma"
QUERY = "/openapi/3pp/returns/v1/query/orders"


@pytest.fixture
def imported(demo_account: AccountOrangeConnex, oc_sandbox: Sandbox) -> ReturnOrder:
    outbound: OutboundOrder = shipped_orders(oc_sandbox, demo_account, 1)[0]
    oc_return(oc_sandbox, outbound)
    import_returns(demo_account, with_stock=False)
    return ReturnOrder.objects.select_related("account").get()


def test_a_cancel_is_sent_once_and_stored(imported: ReturnOrder, oc_sandbox: Sandbox) -> None:
    outcome = cancel_return(imported.pk, reason="Buyer kept the item")
    assert outcome.done and "cancelled at OC" in outcome.message
    imported.refresh_from_db()
    assert imported.status == ReturnStatus.CANCELLED and imported.oc_status == "CANCELLED"
    assert imported.cancel_reason == "Buyer kept the item" and not imported.pending_request
    again = cancel_return(imported.pk, reason="Twice")
    assert again.done and oc_sandbox.count("POST", CANCEL) == 1  # not sent twice
    with pytest.raises(ReturnActionRefused, match="cancelled: OC issues no label"):
        return_label(imported)


def test_bad_input_names_its_field_and_sends_nothing(
    imported: ReturnOrder, oc_sandbox: Sandbox
) -> None:
    with pytest.raises(InvalidReturnInput) as refused:
        cancel_return(imported.pk, reason="  ")
    assert refused.value.problems[0][0] == "reason"
    with pytest.raises(InvalidReturnInput) as refused:
        update_return_tracking(imported.pk, tracking_number="a b", carrier_code="")
    assert [name for name, _ in refused.value.problems] == ["tracking_number", "carrier_code"]
    assert oc_sandbox.count("POST", CANCEL) == 0


def test_a_return_on_its_way_back_cannot_be_cancelled_and_nothing_is_sent(
    imported: ReturnOrder, oc_sandbox: Sandbox
) -> None:
    advance_return(oc_sandbox, imported.oc_return_number, "IN_TRANSIT")
    import_returns(imported.account, with_stock=False)
    with pytest.raises(ReturnActionRefused, match="only before the parcel is on its way back"):
        cancel_return(imported.pk, reason="Too late")
    assert oc_sandbox.count("POST", CANCEL) == 0


def test_ocs_refusal_is_kept_and_nothing_stays_pending(
    imported: ReturnOrder, oc_sandbox: Sandbox
) -> None:
    # OC moved on, Hemi does not know yet: OC refuses and says why.
    advance_return(oc_sandbox, imported.oc_return_number, "IN_TRANSIT")
    with pytest.raises(OCBusinessError, match="cannot be cancelled"):
        cancel_return(imported.pk, reason="Buyer kept the item")
    imported.refresh_from_db()
    assert imported.status == ReturnStatus.CREATED and not imported.pending_request
    assert "cannot be cancelled" in imported.last_error


def test_a_lost_cancel_answer_is_checked_with_oc_before_anything_is_sent_again(
    imported: ReturnOrder, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.fault(CANCEL, "accept_then_timeout")
    outcome = cancel_return(imported.pk, reason="Buyer kept the item")
    assert not outcome.done and "checked with OC before anything is sent again" in outcome.message
    imported.refresh_from_db()
    assert imported.pending_request == PendingRequest.CANCEL
    queries = oc_sandbox.count("GET", QUERY)
    again = cancel_return(imported.pk, reason="Buyer kept the item")
    assert again.done and "is cancelled at OC" in again.message
    assert oc_sandbox.count("POST", CANCEL) == 1  # OC had it: never sent twice
    assert oc_sandbox.count("GET", QUERY) == queries + 1
    imported.refresh_from_db()
    assert imported.status == ReturnStatus.CANCELLED and not imported.pending_request


def test_a_lost_cancel_that_oc_never_received_is_sent_after_the_check(
    imported: ReturnOrder, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.fault(CANCEL, "timeout")
    assert not cancel_return(imported.pk, reason="Buyer kept the item").done
    assert cancel_return(imported.pk, reason="Buyer kept the item").done
    assert oc_sandbox.count("POST", CANCEL) == 2
    imported.refresh_from_db()
    assert imported.status == ReturnStatus.CANCELLED


def test_the_import_settles_a_pending_change(imported: ReturnOrder, oc_sandbox: Sandbox) -> None:
    oc_sandbox.fault(CANCEL, "accept_then_timeout")
    assert not update_return_tracking(
        imported.pk, tracking_number="JD0001", carrier_code="DPD"
    ).done
    imported.refresh_from_db()
    assert (imported.pending_request, imported.pending_tracking) == ("tracking", "JD0001")
    import_returns(imported.account, with_stock=False)
    imported.refresh_from_db()
    assert imported.tracking_number == "JD0001" and not imported.pending_request


def test_the_tracking_update_is_stored_and_a_lost_one_is_not_resent(
    imported: ReturnOrder, oc_sandbox: Sandbox
) -> None:
    outcome = update_return_tracking(
        imported.pk, tracking_number="JD0002", carrier_code="DPD", carrier_name="DPD UK"
    )
    assert outcome.done
    imported.refresh_from_db()
    assert (imported.tracking_number, imported.carrier_name) == ("JD0002", "DPD UK")
    oc_sandbox.fault(CANCEL, "accept_then_timeout")
    assert not update_return_tracking(
        imported.pk, tracking_number="JD0003", carrier_code="DPD"
    ).done
    assert update_return_tracking(imported.pk, tracking_number="JD0003", carrier_code="DPD").done
    assert oc_sandbox.count("POST", CANCEL) == 2
