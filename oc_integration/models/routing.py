"""Automatic routing: which Hemi orders go to OC without anyone selecting them.

Per OC account: rules (channel, eBay site, destination country, and the stock to ship
every line), a switch a manager turns on, and one check per order saying what routing
decided and why (the rule that sent it, or the reason it did not).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from hemi_fulfilment.orders.models import Order
from oc_integration.models.auth import AccountOrangeConnex
from oc_integration.models.outbound import OutboundOrder


class RoutingRule(models.Model):
    """Which of an OC account's new paid orders go to OC on their own.

    An empty filter accepts every value. Rules are tried by priority (lowest number
    first); the first whose filters match and whose region holds enough sellable stock
    for every line routes the order.
    """

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        verbose_name="OC account",
    )
    name = models.CharField(max_length=100, help_text='As staff read it, e.g. "UK web shop".')
    priority = models.PositiveSmallIntegerField(
        default=100, help_text="Rules are tried from the lowest number up."
    )
    enabled = models.BooleanField(default=True)
    channels = models.JSONField(
        "sales channels", default=list, blank=True, help_text="Empty: every channel."
    )
    ebay_sites = models.JSONField(
        "eBay sites",
        default=list,
        blank=True,
        help_text='eBay site codes ("UK", "DE"); empty: any. Set, only eBay orders match.',
    )
    countries = models.JSONField(
        "destination countries",
        default=list,
        blank=True,
        help_text="ISO country codes (GB, DE, …); empty: every country.",
    )
    fallback_region = models.CharField(
        "fallback region",
        max_length=50,
        blank=True,
        help_text="Ship from this OC region when the order's own region lacks the stock.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Routing rule"
        verbose_name_plural = "Routing rules"
        ordering = ["account", "priority", "id"]
        permissions = [
            (
                "manage_routing",
                "Can manage automatic routing to Orange Connex (rules, turning it on)",
            )
        ]

    def __str__(self) -> str:
        return self.name


class AutomaticRouting(models.Model):
    """Whether routing is on for one OC account (off until a manager turns it on)."""

    account = models.OneToOneField(
        AccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="automatic_routing",
        verbose_name="OC account",
    )
    is_on = models.BooleanField("on", default=False)
    max_order_age_days = models.PositiveSmallIntegerField(
        "orders of the last (days)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Older orders are never routed on their own: push them by hand.",
    )
    turned_on_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    turned_on_at = models.DateTimeField(null=True, blank=True)
    turned_off_at = models.DateTimeField(null=True, blank=True)
    # Orders routing did not send are looked at again once the rules change (or a stock
    # snapshot or the order itself changed after their check).
    rules_changed_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField("last run", null=True, blank=True)
    last_run_outcome = models.TextField("last run's outcome", blank=True)

    class Meta:
        verbose_name = "Automatic routing"
        verbose_name_plural = "Automatic routing"

    def __str__(self) -> str:
        return f"{self.account}: {'on' if self.is_on else 'off'}"


class RoutingCheck(models.Model):
    """What routing decided for one order at one OC account: routed (by which rule, from
    which region, as which outbound order) or not, and why."""

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="routing_checks",
        verbose_name="OC account",
    )
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="routing_checks", verbose_name="Hemi order"
    )
    rule = models.ForeignKey(
        RoutingRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checks",
        help_text="The rule that sent the order to OC; empty: not routed.",
    )
    region = models.CharField("ships from", max_length=50, blank=True)
    outbound_order = models.ForeignKey(
        OutboundOrder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="routing_checks",
    )
    outcome = models.TextField(help_text="What routing did, or why it did not, in words.")
    checked_at = models.DateTimeField("checked")

    class Meta:
        verbose_name = "Routing check"
        verbose_name_plural = "Routing checks"
        ordering = ["-checked_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "order"], name="routing_check_one_per_order")
        ]

    def __str__(self) -> str:
        return f"{self.order_id} at {self.account_id}: {'routed' if self.rule_id else 'not routed'}"

    @property
    def routed(self) -> bool:
        return self.rule_id is not None


class RoutingAccount(AccountOrangeConnex):
    """An OC account as the automatic routing page lists it (a second admin of accounts)."""

    class Meta:
        proxy = True
        verbose_name = "Automatic routing"
        verbose_name_plural = "Automatic routing"
