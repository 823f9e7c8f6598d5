"""StockSnapshot (v1): the request and a strict parse of OC's rows."""

from __future__ import annotations

import gc
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from itertools import chain
from operator import attrgetter
from typing import Any, Protocol, runtime_checkable

import msgspec
import requests

from oc_integration.client.api import OCApiClient
from oc_integration.client.envelope import OCResponse, parse_response
from oc_integration.client.errors import OCMalformedResponse, OCTransportError
from oc_integration.client.transport import LOG_CAPTURE_BYTES

SNAPSHOT_PATH = "/3pp/inventory/v1/snapshot"

# OC writes "2021-10-22T09:56:41+0800" and also "2018-11-28T20:09:57:001+0800"
# (milliseconds after a colon); a dot, "Z" and "+08:00" are accepted too.
_OC_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[:.](\d{1,6}))?"
    r"(Z|[+-]\d{2}:?\d{2})$"
)


def parse_oc_time(text: str) -> datetime:
    """An aware datetime from OC's time formats; ``ValueError`` for anything else."""
    match = _OC_TIME.match(text.strip())
    if not match:
        raise ValueError(f"not an OC time: {text!r}")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micros = int((fraction or "0").ljust(6, "0")[:6])
    if offset == "Z":
        tz = UTC
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micros, tzinfo=tz
    )


def format_oc_time(moment: datetime) -> str:
    """OC's ``yyyy-MM-dd'T'HH:mm:ssZ`` (offset without colon)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


# Immutable msgspec structs rather than frozen dataclasses: a snapshot makes one per SKU
# and region, and a struct is built in C (a frozen dataclass sets each field through
# object.__setattr__: six times the cost, a second of a million-SKU read). They hold no
# cycles, so the garbage collector need not track them.
class RegionStock(msgspec.Struct, frozen=True, gc=False):
    """The counts of one service region, by OC inventory status (AVL, INTRAN, …)."""

    region: str
    counts: dict[str, int]


class SnapshotRow(msgspec.Struct, frozen=True, gc=False):
    """One SKU of a stock snapshot."""

    oc_sku: str
    seller_sku: str
    snapshot_time: datetime
    regions: tuple[RegionStock, ...]


#: Takes the rows of one piece of the answer, in snapshot order.
RowSink = Callable[[list[SnapshotRow]], None]


class _RowBuilder:
    """A ``json.loads`` object hook that turns snapshot rows into compact objects as they
    are parsed, so a 100,000-SKU answer never exists as millions of dicts at once."""

    def __init__(self) -> None:
        self.rows = 0

    def bad(self, why: str) -> OCMalformedResponse:
        return OCMalformedResponse(f"Stock snapshot row {self.rows + 1}: {why}.")

    def __call__(self, obj: dict[str, Any]) -> Any:
        if "inventoryStatus" in obj:
            status, count = obj.get("inventoryStatus"), obj.get("actualCount")
            if not isinstance(status, str) or isinstance(count, bool) or not isinstance(count, int):
                raise self.bad("an inventory count is not a whole number")
            return (sys.intern(status), count)
        if "serviceRegion" in obj:
            return self._region(obj)
        if "sellerSkuId" in obj or "MFSKUID" in obj:
            row = self._row(obj)
            self.rows += 1
            return row
        return obj

    def _region(self, obj: dict[str, Any]) -> RegionStock:
        region, counts = obj.get("serviceRegion"), obj.get("inventoryList") or []
        if not isinstance(region, str) or not region.strip():
            raise self.bad("a serviceRegion has no name")
        if not isinstance(counts, list) or not all(isinstance(c, tuple) for c in counts):
            raise self.bad(f"the inventoryList of region {region} is not a list of counts")
        return RegionStock(sys.intern(region.strip()), dict(counts))

    def _row(self, raw: dict[str, Any]) -> SnapshotRow:
        oc_sku, seller_sku = raw.get("MFSKUID"), raw.get("sellerSkuId")
        if not isinstance(oc_sku, str) or not oc_sku.strip() or len(oc_sku.strip()) > 15:
            raise self.bad(f"MFSKUID {oc_sku!r} is missing or longer than 15 characters")
        if not isinstance(seller_sku, str) or not seller_sku.strip():
            raise self.bad(f"sellerSkuId is missing for MFSKUID {oc_sku}")
        try:
            moment = parse_oc_time(str(raw.get("snapshotTime") or ""))
        except ValueError:
            raise self.bad(
                f"snapshotTime {raw.get('snapshotTime')!r} is not in OC's format"
            ) from None
        regions = raw.get("serviceRegionList")
        if not isinstance(regions, list) or not all(isinstance(r, RegionStock) for r in regions):
            raise self.bad(f"serviceRegionList is missing or malformed for MFSKUID {oc_sku}")
        return SnapshotRow(oc_sku.strip(), seller_sku.strip(), moment, tuple(regions))


def _checked(data: Any) -> list[SnapshotRow]:
    if not isinstance(data, list) or not all(isinstance(r, SnapshotRow) for r in data):
        raise OCMalformedResponse("Stock snapshot: 'data' is not a list of SKU rows.")
    return data


# --- reading the answer as it streams in ------------------------------------------------
# Typed structs let msgspec check and build rows in C; a row it refuses is parsed again
# by _RowBuilder, which says what is wrong with it in staff's words. The structs hold only
# strings, numbers and each other, never a cycle: the garbage collector need not track
# them (gc=False).


class WireCount(msgspec.Struct, gc=False):
    """One count of a region, as OC writes it."""

    inventoryStatus: str
    actualCount: int


class WireRegion(msgspec.Struct, gc=False):
    """One region of a SKU row, as OC writes it (its name stripped once checked)."""

    serviceRegion: str
    inventoryList: list[WireCount] | None = None


class WireRow(msgspec.Struct, gc=False):
    """One SKU row as OC writes it, decoded and checked against the same rules as a
    :class:`SnapshotRow` (its SKUs and region names stripped)."""

    MFSKUID: str
    sellerSkuId: str
    snapshotTime: str
    serviceRegionList: list[WireRegion]


class WirePiece(msgspec.Struct, frozen=True, gc=False):
    """The checked rows of one piece of the answer, as decoded, for a sink that turns
    them into its own form at once (the database stage): building a
    :class:`SnapshotRow` per SKU first costs a quarter of the parse. ``times`` holds the
    parsed ``snapshotTime`` of every row."""

    rows: list[WireRow]
    times: dict[str, datetime]
    #: No string of the rows holds a backslash, a tab or a line end.
    plain: bool = False


def wire_counts(region: WireRegion) -> dict[str, int]:
    """A region's counts by status (a status OC repeats: its last count)."""
    return {c.inventoryStatus: c.actualCount for c in region.inventoryList or ()}


_OC_SKU = attrgetter("MFSKUID")
_SELLER_SKU = attrgetter("sellerSkuId")
_SNAPSHOT_TIME = attrgetter("snapshotTime")
_REGIONS = attrgetter("serviceRegionList")
_REGION = attrgetter("serviceRegion")
# Whitespace at either end of a value, in values joined by NUL (which a piece without
# escapes cannot hold): \s is what str.strip() strips.
_EDGE_SPACE = re.compile(r"(?:^|\x00)\s|\s(?:\x00|$)")


def _as_they_should_be(rows: list[WireRow]) -> bool:
    """Whether every SKU and region name of ``rows`` (of a piece without escapes) is
    already as the rules want it: not empty, nothing to strip, an OC SKU of at most 15
    characters. Checked in a few passes over all of them at once, each in C, instead of
    a loop over the rows in Python (a sixth of the read); False sends the piece through
    :meth:`_SnapshotReader._check_row_by_row`, which says which row is wrong."""
    oc_skus = list(map(_OC_SKU, rows))
    if not oc_skus:
        return True
    if max(map(len, oc_skus)) > 15:
        return False
    regions = list(map(_REGION, chain.from_iterable(map(_REGIONS, rows))))
    for values in (oc_skus, list(map(_SELLER_SKU, rows)), regions):
        if values and (not all(values) or _EDGE_SPACE.search("\x00".join(values))):
            return False
    return True


#: The rows of one piece of the answer: snapshot rows, or (for a :class:`PieceSink` that
#: takes them) the checked wire rows.
Piece = list[SnapshotRow] | WirePiece

_ROWS = msgspec.json.Decoder(list[WireRow])
# Where the envelope's data array opens. A bare quote never occurs inside a JSON string,
# so a match is a real key; the head before it is checked to be the envelope's own.
_DATA_START = re.compile(rb'"data"\s*:\s*\[')
# Between two rows: a closing brace, a comma and an object opening with a row's own key
# (nested objects have other keys).
_ROW_BREAK = re.compile(
    rb'(\})\s*,\s*(\{)\s*"(?:MFSKUID|sellerSkuId|serviceRegionList|snapshotTime)"\s*:'
)
READ_CHUNK = 1024 * 1024
# "}," pairs tried from the end of a chunk before scanning all of it (the counts inside a
# row hold a dozen or so).
_BACKWARD_TRIES = 64
# An answer whose data array is not found in this many bytes is read whole.
_HEAD_LIMIT = 1024 * 1024


class _SnapshotReader:
    """Turns the answer into rows chunk by chunk: each :meth:`feed` returns the rows its
    chunk completed, so the body is never held whole and no row outlives its chunk here.
    Whoever takes the rows must not act on them before :meth:`finish` returns: only then
    did every byte parse."""

    def __init__(self, correlation_id: str, *, wire: bool = False) -> None:
        self.correlation_id = correlation_id
        self.wire = wire  # hand over WirePieces where a piece checks out
        self.count = 0  # rows returned so far
        self.ready: list[Piece] = []
        self.buffer = b""
        self.head: bytes | None = None  # the envelope up to ``"data":`` once found
        self.split = True  # False: rows are kept as bytes and parsed at the end
        self.times: dict[str, datetime] = {}
        self.prefix = b""
        self.size = 0

    def feed(self, chunk: bytes) -> list[Piece]:
        """Take the next piece of the body; the rows it completed."""
        if len(self.prefix) < LOG_CAPTURE_BYTES:
            self.prefix += chunk[: LOG_CAPTURE_BYTES - len(self.prefix)]
        self.size += len(chunk)
        searched = max(0, len(self.buffer) - 128)
        self.buffer += chunk
        if self.head is None and self.split:
            self._find_data()
        elif self.split:
            self._take_rows(searched)
        return self._taken()

    def _taken(self) -> list[Piece]:
        pieces, self.ready = self.ready, []
        return pieces

    def _find_data(self) -> None:
        match = _DATA_START.search(self.buffer)
        if match is None:
            if len(self.buffer) > _HEAD_LIMIT:
                self.split = False
            return
        head = self.buffer[: match.end() - 1]
        try:
            envelope = json.loads(head + b"null}")
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict):
            # Not the envelope's own key: read the whole answer at the end.
            self.split = False
            self.head = b""
            return
        self.head = head
        self.buffer = self.buffer[match.end() :]
        self._take_rows(0)

    def _last_break(self, searched: int) -> re.Match[bytes] | None:
        """The last row break after ``searched``. A chunk holds a thousand rows and only
        the last break matters, so it is looked for from the end (``}`` then ``,`` is
        every break OC writes); other spacing falls back to a scan of the whole."""
        buffer, end = self.buffer, len(self.buffer)
        for _ in range(_BACKWARD_TRIES):
            at = buffer.rfind(b"},", searched, end)
            if at < 0:
                break
            match = _ROW_BREAK.match(buffer, at)
            if match is not None:
                return match
            end = at
        last = None
        for last in _ROW_BREAK.finditer(buffer, searched):  # noqa: B007
            pass
        return last

    def _take_rows(self, searched: int) -> None:
        last = self._last_break(searched)
        if last is None:
            return
        segment, self.buffer = self.buffer[: last.end(1)], self.buffer[last.start(2) :]
        try:
            self._hand_over(self._fast(segment))
        except msgspec.ValidationError:
            self._hand_over(self._exact(b"[" + segment + b"]"))
        except msgspec.DecodeError:
            # A break that was no break (a nested object with a row's key):
            # keep the rest as bytes and parse it exactly at the end.
            self.buffer = segment + b"," + self.buffer
            self.split = False

    def _hand_over(self, piece: Piece) -> None:
        if piece.rows if isinstance(piece, WirePiece) else piece:
            self.ready.append(piece)
            self.count += len(piece.rows) if isinstance(piece, WirePiece) else len(piece)

    def _fast(self, segment: bytes) -> Piece:
        """The rows of ``segment`` (whole rows, comma-separated); ``ValidationError`` when
        one breaks a rule (the segment is then parsed exactly, for the message)."""
        decoded = _ROWS.decode(b"[" + segment + b"]")
        times = self.times
        # Without an escape in its text, no string of the piece holds a backslash, a tab
        # or a line end (JSON has no raw control characters): nothing to escape later.
        plain = b"\\" not in segment
        if plain and _as_they_should_be(decoded):
            for text in set(map(_SNAPSHOT_TIME, decoded)).difference(times):
                try:
                    times[text] = parse_oc_time(text)
                except ValueError:
                    raise msgspec.ValidationError(text) from None
        else:
            plain = False
            self._check_row_by_row(decoded)
        if self.wire:
            return WirePiece(decoded, times, plain)
        return [
            SnapshotRow(
                raw.MFSKUID,
                raw.sellerSkuId,
                times[raw.snapshotTime],
                tuple(RegionStock(r.serviceRegion, wire_counts(r)) for r in raw.serviceRegionList),
            )
            for raw in decoded
        ]

    def _check_row_by_row(self, decoded: list[WireRow]) -> None:
        """The rules of _RowBuilder, checked in place (SKUs and regions stripped):
        ``ValidationError`` at the first row that breaks one."""
        times = self.times
        for raw in decoded:
            oc_sku = raw.MFSKUID = raw.MFSKUID.strip()
            seller_sku = raw.sellerSkuId = raw.sellerSkuId.strip()
            if not oc_sku or len(oc_sku) > 15 or not seller_sku:
                raise msgspec.ValidationError(oc_sku)
            if raw.snapshotTime not in times:
                try:
                    times[raw.snapshotTime] = parse_oc_time(raw.snapshotTime)
                except ValueError:
                    raise msgspec.ValidationError(raw.snapshotTime) from None
            for region in raw.serviceRegionList:
                name = region.serviceRegion = sys.intern(region.serviceRegion.strip())
                if not name:
                    raise msgspec.ValidationError("region")

    def _exact(self, text: bytes) -> list[SnapshotRow]:
        """The old, exact parse of a piece: its first bad row is raised with its number."""
        builder = _RowBuilder()
        builder.rows = self.count
        try:
            parsed = json.loads(text, object_hook=builder)
        except OCMalformedResponse:
            raise
        except ValueError:
            raise self._not_json() from None
        return _checked(parsed["data"] if isinstance(parsed, dict) else parsed)

    def _not_json(self) -> OCMalformedResponse:
        return OCMalformedResponse(
            "OC's answer is not valid JSON (it may have been cut off).",
            correlation_id=self.correlation_id,
        )

    def finish(self) -> tuple[list[Piece], OCResponse]:
        """The whole answer arrived: the rows left, once the envelope checked out."""
        if not self.head:
            # No data array found while streaming (an error envelope, or an unusual
            # answer): parse it whole, exactly as before.
            whole = parse_response(
                self.buffer, correlation_id=self.correlation_id, object_hook=_RowBuilder()
            )
            self._hand_over(_checked(whole.data))
            return self._taken(), OCResponse(
                data=self.count, message=whole.message, message_id=whole.message_id, raw=whole.raw
            )
        builder = _RowBuilder()
        builder.rows = self.count
        try:
            tail = json.loads(b'{"data":[' + self.buffer, object_hook=builder)
        except OCMalformedResponse:
            raise
        except ValueError:
            raise self._not_json() from None
        self.buffer = b""
        rows = _checked(tail.pop("data"))
        head = json.loads(self.head + b"null}")
        head.pop("data", None)
        summary = {**head, **tail, "data": None}
        checked = parse_response(json.dumps(summary), correlation_id=self.correlation_id)
        self._hand_over(rows)
        return self._taken(), OCResponse(
            data=self.count, message=checked.message, message_id=checked.message_id, raw=summary
        )


@runtime_checkable
class PieceSink(Protocol):
    """A sink that pulls the pieces itself, e.g. one database ``COPY`` that asks for the
    next piece when it is ready for more, so the answer is parsed while the database
    stores what came before."""

    def __call__(self, rows: list[SnapshotRow]) -> None: ...

    def take_pieces(self, pieces: Iterator[Piece]) -> None:
        """Consume every piece (snapshot rows, or wire rows where a piece checked out);
        an exception raised by the iterator must propagate."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """Keep Python's cyclic garbage collector out of the parse.

    A snapshot creates millions of short-lived, acyclic objects; every few thousand
    allocations the collector would walk them and the whole heap (measured: 2 of the 4.5 s
    that reading 100,000 SKUs took). Reference counting frees them all the same, so memory
    stays bounded by the chunk.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_snapshot(response: requests.Response, correlation_id: str, sink: RowSink) -> OCResponse:
    """Read a snapshot answer as it streams in, handing rows to ``sink`` chunk by chunk
    (or letting a :class:`PieceSink` pull them); the answer's ``data`` is the number of
    rows."""
    reader = _SnapshotReader(correlation_id, wire=isinstance(sink, PieceSink))
    setattr(response, "streamed_prefix", (b"", 0))  # noqa: B010
    finished: list[OCResponse] = []

    def pieces() -> Iterator[Piece]:
        try:
            for chunk in response.iter_content(READ_CHUNK):
                done = reader.feed(chunk)
                setattr(response, "streamed_prefix", (reader.prefix, reader.size))  # noqa: B010
                yield from done
        except requests.RequestException as exc:
            raise OCTransportError(
                f"OC's stock snapshot answer was cut off: {type(exc).__name__}",
                correlation_id=correlation_id,
            ) from exc
        done, answer = reader.finish()
        finished.append(answer)
        yield from done

    with collector_paused():
        if isinstance(sink, PieceSink):
            sink.take_pieces(pieces())
        else:
            for piece in pieces():
                assert isinstance(piece, list)  # wire rows go only to a PieceSink
                sink(piece)
    if not finished:
        raise RuntimeError("the snapshot's sink stopped before the end of the answer")
    return finished[0]


def stream_stock_snapshot(client: OCApiClient, sink: RowSink) -> int:
    """Every SKU's stock, handed to ``sink`` in chunks as the answer arrives; the number
    of SKU rows.

    Raises (and the rows already handed over must be discarded) unless the whole answer
    arrived, every row parsed and the envelope reported success.
    """
    response = client.call(
        "stock snapshot",
        SNAPSHOT_PATH,
        [{"MFSKUID": None}],
        body_reader=lambda answer, correlation_id: read_snapshot(answer, correlation_id, sink),
    )
    return int(response.data)


def fetch_stock_snapshot(client: OCApiClient, oc_sku: str | None = None) -> list[SnapshotRow]:
    """Every SKU's stock (``oc_sku`` None) or one SKU's, as OC reports it right now.

    The answer is parsed as it arrives; rows are returned only once all of it parsed.
    """
    rows: list[SnapshotRow] = []
    client.call(
        "stock snapshot",
        SNAPSHOT_PATH,
        [{"MFSKUID": oc_sku}],
        body_reader=lambda answer, correlation_id: read_snapshot(
            answer, correlation_id, rows.extend
        ),
    )
    return rows
