"""The routing run (new paid orders to OC by the account's rules) and its on/off switch.

A run decides for the orders it has not checked yet (:func:`.evaluate.unchecked`),
prepares the routed ones through the path "Push to Orange Connex" takes
(:func:`prepare_outbound_orders`: an outbound order, validated and queued for the push
job), and records every decision as a :class:`RoutingCheck`: the rule that sent an order,
or why it was not sent. An order that already has an outbound order is never looked at,
and the orders a run decides for are row-locked, so two runs never route one order twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from oc_integration.models import (
    AccountOrangeConnex,
    AuthorizationStatus,
    AutomaticRouting,
    OutboundOrder,
    RoutingCheck,
)
from oc_integration.outbound.orders import prepare_outbound_orders
from oc_integration.outbound.routing.evaluate import (
    ORDERS_PER_RUN,
    evaluate,
    in_window,
    unchecked,
    without_outbound,
)
from oc_integration.outbound.routing.rules import Decision


@dataclass
class RoutingRunResult:
    """What one run did for one account."""

    account: str
    #: Routed and queued for the push to OC (order numbers).
    queued: list[str] = field(default_factory=list)
    #: Routed, but the outbound order stays a Draft: order number -> the errors in words.
    drafts: dict[str, str] = field(default_factory=dict)
    #: Looked at and not routed (each check says why).
    not_routed: int = 0
    #: Why the run did nothing at all ("" when it ran).
    skipped: str = ""

    @property
    def routed(self) -> int:
        return len(self.queued) + len(self.drafts)

    def summary(self) -> str:
        """One line for the admin, the command and the run's record."""
        if self.skipped:
            return self.skipped
        line = (
            f"{self.routed} order(s) routed ({len(self.queued)} queued for the push"
            f"{f', {len(self.drafts)} left as Draft with errors' if self.drafts else ''}), "
            f"{self.not_routed} not routed."
        )
        return line


def accounts_to_route() -> list[int]:
    """Ids of the authorized OC accounts whose routing is on (one query)."""
    return list(
        AutomaticRouting.objects.filter(
            is_on=True, account__authorization_status=AuthorizationStatus.AUTHORIZED
        )
        .order_by("account__name", "account_id")
        .values_list("account_id", flat=True)
    )


def route_new_orders(account_id: int, *, now: datetime | None = None) -> RoutingRunResult:
    """Route the account's new paid orders by its rules (a constant number of queries).

    Does nothing when routing is off, the account is not authorized, or another run for
    the account is under way (that run covers the same orders).
    """
    now = now or timezone.now()
    account = AccountOrangeConnex.objects.get(pk=account_id)
    result = RoutingRunResult(account=str(account))
    with transaction.atomic():
        routing = (
            AutomaticRouting.objects.select_for_update(skip_locked=True)
            .filter(account=account)
            .first()
        )
        if routing is None or not routing.is_on:
            is_on = AutomaticRouting.objects.filter(account=account, is_on=True).exists()
            result.skipped = (
                f"Another routing run for {account} is under way."
                if is_on
                else f"Automatic routing is off for {account}."
            )
            return result
        if account.authorization_status != AuthorizationStatus.AUTHORIZED:
            result.skipped = f"{account} is not authorized with OC: nothing was routed."
            _finish(routing, result, now)
            return result
        orders = unchecked(account, routing, without_outbound(account, in_window(routing, now=now)))
        # Locked for the run: a concurrent run (another account's) skips them, and sees
        # their outbound orders once this one commits.
        evaluation = evaluate(
            account,
            orders.select_for_update(skip_locked=True, of=("self",)),
            routing=routing,
            limit=ORDERS_PER_RUN,
        )
        checks = _prepare(account, evaluation.routed, result, now)
        checks += [_check(account, d, d.reason, now) for d in evaluation.not_routed]
        result.not_routed += len(evaluation.not_routed)
        RoutingCheck.objects.bulk_create(
            checks,
            update_conflicts=True,
            unique_fields=["account", "order"],
            update_fields=["rule", "region", "outbound_order", "outcome", "checked_at"],
        )
        _finish(routing, result, now)
    return result


def _prepare(
    account: AccountOrangeConnex, routed: list[Decision], result: RoutingRunResult, now: datetime
) -> list[RoutingCheck]:
    """Outbound orders for the routed orders, through the push path; their checks."""
    if not routed:
        return []
    prepared = prepare_outbound_orders(
        account, [d.order.pk for d in routed], regions={d.order.pk: d.region for d in routed}
    )
    outbound_ids = dict(
        OutboundOrder.objects.filter(
            account=account, order_id__in=[d.order.pk for d in routed]
        ).values_list("order_id", "pk")
    )
    skipped = " ".join(prepared.skipped)
    checks = []
    for decision in routed:
        number = decision.order.number
        if number in prepared.queued:
            result.queued.append(number)
            outcome = f"{decision.reason} Queued for the push to OC."
        elif number in prepared.invalid:
            words = " ".join(m for msgs in prepared.invalid[number].values() for m in msgs)
            result.drafts[number] = words
            outcome = f"{decision.reason} Its outbound order stays a Draft: {words}"
        else:
            # Someone pushed it at the same moment: nothing of ours was written.
            result.not_routed += 1
            checks.append(_check(account, decision, f"Not routed. {skipped}", now, routed=False))
            continue
        checks.append(
            _check(account, decision, outcome, now, outbound_id=outbound_ids.get(decision.order.pk))
        )
    return checks


def _check(
    account: AccountOrangeConnex,
    decision: Decision,
    outcome: str,
    now: datetime,
    *,
    outbound_id: int | None = None,
    routed: bool = True,
) -> RoutingCheck:
    return RoutingCheck(
        account=account,
        order=decision.order,
        rule=decision.rule if routed else None,
        region=decision.region if routed else "",
        outbound_order_id=outbound_id,
        outcome=outcome,
        checked_at=now,
    )


def _finish(routing: AutomaticRouting, result: RoutingRunResult, now: datetime) -> None:
    routing.last_run_at = now
    routing.last_run_outcome = result.summary()
    routing.save(update_fields=["last_run_at", "last_run_outcome"])


def turn_on(account: AccountOrangeConnex, *, by: AbstractBaseUser | None) -> AutomaticRouting:
    """Turn routing on for ``account``; the next run routes what the preview showed."""
    now = timezone.now()
    routing, _ = AutomaticRouting.objects.update_or_create(
        account=account,
        defaults={"is_on": True, "turned_on_by": by, "turned_on_at": now},
    )
    return routing


def turn_off(account: AccountOrangeConnex) -> AutomaticRouting:
    """Turn routing off for ``account``: no order is routed until it is turned on again."""
    routing, _ = AutomaticRouting.objects.update_or_create(
        account=account, defaults={"is_on": False, "turned_off_at": timezone.now()}
    )
    return routing


def rules_changed(account: AccountOrangeConnex) -> None:
    """Note that the account's rules changed: orders not routed are looked at again."""
    AutomaticRouting.objects.update_or_create(
        account=account, defaults={"rules_changed_at": timezone.now()}
    )
