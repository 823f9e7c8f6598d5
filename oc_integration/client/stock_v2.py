"""StockSnapshot v2 (``POST /3pp/inventory/v2/snapshot``): every page of every region.

The rows become the same :class:`SnapshotRow` / :class:`RegionStock` objects as the v1
snapshot (``oc_integration.client.stock``), with the counts renamed to v1's status codes,
so whatever consumes v1 rows consumes these.

OC publishes only the endpoint's description; what is **stated** there: the path, that
it is paged, that a SKU list is required, and the regions it returns (UK, DE, AU, AU-MEL,
US-East, US-South printed "UE-South", US-West). Everything else below is **inferred**
(from OC's Postman collection and other integrators' code) and is decided here once, as a
named constant:

* the request ``data`` ``{pageNumber (from 1), pageSize, serviceRegionList
  [{serviceRegion}], skuList [{mfSkuId}]}`` and the page size 200;
* sending an empty ``skuList`` with a region filter to read every SKU (what real clients
  do), with explicit MFSKUIDs in batches as the fallback when OC insists on a list
  (:func:`needs_sku_list` recognises that refusal);
* an empty ``serviceRegionList`` meaning "every region" when no region is asked for;
  asked regions are paged one region at a time (:data:`ONE_RUN_PER_REGION`);
* the rows under ``data.SKUList`` (or ``data.skuList``, or ``data`` itself as a list),
  one per SKU and region, keyed ``MFSKUID`` + ``serviceRegion``, with integer counts
  ``available`` … ``unfulfillable``; no seller SKU (``seller_sku`` is ``""`` unless a row
  happens to carry one);
* the last page is the first one with fewer rows than ``pageSize``; OC was never seen to
  report a total, but if it does (:data:`TOTAL_ROW_KEYS`, :data:`PAGE_COUNT_KEYS`) the
  rows received must match it;
* the snapshot time is the answer's own time if it carries one
  (:data:`ENVELOPE_TIME_KEYS`, :data:`DATA_TIME_KEYS`), else the time the first page was
  requested.

Rows are read leniently (unknown fields ignored, missing counts 0, ``code`` a number or a
string) but a run is complete or nothing: any failed, malformed or inconsistent page
raises a typed OC error naming the page.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from oc_integration.client.api import OCApiClient
from oc_integration.client.envelope import OCResponse, parse_response
from oc_integration.client.errors import (
    OCBusinessError,
    OCError,
    OCMalformedResponse,
    OCTransportError,
)
from oc_integration.client.stock import RegionStock, RowSink, SnapshotRow, parse_oc_time
from oc_integration.client.transport import LOG_CAPTURE_BYTES

SNAPSHOT_V2_PATH = "/3pp/inventory/v2/snapshot"
OPERATION = "stock snapshot v2"

# --- paging ---------------------------------------------------------------------------
#: Inferred: the page size OC's collection and other integrators use.
DEFAULT_PAGE_SIZE = 200
#: Inferred: the largest page asked for (OC states no limit; 200 is what is known to work).
MAX_PAGE_SIZE = 200
#: A run that keeps answering full pages is stopped (and fails) after this many pages.
MAX_PAGES_PER_RUN = 100_000
#: Inferred: asked regions are paged one region at a time (each region its own page 1..n),
#: so a region's last page cannot be confused with another's. False: one run for all.
ONE_RUN_PER_REGION = True
#: Inferred: with no region asked for, an empty ``serviceRegionList`` reads every region
#: (and so a region OC adds later lands without a code change).
ALL_REGIONS_FILTER: list[dict[str, str]] = []

# --- the SKU list ---------------------------------------------------------------------
#: Inferred: OC's page requires a SKU, real clients send ``skuList: []`` to read them all.
EMPTY_SKU_LIST: list[dict[str, str]] = []
#: Inferred: MFSKUIDs per request on the explicit-SKU fallback (OC states no limit).
SKU_BATCH_SIZE = 200
#: Key of one entry of the request's ``skuList``.
SKU_LIST_ITEM_KEY = "mfSkuId"
#: Inferred: how OC refuses an empty SKU list ("a required field is missing", or words
#: naming the SKU list); see :func:`needs_sku_list`.
SKU_LIST_REQUIRED_CODES = frozenset({"400200"})
SKU_LIST_REQUIRED_WORDS = re.compile(r"sku\s*list|mfSkuId|at least one sku", re.IGNORECASE)

# --- where things are in the answer (all inferred) ------------------------------------
#: ``data``'s key holding the page's rows, first present wins.
ROW_LIST_KEYS = ("SKUList", "skuList", "SkuList", "skulist")
#: A row's OC SKU.
SKU_KEYS = ("MFSKUID", "mfSkuId", "mfskuid", "MFSKUId")
#: A row's seller SKU, if OC ever sends one (the notes say v2 rows have none).
SELLER_SKU_KEYS = ("sellerSkuId", "sellerSKUID", "sellerSku")
#: A row's service region.
REGION_KEYS = ("serviceRegion", "ServiceRegion", "serviceregion")
#: v2 count fields -> v1 status codes (``SnapshotRow`` counts are keyed by v1 codes).
COUNT_CODES: dict[str, str] = {
    "available": "AVL",
    "inTransit": "INTRAN",
    "received": "RCVD",
    "reservedAllocated": "RSVALOC",
    "reservedHold": "RSVHO",
    "reservedVAS": "RSVAS",
    "unfulfillable": "UNF",
    "suspend": "SUSPEND",
}
#: Integer fields of a row that are not counts (any other integer is kept as a count
#: under its upper-cased name, as v1 keeps statuses OC adds).
NON_COUNT_FIELDS = frozenset(
    {"pageNumber", "pageSize", "warehouseId", "warehouseCode", "snapshotTime", "timestamp"}
)
#: Where a total number of rows may be reported (in ``data``, then in the envelope).
TOTAL_ROW_KEYS = ("total", "totalCount", "totalNum", "totalRecord", "totalRecords", "totalSize")
#: Where a total number of pages may be reported.
PAGE_COUNT_KEYS = ("totalPage", "totalPages", "pageCount", "pages")
#: Where ``data`` may echo the page it answers.
PAGE_ECHO_KEYS = ("pageNumber", "pageNo", "currentPage")
#: The snapshot's own time in the envelope (epoch ms or s, or OC's time format) ...
ENVELOPE_TIME_KEYS = ("timestamp", "timeStamp", "snapshotTime")
#: ... or in ``data``.
DATA_TIME_KEYS = ("snapshotTime", "timestamp")

# --- service regions ------------------------------------------------------------------
#: The regions the v2 page lists, in the spelling rows are stored under.
KNOWN_REGIONS = ("UK", "DE", "AU", "AU-MEL", "US-East", "US-South", "US-West")
#: Per endpoint: other spellings (upper-cased) -> the stored spelling. OC's v2 page prints
#: "UE-South"; its cost estimation names AU-Sydney / AU-Melbourne for AU / AU-MEL.
REGION_ALIASES: dict[str, dict[str, str]] = {
    SNAPSHOT_V2_PATH: {
        "UE-SOUTH": "US-South",
        "AU-SYDNEY": "AU",
        "AU-SYD": "AU",
        "AU-MELBOURNE": "AU-MEL",
        "GB": "UK",
    },
}
#: Stored spelling -> the spelling sent in ``serviceRegionList`` when it differs
#: (inferred: none; OC's own "UE-South" is read, not sent).
REQUEST_REGION_SPELLINGS: dict[str, str] = {}
_KNOWN_BY_UPPER = {region.upper(): region for region in KNOWN_REGIONS}

# --- reading one page -----------------------------------------------------------------
READ_CHUNK = 256 * 1024
#: A page answer larger than this is refused (200 rows are a few tens of kilobytes).
MAX_PAGE_BYTES = 32 * 1024 * 1024
_DIGITS = re.compile(r"^\s*-?\d+\s*$")

#: Called after each page: (pages read so far, pages in all when known).
Progress = Callable[[int, int | None], None]


def normalise_region(name: str, endpoint: str = SNAPSHOT_V2_PATH) -> str:
    """A service region in the stored spelling: known regions and the endpoint's aliases
    case-insensitively (``"ue-south"`` -> ``"US-South"``); any other region as OC spells
    it, trimmed, so a new region lands without a code change. ``ValueError`` when blank."""
    text = name.strip()
    if not text:
        raise ValueError("A service region is blank.")
    upper = text.upper()
    aliased = REGION_ALIASES.get(endpoint, {}).get(upper)
    if aliased is not None:
        return aliased
    return _KNOWN_BY_UPPER.get(upper, text)


def stream_stock_snapshot_v2(
    client: OCApiClient,
    sink: RowSink,
    *,
    regions: Sequence[str] | None = None,
    oc_skus: Sequence[str] | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    progress: Progress | None = None,
) -> int:
    """Read every page of the v2 snapshot, handing each page's rows to ``sink``; the
    number of rows (one per SKU and region).

    ``regions`` None reads every region OC serves (one run with an empty region filter);
    otherwise each asked region is paged on its own. ``oc_skus`` None sends an empty SKU
    list; explicit MFSKUIDs (the fallback when OC refuses the empty list) are sent in
    batches of :data:`SKU_BATCH_SIZE`, each paged (an empty sequence reads nothing).

    Complete or nothing: raises a typed OC error (naming page k, and n when known) on a
    failed, malformed or inconsistent page, on a total OC reports that does not match,
    and after :data:`MAX_PAGES_PER_RUN` pages. The caller must then discard every row the
    sink already received: they are only valid once this function returns.
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"The v2 snapshot's page size is 1 to {MAX_PAGE_SIZE}.")
    runs = _plan_runs(regions, oc_skus)
    snapshot = _Snapshot(client, sink, page_size, progress, len(runs))
    for run in runs:
        snapshot.read(run)
    return snapshot.rows


def fetch_stock_snapshot_v2(client: OCApiClient, **options: Any) -> list[SnapshotRow]:
    """Every row of the v2 snapshot as a list, only once all of it arrived (see
    :func:`stream_stock_snapshot_v2` for ``options``)."""
    rows: list[SnapshotRow] = []
    stream_stock_snapshot_v2(client, rows.extend, **options)
    return rows


def needs_sku_list(error: OCError) -> bool:
    """Whether OC refused a read with an empty SKU list because it wants explicit SKUs
    (then read again with ``oc_skus``: every OC SKU the account holds). Inferred."""
    if not isinstance(error, OCBusinessError):
        return False
    codes = {error.code, *(item.code for item in error.errors)}
    words = " ".join([error.message, *(item.message for item in error.errors)])
    return bool(codes & SKU_LIST_REQUIRED_CODES) or bool(SKU_LIST_REQUIRED_WORDS.search(words))


def page_request(
    page_number: int,
    page_size: int,
    regions: Sequence[str] | None,
    oc_skus: Sequence[str] | None,
) -> dict[str, Any]:
    """The request ``data`` of one page (``regions`` in the stored spelling, None: all)."""
    region_list = (
        [{"serviceRegion": REQUEST_REGION_SPELLINGS.get(r, r)} for r in regions]
        if regions
        else list(ALL_REGIONS_FILTER)
    )
    sku_list = [{SKU_LIST_ITEM_KEY: sku} for sku in oc_skus] if oc_skus else list(EMPTY_SKU_LIST)
    return {
        "pageNumber": page_number,
        "pageSize": page_size,
        "serviceRegionList": region_list,
        "skuList": sku_list,
    }


# --- planning -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """One paging run: pages 1..n of one filter."""

    regions: tuple[str, ...] | None
    oc_skus: tuple[str, ...] | None

    def describe(self) -> str:
        where = ", ".join(self.regions) if self.regions else "every region"
        if self.oc_skus is None:
            return where
        return f"{where}, {len(self.oc_skus)} listed SKUs from {self.oc_skus[0]}"


def _plan_runs(regions: Sequence[str] | None, oc_skus: Sequence[str] | None) -> list[_Run]:
    if isinstance(regions, str) or isinstance(oc_skus, str):
        raise TypeError("regions and oc_skus are sequences of strings, not one string.")
    asked = None if regions is None else tuple(dict.fromkeys(normalise_region(r) for r in regions))
    if asked is not None and not asked:
        raise ValueError("No service region asked for; give None to read every region.")
    region_runs: list[tuple[str, ...] | None]
    if asked is None:
        region_runs = [None]
    elif ONE_RUN_PER_REGION:
        region_runs = [(region,) for region in asked]
    else:
        region_runs = [asked]
    if oc_skus is None:
        return [_Run(r, None) for r in region_runs]
    skus = [sku.strip() for sku in oc_skus]
    if any(not sku for sku in skus):
        raise ValueError("An MFSKUID in the SKU list is blank.")
    unique = list(dict.fromkeys(skus))
    batches = [tuple(unique[i : i + SKU_BATCH_SIZE]) for i in range(0, len(unique), SKU_BATCH_SIZE)]
    return [_Run(r, batch) for r in region_runs for batch in batches]


# --- reading --------------------------------------------------------------------------


@dataclass
class _Page:
    """What one page said, once its rows are converted."""

    rows: list[SnapshotRow]
    total_rows: int | None
    total_pages: int | None


@dataclass
class _RunState:
    """The consistency checks of one run across its pages."""

    run: _Run
    rows: int = 0
    total_rows: int | None = None
    total_pages: int | None = None
    seen: dict[str, set[str]] = field(default_factory=dict)  # region -> OC SKUs

    def known_pages(self, page_size: int) -> int | None:
        if self.total_pages is not None:
            return max(1, self.total_pages)  # "0 pages" still answers page 1, empty
        if self.total_rows is not None:
            return max(1, math.ceil(self.total_rows / page_size))
        return None


class _Snapshot:
    """Reads the runs one after another; keeps the snapshot time and the counters."""

    def __init__(
        self,
        client: OCApiClient,
        sink: RowSink,
        page_size: int,
        progress: Progress | None,
        runs: int,
    ) -> None:
        self.client = client
        self.sink = sink
        self.page_size = page_size
        self.progress = progress
        self.runs_left = runs
        self.rows = 0
        self.pages = 0
        self.snapshot_time: datetime | None = None

    def read(self, run: _Run) -> None:
        state = _RunState(run)
        self.runs_left -= 1
        for number in range(1, MAX_PAGES_PER_RUN + 1):
            where = _Where(run, number, state.known_pages(self.page_size))
            requested_at = self.snapshot_time or datetime.now(UTC)
            try:
                page = self._fetch(run, number, where, requested_at)
            except OCError as exc:
                raise _on_page(exc, where) from exc
            last = self._check(state, page, where)
            if page.rows:
                self.sink(page.rows)
                self.rows += len(page.rows)
            self.pages += 1
            if self.progress is not None:
                known = state.known_pages(self.page_size)
                total = None if known is None or self.runs_left else self.pages - number + known
                self.progress(self.pages, total)
            if last:
                self._check_total(state, where)
                return
        raise OCMalformedResponse(
            f"Stock snapshot v2 ({run.describe()}): OC still answered full pages after "
            f"{MAX_PAGES_PER_RUN} pages; stopped without using any of it."
        )

    def _fetch(self, run: _Run, number: int, where: _Where, requested_at: datetime) -> _Page:
        data = page_request(number, self.page_size, run.regions, run.oc_skus)

        def reader(response: requests.Response, correlation_id: str) -> OCResponse:
            answer = _read_answer(response, correlation_id)
            if self.snapshot_time is None:
                self.snapshot_time = _answer_time(answer) or requested_at
            page = _convert(answer, self.snapshot_time, where, correlation_id)
            return OCResponse(page, answer.message, answer.message_id, answer.raw)

        page = self.client.call(OPERATION, SNAPSHOT_V2_PATH, data, body_reader=reader).data
        if not isinstance(page, _Page):  # pragma: no cover - the reader always makes one
            raise where.bad("the page could not be read")
        return page

    def _check(self, state: _RunState, page: _Page, where: _Where) -> bool:
        """Check ``page`` against the run so far; True when it is the run's last page."""
        count = len(page.rows)
        if count > self.page_size:
            raise where.bad(f"{count} rows came back, more than the {self.page_size} asked for")
        for name, value in (("total", page.total_rows), ("page count", page.total_pages)):
            before = state.total_rows if name == "total" else state.total_pages
            if value is not None and before is not None and value != before:
                raise where.bad(f"OC's {name} changed from {before} to {value} while paging")
        state.total_rows = page.total_rows if page.total_rows is not None else state.total_rows
        state.total_pages = page.total_pages if page.total_pages is not None else state.total_pages
        allowed_regions = set(state.run.regions) if state.run.regions else None
        allowed_skus = set(state.run.oc_skus) if state.run.oc_skus else None
        for row in page.rows:
            region = row.regions[0].region
            if allowed_regions is not None and region not in allowed_regions:
                raise where.bad(f"a row of {row.oc_sku} is in {region}, which was not asked for")
            if allowed_skus is not None and row.oc_sku not in allowed_skus:
                raise where.bad(f"a row of {row.oc_sku} came back, which was not asked for")
            seen = state.seen.setdefault(region, set())
            if row.oc_sku in seen:
                raise where.bad(
                    f"{row.oc_sku} in {region} came back twice (OC's data moved while paging)"
                )
            seen.add(row.oc_sku)
        state.rows += count
        if state.total_rows is not None and state.rows > state.total_rows:
            raise where.bad(f"{state.rows} rows so far, more than the {state.total_rows} reported")
        known = state.known_pages(self.page_size)
        short = count < self.page_size
        if short and known is not None and where.number < known:
            raise where.bad(f"the page is short ({count} rows) but OC reports {known} pages")
        if known is not None and where.number > known:
            raise where.bad(f"OC reports {known} pages but answered this one")
        if known is not None and where.number == known:
            return True
        if state.total_rows is not None and state.rows == state.total_rows and not short:
            return True
        return short

    def _check_total(self, state: _RunState, where: _Where) -> None:
        if state.total_rows is not None and state.rows != state.total_rows:
            raise where.bad(f"{state.rows} rows arrived in all, but OC reports {state.total_rows}")


@dataclass(frozen=True)
class _Where:
    """Page ``number`` (of ``pages`` when known) of a run, for error messages."""

    run: _Run
    number: int
    pages: int | None

    def __str__(self) -> str:
        of = f" of {self.pages}" if self.pages is not None else ""
        return f"Stock snapshot v2 ({self.run.describe()}), page {self.number}{of}"

    def bad(self, why: str) -> OCMalformedResponse:
        return OCMalformedResponse(f"{self}: {why}; nothing of this snapshot is used.")


def _on_page(exc: OCError, where: _Where) -> OCError:
    """The same error (same type, same details) with the page named in its message."""
    if str(exc).startswith("Stock snapshot v2 ("):
        return exc
    message = f"{where}: {exc.message}"
    copy = exc.__class__.__new__(exc.__class__)
    copy.__dict__.update(exc.__dict__)
    copy.args = (message,)
    copy.message = message
    return copy


def _read_answer(response: requests.Response, correlation_id: str) -> OCResponse:
    """The whole (small) page answer; only its first bytes are kept for the call log."""
    parts: list[bytes] = []
    prefix, size = b"", 0
    setattr(response, "streamed_prefix", (b"", 0))  # noqa: B010 - read by the call log
    try:
        for chunk in response.iter_content(READ_CHUNK):
            size += len(chunk)
            if size > MAX_PAGE_BYTES:
                raise OCMalformedResponse(
                    f"OC's stock snapshot v2 page is larger than {MAX_PAGE_BYTES} bytes.",
                    correlation_id=correlation_id,
                )
            parts.append(chunk)
            if len(prefix) < LOG_CAPTURE_BYTES:
                prefix += chunk[: LOG_CAPTURE_BYTES - len(prefix)]
            setattr(response, "streamed_prefix", (prefix, size))  # noqa: B010
    except requests.RequestException as exc:
        raise OCTransportError(
            f"OC's stock snapshot v2 answer was cut off: {type(exc).__name__}",
            correlation_id=correlation_id,
        ) from exc
    return parse_response(b"".join(parts), correlation_id=correlation_id)


def _first(source: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        if key in source and source[key] is not None:
            return source[key]
    return None


def _answer_time(answer: OCResponse) -> datetime | None:
    """The snapshot's own time, if the answer carries one (inferred keys); None if not."""
    value = _first(answer.raw, ENVELOPE_TIME_KEYS)
    if value is None and isinstance(answer.data, dict):
        value = _first(answer.data, DATA_TIME_KEYS)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str) and _DIGITS.match(value):
        value = int(value)
    if isinstance(value, int):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            return parse_oc_time(value).astimezone(UTC)
        except ValueError:
            return None
    return None


def _whole(value: Any) -> int | None:
    """An integer from a number or a string of digits; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _DIGITS.match(value):
        return int(value)
    return None


def _reported(source: Mapping[str, Any], keys: Iterable[str], what: str, where: _Where) -> Any:
    value = _first(source, keys)
    if value is None:
        return None
    number = _whole(value)
    if number is None or number < 0:
        raise where.bad(f"OC's {what} {value!r} is not a whole number")
    return number


def _convert(
    answer: OCResponse, snapshot_time: datetime, where: _Where, correlation_id: str
) -> _Page:
    """The page's rows as ``SnapshotRow`` objects and any totals OC reports."""
    data = answer.data
    info: Mapping[str, Any] = {}
    raw_rows: Any
    if data is None:
        raw_rows = []
    elif isinstance(data, list):
        raw_rows = data
    elif isinstance(data, dict):
        info = data
        if not any(key in data for key in ROW_LIST_KEYS) and not set(data) <= _PAGE_INFO_KEYS:
            raise _malformed(where, "its data has no SKUList", correlation_id)
        echo = _reported(data, PAGE_ECHO_KEYS, "page number", where)
        if echo is not None and echo != where.number:
            raise _malformed(where, f"OC answered page {echo} instead", correlation_id)
        raw_rows = _first(data, ROW_LIST_KEYS)
        raw_rows = [] if raw_rows is None else raw_rows
    else:
        raise _malformed(where, "its data is neither an object nor a list", correlation_id)
    if not isinstance(raw_rows, list):
        raise _malformed(where, "its SKUList is not a list", correlation_id)
    rows = [
        _row(raw, position, snapshot_time, where, correlation_id)
        for position, raw in enumerate(raw_rows, start=1)
    ]
    total_rows = _reported(info, TOTAL_ROW_KEYS, "total", where)
    if total_rows is None:
        total_rows = _reported(answer.raw, TOTAL_ROW_KEYS, "total", where)
    total_pages = _reported(info, PAGE_COUNT_KEYS, "page count", where)
    if total_pages is None:
        total_pages = _reported(answer.raw, PAGE_COUNT_KEYS, "page count", where)
    return _Page(rows, total_rows, total_pages)


#: Keys a ``data`` object without rows may have and still be an empty page.
_PAGE_INFO_KEYS = frozenset(
    {*TOTAL_ROW_KEYS, *PAGE_COUNT_KEYS, *PAGE_ECHO_KEYS, *DATA_TIME_KEYS, "pageSize"}
)


def _malformed(where: _Where, why: str, correlation_id: str) -> OCMalformedResponse:
    error = where.bad(why)
    error.correlation_id = correlation_id
    return error


def _row(
    raw: Any, position: int, snapshot_time: datetime, where: _Where, correlation_id: str
) -> SnapshotRow:
    def bad(why: str) -> OCMalformedResponse:
        return _malformed(where, f"row {position}: {why}", correlation_id)

    if not isinstance(raw, dict):
        raise bad("it is not an object")
    oc_sku = _first(raw, SKU_KEYS)
    if not isinstance(oc_sku, str) or not oc_sku.strip():
        raise bad("its MFSKUID is missing")
    oc_sku = oc_sku.strip()
    region_name = _first(raw, REGION_KEYS)
    if not isinstance(region_name, str) or not region_name.strip():
        raise bad(f"the serviceRegion of {oc_sku} is missing")
    seller_sku = _first(raw, SELLER_SKU_KEYS)
    counts = dict.fromkeys(COUNT_CODES.values(), 0)
    for key, value in _counts(raw):
        number = _whole(value)
        if key in COUNT_CODES:
            if value is None:
                continue
            if number is None:
                raise bad(f"{key} of {oc_sku} is {value!r}, not a whole number")
            counts[COUNT_CODES[key]] = number
        elif number is not None and isinstance(value, int):
            counts[sys.intern(key.upper())] = number
    region = RegionStock(sys.intern(normalise_region(region_name)), counts)
    return SnapshotRow(
        oc_sku,
        seller_sku.strip() if isinstance(seller_sku, str) else "",
        snapshot_time,
        (region,),
    )


_NOT_COUNTS = NON_COUNT_FIELDS | set(SKU_KEYS) | set(SELLER_SKU_KEYS) | set(REGION_KEYS)


def _counts(raw: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, value in raw.items():
        if key not in _NOT_COUNTS:
            yield key, value
