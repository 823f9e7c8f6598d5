"""Orange Connex accounts and their authorization."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db import models, transaction

from hemi_fulfilment.crypto import EncryptedTextField
from hemi_fulfilment.oauth_state import AuthorizationRequest
from oc_integration.client.connection import SIGNATURE_MODES, TOKEN_CLIENT_AUTHS


class Environment(models.TextChoices):
    PRODUCTION = "production", "Production"
    STAGE = "stage", "Stage (OC's test system)"
    SANDBOX = "sandbox", "Sandbox (this project's emulator)"


class AuthorizationStatus(models.TextChoices):
    NOT_AUTHORIZED = "not_authorized", "Not authorized"
    AUTHORIZED = "authorized", "Authorized"
    REAUTHORIZATION_REQUIRED = "reauthorization_required", "Re-authorization required"


# Generic, as Django's own: annotated accounts keep their annotations for type checks.
_Model = TypeVar("_Model", bound=models.Model)


class AccountQuerySet(models.QuerySet[_Model]):
    """Accounts, deleted only once no stock sync is writing their stock rows."""

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete the accounts and what goes with them, after waiting for their syncs."""
        with transaction.atomic(using=self.db):
            # The accounts are locked before Django gathers their stock rows: a sync
            # writing rows holds its account (``hold_account``), so the deletion waits for
            # it and then finds all its rows. Locking them later, after the rows it found,
            # could deadlock with a sync updating those rows.
            list(self.select_for_update(of=("self",)).values_list("pk", flat=True))
            return super().delete()

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


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
        max_length=16, choices=list(SIGNATURE_MODES.items()), default="path_and_body"
    )
    token_client_auth = models.CharField(
        "token endpoint client authentication",
        max_length=16,
        choices=list(TOKEN_CLIENT_AUTHS.items()),
        default="none",
    )
    access_token_bearer_prefix = models.BooleanField(
        'send "Bearer " before the access token',
        default=True,
        help_text='OC\'s guide shows the Access-Token header as "Bearer <token>"; '
        "turn this off if OC rejects it for this account.",
    )
    stock_snapshot_version = models.CharField(
        "stock snapshot",
        max_length=8,
        choices=[
            ("auto", "Automatic: v2 once the catalogue is large (OC_STOCK_V2_FROM_SKUS)"),
            ("v1", "v1: one answer with every SKU"),
            ("v2", "v2: paged, every region"),
        ],
        default="auto",
        help_text="Which StockSnapshot the stock sync reads. v2 finds products through "
        "the account's OC SKU catalogue (Sync SKUs first).",
    )
    choose_cheapest_service = models.BooleanField(
        "choose the cheapest shipping service",
        default=False,
        help_text="When an order is pushed, ask OC for the cost of each shipping service "
        "of its region and send the cheapest (eBay orders by OC's eBay fee).",
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
    # True when OC's answer gave no refresh-token lifetime and the expiry above is this
    # installation's estimate (REFRESH_TOKEN_DEFAULT_LIFETIME), shown as such.
    refresh_token_expiry_estimated = models.BooleanField(default=False, editable=False)
    authorized_at = models.DateTimeField(null=True, blank=True)
    # Set when the "refresh token expires soon" email went out; cleared on re-authorization.
    expiry_warning_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True)
    # OC's outbound callbacks arrive at /oc/webhooks/<webhook_id>/ (unguessable) and must
    # carry one of these secrets (newline-separated, newest first, for rotation).
    webhook_id = models.UUIDField("webhook id", default=uuid.uuid4, unique=True, editable=False)
    webhook_secrets = EncryptedTextField("webhook secrets")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = "Account Orange Connex"
        verbose_name_plural = "Accounts Orange Connex"
        ordering = ["name"]
        permissions = [
            ("authorize_accountorangeconnex", "Can authorize Orange Connex accounts"),
        ]

    def __str__(self) -> str:
        return self.name

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        """Delete the account and what goes with it, after waiting for its syncs (as
        :meth:`AccountQuerySet.delete`)."""
        with transaction.atomic(using=using):
            list(
                type(self)
                .objects.using(using)
                .select_for_update()
                .filter(pk=self.pk)
                .values_list("pk", flat=True)
            )
            return super().delete(using=using, keep_parents=keep_parents)

    @property
    def webhook_secret_list(self) -> list[str]:
        return [line.strip() for line in self.webhook_secrets.splitlines() if line.strip()]


class OAuthAuthorizationRequest(AuthorizationRequest):
    """One press of "Authorize with Orange Connex": the ``state`` sent to OC.

    Only a SHA-256 digest of the state (and of the admin's session key) is stored; a
    state is single use and expires after ``OC_OAUTH_STATE_TTL_SECONDS``.
    """

    account = models.ForeignKey(
        AccountOrangeConnex, on_delete=models.CASCADE, related_name="authorization_requests"
    )

    class Meta:
        verbose_name = "OC authorization request"
        verbose_name_plural = "OC authorization requests"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.account} at {self.created:%Y-%m-%d %H:%M}"
