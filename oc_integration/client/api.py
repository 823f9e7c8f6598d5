"""The OC API client: signed, enveloped JSON calls with one token renewal on rejection."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from hemi_fulfilment.apilog.records import CallRecorder, discard
from oc_integration.client.connection import ConnectionSettings
from oc_integration.client.envelope import (
    ObjectHook,
    OCResponse,
    new_message_id,
    now_ms,
    parse_response,
    request_body,
)
from oc_integration.client.errors import OCHttpError, OCTokenRejected
from oc_integration.client.signing import sign
from oc_integration.client.transport import (
    Exchange,
    new_session,
    perform,
    raise_for_server_error,
)

#: Reads a successful (HTTP 200) answer as it arrives: (response, correlation id) -> result.
BodyReader = Callable[[requests.Response, str], OCResponse]


class TokenProvider(Protocol):
    """Where the client gets access tokens; the token service implements it."""

    def access_token(self) -> str:
        """A valid access token (cached, or freshly refreshed)."""
        ...

    def renew_after_rejection(self, rejected_token: str) -> str:
        """OC refused ``rejected_token``: return a renewed one (refreshing at most once)."""
        ...


class OCApiClient:
    """Calls OC's ``/openapi`` endpoints for one account.

    Knows nothing of Django models: it is given the account's connection settings, a
    token provider and a recorder for the API call log.
    """

    def __init__(
        self,
        connection: ConnectionSettings,
        tokens: TokenProvider | None,
        *,
        recorder: CallRecorder = discard,
        session: requests.Session | None = None,
    ) -> None:
        self.connection = connection
        self.tokens = tokens
        self.recorder = recorder
        self.session = session or new_session()

    def call(
        self,
        operation: str,
        path: str,
        data: Any = None,
        *,
        method: str = "POST",
        with_token: bool = True,
        api_version: str | None = None,
        object_hook: ObjectHook | None = None,
        body_reader: BodyReader | None = None,
        body_on_get: bool = False,
    ) -> OCResponse:
        """Call ``path`` (relative to the API base, e.g. ``/3pp/inventory/v1/snapshot``).

        A rejected token is renewed once and the call retried once; every other failure
        is raised as its typed error. ``object_hook`` is passed to the JSON parser;
        ``body_reader`` instead reads the answer as it streams in (a large snapshot).
        A GET carries no body unless ``body_on_get`` (OC's returns queries take one).
        """
        token = self._token() if with_token else None
        send = partial(
            self._send,
            operation,
            path,
            data,
            method,
            api_version=api_version,
            hook=object_hook,
            reader=body_reader,
            body_on_get=body_on_get,
        )
        try:
            return send(token)
        except OCTokenRejected:
            if token is None or self.tokens is None:
                raise
            return send(self.tokens.renew_after_rejection(token))

    def _token(self) -> str:
        if self.tokens is None:
            raise OCTokenRejected(
                "No token provider: this client cannot call token-protected APIs."
            )
        return self.tokens.access_token()

    def _send(
        self,
        operation: str,
        path: str,
        data: Any,
        method: str,
        token: str | None,
        *,
        api_version: str | None,
        hook: ObjectHook | None,
        reader: BodyReader | None = None,
        body_on_get: bool = False,
    ) -> OCResponse:
        conn = self.connection
        message_id = new_message_id()
        timestamp = now_ms()
        body = (
            request_body(
                data, message_id=message_id, timestamp_ms=timestamp, api_version=api_version
            )
            if method != "GET" or body_on_get
            else ""
        )
        base = conn.api_base_url.rstrip("/")
        signed_path = urlsplit(base).path + path
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "clientKey": conn.client_key,
            "TimeStamp": str(timestamp),
            "vAuthorization": sign(
                path=signed_path,
                body=body,
                client_key=conn.client_key,
                secret_key=conn.secret_key,
                mode=conn.signature_mode,
            ),
        }
        if token is not None:
            headers["Access-Token"] = f"Bearer {token}" if conn.bearer_prefix else token
        exchange = Exchange(
            operation, method, base + path, headers, body, message_id, stream=reader is not None
        )

        def interpret(response: requests.Response) -> OCResponse:
            raise_for_server_error(response, correlation_id=message_id)
            if response.status_code == 401:
                raise OCTokenRejected(
                    "OC answered HTTP 401: the access token was rejected.",
                    correlation_id=message_id,
                )
            if response.status_code != 200:
                raise OCHttpError(
                    f"OC answered HTTP {response.status_code} for {operation}; "
                    "check the account's API base URL.",
                    status=response.status_code,
                    correlation_id=message_id,
                )
            if reader is not None:
                return reader(response, message_id)
            return parse_response(response.content, correlation_id=message_id, object_hook=hook)

        return perform(self.session, conn, exchange, self.recorder, interpret)
