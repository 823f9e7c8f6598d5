"""Sentences people read: each ends before the next begins."""

from __future__ import annotations

import pytest

from hemi_fulfilment.words import sentence, sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("system busy", "system busy."),
        ("  system busy  ", "system busy."),
        ("Done.", "Done."),
        ("Really?", "Really?"),
        ("Stop!", "Stop!"),
        ("OC said:", "OC said."),
        ("a list;", "a list."),
        ("", ""),
        ("   ", ""),
    ],
)
def test_a_sentence_ends_with_exactly_one_full_stop(text: str, expected: str) -> None:
    assert sentence(text) == expected


def test_sentences_are_joined_by_one_space_each_ending_before_the_next() -> None:
    assert (
        sentences("OC answered code 1: system busy", "Nothing was changed.")
        == "OC answered code 1: system busy. Nothing was changed."
    )


def test_empty_parts_leave_no_gap_or_stray_full_stop() -> None:
    assert sentences("", "Nothing was changed", "  ") == "Nothing was changed."
    assert sentences() == ""
