"""``OcSandbox``: the sandbox's whole state and the operations on it, without HTTP.

One re-entrant lock guards every piece of state; the HTTP layer takes it around each
call's processing (never around a fault's sleep, nor while a large snapshot streams).
Tests of the whole project can drive this object directly or through the control API.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable
from typing import Any

from .callbacks import CallbackDispatcher, check_callback_url
from .catalog import Catalog, demo_catalog
from .config import (
    SIGNATURE_MODES,
    TOKEN_REJECTION_STYLES,
    CallbackTarget,
    ClientConfig,
    SandboxConfig,
)
from .faults import FaultBook
from .inbound import InboundBook
from .journal import Journal
from .movements import MovementBook
from .outbound import OrderBook, OutboundOrder
from .returns import ReturnBook
from .skus import SkuBook
from .timefmt import SandboxClock, format_oc_time
from .tokens import TokenStore, user_name_for

# POST /_sandbox/config keys: (applies to a client?, validator returning the value).
_NUMBER = (int, float)


def _non_negative(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, _NUMBER) or value < 0:
        raise ValueError("must be a number >= 0")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _rounds(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
        raise ValueError("must be a whole number from 0 to 5")
    return value


def _choice(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return str(value)

    return check


def _seed(value: Any) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError("must be a whole number or null")
    return value


_GLOBAL_SETTINGS: dict[str, Callable[[Any], Any]] = {
    "timeout_fault_seconds": _non_negative,
    "access_token_ttl": _non_negative,
    "refresh_token_ttl": _non_negative,
    "code_ttl": _non_negative,
    "code_encoding_rounds": _rounds,
    "rotate_refresh_tokens": _flag,
    "reject_ip_redirect_uris": _flag,
    "fault_seed": _seed,
    "v2_requires_sku_list": _flag,
}
_CLIENT_SETTINGS: dict[str, Callable[[Any], Any]] = {
    "token_rejection_style": _choice(TOKEN_REJECTION_STYLES),
    "signature_mode": _choice(SIGNATURE_MODES),
}


class OcSandbox:
    """The in-memory Orange Connex: clients, codes, tokens, stock, orders, faults, journal."""

    def __init__(
        self,
        config: SandboxConfig | None = None,
        catalog_factory: Callable[[], Catalog] = demo_catalog,
        clock: SandboxClock | None = None,
    ) -> None:
        self._initial_config = copy.deepcopy(config or SandboxConfig())
        self._catalog_factory = catalog_factory
        self.clock = clock or SandboxClock()
        self.lock = threading.RLock()
        # Set while the HTTP server stops, so sleeping fault handlers wake up at once.
        self.stopping = threading.Event()
        self.journal = Journal(self.clock)
        self.callbacks = CallbackDispatcher(self.journal)
        self._order_numbers = itertools.count(2000011360056)
        # OC SKUs created here never repeat one of an earlier reset (like order numbers).
        self._sku_numbers = itertools.count(600000)
        # Inbound numbers never repeat one of an earlier reset either.
        self._inbound_numbers = itertools.count(10000001)
        # Return order numbers never repeat one of an earlier reset either.
        self._return_numbers = itertools.count(2000000100001)
        self.reset()

    def reset(self) -> None:
        """Back to the initial state: initial config, default catalog, nothing else."""
        with self.lock:
            self.config = copy.deepcopy(self._initial_config)
            self.clock.reset()
            self.catalog = self._catalog_factory()
            self.movements = MovementBook(self.clock, self.catalog)
            self.tokens = TokenStore(self.clock)
            self.faults = FaultBook(self.config.fault_seed)
            self.orders = OrderBook(
                self.clock,
                self._order_numbers,
                self._order_changed,
                max_per_request=self.config.max_orders_per_request,
                max_results=self.config.max_query_results,
                faults=self.faults,
            )
            self.skus = SkuBook(self.clock, self._sku_numbers)
            self.inbound = InboundBook(self.clock, self._inbound_numbers)
            self.returns = ReturnBook(self.clock, self._return_numbers)
            # The SKUs OC holds stock of are approved SKUs of the default seller.
            self.skus.seed(
                self.config.default_client_key,
                ((row.mfskuid, row.seller_sku) for row in self.catalog.rows.values()),
            )
            self.journal.clear()
            self.callbacks.reset()

    # --- clients and settings -----------------------------------------------------------

    def client(self, client_id: str | None) -> ClientConfig | None:
        """The client with this ClientKey, if any."""
        return self.config.clients.get(client_id or "")

    def add_client(self, client_id: str, client: ClientConfig) -> None:
        """Register (or replace) a client until the next reset."""
        with self.lock:
            self.config.clients[client_id] = client

    def user_name(self, client_id: str) -> str:
        """The ``user_name`` claim for the client's tokens."""
        client = self.client(client_id)
        return (client.user_name if client else "") or user_name_for(client_id)

    def configure(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply settings (client-specific ones to ``client_id`` or the default client)."""
        with self.lock:
            client_id = changes.get("client_id") or self.config.default_client_key
            client = self.client(client_id)
            if client is None:
                raise ValueError(f"unknown client_id {client_id}")
            checked: list[tuple[object, str, Any]] = []
            target: object
            for key, value in changes.items():
                if key == "client_id":
                    continue
                if key in _GLOBAL_SETTINGS:
                    target, check = self.config, _GLOBAL_SETTINGS[key]
                elif key in _CLIENT_SETTINGS:
                    target, check = client, _CLIENT_SETTINGS[key]
                else:
                    raise ValueError(f"unknown setting {key}")
                try:
                    checked.append((target, key, check(value)))
                except ValueError as exc:
                    raise ValueError(f"{key} {exc}") from exc
            # Validate everything first, so a bad request changes nothing.
            for target, key, value in checked:
                setattr(target, key, value)
            if "fault_seed" in changes:
                self.faults.seed(self.config.fault_seed)
            return self.config_view()

    def config_view(self) -> dict[str, Any]:
        """The current settings (secrets left out)."""
        with self.lock:
            view: dict[str, Any] = {key: getattr(self.config, key) for key in _GLOBAL_SETTINGS}
            view["clients"] = {
                key: {
                    "signature_mode": client.signature_mode,
                    "token_rejection_style": client.token_rejection_style,
                }
                for key, client in self.config.clients.items()
            }
            view["default_client_id"] = self.config.default_client_key
            return view

    # --- tokens, catalog, callbacks ---------------------------------------------------------

    def revoke_tokens(self, client_id: str) -> int:
        """Invalidate every access and refresh token of a client."""
        with self.lock:
            return self.tokens.revoke_client(client_id)

    def expire_access_tokens(self) -> int:
        """Invalidate every access token; refresh tokens keep working."""
        with self.lock:
            return self.tokens.expire_access_tokens()

    def replace_catalog(self, catalog: Catalog) -> None:
        """Use another stock catalog until the next reset."""
        with self.lock:
            self.catalog = catalog
            self.movements.catalog_replaced(catalog)

    def configure_callbacks(self, target: CallbackTarget | None, client_id: str = "") -> None:
        """Send status callbacks of a client's orders to ``target`` (None: stop sending)."""
        with self.lock:
            client_id = client_id or self.config.default_client_key
            if target is None:
                self.config.callback_url_by_client.pop(client_id, None)
                return
            check_callback_url(target.url)
            self.config.callback_url_by_client[client_id] = target

    def _order_changed(self, order: OutboundOrder) -> None:
        self.movements.observe_order(order)
        target = self.config.callback_url_by_client.get(order.client_id)
        if target is None:
            return
        self.callbacks.send(
            target,
            {
                "eventType": "OUTBOUND_STATUS",
                "orderNumber": order.order_number,
                "referenceNumber": order.reference_number,
                "status": order.status,
                "eventTime": format_oc_time(self.clock.now()),
            },
        )

    # --- serving -------------------------------------------------------------------------

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops first; True when the full time passed."""
        return not self.stopping.wait(max(0.0, seconds))
