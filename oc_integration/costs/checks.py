"""System checks of the cost estimate settings: a mistake shows in ``manage.py check``,
not as a failing push page."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from oc_integration.costs.estimates import MODES, mode, shape


@register()
def cost_estimate_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``OC_COST_ESTIMATE_MODE`` is a known mode; ``OC_COST_ESTIMATE_SHAPE`` names known
    shape settings."""
    problems: list[CheckMessage] = []
    try:
        mode()
    except ValueError:
        problems.append(
            Error(
                f"OC_COST_ESTIMATE_MODE must be one of {', '.join(MODES)}.",
                id="oc.E301",
            )
        )
    try:
        shape()
    except (TypeError, ValueError) as exc:
        problems.append(Error(f"OC_COST_ESTIMATE_SHAPE: {exc}", id="oc.E302"))
    return problems
