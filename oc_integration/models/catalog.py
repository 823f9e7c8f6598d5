"""OC's SKU catalogue per account, what Hemi needs to register a product, and the attempts.

``OCSku`` is OC's master data of one SKU, as SKU Query v3 reports it, linked to the
Hemi product with the same seller SKU. ``ProductOCDetails`` holds what OC requires to
register a product that Hemi's catalog does not (sizes, weight, declared value…).
``OCSkuRegistration`` records every registration, so that one whose answer was lost is
checked at OC before anything is sent again.
"""

from __future__ import annotations

from django.db import models

from hemi_fulfilment.catalog.models import Product
from oc_integration.client import sku as oc_sku
from oc_integration.models.auth import AccountOrangeConnex


class Approval(models.TextChoices):
    """What OC's status word means (the word itself is kept as OC reports it)."""

    DRAFT = oc_sku.DRAFT, "Draft at OC (until approved in OC's portal)"
    APPROVED = oc_sku.APPROVED, "Approved"
    REJECTED = oc_sku.REJECTED, "Rejected by OC"
    UNKNOWN = oc_sku.UNKNOWN, "Other (see OC's status)"


DIMENSION_UNIT_CHOICES = [(unit, unit) for unit in oc_sku.DIMENSION_UNITS]
WEIGHT_UNIT_CHOICES = [(unit, unit) for unit in oc_sku.WEIGHT_UNITS]


class OCSku(models.Model):
    """One SKU in an OC account's catalogue (OC's MFSKUID), as OC last reported it."""

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="skus",
        verbose_name="OC account",
    )
    oc_sku = models.CharField("OC SKU", max_length=15, help_text="OC's MFSKUID.")
    seller_sku = models.CharField("seller SKU", max_length=64, blank=True)
    reference_sku = models.CharField("reference SKU", max_length=64, blank=True)
    product = models.ForeignKey(
        Product,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="oc_skus",
        help_text="The Hemi product with this seller SKU.",
    )
    status = models.CharField("OC status", max_length=32, blank=True)
    approval = models.CharField(
        max_length=16, choices=Approval.choices, default=Approval.UNKNOWN, db_index=True
    )
    name = models.CharField(max_length=255, blank=True)
    names = models.JSONField(
        default=list, blank=True, help_text='Every name OC holds: [{"name", "language"}].'
    )
    length = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    width = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    height = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    dimension_unit = models.CharField(max_length=8, blank=True)
    weight = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    weight_unit = models.CharField(max_length=8, blank=True)
    declared_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    declared_currency = models.CharField("declared value currency", max_length=3, blank=True)
    barcodes = models.JSONField(default=list, blank=True, help_text='[{"code", "kind"}].')
    country_of_origin = models.CharField(max_length=2, blank=True)
    modified_at_oc = models.DateTimeField("modified at OC", null=True, blank=True)
    last_synced = models.DateTimeField(null=True, blank=True)
    registered_from_hemi = models.DateTimeField(
        "registered from Hemi", null=True, blank=True, help_text="When Hemi created it at OC."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "OC SKU"
        verbose_name_plural = "OC SKUs"
        ordering = ["seller_sku", "oc_sku"]
        constraints = [
            models.UniqueConstraint(fields=["account", "oc_sku"], name="oc_sku_one_per_account")
        ]
        indexes = [
            models.Index(fields=["account", "seller_sku"], name="oc_sku_seller_sku_idx"),
            models.Index(fields=["reference_sku"], name="oc_sku_reference_sku_idx"),
            models.Index(fields=["oc_sku"], name="oc_sku_oc_sku_idx"),
        ]
        permissions = [
            ("run_sku_sync", "Can sync OC SKUs now"),
            ("register_ocsku", "Can register products at Orange Connex"),
            ("download_sku_labels", "Can download SKU labels from OC"),
            ("set_up_sku_ef_services", "Can query and set up the EF services of OC SKUs"),
        ]

    def __str__(self) -> str:
        return f"{self.oc_sku} ({self.seller_sku or 'no seller SKU'})"


class ServiceType(models.TextChoices):
    DOMESTIC = oc_sku.DOMESTIC, "Domestic"
    INTERNATIONAL = oc_sku.INTERNATIONAL, "International"


class OCSkuEFService(models.Model):
    """One EF service an OC SKU is set up for (QuerySKUEFService)."""

    sku = models.ForeignKey(
        OCSku, on_delete=models.CASCADE, related_name="ef_services", verbose_name="OC SKU"
    )
    region = models.CharField(max_length=32, help_text="OC service region, e.g. UK.")
    fulfilment_centre = models.CharField(max_length=64, blank=True)
    service_type = models.CharField(max_length=16, choices=ServiceType.choices)
    service_code = models.CharField(
        "shipping service", max_length=64, help_text="e.g. GBDomesticStandard"
    )
    last_synced = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "EF service"
        verbose_name_plural = "EF services"
        ordering = ["sku", "region", "service_type", "service_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["sku", "region", "fulfilment_centre", "service_type", "service_code"],
                name="oc_sku_ef_service_once",
            )
        ]
        indexes = [models.Index(fields=["region"], name="oc_sku_ef_region_idx")]

    def __str__(self) -> str:
        return f"{self.region} {self.get_service_type_display()} {self.service_code}"


class ProductOCDetails(models.Model):
    """What OC needs to register a Hemi product that Hemi's catalog does not hold."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="oc_details")
    name = models.CharField(
        "name at OC",
        max_length=oc_sku.NAME_MAX_LENGTH,
        blank=True,
        help_text="English name; empty: the product title.",
    )
    description = models.TextField(blank=True, max_length=oc_sku.DESCRIPTION_MAX_LENGTH)
    length = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    width = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    height = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    dimension_unit = models.CharField(
        max_length=8, choices=DIMENSION_UNIT_CHOICES, default="cm", blank=True
    )
    weight = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    weight_unit = models.CharField(
        max_length=8, choices=WEIGHT_UNIT_CHOICES, default="kg", blank=True
    )
    declared_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    declared_currency = models.CharField(
        "declared value currency", max_length=3, blank=True, help_text="e.g. GBP"
    )
    country_of_origin = models.CharField(
        max_length=2, blank=True, help_text="2-letter ISO code, e.g. CN"
    )
    barcode = models.CharField(max_length=oc_sku.BARCODE_MAX_LENGTH, blank=True)
    barcode_type = models.CharField(max_length=16, blank=True, help_text="e.g. EAN, UPC")
    battery_type = models.CharField(
        max_length=8, blank=True, choices=list(oc_sku.BATTERY_TYPES.items())
    )
    battery_form = models.CharField(
        max_length=8, blank=True, choices=list(oc_sku.BATTERY_FORMS.items())
    )
    battery_number = models.PositiveIntegerField("number of batteries", null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "OC registration details"
        verbose_name_plural = "OC registration details"

    def __str__(self) -> str:
        return f"OC registration details of {self.product_id}"


class RegistrationStatus(models.TextChoices):
    SENDING = "sending", "Sending (answer not received yet)"
    UNKNOWN = "unknown", "Outcome unknown (checked at OC before sending again)"
    CREATED = "created", "Created at OC"
    REFUSED = "refused", "Refused by OC"


class OCSkuRegistration(models.Model):
    """The last registration of one product at one OC account (SKU Creation v3)."""

    account = models.ForeignKey(
        AccountOrangeConnex, on_delete=models.CASCADE, related_name="sku_registrations"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="oc_registrations")
    seller_sku = models.CharField("seller SKU", max_length=64)
    status = models.CharField(max_length=16, choices=RegistrationStatus.choices)
    oc_sku = models.CharField("OC SKU", max_length=15, blank=True)
    message = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "OC SKU registration"
        verbose_name_plural = "OC SKU registrations"
        ordering = ["-updated"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "product"], name="oc_sku_registration_one_per_product"
            )
        ]

    def __str__(self) -> str:
        return f"{self.seller_sku} at {self.account_id}: {self.get_status_display()}"
