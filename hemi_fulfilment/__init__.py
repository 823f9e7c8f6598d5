"""Hemi Fulfilment: Hemi's bridge to Orange Connex eBay Fulfilment and eBay orders.

Importing this package costs nothing: the Celery application is built by
``hemi_fulfilment.celery`` (``celery -A hemi_fulfilment.celery``) and, in Django
processes, when the app registry is ready (see ``apps.py``), so that the clients can
import the call record type from ``hemi_fulfilment.apilog.records`` without Django.
"""
