"""Provider messages shown to people carry no token-like text."""

from __future__ import annotations

import pytest

from hemi_fulfilment.apilog.redaction import REDACTED, scrub_message

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjay0xIiwiZXhwIjoxOTAwMDAwMDAwfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)


@pytest.mark.parametrize(
    "secret",
    [
        JWT,
        "abcDEF123ghiJKL456mnoPQR789stuVWX0yz12.Zm9vYmFyYmF6cXV4MTIz.c2lnbmF0dXJlLXBhcnQ0NTY",
        "Ul4xMF8yOjQ2QkNFMjVGNzlFRUM2RUQ1OTgxQjQ4MzFDRjRFNzJGXzFfMSNFXjI2MA==",
        "3f2b8c9d0e1a4b5c6d7e8f9a0b1c2d3e4f5a6b7c",  # 40 hex characters
        "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6/Q7r8S9t0U1v2W3x4Y5z6+aBcDeFgH",
    ],
)
def test_tokens_in_a_provider_message_are_scrubbed(secret: str) -> None:
    scrubbed = scrub_message(f"Refused credential {secret}, try again")
    assert secret not in scrubbed
    assert scrubbed == f"Refused credential {REDACTED}, try again"


@pytest.mark.parametrize(
    "text",
    [
        "OC answered code 500001: system busy. Details: 500001 (system busy).",
        "No handler for POST /openapi/3pp/inventory/v1/snapshot",
        "Module hemi_fulfilment.settings.production failed",
        "SKU 123456789012 item account for eBay UK is missing",
        "Supercalifragilisticexpialidociousnessisms are words",
        "商品:OC0000000000001 库存不足",
    ],
)
def test_ordinary_words_paths_and_codes_are_kept(text: str) -> None:
    assert scrub_message(text) == text
