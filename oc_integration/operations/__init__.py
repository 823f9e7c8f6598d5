"""What the OC integration tells operations: per account, its authorization, stuck and
rejected orders, stock runs waiting for confirmation and failed callbacks (the health page,
the alerts and ``/metrics``), and where its alert recipients are kept."""

from __future__ import annotations


def register() -> None:
    """Fill operations' registry (called from the app's ``ready``)."""
    from hemi_fulfilment.operations.registry import (
        IncidentCheck,
        RecipientSubjects,
        register_check,
        register_health_source,
        register_metrics,
        register_recipient_subjects,
    )
    from oc_integration.operations import alerts, health, metrics
    from oc_integration.operations.figures import account_choices

    register_health_source("oc_accounts", health.account_sections, order=10)
    register_check(IncidentCheck("oc_accounts", frozenset(alerts.KINDS), alerts.account_problems))
    register_metrics("oc_accounts", metrics.account_metrics)
    register_recipient_subjects(
        RecipientSubjects(
            app_label="oc_integration",
            model_name="accountorangeconnex",
            label="OC account",
            choices=account_choices,
        )
    )
