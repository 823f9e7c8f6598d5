"""OC's ``vAuthorization`` signature."""

from __future__ import annotations

import hashlib

from oc_integration.client.connection import SignatureMode


def sign(*, path: str, body: str, client_key: str, secret_key: str, mode: SignatureMode) -> str:
    """``md5_hex(path | body | clientKey | secretKey)``.

    ``path`` is the request path only (``/openapi/3pp/...``, no host, no query).
    OC's integration guide puts the raw JSON body in the middle; its Postman scripts an
    empty string: ``mode`` chooses, per account.
    """
    middle = body if mode == "path_and_body" else ""
    material = f"{path}|{middle}|{client_key}|{secret_key}"
    return hashlib.md5(material.encode("utf-8"), usedforsecurity=False).hexdigest()
