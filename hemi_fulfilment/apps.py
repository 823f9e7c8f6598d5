from django.apps import AppConfig
from django.db.models.signals import post_migrate


class HemiFulfilmentConfig(AppConfig):
    name = "hemi_fulfilment"
    verbose_name = "Hemi Fulfilment"

    def ready(self) -> None:
        from hemi_fulfilment import checks  # noqa: F401  (registers system checks)
        from hemi_fulfilment.celery import ensure_broker_folders
        from hemi_fulfilment.schedules import register_recurring_jobs

        ensure_broker_folders()
        post_migrate.connect(register_recurring_jobs, sender=self)
