"""Authorization codes are decoded correctly, however they arrive."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from oc_integration.client.codes import code_from_pasted_text, decode_until_stable, raw_query_params

CODE = "xA0+b/Cd+E=="


def test_a_code_encoded_twice_like_the_seeds_decodes_to_plus_signs() -> None:
    twice = quote(quote(CODE, safe=""), safe="")
    assert "%252B" in twice
    assert decode_until_stable(twice) == CODE


def test_a_literal_plus_never_becomes_a_space() -> None:
    assert decode_until_stable(CODE) == CODE
    assert raw_query_params("code=a+b&state=s") == {"code": "a+b", "state": "s"}


@pytest.mark.parametrize(
    "pasted",
    [
        CODE,
        quote(CODE, safe=""),
        quote(quote(CODE, safe=""), safe=""),
        f"  {quote(CODE, safe='')}\n",
    ],
    ids=["raw", "encoded-once", "encoded-twice", "with-whitespace"],
)
def test_a_pasted_bare_code_is_decoded(pasted: str) -> None:
    assert code_from_pasted_text(pasted) == (CODE, None)


def test_a_pasted_whole_address_yields_code_and_state() -> None:
    url = (
        "http://127.0.0.1:8000/oc/oauth/callback/?act=getAuthorizationCode&code="
        + quote(quote(CODE, safe=""), safe="")
        + "&state=abc_DEF-123"
    )
    assert code_from_pasted_text(url) == (CODE, "abc_DEF-123")


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        ("", "Paste the authorization code"),
        ("http://x/cb?act=getAuthorizationCode&code=&state=s", "no code"),
        ("two words", "no spaces"),
    ],
)
def test_unusable_pastes_get_a_clear_message(pasted: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        code_from_pasted_text(pasted)
