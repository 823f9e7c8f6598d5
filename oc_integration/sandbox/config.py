"""Configuration of the OC sandbox: its clients (OC integrator accounts) and its knobs.

Where OC's documents leave a behaviour open (marked [I] in ``shared/oc-api-notes.md``),
the sandbox makes it a setting so the client can be tested against every variant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hemi_fulfilment.demo.data import DEMO_OC_ACCOUNT

SignatureMode = Literal["path_and_body", "path_only"]
TokenRejectionStyle = Literal["http401", "http200"]

SIGNATURE_MODES: tuple[SignatureMode, ...] = ("path_and_body", "path_only")
TOKEN_REJECTION_STYLES: tuple[TokenRejectionStyle, ...] = ("http401", "http200")


@dataclass
class ClientConfig:
    """One OC integrator account: ClientKey (the dict key) -> SecretKey and its quirks."""

    secret_key: str
    # OC's guide signs path|body|key|secret; its Postman scripts sign path||key|secret.
    signature_mode: SignatureMode = "path_and_body"
    # OC answers a bad token sometimes with HTTP 401, often with HTTP 200 + success false.
    token_rejection_style: TokenRejectionStyle = "http200"
    # The ``user_name`` claim of the JWTs; derived from the client key when empty.
    user_name: str = ""


@dataclass
class CallbackTarget:
    """Where the sandbox posts outbound status callbacks for one client (HTTP Basic auth)."""

    url: str
    username: str = ""
    password: str = ""


def _default_clients() -> dict[str, ClientConfig]:
    return {DEMO_OC_ACCOUNT.client_key: ClientConfig(secret_key=DEMO_OC_ACCOUNT.secret_key)}


@dataclass
class SandboxConfig:
    """Everything a test or the demo may want to vary; ``reset`` restores the initial copy."""

    clients: dict[str, ClientConfig] = field(default_factory=_default_clients)
    # Seconds; fractions allowed so tests can expire things quickly.
    access_token_ttl: float = 3600
    refresh_token_ttl: float = 365 * 24 * 3600
    code_ttl: float = 600
    # OC's codes arrive percent-encoded; the seed's test code is encoded twice (%252B).
    code_encoding_rounds: int = 2
    # Per OC a refresh returns no new refresh token; True emulates a rotating provider.
    rotate_refresh_tokens: bool = False
    # How long the "timeout" faults hold the connection before dropping it.
    timeout_fault_seconds: float = 30.0
    callback_url_by_client: dict[str, CallbackTarget] = field(default_factory=dict)
    # Seed of the RNG that decides ratio-based faults (None: unpredictable).
    fault_seed: int | None = None
    # Production OC rejects bare-IP / intranet redirect URIs; the sandbox accepts them unless set.
    reject_ip_redirect_uris: bool = False
    max_orders_per_request: int = 50
    max_query_results: int = 1000
    # OC's StockSnapshot v2 page requires a SKU; real clients send an empty list, accepted
    # unless this is set (to test a client's fallback to explicit MFSKUIDs).
    v2_requires_sku_list: bool = False

    @property
    def default_client_key(self) -> str:
        """The client that client-specific control settings apply to when none is named."""
        return next(iter(self.clients))
