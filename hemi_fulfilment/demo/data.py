"""The demo data set, shared by ``seed_demo`` and the sandboxes so that they agree."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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


@dataclass(frozen=True)
class DemoEbayApp:
    """The eBay application (keyset) of the demo: the eBay sandbox knows these values."""

    name: str = "Hemi Fulfilment (demo)"
    client_id: str = "HemiDemo-Fulfilme-SBX-demo00000"
    client_secret: str = "SBX-demo-cert-id-0000"
    ru_name: str = "Hemi_Demo-HemiDemo-SBX-demo"
    # Where the sandbox sends the browser after consent unless told otherwise.
    redirect_url: str = "http://127.0.0.1:8000/ebay/oauth/callback/"


DEMO_EBAY_APP = DemoEbayApp()


# eBay's site id of the demo's eBay UK account, and eBay's warehouse there (FulfillmentRefId).
DEMO_EBAY_UK_SITE_ID = 3
DEMO_EBAY_UK_WAREHOUSE = "OCUK01"


@dataclass(frozen=True)
class DemoOrder:
    """One of the demo's Hemi orders, DEMO-0001 to DEMO-0012, of one line each.

    The eBay ones are also orders of the eBay sandbox, under the same OrderID and
    OrderLineItemID, so that what the demo reports to eBay is something eBay knows.
    """

    n: int
    sku: str
    web_shop: bool
    fulfilled_by_ebay: bool
    price: Decimal = Decimal("12.00")
    shipping_cost: Decimal = Decimal("2.50")
    currency: str = "GBP"
    quantity: int = 1
    city: str = "Brighton"
    county: str = "East Sussex"
    postcode: str = "BN2 5ES"
    country_code: str = "GB"
    phone: str = "07510057052"

    @property
    def number(self) -> str:
        """Hemi's order number."""
        return f"DEMO-{self.n:04d}"

    @property
    def hours_ago(self) -> int:
        """How long before the demo started the buyer ordered."""
        return self.n

    @property
    def buyer_name(self) -> str:
        return f"Demo Buyer {self.n}"

    @property
    def buyer_username(self) -> str:
        """The buyer's eBay user id (empty for the web shop)."""
        return "" if self.web_shop else f"demo_buyer_{self.n:04d}"

    @property
    def buyer_email(self) -> str:
        # eBay's relayed address for eBay buyers, the buyer's own for the web shop.
        if self.web_shop:
            return f"buyer{self.n}@example.com"
        return f"{self.buyer_username}@members.ebay.example"

    @property
    def street(self) -> str:
        return f"{self.n} Maresfield Road"

    @property
    def ebay_order_id(self) -> str:
        """eBay's OrderID, in the form OC expects (02-05696-00555); empty for the web shop."""
        return "" if self.web_shop else f"02-0{self.n:04d}-00555"

    @property
    def ebay_item_id(self) -> str:
        return "" if self.web_shop else f"1100{self.n:08d}"

    @property
    def ebay_transaction_id(self) -> str:
        return "" if self.web_shop else f"2900{self.n:08d}"

    @property
    def order_line_item_id(self) -> str:
        """eBay's OrderLineItemID: ItemID-TransactionID."""
        return "" if self.web_shop else f"{self.ebay_item_id}-{self.ebay_transaction_id}"

    @property
    def fulfillment_ref_id(self) -> str:
        """eBay's warehouse for an order fulfilled by eBay; empty otherwise."""
        return DEMO_EBAY_UK_WAREHOUSE if self.fulfilled_by_ebay else ""

    @property
    def subtotal(self) -> Decimal:
        return self.price * self.quantity

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.shipping_cost


def _demo_order(n: int) -> DemoOrder:
    web_shop = n % 5 == 0
    return DemoOrder(
        n=n, sku=DEMO_SKUS[n], web_shop=web_shop, fulfilled_by_ebay=not web_shop and n % 4 == 0
    )


# Every fifth is a web-shop order; of the eBay UK orders every fourth is fulfilled by eBay.
DEMO_ORDERS = [_demo_order(n) for n in range(1, 13)]
DEMO_EBAY_ORDERS = [order for order in DEMO_ORDERS if not order.web_shop]
