from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class HemiFulfilmentConfig(AppConfig):
    name = "hemi_fulfilment"
    verbose_name = "Hemi Fulfilment"

    def ready(self) -> None:
        from hemi_fulfilment import checks  # noqa: F401  (registers system checks)

        # Building the Celery app here (not in the package's __init__) binds the tasks'
        # .delay() to it in every Django process, and keeps the package free to import.
        from hemi_fulfilment.celery import ensure_broker_folders
        from hemi_fulfilment.schedules import register_recurring_jobs

        ensure_broker_folders()
        # post_migrate is only sent for apps with models; beat's own app is the one whose
        # tables the jobs go into, so its signal is the one to follow.
        post_migrate.connect(
            register_recurring_jobs, sender=apps.get_app_config("django_celery_beat")
        )
