"""XML and time helpers shared by the Trading API payload builders and parsers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from ebay_orders.client.errors import EbayMalformedResponse, EbayMessage

NS = "urn:ebay:apis:eBLBaseComponents"

# No entities, no network, no huge trees: the body comes from outside.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def element(tag: str, text: str | None = None) -> etree._Element:
    """A new element in eBay's namespace (the root declares it as the default)."""
    # Parsed rather than built: lxml's stubs cannot type a default-namespace nsmap.
    node = etree.fromstring(f'<{tag} xmlns="{NS}"/>'.encode(), parser=_PARSER)
    if text is not None:
        node.text = text
    return node


def sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    """Append a child in eBay's namespace."""
    node = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        node.text = text
    return node


def serialize(root: etree._Element) -> bytes:
    """The request body eBay expects: UTF-8 with an XML declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def parse_document(body: bytes) -> etree._Element:
    """Parse a response body, or raise :class:`EbayMalformedResponse`."""
    if not body or not body.strip():
        raise EbayMalformedResponse("empty response body")
    try:
        return etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise EbayMalformedResponse(f"response is not well-formed XML: {exc}") from None


def _local(node: etree._Element) -> str:
    # Comments and processing instructions have no string tag.
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def children(node: etree._Element | None, name: str) -> Iterator[etree._Element]:
    """Children called ``name``, with or without eBay's namespace."""
    if node is None:
        return
    for child in node:
        if _local(child) == name:
            yield child


def find(node: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element along ``path`` (local names), or None."""
    for name in path:
        node = next(children(node, name), None)
        if node is None:
            return None
    return node


def text(node: etree._Element | None, *path: str) -> str:
    """The text along ``path`` with runs of whitespace collapsed; "" when absent."""
    target = find(node, *path) if path else node
    if target is None or target.text is None:
        return ""
    return " ".join(target.text.split())


def amount(node: etree._Element | None, *path: str) -> tuple[Decimal | None, str]:
    """An ``AmountType`` (value and ``currencyID``); (None, "") when absent.

    Raises ValueError when present but not a number.
    """
    target = find(node, *path)
    if target is None:
        return None, ""
    raw = text(target)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"{'/'.join(path)} is not an amount: {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"{'/'.join(path)} is not an amount: {raw!r}")
    return value, (target.get("currencyID") or "").strip().upper()


def ebay_time(moment: datetime) -> str:
    """eBay's time format: UTC, ISO 8601, milliseconds, ``Z``."""
    if moment.tzinfo is None:
        raise ValueError("eBay times must be timezone-aware")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_ebay_time(value: str) -> datetime:
    """Parse ``2026-11-20T10:00:00.000Z`` (or any ISO 8601 with an offset) to aware UTC."""
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        raise ValueError(f"time without a timezone: {value!r}")
    return moment.astimezone(UTC)


def optional_time(node: etree._Element | None, *path: str) -> datetime | None:
    """A time along ``path``, None when absent; ValueError when present but unreadable."""
    raw = text(node, *path)
    return parse_ebay_time(raw) if raw else None


def messages(root: etree._Element) -> list[EbayMessage]:
    """The response's ``Errors`` list (errors and warnings alike)."""
    return [
        EbayMessage(
            code=text(item, "ErrorCode"),
            severity=text(item, "SeverityCode") or "Error",
            short_message=text(item, "ShortMessage"),
            long_message=text(item, "LongMessage"),
        )
        for item in children(root, "Errors")
    ]
