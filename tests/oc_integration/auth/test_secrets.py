"""Secrets stay secret: encrypted at rest, never rendered, never logged, rotatable."""

from __future__ import annotations

import json
import logging
from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from hemi_fulfilment.apilog.models import ApiCallLog
from hemi_fulfilment.crypto import _ring
from oc_integration.auth import tokens
from oc_integration.models import AccountOrangeConnex
from tests.oc_integration.conftest import Sandbox

pytestmark = pytest.mark.django_db


def _raw_refresh_token(account_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT refresh_token FROM oc_integration_accountorangeconnex WHERE id = %s",
            [account_id],
        )
        return str(cursor.fetchone()[0])


def test_the_refresh_token_never_appears_in_admin_pages_logs_or_the_call_log(
    caplog: pytest.LogCaptureFixture,
    oc_account: AccountOrangeConnex,
    oc_sandbox: Sandbox,
    manager_client: Client,
    admin_client: Client,
) -> None:
    caplog.set_level(logging.DEBUG)
    from oc_integration.auth.authorization import exchange_code
    from oc_integration.client.codes import decode_until_stable

    exchange_code(oc_account, decode_until_stable(oc_sandbox.fresh_code(oc_account)))
    tokens.forget_access_token(oc_account.pk)
    access_token = tokens.get_access_token(oc_account.pk)
    oc_account.refresh_from_db()
    secrets = [oc_account.refresh_token, access_token, oc_account.secret_key]

    pages = [
        reverse("admin:oc_integration_accountorangeconnex_changelist"),
        reverse("admin:oc_integration_accountorangeconnex_change", args=[oc_account.pk]),
        reverse("admin:oc_integration_accountorangeconnex_history", args=[oc_account.pk]),
        reverse("admin:apilog_apicalllog_changelist"),
    ]
    pages += [
        reverse("admin:apilog_apicalllog_change", args=[pk])
        for pk in ApiCallLog.objects.filter(account_id=oc_account.pk).values_list("pk", flat=True)
    ]
    for page in pages:
        html = admin_client.get(page).content.decode()
        for secret in secrets:
            assert secret not in html, page
        assert _raw_refresh_token(oc_account.pk) not in html  # not even the ciphertext

    logged = caplog.text
    stored_calls = json.dumps(
        list(ApiCallLog.objects.filter(account_id=oc_account.pk).values()), default=str
    )
    assert ApiCallLog.objects.filter(
        account_id=oc_account.pk, operation="oauth.refresh_token"
    ).exists()
    for secret in secrets:
        assert secret not in logged
        assert secret not in stored_calls


def test_the_refresh_token_column_holds_fernet_ciphertext(
    authorized_account: AccountOrangeConnex,
) -> None:
    raw = _raw_refresh_token(authorized_account.pk)
    assert raw.startswith("gAAAA") and authorized_account.refresh_token not in raw


def test_key_rotation_re_encrypts_every_row_and_a_second_run_changes_nothing(
    authorized_account: AccountOrangeConnex, settings: Any
) -> None:
    old_raw = _raw_refresh_token(authorized_account.pk)
    plaintext = authorized_account.refresh_token
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    _ring.cache_clear()

    out = StringIO()
    call_command("rotate_secrets", stdout=out)
    assert "oc_integration_accountorangeconnex.refresh_token: re-encrypted 1" in out.getvalue()
    rotated = _raw_refresh_token(authorized_account.pk)
    assert rotated != old_raw
    Fernet(new_key.encode()).decrypt(rotated.encode())  # readable with the new key alone

    again = StringIO()
    call_command("rotate_secrets", stdout=again)
    assert "Done: re-encrypted 0 value(s)." in again.getvalue()
    assert _raw_refresh_token(authorized_account.pk) == rotated

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key retired
    assert AccountOrangeConnex.objects.get(pk=authorized_account.pk).refresh_token == plaintext
