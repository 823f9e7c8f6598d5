"""What operations keeps: job outcomes, heartbeats, incidents and alert recipients."""

from __future__ import annotations

from django.db import models


class JobOutcome(models.Model):
    """How one Celery task (by name) fared lately, recorded by Celery's signals."""

    task_name = models.CharField(max_length=200, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_failure_reason = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    runs = models.PositiveBigIntegerField(default=0)
    failures = models.PositiveBigIntegerField(default=0)
    last_duration_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = "job outcome"
        verbose_name_plural = "job outcomes"
        ordering = ["task_name"]

    def __str__(self) -> str:
        return self.task_name


class Heartbeat(models.Model):
    """The last sign of life of a process: the worker (it ran the heartbeat job) or beat
    (it sent a job)."""

    WORKER = "worker"
    BEAT = "beat"

    name = models.CharField(max_length=32, unique=True)
    beat_at = models.DateTimeField()
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = "heartbeat"
        verbose_name_plural = "heartbeats"

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class Incident(models.Model):
    """One alert: opened once when a check finds the problem, resolved once when it clears.

    At most one incident per kind and subject is open at a time (a database constraint),
    so any number of evaluations, concurrent or not, send one message per incident.
    """

    kind = models.CharField(max_length=64)
    subject_key = models.CharField(max_length=200)
    subject = models.CharField(max_length=255)
    message = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    recipients = models.TextField(blank=True, help_text="Who the messages went to.")
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    last_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the opening message went out (blank: not yet)."
    )
    recovery_notified_at = models.DateTimeField(null=True, blank=True)
    notification_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "alert"
        verbose_name_plural = "alert log"
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_key"],
                condition=models.Q(resolved_at__isnull=True),
                name="incident_one_open_per_kind_subject",
            )
        ]
        indexes = [models.Index(fields=["resolved_at", "kind"], name="incident_open_idx")]

    def __str__(self) -> str:
        return f"{self.subject}: {self.kind}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class AlertRecipients(models.Model):
    """Who hears about the alerts of one record of an integration (an OC account, …),
    besides ``ADMINS``. Keyed by app label, model and primary key, so that operations
    needs no foreign key into the integrations."""

    app_label = models.CharField(max_length=100)
    model_name = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    emails = models.TextField(
        "email addresses", help_text="One or more addresses, separated by commas or new lines."
    )

    class Meta:
        verbose_name = "alert recipients"
        verbose_name_plural = "alert recipients"
        ordering = ["app_label", "model_name", "object_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["app_label", "model_name", "object_id"], name="alert_recipients_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.app_label}.{self.model_name}:{self.object_id}"

    @property
    def subject_key(self) -> str:
        return f"{self.app_label}.{self.model_name}:{self.object_id}"
