"""Stand-ins for the OC client's unit tests (HTTP mocked with ``responses``): a token source
that hands out fixed tokens, an ``OCApiClient`` for a made-up base URL, OC's answer envelope,
and the ``data`` a request sent.

Sandbox-backed tests use real tokens from the sandbox instead (see ``conftest.py``).
"""

from __future__ import annotations

import json
from typing import Any

from responses import Call

from hemi_fulfilment.apilog.records import CallRecorder, discard
from oc_integration.client import ConnectionSettings, OCApiClient
from oc_integration.client.api import TokenProvider

#: The made-up OC host the unit tests mock; the API lives under ``/openapi``.
OC_HOST = "https://oc.test"
API = f"{OC_HOST}/openapi"


class FixedTokens:
    """Always ``token``; after a rejection, always ``renewed`` (nothing is counted)."""

    # Made-up tokens: only ever sent to the mocked host.
    def __init__(self, token: str = "token-1", renewed: str = "token-2") -> None:  # noqa: S107
        self.token = token
        self.renewed = renewed

    def access_token(self) -> str:
        return self.token

    def renew_after_rejection(self, rejected_token: str) -> str:
        return self.renewed


def unit_connection(api_base_url: str = API, **overrides: Any) -> ConnectionSettings:
    """Connection settings of a made-up account "OC UK" (id 1, keys ck/sk) at ``api_base_url``.

    ``overrides`` are ``ConnectionSettings`` fields (e.g. ``account_label``, ``signature_mode``,
    ``read_timeout``).
    """
    values: dict[str, Any] = {
        "account_id": 1,
        "account_label": "OC UK",
        "api_base_url": api_base_url,
        "oauth_base_url": OC_HOST,
        "client_key": "ck",
        "secret_key": "sk",
        **overrides,
    }
    return ConnectionSettings(**values)


def unit_client(
    api_base_url: str = API,
    *,
    tokens: TokenProvider | None = None,
    recorder: CallRecorder = discard,
    **overrides: Any,
) -> OCApiClient:
    """An ``OCApiClient`` for unit tests: ``unit_connection`` settings, ``FixedTokens`` unless
    ``tokens`` is given, calls passed to ``recorder``."""
    return OCApiClient(
        unit_connection(api_base_url, **overrides),
        FixedTokens() if tokens is None else tokens,
        recorder=recorder,
    )


def envelope(data: Any, code: Any = 0, *, message: str = "ok", **extra: Any) -> dict[str, Any]:
    """OC's response envelope around ``data``; ``success`` follows ``code`` as OC's does, and
    ``extra`` keys are added (or replace the usual ones)."""
    return {
        "code": code,
        "message": message,
        "messageId": "m",
        "data": data,
        "success": str(code) == "0",
        **extra,
    }


def sent_data(call: Call) -> Any:
    """The ``data`` of the envelope the client sent in ``call`` (one of ``responses.calls``)."""
    body = call.request.body
    assert body is not None, "the request had no body"
    return json.loads(body)["data"]
