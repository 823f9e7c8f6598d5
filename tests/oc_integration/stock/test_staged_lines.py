"""The stage writes the same COPY lines whether it takes the decoded wire rows of a piece
(the fast path of a streamed v1 answer) or the same rows as snapshot rows."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from oc_integration.client import OCMalformedResponse
from oc_integration.client.stock import Piece, WirePiece, _SnapshotReader
from oc_integration.stock.staging import SnapshotStage

# Awkward but valid rows: padded SKUs, a tab and a backslash in a SKU, a region listed
# twice over, a status repeated (its last count wins), no regions at all, no
# inventoryList, milliseconds after a colon, another offset.
ROWS: list[dict[str, Any]] = [
    {
        "MFSKUID": " OC9000000000001 ",
        "sellerSkuId": " TAB\tSKU ",
        "snapshotTime": "2026-12-03T10:00:00+0800",
        "serviceRegionList": [
            {
                "serviceRegion": " UK ",
                "inventoryList": [
                    {"inventoryStatus": "AVL", "actualCount": 5},
                    {"inventoryStatus": "RCVD", "actualCount": 1},
                    {"inventoryStatus": "AVL", "actualCount": 7},
                    {"inventoryStatus": "INTRAN", "actualCount": 2},
                ],
            },
            {"serviceRegion": "DE"},
        ],
    },
    {
        "MFSKUID": "OC9000000000002",
        "sellerSkuId": "BACK\\SLASH",
        "snapshotTime": "2026-12-03T10:00:00:123+0800",
        "serviceRegionList": [],
    },
    {
        "MFSKUID": "OC9000000000003",
        "sellerSkuId": "PLAIN-3",
        "snapshotTime": "2026-12-03T04:00:01Z",
        "serviceRegionList": [
            {
                "serviceRegion": "DE",
                "inventoryList": [{"inventoryStatus": "UN\\F", "actualCount": 4}],
            }
        ],
    },
]


def _answer(rows: list[dict[str, Any]], copies: int) -> bytes:
    """An OC envelope whose data repeats ``rows`` (pieces of more than one chunk)."""
    return json.dumps(
        {"code": 0, "message": "success", "messageId": "m", "success": True, "data": rows * copies}
    ).encode()


def _staged(body: bytes, *, wire: bool) -> tuple[str, list[Piece], SnapshotStage]:
    reader = _SnapshotReader("correlation", wire=wire)
    stage = SnapshotStage(None, "staged")
    out = io.StringIO()
    pieces: list[Piece] = []
    chunk = 64 * 1024
    for at in range(0, len(body), chunk):
        pieces += reader.feed(body[at : at + chunk])
    done, _ = reader.finish()
    pieces += done
    for piece in pieces:
        if isinstance(piece, WirePiece):
            stage._write_wire(out, piece)
        else:
            stage._write(out, piece)
    return out.getvalue(), pieces, stage


def test_wire_rows_and_snapshot_rows_give_the_same_staged_lines() -> None:
    body = _answer(ROWS, 2000)
    fast, fast_pieces, fast_stage = _staged(body, wire=True)
    slow, slow_pieces, slow_stage = _staged(body, wire=False)

    # The fast path really ran (the tail after the last break is parsed exactly).
    assert any(isinstance(piece, WirePiece) for piece in fast_pieces)
    assert not any(isinstance(piece, WirePiece) for piece in slow_pieces)
    assert fast == slow
    assert (fast_stage.skus, fast_stage.rows, fast_stage.latest) == (
        slow_stage.skus,
        slow_stage.rows,
        slow_stage.latest,
    )
    first, second, _, _ = fast.splitlines()[:4]
    assert first == (
        '1\t0\tTAB\\tSKU\tOC9000000000001\tUK\t7\t2\t{"RCVD":1}\t2026-12-03T10:00:00+08:00'
    )
    assert second == "1\t1\tTAB\\tSKU\tOC9000000000001\tDE\t0\t0\t{}\t2026-12-03T10:00:00+08:00"
    assert "2\t0\tBACK\\\\SLASH\tOC9000000000002\t\\N\t0\t0\t{}\t" in fast
    assert '{"UN\\\\\\\\F":4}' in fast


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"MFSKUID": "OC9TOOLONG000000000"}, "longer than 15 characters"),
        ({"sellerSkuId": "  "}, "sellerSkuId is missing"),
        ({"snapshotTime": "yesterday"}, "is not in OC's format"),
        ({"serviceRegionList": [{"serviceRegion": " "}]}, "a serviceRegion has no name"),
    ],
)
def test_a_row_breaking_a_rule_on_the_fast_path_is_named_as_before(
    change: dict[str, Any], message: str
) -> None:
    rows = [dict(ROWS[2]) for _ in range(3000)]
    rows[1500] = {**rows[1500], **change}
    with pytest.raises(OCMalformedResponse, match=message) as raised:
        _staged(_answer(rows, 1), wire=True)
    assert "row 1501" in str(raised.value)
