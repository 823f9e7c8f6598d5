"""Hemi Fulfilment: Hemi's bridge to Orange Connex eBay Fulfilment and eBay orders."""

from hemi_fulfilment.celery import app as celery_app

__all__ = ("celery_app",)
