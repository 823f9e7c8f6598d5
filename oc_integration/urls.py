"""Endpoints that Orange Connex sends browsers (and, later, webhooks) to."""

from django.urls import path

from oc_integration import views

app_name = "oc_integration"

urlpatterns = [
    path("oauth/callback/", views.oauth_callback, name="oauth-callback"),
    path("webhooks/<uuid:webhook_id>/", views.outbound_callback, name="outbound-callback"),
]
