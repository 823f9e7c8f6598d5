from django.apps import AppConfig


class OcIntegrationConfig(AppConfig):
    """Orange Connex eBay Fulfilment: accounts, authorization, stock and outbound orders."""

    name = "oc_integration"
    verbose_name = "Orange Connex"

    def ready(self) -> None:
        from oc_integration import checks, schedules  # noqa: F401  (registers checks and jobs)
        from oc_integration.operations import register as register_operations

        register_operations()  # the health page's OC lines, the OC alerts and metrics
