"""What the client needs to know about one OC account. No Django here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SignatureMode = Literal["path_and_body", "path_only"]
TokenClientAuth = Literal["none", "bearer_keys", "basic"]


@dataclass(frozen=True)
class ConnectionSettings:
    """Connection details of one OC account. ``secret_key`` never appears in ``repr``."""

    account_id: int | None
    account_label: str
    api_base_url: str
    oauth_base_url: str
    client_key: str
    secret_key: str = field(repr=False)
    redirect_uri: str = ""
    signature_mode: SignatureMode = "path_and_body"
    token_client_auth: TokenClientAuth = "none"
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
