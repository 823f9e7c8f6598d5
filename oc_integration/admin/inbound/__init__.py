"""Inbound orders in the admin: drafting, placing, labels, tracking and customs papers."""
