"""Routes of operations: the health page in the admin and the monitoring endpoints."""

from django.contrib import admin
from django.urls import path

from hemi_fulfilment.operations import endpoints, views

urlpatterns = [
    path("admin/health/", admin.site.admin_view(views.health_view), name="operations-health"),
    path("healthz", endpoints.liveness, name="operations-liveness"),
    path("readyz", endpoints.readiness, name="operations-readiness"),
    path("metrics", endpoints.metrics, name="operations-metrics"),
]
