"""Fixtures for the sandbox's own tests: a fresh sandbox on a free port per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oc_integration.sandbox import RunningSandbox, running_sandbox

from .helpers import tokens


@pytest.fixture
def oc() -> Iterator[RunningSandbox]:
    """A fresh sandbox with the demo catalog."""
    with running_sandbox() as running:
        yield running


@pytest.fixture
def token(oc: RunningSandbox) -> str:
    """A valid access token of the demo client."""
    access: str = tokens(oc.url)["access_token"]
    return access
