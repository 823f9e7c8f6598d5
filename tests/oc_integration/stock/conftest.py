"""Fixtures of the stock tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg2  # type: ignore[import-untyped]
import pytest

from tests.oc_integration.stock.holds import dsn


@pytest.fixture
def other_connection() -> Iterator[Any]:
    """A second connection to the test database (another worker, or a person's psql)."""
    other = psycopg2.connect(dsn=dsn())
    yield other
    other.close()
