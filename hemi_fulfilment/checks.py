"""Configuration mistakes reported by ``manage.py check`` instead of surprising at run time."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from hemi_fulfilment.crypto import key_ring


@register(Tags.security)
def check_encryption_keys(app_configs: Any, **kwargs: Any) -> list[Error]:
    """The key ring must load, or no secret can be read or stored."""
    try:
        key_ring()
    except Exception as exc:
        return [Error(str(exc), id="hemi.E001")]
    return []


@register()
def check_celery_limits(app_configs: Any, **kwargs: Any) -> list[Error | Warning]:
    """A task must never outlive the broker's visibility timeout (it would run twice)."""
    problems: list[Error | Warning] = []
    if settings.CELERY_TASK_TIME_LIMIT >= settings.CELERY_VISIBILITY_TIMEOUT:
        problems.append(
            Error(
                "CELERY_TASK_TIME_LIMIT must be below CELERY_VISIBILITY_TIMEOUT.",
                hint="Raise CELERY_VISIBILITY_TIMEOUT or lower the time limit.",
                id="hemi.E002",
            )
        )
    if settings.CELERY_TASK_SOFT_TIME_LIMIT >= settings.CELERY_TASK_TIME_LIMIT:
        problems.append(
            Warning(
                "CELERY_TASK_SOFT_TIME_LIMIT should be below CELERY_TASK_TIME_LIMIT.",
                id="hemi.W001",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def check_production_services(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Production wants PostgreSQL, Redis and someone to receive alerts."""
    warnings = []
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        warnings.append(
            Warning("DATABASE_URL points at SQLite; use PostgreSQL in production.", id="hemi.W002")
        )
    if settings.CELERY_BROKER_URL.startswith(("filesystem://", "memory://")):
        warnings.append(
            Warning(
                "CELERY_BROKER_URL is the serverless demo broker; use Redis in production.",
                id="hemi.W003",
            )
        )
    if not settings.ADMINS:
        warnings.append(
            Warning("ADMINS is empty: nobody would hear about failures.", id="hemi.W004")
        )
    return warnings
