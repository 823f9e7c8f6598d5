"""An account whose Access-Token header goes without ``Bearer `` still works (over HTTP)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from oc_integration.auth.api_client import api_client
from oc_integration.models import AccountOrangeConnex
from tests.oc_integration.conftest import Sandbox


@pytest.mark.parametrize("bearer_prefix", [False, True])
def test_the_sandbox_accepts_the_token_with_or_without_the_bearer_prefix(
    bearer_prefix: bool, authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    authorized_account.access_token_bearer_prefix = bearer_prefix
    authorized_account.save(update_fields=["access_token_bearer_prefix"])

    client = api_client(authorized_account)
    sent: list[str] = []

    def watch(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        sent.append(str(response.request.headers.get("Access-Token", "")))

    client.session.hooks["response"].append(watch)
    response = client.call("stock snapshot", "/3pp/inventory/v1/snapshot", [{"MFSKUID": None}])

    assert isinstance(response.data, list) and response.data
    assert len(sent) == 1 and sent[0].startswith("Bearer ") is bearer_prefix
    assert oc_sandbox.token_requests("refresh_token") == 0  # the token was never refused
