"""Orders with the seller's own label: the label file, carrier and tracking number."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from oc_integration.models.outbound import OutboundOrder


class OwnLabel(models.Model):
    """The shipping label the seller supplies for one outbound order.

    An outbound order with an own label is sent with OC's placeThirdPartyLabelOrder
    instead of Place Outbound Order; everything else (validation, never twice, status)
    is the same. The file is kept here, in the database, so a push (or a re-send after a
    lost answer) sends exactly the bytes staff attached.
    """

    outbound_order = models.OneToOneField(
        OutboundOrder, on_delete=models.CASCADE, related_name="own_label"
    )
    carrier = models.CharField(max_length=64, help_text="The carrier whose label this is.")
    tracking_number = models.CharField(max_length=64)
    file_name = models.CharField("label file", max_length=255)
    file_type = models.CharField("file type", max_length=8)
    size = models.PositiveIntegerField("size (bytes)")
    content = models.BinaryField(editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attached_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "own label"
        verbose_name_plural = "own labels"
        permissions = [
            ("attach_ownlabel", "Can attach the seller's own label to outbound orders"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number} ({self.file_type})"
