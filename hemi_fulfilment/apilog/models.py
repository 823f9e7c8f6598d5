"""The API call log: every HTTP call to OC and eBay, secrets redacted."""

from __future__ import annotations

from django.db import models

from hemi_fulfilment.apilog.records import Outcome


class Provider(models.TextChoices):
    ORANGE_CONNEX = "oc", "Orange Connex"
    EBAY = "ebay", "eBay"


class ApiCallLog(models.Model):
    """One call. Written outside the caller's transaction, so it survives a rollback.

    The account is kept as a plain id and a label (no foreign key): the record must be
    insertable before the caller's transaction commits, and outlive a deleted account.
    """

    provider = models.CharField(max_length=8, choices=Provider.choices)
    account_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    account_label = models.CharField("account", max_length=100, blank=True)
    operation = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    url = models.CharField("URL", max_length=500)
    http_status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    duration_ms = models.PositiveIntegerField("duration (ms)", default=0)
    outcome = models.CharField(max_length=20, choices=Outcome.CHOICES)
    correlation_id = models.CharField(max_length=64, db_index=True)
    request_headers = models.JSONField(default=dict, blank=True)
    request_body = models.TextField(blank=True)
    response_body = models.TextField(blank=True)
    error_message = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "API call"
        verbose_name_plural = "API call log"
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["provider", "outcome", "created"], name="apilog_outcome_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.operation} {self.outcome}"

    @property
    def succeeded(self) -> bool:
        return self.outcome == Outcome.SUCCESS
