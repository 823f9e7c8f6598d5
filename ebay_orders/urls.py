"""Endpoints eBay sends browsers to."""

from django.urls import path

from ebay_orders import views

app_name = "ebay_orders"

urlpatterns = [
    path("oauth/callback/", views.oauth_callback, name="oauth-callback"),
]
