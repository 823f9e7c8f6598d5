from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Health, monitoring endpoints and alerts for every integration."""

    name = "hemi_fulfilment.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        # The signal receivers record every task's outcome and beat's ticks; the schedules
        # declare the heartbeat and alert jobs; the standard checks watch the machinery.
        from hemi_fulfilment.operations import (  # noqa: F401
            jobs,
            schedules,
            standard_checks,
        )

        standard_checks.register()
