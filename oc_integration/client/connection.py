"""What the client needs to know about one OC account. No Django here.

The choices an account makes about OC's protocol (how requests are signed, how the
token endpoint authenticates the client, whether the access token carries ``Bearer ``)
are defined here once; the account model offers exactly these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SignatureMode = Literal["path_and_body", "path_only"]
TokenClientAuth = Literal["none", "bearer_keys", "basic"]

#: What goes between the path and the keys in OC's ``vAuthorization`` MD5 signature.
SIGNATURE_MODES: dict[SignatureMode, str] = {
    "path_and_body": "Path and body (OC's integration guide)",
    "path_only": "Path only (OC's Postman collection)",
}
#: How the client authenticates itself on OC's ``/oauth/token``.
TOKEN_CLIENT_AUTHS: dict[TokenClientAuth, str] = {
    "none": "client_id in the form only",
    "bearer_keys": "Authorization: Bearer base64(clientKey:secretKey)",
    "basic": "HTTP Basic clientKey:secretKey",
}


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
    #: OC's guide shows ``Access-Token: Bearer <token>``; some accounts want the bare token.
    bearer_prefix: bool = True
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
