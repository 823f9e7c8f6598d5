"""The sandbox's memory: generated orders, injected faults and the journal of calls.

Plain Python and the demo data set only: the sandbox shares no code with the client
it serves, so a bug in one cannot hide the same bug in the other.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ebay_orders.sandbox.oauth import OAuthStore
from hemi_fulfilment.demo.data import (
    DEMO_EBAY_ORDERS,
    DEMO_EBAY_UK_SITE_ID,
    DEMO_SKUS,
    SKUS_UNKNOWN_TO_HEMI,
    DemoOrder,
    demo_title,
    lacks_de_item_account,
)

# Matches the token ebay_orders.demo gives the demo accounts: a public demo value.
DEFAULT_TOKEN = "demo-ebay-user-token"
SITES = {3: "UK", 77: "DE"}
CURRENCIES = {3: "GBP", 77: "EUR"}
COUNTRIES = {3: "GB", 77: "DE"}
# eBay's warehouses as FulfillmentRefId shows them [I]: one per OC region.
WAREHOUSES = {3: "OCUK01", 77: "OCDE01"}
# "timeout" hangs up before processing the call; "accept_then_timeout" processes it (eBay
# recorded it) and then hangs up all the same, as a lost answer looks to the caller.
FAULT_KINDS = (
    "http_500",
    "timeout",
    "accept_then_timeout",
    "malformed_xml",
    "ack_failure",
    "ack_warning",
)


@dataclass
class SandboxLine:
    """One order line (``Transaction``)."""

    item_id: str
    transaction_id: str
    sku: str
    title: str
    quantity: int = 1
    price: Decimal = Decimal("12.00")
    fulfilled_by_ebay: bool = False
    fulfillment_ref_id: str = ""
    # eBay Vault: eBay's to ship (fulfilled_by_ebay), and no warehouse (no ref id).
    vault: bool = False

    @property
    def line_id(self) -> str:
        return f"{self.item_id}-{self.transaction_id}"


@dataclass
class SandboxOrder:
    """One eBay order as the sandbox serves it."""

    order_id: str
    site_id: int
    created: datetime
    modified: datetime
    buyer_user_id: str
    buyer_name: str
    lines: list[SandboxLine]
    shipping_cost: Decimal = Decimal("2.50")
    city: str = "Brighton"
    postcode: str = "BN2 5ES"
    # Empty: made up from the order id and the buyer's user id when rendered.
    street: str = ""
    buyer_email: str = ""
    # Rendered with an unreadable quantity, like a broken answer from eBay.
    malformed: bool = False
    shipped_time: datetime | None = None
    tracking: list[dict[str, str]] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return CURRENCIES.get(self.site_id, "GBP")

    @property
    def subtotal(self) -> Decimal:
        return sum((line.price * line.quantity for line in self.lines), Decimal("0"))

    @property
    def fulfilled_by_ebay(self) -> bool:
        return any(line.fulfilled_by_ebay for line in self.lines)

    @property
    def street_line(self) -> str:
        """The first address line both renderings show."""
        return self.street or f"{self.order_id[-3:]} Maresfield Road"

    @property
    def email_shown(self) -> str:
        """The buyer's email both renderings show."""
        return self.buyer_email or f"{self.buyer_user_id}@members.ebay.example"

    def summary(self) -> dict[str, Any]:
        """The order as the control API lists it."""
        data = asdict(self)
        data["fulfilment"] = (
            "mixed"
            if self.fulfilled_by_ebay and not all(ln.fulfilled_by_ebay for ln in self.lines)
            else ("ebay" if self.fulfilled_by_ebay else "seller")
        )
        return data


@dataclass
class Fault:
    """Misbehave on ``remaining`` calls (of ``call`` only, when given) after letting
    ``after`` matching calls through."""

    kind: str
    remaining: int
    call: str = ""
    after: int = 0


def now_utc() -> datetime:
    return datetime.now(UTC)


class SandboxState:
    """Everything the sandbox knows; thread-safe (the server handles calls concurrently)."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        seller_fulfilled: int = 8,
        ebay_fulfilled: int = 4,
        mixed: int = 0,
        unknown_sku: int = 0,
        malformed: int = 0,
        vault: int = 0,
        demo_orders: bool = True,
        max_entries_per_page: int = 100,
        timeout_seconds: float = 5.0,
        seed: int = 7,
    ) -> None:
        self.lock = threading.RLock()
        self.token = token
        self.max_entries_per_page = max_entries_per_page
        self.timeout_seconds = timeout_seconds
        self.orders: dict[str, SandboxOrder] = {}
        self.faults: list[Fault] = []
        self.journal: list[dict[str, Any]] = []
        self.demo_orders = demo_orders
        # Consent, tokens and the clock; kept across order resets (a reset is about orders).
        self.oauth = OAuthStore()
        self._counter = 0
        self.reset(
            seller_fulfilled=seller_fulfilled,
            ebay_fulfilled=ebay_fulfilled,
            mixed=mixed,
            unknown_sku=unknown_sku,
            malformed=malformed,
            vault=vault,
            demo_orders=demo_orders,
            seed=seed,
        )

    def token_is_valid(self, token: str) -> bool:
        """Whether an API call with ``token`` is let in: the pasted quick-start token
        (always), or an OAuth access token issued here that has not expired on the
        sandbox's clock. The Trading and REST endpoints both ask this."""
        return bool(token) and (token == self.token or self.oauth.access_token_valid(token))

    def reset(
        self,
        *,
        seller_fulfilled: int = 8,
        ebay_fulfilled: int = 4,
        mixed: int = 0,
        unknown_sku: int = 0,
        malformed: int = 0,
        vault: int = 0,
        demo_orders: bool | None = None,
        seed: int = 7,
    ) -> None:
        """Forget everything and generate this mix of orders for each site.

        With ``demo_orders`` (None: as before), eBay UK also holds the demo's own eBay
        orders (DEMO-0001... in Hemi), under the OrderIDs and OrderLineItemIDs that
        ``seed_demo`` gives them.
        """
        with self.lock:
            if demo_orders is not None:
                self.demo_orders = demo_orders
            self.orders.clear()
            self.faults.clear()
            self.journal.clear()
            self._counter = 0
            rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets
            kinds = (
                ["seller"] * seller_fulfilled
                + ["ebay"] * ebay_fulfilled
                + ["mixed"] * mixed
                + ["unknown_sku"] * unknown_sku
                + ["malformed"] * malformed
                + ["vault"] * vault
            )
            moment = now_utc()
            for site_id in SITES:
                for n, kind in enumerate(kinds):
                    # Spread over the last hours, none in the last ten minutes.
                    modified = moment - timedelta(minutes=10 + 17 * n + site_id % 5)
                    self._generate(rng, site_id, kind, modified)
            # After the generated ones, so that those keep their ids with or without these.
            if self.demo_orders:
                for demo in DEMO_EBAY_ORDERS:
                    self._add_demo_order(demo, moment)

    def _add_demo_order(self, demo: DemoOrder, moment: datetime) -> None:
        ordered = moment - timedelta(hours=demo.hours_ago)
        self.add_order(
            site_id=DEMO_EBAY_UK_SITE_ID,
            order_id=demo.ebay_order_id,
            created=ordered,
            modified=ordered,
            buyer_user_id=demo.buyer_username,
            buyer_name=demo.buyer_name,
            buyer_email=demo.buyer_email,
            street=demo.street,
            lines=[
                {
                    "sku": demo.sku,
                    "item_id": demo.ebay_item_id,
                    "transaction_id": demo.ebay_transaction_id,
                    "quantity": demo.quantity,
                    "price": str(demo.price),
                    "fulfilled_by_ebay": demo.fulfilled_by_ebay,
                    "fulfillment_ref_id": demo.fulfillment_ref_id,
                }
            ],
        )

    def _skus(self, site_id: int) -> list[str]:
        # eBay DE only sells what Hemi lists there.
        return [
            sku for i, sku in enumerate(DEMO_SKUS) if site_id != 77 or not lacks_de_item_account(i)
        ]

    def _generate(self, rng: random.Random, site_id: int, kind: str, modified: datetime) -> None:
        skus = rng.sample(self._skus(site_id), 2)
        if kind == "unknown_sku":
            skus = [SKUS_UNKNOWN_TO_HEMI[0]]
        elif kind in {"seller", "ebay", "malformed", "vault"}:
            skus = skus[: rng.choice([1, 1, 2])]
        lines = [
            {
                "sku": sku,
                "quantity": rng.choice([1, 1, 2]),
                "price": f"{rng.randint(800, 4500) / 100:.2f}",
                "fulfilled_by_ebay": kind == "ebay" or (kind == "mixed" and i == 0),
                "vault": kind == "vault",
            }
            for i, sku in enumerate(skus)
        ]
        self.add_order(
            site_id=site_id, lines=lines, modified=modified, malformed=kind == "malformed"
        )

    def add_order(
        self,
        *,
        site_id: int,
        lines: list[dict[str, Any]],
        order_id: str = "",
        created: datetime | None = None,
        modified: datetime | None = None,
        malformed: bool = False,
        buyer_user_id: str = "",
        buyer_name: str = "",
        buyer_email: str = "",
        street: str = "",
    ) -> SandboxOrder:
        """Add an order. Each line: ``sku``, optional ``quantity``, ``price``,
        ``fulfilled_by_ebay``, ``fulfillment_ref_id``, ``vault`` (eBay Vault: eBay's to
        ship, without a ref id), ``item_id``, ``transaction_id``."""
        with self.lock:
            self._counter += 1
            n = self._counter
            moment = modified or now_utc() - timedelta(minutes=5)
            order = SandboxOrder(
                order_id=order_id or f"{site_id:02d}-{10000 + n:05d}-{(n * 7919) % 100000:05d}",
                site_id=site_id,
                created=created or moment - timedelta(minutes=3),
                modified=moment,
                buyer_user_id=buyer_user_id or f"demo_buyer_{n}",
                buyer_name=buyer_name or f"Demo Buyer {n}",
                buyer_email=buyer_email,
                street=street,
                malformed=malformed,
                lines=[
                    SandboxLine(
                        item_id=str(line.get("item_id") or f"1100{site_id:02d}{n:06d}"),
                        transaction_id=str(line.get("transaction_id") or f"29{n:06d}{i:04d}"),
                        sku=str(line["sku"]),
                        title=_title(str(line["sku"])),
                        quantity=int(line.get("quantity", 1)),
                        price=Decimal(str(line.get("price", "12.00"))),
                        fulfilled_by_ebay=bool(
                            line.get("fulfilled_by_ebay", False) or line.get("vault", False)
                        ),
                        fulfillment_ref_id=str(
                            line.get("fulfillment_ref_id", WAREHOUSES.get(site_id, ""))
                            if line.get("fulfilled_by_ebay") and not line.get("vault")
                            else ""
                        ),
                        vault=bool(line.get("vault", False)),
                    )
                    for i, line in enumerate(lines)
                ],
            )
            self.orders[order.order_id] = order
            return order

    def touch(self, order_id: str, modified: datetime | None = None) -> SandboxOrder:
        """Mark an order modified (as eBay does when anything about it changes)."""
        with self.lock:
            order = self.orders[order_id]
            order.modified = modified or now_utc() - timedelta(minutes=5)
            return order

    def orders_modified(self, site_id: int, start: datetime, end: datetime) -> list[SandboxOrder]:
        """The site's orders modified in [start, end], oldest first (eBay's order)."""
        with self.lock:
            found = [
                o
                for o in self.orders.values()
                if o.site_id == site_id and start <= o.modified <= end
            ]
        return sorted(found, key=lambda o: (o.modified, o.order_id))

    def orders_by_id(self, site_id: int, order_ids: list[str]) -> list[SandboxOrder]:
        """The site's orders among ``order_ids``, in the order asked; unknown ids left out."""
        with self.lock:
            found = (self.orders.get(order_id) for order_id in dict.fromkeys(order_ids))
            return [o for o in found if o is not None and o.site_id == site_id]

    def inject(self, kind: str, count: int = 1, call: str = "", after: int = 0) -> Fault:
        """Misbehave with ``kind`` on the next ``count`` calls (of ``call`` only, if given),
        once ``after`` matching calls have gone through normally."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if count < 1 or after < 0:
            raise ValueError("count must be at least 1 and after at least 0")
        fault = Fault(kind=kind, remaining=count, call=call, after=after)
        with self.lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, call_name: str) -> str:
        """The fault to apply to this call ("" for none), used up by one."""
        with self.lock:
            for fault in self.faults:
                if fault.call in ("", call_name):
                    if fault.after > 0:
                        fault.after -= 1
                        continue
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self.faults.remove(fault)
                    return fault.kind
        return ""

    def record(self, entry: dict[str, Any]) -> None:
        """Add one call to the journal."""
        with self.lock:
            self.journal.append({"at": now_utc().isoformat(), **entry})

    def calls(self, call: str = "", order_id: str = "") -> list[dict[str, Any]]:
        """Journal entries, optionally of one call name and one OrderID."""
        with self.lock:
            return [
                dict(entry)
                for entry in self.journal
                if (not call or entry.get("call") == call)
                and (not order_id or entry.get("order_id") == order_id)
            ]


def _title(sku: str) -> str:
    return demo_title(DEMO_SKUS.index(sku)) if sku in DEMO_SKUS else f"Unlisted product {sku}"
