"""URL routes: the admin, and the endpoints OC and eBay call back."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Hemi Fulfilment"
admin.site.site_title = "Hemi Fulfilment"
admin.site.index_title = "Orange Connex and eBay fulfilment"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    # The health page and the monitoring endpoints (before the admin's own routes).
    path("", include("hemi_fulfilment.operations.urls")),
    path("admin/", admin.site.urls),
    path("oc/", include("oc_integration.urls")),
    path("ebay/", include("ebay_orders.urls")),
]
