"""Admin changes of the project itself (Django's autodiscovery imports this module)."""

from hemi_fulfilment import periodic_tasks_admin

periodic_tasks_admin.install()
