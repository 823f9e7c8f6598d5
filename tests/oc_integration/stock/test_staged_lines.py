"""The stage writes the same COPY lines whether it takes the decoded wire rows of a piece
(the fast path of a streamed v1 answer) or the same rows as snapshot rows."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from oc_integration.client import OCMalformedResponse
from oc_integration.client.stock import Piece, WirePiece, _SnapshotReader
from oc_integration.stock import staging
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


# Rows as OC usually writes them: nothing to escape, nothing to strip.
PLAIN_ROWS: list[dict[str, Any]] = [
    {
        "MFSKUID": f"OC900000000010{n}",
        "sellerSkuId": f"PLAIN-{n}",
        "snapshotTime": "2026-12-03T10:00:00+0800",
        "serviceRegionList": [
            {
                "serviceRegion": "UK",
                "inventoryList": [
                    {"inventoryStatus": "INTRAN", "actualCount": n},
                    {"inventoryStatus": "AVL", "actualCount": 10 + n},
                    {"inventoryStatus": "RSVALOC", "actualCount": 1},
                ],
            },
            {"serviceRegion": "DE", "inventoryList": []},
        ],
    }
    for n in range(3)
]


def _answer(rows: list[dict[str, Any]], copies: int) -> bytes:
    """An OC envelope whose data repeats ``rows`` (pieces of more than one chunk)."""
    return json.dumps(
        {"code": 0, "message": "success", "messageId": "m", "success": True, "data": rows * copies},
        ensure_ascii=False,
    ).encode()


def _with_counts(text: str, stage: SnapshotStage) -> str:
    """The staged lines with each row's other counts in place of the kind it names (the
    kinds a stage without a database keeps to write), for lines a reader can check."""
    kinds = dict(line.rstrip("\n").split("\t", 1) for line in stage._new_kinds)
    lines = []
    for line in text.splitlines():
        *head, kind, other, when = line.split("\t")
        lines.append("\t".join([*head, other if kind == "\\N" else kinds[kind], when]))
    return "".join(f"{line}\n" for line in lines)


def _staged(body: bytes, *, wire: bool) -> tuple[str, list[Piece], SnapshotStage]:
    reader = _SnapshotReader("correlation", wire=wire)
    stage = SnapshotStage(None, "staged", "others")
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
    return _with_counts(out.getvalue(), stage), pieces, stage


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


def test_rows_with_nothing_to_escape_or_strip_go_in_as_they_are() -> None:
    body = _answer(PLAIN_ROWS, 2000)
    fast, fast_pieces, _ = _staged(body, wire=True)
    slow, _, _ = _staged(body, wire=False)

    wire = [piece for piece in fast_pieces if isinstance(piece, WirePiece)]
    assert wire and all(piece.plain for piece in wire)
    assert fast == slow
    assert fast.splitlines()[:2] == [
        '1\t0\tPLAIN-0\tOC9000000000100\tUK\t10\t0\t{"RSVALOC":1}\t2026-12-03T10:00:00+08:00',
        "1\t1\tPLAIN-0\tOC9000000000100\tDE\t0\t0\t{}\t2026-12-03T10:00:00+08:00",
    ]


def test_rows_sharing_their_other_counts_name_one_kind_and_past_the_limit_carry_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = _answer(PLAIN_ROWS, 2000)
    named, _, named_stage = _staged(body, wire=True)
    # Two kinds for 12,000 staged rows: no counts, and one RSVALOC each.
    assert [line.split("\t", 1)[1] for line in named_stage._new_kinds] == [
        "{}\n",
        '{"RSVALOC":1}\n',
    ]

    monkeypatch.setattr(staging, "OTHER_KINDS", 1)
    limited, _, limited_stage = _staged(body, wire=True)
    assert len(limited_stage._new_kinds) == 1  # the empty counts only
    assert limited == named  # the same counts, carried by the rows themselves


@pytest.mark.parametrize(
    "padding",
    [" ", "\u00a0", "\u3000"],  # a space, a no-break space, an ideographic space
)
def test_padded_skus_and_regions_without_escapes_are_stripped_as_before(padding: str) -> None:
    rows = [dict(row) for row in PLAIN_ROWS]
    rows[1] = {
        **rows[1],
        "MFSKUID": f"{padding}OC9000000000101",
        "sellerSkuId": f"PLAIN-1{padding}",
        "serviceRegionList": [{"serviceRegion": f"{padding}UK{padding}"}],
    }
    body = _answer(rows, 2000)
    fast, fast_pieces, _ = _staged(body, wire=True)
    slow, _, _ = _staged(body, wire=False)

    assert not any(isinstance(p, WirePiece) and p.plain for p in fast_pieces)
    assert fast == slow
    assert "2\t0\tPLAIN-1\tOC9000000000101\tUK\t0\t0\t{}\t" in fast


@pytest.mark.parametrize("base", [ROWS[2], PLAIN_ROWS[0]], ids=["with escapes", "plain"])
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"MFSKUID": "OC9TOOLONG000000000"}, "longer than 15 characters"),
        ({"sellerSkuId": "  "}, "sellerSkuId is missing"),
        ({"sellerSkuId": ""}, "sellerSkuId is missing"),
        ({"MFSKUID": ""}, "MFSKUID"),
        ({"snapshotTime": "yesterday"}, "is not in OC's format"),
        ({"serviceRegionList": [{"serviceRegion": " "}]}, "a serviceRegion has no name"),
        ({"serviceRegionList": [{"serviceRegion": ""}]}, "a serviceRegion has no name"),
    ],
)
def test_a_row_breaking_a_rule_on_the_fast_path_is_named_as_before(
    base: dict[str, Any], change: dict[str, Any], message: str
) -> None:
    rows = [dict(base) for _ in range(3000)]
    rows[1500] = {**rows[1500], **change}
    with pytest.raises(OCMalformedResponse, match=message) as raised:
        _staged(_answer(rows, 1), wire=True)
    assert "row 1501" in str(raised.value)
