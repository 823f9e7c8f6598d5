"""The demo data set, shared by ``seed_demo`` and the sandboxes so that they agree."""

from __future__ import annotations

from dataclasses import dataclass

# The technical scope's example snapshot row is for seller SKU GY0005886: it is one of these.
DEMO_SKUS = [f"GY00058{n:02d}" for n in range(50, 100)]
# SKUs OC holds that Hemi does not know ("SKU X is not in Hemi" in the stock sync).
SKUS_UNKNOWN_TO_HEMI = ["GY9990001", "GY9990002"]

_ADJECTIVES = ["Oak", "Walnut", "Steel", "Linen", "Cotton", "Ceramic", "Glass", "Bamboo"]
_NOUNS = ["side table", "desk lamp", "cushion cover", "storage box", "wall clock", "vase", "mug"]


def demo_title(index: int) -> str:
    """A readable product title for the ``index``-th demo SKU."""
    return f"{_ADJECTIVES[index % len(_ADJECTIVES)]} {_NOUNS[index % len(_NOUNS)]} #{index + 1}"


def lacks_de_item_account(index: int) -> bool:
    """Every seventh demo product has no eBay DE listing, so the sync reports it."""
    return index % 7 == 3


def demo_oc_sku(index: int) -> str:
    """The OC SKU (MFSKUID, 15 characters) OC gave the ``index``-th demo SKU."""
    return f"OC{400300 + index:013d}"


@dataclass(frozen=True)
class DemoOcAccount:
    name: str = "OC UK (sandbox)"
    client_key: str = "demo-client-key"
    secret_key: str = "demo-secret-key"


DEMO_OC_ACCOUNT = DemoOcAccount()
