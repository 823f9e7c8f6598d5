"""Fulfilment cost estimates from OC: before a push, per product, and the cheapest service."""
