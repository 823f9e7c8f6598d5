"""Orange Connex accounts and the products they hold, per region."""

from __future__ import annotations

from django.db import models

from hemi_fulfilment.catalog.models import ItemAccount
from hemi_fulfilment.crypto import EncryptedTextField


class Environment(models.TextChoices):
    PRODUCTION = "production", "Production"
    STAGE = "stage", "Stage (OC's test system)"
    SANDBOX = "sandbox", "Sandbox (this project's emulator)"


class AuthorizationStatus(models.TextChoices):
    NOT_AUTHORIZED = "not_authorized", "Not authorized"
    AUTHORIZED = "authorized", "Authorized"
    REAUTHORIZATION_REQUIRED = "reauthorization_required", "Re-authorization required"


class SignatureMode(models.TextChoices):
    """What goes between the path and the keys in OC's ``vAuthorization`` MD5 signature."""

    PATH_AND_BODY = "path_and_body", "Path and body (OC's integration guide)"
    PATH_ONLY = "path_only", "Path only (OC's Postman collection)"


class TokenClientAuth(models.TextChoices):
    """How the client authenticates itself on OC's ``/oauth/token``."""

    NONE = "none", "client_id in the form only"
    BEARER_KEYS = "bearer_keys", "Authorization: Bearer base64(clientKey:secretKey)"
    BASIC = "basic", "HTTP Basic clientKey:secretKey"


class AccountOrangeConnex(models.Model):
    """A seller's account at Orange Connex (Hemi's "Account Orange Connex")."""

    name = models.CharField(max_length=100, unique=True)
    environment = models.CharField(
        max_length=16, choices=Environment.choices, default=Environment.PRODUCTION
    )
    api_base_url = models.URLField(
        "API base URL",
        max_length=255,
        help_text="Up to and including /openapi, e.g. https://openapi-uk.orangeconnex.com/openapi",
    )
    oauth_base_url = models.URLField(
        "OAuth base URL",
        max_length=255,
        help_text="The host root that serves /oauth/authorize and /oauth/token, "
        "e.g. https://openapi-uk.orangeconnex.com",
    )
    client_key = models.CharField(
        "client key", max_length=100, help_text="OC's ClientKey, also the OAuth client_id."
    )
    secret_key = EncryptedTextField(
        "secret key", help_text="OC's SecretKey; encrypted at rest, never shown."
    )
    redirect_uri = models.URLField(
        "redirect URI",
        max_length=2000,
        help_text="Registered with OC; must route to this installation's OAuth callback.",
    )
    signature_mode = models.CharField(
        max_length=16, choices=SignatureMode.choices, default=SignatureMode.PATH_AND_BODY
    )
    token_client_auth = models.CharField(
        "token endpoint client authentication",
        max_length=16,
        choices=TokenClientAuth.choices,
        default=TokenClientAuth.NONE,
    )
    authorization_status = models.CharField(
        max_length=32,
        choices=AuthorizationStatus.choices,
        default=AuthorizationStatus.NOT_AUTHORIZED,
    )
    refresh_token = EncryptedTextField("refresh token")
    refresh_token_expires_at = models.DateTimeField(
        "refresh token expiration date", null=True, blank=True
    )
    authorized_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Account Orange Connex"
        verbose_name_plural = "Accounts Orange Connex"
        ordering = ["name"]
        permissions = [
            ("authorize_accountorangeconnex", "Can authorize Orange Connex accounts"),
        ]

    def __str__(self) -> str:
        return self.name


class ProductAccountOrangeConnex(models.Model):
    """A product's place in one OC account for one region (Hemi's "Product Account Orange Connex").

    The item account fixes the region: the eBay UK listing is the UK row, the eBay DE
    listing the DE row. Stock figures come from OC's stock snapshot and are for reference.
    """

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="products",
        verbose_name="OC account",
    )
    item_account = models.ForeignKey(
        ItemAccount, on_delete=models.CASCADE, related_name="oc_products"
    )
    region = models.CharField("region", max_length=16, help_text="OC service region, e.g. UK.")
    oc_sku = models.CharField("OC SKU", max_length=15, blank=True, help_text="OC's MFSKUID.")
    available_stock = models.IntegerField("Available Stock", default=0)
    intransit_stock = models.IntegerField("Intransit Stock", default=0)
    stock_updated = models.DateTimeField("Stock Updated", null=True, blank=True)
    created_in_oc = models.BooleanField("Created in OC", default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Product Account Orange Connex"
        verbose_name_plural = "Products Account Orange Connex"
        ordering = ["item_account__product__sku", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "item_account"], name="oc_product_one_per_account_listing"
            )
        ]
        indexes = [
            models.Index(fields=["oc_sku"], name="oc_product_oc_sku_idx"),
            models.Index(
                fields=["account", "region", "created_in_oc"], name="oc_product_region_idx"
            ),
            models.Index(fields=["created_in_oc"], name="oc_product_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.oc_sku or '(no OC SKU)'} {self.region}"
