"""Streaming a CSV download from the admin, row by row, whatever its size."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone


class _Echo:
    """A file that hands back what is written: ``csv.writer`` formats, the response sends."""

    def write(self, value: str) -> str:
        return value


def csv_download(
    name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A CSV attachment named ``<name>-<UTC time>.csv``, written as ``rows`` are read (a
    queryset's ``iterator()`` keeps memory flat for 200,000 rows)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response
