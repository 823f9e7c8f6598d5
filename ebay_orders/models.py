"""eBay connections, import/shipping runs, shipment reports and orders held for review."""

from __future__ import annotations

from django.db import models

from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.crypto import EncryptedTextField
from hemi_fulfilment.orders.models import Order


class EbayConnection(models.Model):
    """How Hemi reaches the Trading API for one eBay account, and how far the import got."""

    ebay_account = models.OneToOneField(
        EbayAccount,
        on_delete=models.CASCADE,
        related_name="ebay_connection",
        verbose_name="eBay account",
    )
    enabled = models.BooleanField(
        default=True, help_text="Disabled connections are left out of the scheduled jobs."
    )
    user_token = EncryptedTextField(
        "OAuth user token", help_text="The seller's eBay OAuth user token; encrypted, never shown."
    )
    api_url = models.URLField(
        "Trading API URL",
        max_length=255,
        blank=True,
        help_text="Leave blank to use EBAY_TRADING_API_URL (the demo points at its sandbox).",
    )
    import_cursor = models.DateTimeField(
        "imported up to",
        null=True,
        blank=True,
        help_text="ModTimeTo of the last GetOrders window imported completely.",
    )
    # A lease instead of a row lock: an import makes many HTTP calls and must not hold a
    # transaction open meanwhile. Taken and released with conditional UPDATEs.
    import_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "eBay connection"
        verbose_name_plural = "eBay connections"
        ordering = ["ebay_account__name"]
        permissions = [("run_ebay_jobs", "Can run eBay order imports now")]

    def __str__(self) -> str:
        return f"{self.ebay_account} connection"


class RunKind(models.TextChoices):
    IMPORT = "import", "Order import (GetOrders)"
    SHIPPING = "shipping", "Shipping report (CompleteSale)"


class RunTrigger(models.TextChoices):
    BEAT = "beat", "Schedule"
    ADMIN = "admin", "Admin action"
    COMMAND = "command", "Management command"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class EbayRun(models.Model):
    """One run of the order import or of the shipping job, as staff see it afterwards."""

    kind = models.CharField(max_length=16, choices=RunKind.choices)
    ebay_account = models.ForeignKey(
        EbayAccount,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ebay_runs",
        verbose_name="eBay account",
        help_text="Blank when the run covered every enabled account.",
    )
    trigger = models.CharField(max_length=16, choices=RunTrigger.choices)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started = models.DateTimeField(auto_now_add=True, db_index=True)
    finished = models.DateTimeField(null=True, blank=True)
    summary = models.CharField(max_length=255, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    messages = models.TextField(blank=True)

    class Meta:
        verbose_name = "eBay run"
        verbose_name_plural = "eBay runs"
        ordering = ["-started", "-id"]
        indexes = [models.Index(fields=["kind", "ebay_account", "started"], name="ebay_run_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started:%Y-%m-%d %H:%M} {self.status}"


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending (outcome not yet known)"
    REPORTED = "reported", "Reported to eBay"
    FAILED = "failed", "Failed (retried next run)"
    UNCONFIRMED = "unconfirmed", "Sent, outcome unknown (checked with eBay before any re-send)"


class ShipmentReport(models.Model):
    """Whether an order's shipment was reported to eBay with CompleteSale.

    ``sending`` is committed before the HTTP call, so no other run ever sends the same
    order; a report stuck in ``sending`` (a crash mid-call) waits for a person to check.
    ``unconfirmed``: the call got no trustworthy answer (timeout, 5xx...); the next run
    asks eBay with GetOrders whether it took the shipment before sending anything again.
    """

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="ebay_shipment")
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    shipping_carrier = models.CharField(
        max_length=64, blank=True, help_text="As sent in the last attempt."
    )
    tracking_number = models.CharField(
        max_length=64, blank=True, help_text="As sent in the last attempt."
    )
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "eBay shipment report"
        verbose_name_plural = "eBay shipment reports"
        ordering = ["-updated", "-id"]
        indexes = [models.Index(fields=["status"], name="ebay_shipment_status_idx")]
        permissions = [
            ("resend_shipmentreport", "Can send shipment reports to eBay again or settle them")
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.status}"


class IssueKind(models.TextChoices):
    MIXED_FULFILMENT = "mixed", "Mixes eBay-fulfilled and seller-fulfilled lines"
    UNKNOWN_SKU = "unknown_sku", "SKU not in Hemi"
    MALFORMED = "malformed", "Malformed order"
    NOT_STORED = "not_stored", "Could not be stored"


class OrderIssue(models.Model):
    """An eBay order the import could not take as it came: flagged for a person to review.

    A mixed order is stored and held here (the shipping job never reports it while the
    issue is open); a malformed order or one with an unknown SKU is not stored at all.
    """

    ebay_account = models.ForeignKey(
        EbayAccount,
        on_delete=models.CASCADE,
        related_name="ebay_order_issues",
        verbose_name="eBay account",
    )
    ebay_order_id = models.CharField("eBay order id", max_length=64, blank=True)
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, null=True, blank=True, related_name="ebay_issues"
    )
    kind = models.CharField(max_length=16, choices=IssueKind.choices)
    message = models.TextField()
    resolved = models.BooleanField(default=False)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "eBay order held for review"
        verbose_name_plural = "eBay orders held for review"
        ordering = ["resolved", "-last_seen", "-id"]
        indexes = [models.Index(fields=["ebay_order_id", "kind"], name="ebay_issue_order_idx")]
        permissions = [("resolve_orderissue", "Can release held eBay orders")]

    def __str__(self) -> str:
        return f"{self.ebay_order_id or '(no order id)'}: {self.get_kind_display()}"
