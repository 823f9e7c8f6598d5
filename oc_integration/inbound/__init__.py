"""Inbound orders: validating, placing (never twice), following, labels and papers."""
