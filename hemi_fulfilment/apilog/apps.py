from django.apps import AppConfig


class ApiLogConfig(AppConfig):
    """The API call log shared by the OC and eBay clients."""

    name = "hemi_fulfilment.apilog"
    label = "apilog"
    verbose_name = "API call log"

    def ready(self) -> None:
        from hemi_fulfilment.apilog import schedules  # noqa: F401  (declares the purge job)
