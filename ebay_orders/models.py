"""eBay connections, import/shipping runs, shipment reports and orders held for review."""

from __future__ import annotations

from django.db import models

from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.crypto import EncryptedTextField
from hemi_fulfilment.oauth_state import AuthorizationRequest
from hemi_fulfilment.orders.models import Order


class EbayEnvironment(models.TextChoices):
    PRODUCTION = "production", "eBay (production)"
    EBAY_SANDBOX = "ebay_sandbox", "eBay's sandbox"
    EMULATOR = "emulator", "Emulator (this project's eBay sandbox)"


class ConnectionStatus(models.TextChoices):
    NOT_CONNECTED = "not_connected", "Not connected"
    CONNECTED = "connected", "Connected"
    RECONNECT_REQUIRED = "reconnect_required", "Reconnect required"


class OrderSource(models.TextChoices):
    TRADING = "trading", "Trading API (GetOrders, CompleteSale)"
    FULFILLMENT = "fulfillment", "Sell Fulfillment API (getOrders, createShippingFulfillment)"


#: What a connection asks eBay's consent for: reading and fulfilling orders. Trading API
#: calls accept the same OAuth token (``X-EBAY-API-IAF-TOKEN``).
DEFAULT_SCOPES = "https://api.ebay.com/oauth/api_scope/sell.fulfillment"


class EbayConnection(models.Model):
    """How Hemi reaches eBay for one eBay account: the application, the seller's consent
    (tokens), where orders are read from, and how far the import got."""

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
        "pasted OAuth user token",
        help_text="A user token pasted for a quick start; it lives about two hours. "
        "Connect to eBay instead, so that it is refreshed.",
    )
    environment = models.CharField(
        max_length=16, choices=EbayEnvironment.choices, default=EbayEnvironment.PRODUCTION
    )
    client_id = models.CharField(
        "App ID (client id)", max_length=128, blank=True, help_text="From eBay's developer portal."
    )
    client_secret = EncryptedTextField(
        "Cert ID (client secret)", help_text="From eBay's developer portal; encrypted, never shown."
    )
    ru_name = models.CharField(
        "RuName",
        max_length=255,
        blank=True,
        help_text="eBay's name for the redirect URL (eBay sends the seller back to the URL "
        "registered under this name): it must lead to this installation's /ebay/oauth/callback/.",
    )
    scopes = models.TextField(
        default=DEFAULT_SCOPES, help_text="The OAuth scopes asked for, separated by spaces."
    )
    order_source = models.CharField(
        max_length=16,
        choices=OrderSource.choices,
        default=OrderSource.TRADING,
        help_text="Where orders are read from and shipments reported to.",
    )
    status = models.CharField(
        "connection",
        max_length=24,
        choices=ConnectionStatus.choices,
        default=ConnectionStatus.NOT_CONNECTED,
    )
    access_token = EncryptedTextField("access token")
    access_token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    refresh_token = EncryptedTextField("refresh token")
    refresh_token_expires_at = models.DateTimeField(
        "refresh token expiration date", null=True, blank=True, editable=False
    )
    connected_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the "refresh token expires soon" email went out; cleared on reconnecting.
    expiry_warning_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    alert_recipients = models.TextField(
        blank=True,
        help_text="Who is emailed, besides ADMINS, when an alert about this connection opens "
        "and when it clears: addresses separated by commas or new lines.",
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
        permissions = [
            ("run_ebay_jobs", "Can run eBay order imports now"),
            ("connect_ebayconnection", "Can connect eBay accounts (consent)"),
        ]

    def __str__(self) -> str:
        return f"{self.ebay_account} connection"


class EbayAuthorizationRequest(AuthorizationRequest):
    """One press of "Connect to eBay": the ``state`` sent to eBay's consent page."""

    connection = models.ForeignKey(
        EbayConnection, on_delete=models.CASCADE, related_name="authorization_requests"
    )

    class Meta(AuthorizationRequest.Meta):
        verbose_name = "eBay authorization request"
        verbose_name_plural = "eBay authorization requests"

    def __str__(self) -> str:
        return f"{self.connection} at {self.created:%Y-%m-%d %H:%M}"


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
