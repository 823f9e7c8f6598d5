"""Scheduled jobs in the admin: beat's own page, with its actions behind the change permission.

django-celery-beat's actions (enable, disable, toggle, run now) declare no permission, so
anyone who may view the jobs could stop or start them. This subclass declares
``permissions=["change"]`` on each; their descriptions, behaviour and messages stay beat's.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask


class PermissionCheckedPeriodicTaskAdmin(PeriodicTaskAdmin):
    """Beat's periodic task admin whose actions need ``change_periodictask``."""

    @admin.action(
        description=PeriodicTaskAdmin.enable_tasks.short_description, permissions=["change"]
    )
    def enable_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Enable the selected jobs."""
        super().enable_tasks(request, queryset)

    @admin.action(
        description=PeriodicTaskAdmin.disable_tasks.short_description, permissions=["change"]
    )
    def disable_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Disable the selected jobs."""
        super().disable_tasks(request, queryset)

    @admin.action(
        description=PeriodicTaskAdmin.toggle_tasks.short_description, permissions=["change"]
    )
    def toggle_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Enable the disabled and disable the enabled selected jobs."""
        super().toggle_tasks(request, queryset)

    @admin.action(description=PeriodicTaskAdmin.run_tasks.short_description, permissions=["change"])
    def run_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Send the selected jobs to the worker now."""
        super().run_tasks(request, queryset)


def install(site: admin.AdminSite = admin.site) -> None:
    """Put the permission-checked admin in the place of beat's own."""
    if site.is_registered(PeriodicTask):
        site.unregister(PeriodicTask)
    site.register(PeriodicTask, PermissionCheckedPeriodicTaskAdmin)
