"""OC's outbound callback: authenticated, stored raw, idempotent, confirmed with Query v2."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hemi_fulfilment.celery import app as celery_app
from oc_integration.models import (
    AccountOrangeConnex,
    OutboundOrder,
    OutboundStatus,
    WebhookDelivery,
)
from oc_integration.outbound.orders import prepare_outbound_orders
from oc_integration.outbound.push import push_queued
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.outbound_helpers import stock_everything, web_orders

pytestmark = pytest.mark.django_db
SECRET = "callback-secret-0123456789"


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Run queued tasks in-process, so a test sees the work done after commit."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def submitted(demo_account: AccountOrangeConnex, oc_sandbox: Sandbox) -> OutboundOrder:
    demo_account.webhook_secrets = f"{SECRET}\nan-older-secret-still-valid"
    demo_account.save()
    stock_everything(oc_sandbox, demo_account)
    order = web_orders(1, prefix="HOOK")[0]
    prepare_outbound_orders(demo_account, [order.pk])
    push_queued(demo_account.pk)
    return OutboundOrder.objects.get(order=order)


def _post(
    client: Client,
    account: AccountOrangeConnex,
    payload: Any,
    secret: str | None = SECRET,
    **extra: str,
) -> Any:
    headers: dict[str, Any] = dict(extra)
    if secret is not None:
        headers["HTTP_AUTHORIZATION"] = (
            "Basic " + base64.b64encode(f"oc:{secret}".encode()).decode()
        )
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(
        reverse("oc_integration:outbound-callback", args=[account.webhook_id]),
        data=body,
        content_type="application/json",
        **headers,
    )


def _event(outbound: OutboundOrder, status: str, delivery: str | None = None) -> dict[str, str]:
    return {
        "eventType": "OUTBOUND_STATUS",
        "deliveryId": delivery or uuid.uuid4().hex,
        "orderNumber": outbound.oc_order_number or "",
        "referenceNumber": outbound.reference_number,
        "status": status,
    }


@pytest.mark.parametrize("secret", [None, "wrong-secret-value", ""])
def test_wrong_or_missing_credentials_are_refused_and_change_nothing(
    secret: str | None, submitted: OutboundOrder, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.control(
        "POST", "outbound/advance", orderNumber=submitted.oc_order_number, to="Picked"
    )
    response = _post(
        Client(enforce_csrf_checks=True), submitted.account, _event(submitted, "Picked"), secret
    )
    assert response.status_code == 401
    assert WebhookDelivery.objects.count() == 0
    submitted.refresh_from_db()
    assert submitted.status == OutboundStatus.SUBMITTED


def test_the_secret_may_come_in_a_header_and_older_secrets_still_work(
    submitted: OutboundOrder, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client(enforce_csrf_checks=True)
    with django_capture_on_commit_callbacks(execute=True):
        by_header = _post(
            client,
            submitted.account,
            _event(submitted, "Submitted"),
            None,
            HTTP_X_HEMI_WEBHOOK_SECRET=SECRET,
        )
        by_old = _post(
            client, submitted.account, _event(submitted, "Submitted"), "an-older-secret-still-valid"
        )
    assert by_header.status_code == 202 and by_old.status_code == 202


def test_an_unknown_webhook_id_is_404(client: Client, submitted: OutboundOrder) -> None:
    response = client.post(
        reverse("oc_integration:outbound-callback", args=[uuid.uuid4()]),
        data="{}",
        content_type="application/json",
    )
    assert response.status_code == 404


def test_a_callback_is_confirmed_with_query_v2_and_applied_once(
    submitted: OutboundOrder,
    oc_sandbox: Sandbox,
    eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    oc_sandbox.control(
        "POST", "outbound/advance", orderNumber=submitted.oc_order_number, to="Packed"
    )
    event = _event(submitted, "Packed")
    client = Client(enforce_csrf_checks=True)
    queries_before = oc_sandbox.count("POST", "/openapi/3pp/outbound/v2/query")

    with django_capture_on_commit_callbacks(execute=True):
        first = _post(client, submitted.account, event)
    with django_capture_on_commit_callbacks(execute=True):
        again = _post(client, submitted.account, event)

    assert first.status_code == 202 and again.status_code == 200
    assert WebhookDelivery.objects.count() == 1
    delivery = WebhookDelivery.objects.get()
    assert (
        delivery.status == WebhookDelivery.Status.APPLIED
        and "OC confirms Packed" in delivery.outcome
    )
    submitted.refresh_from_db()
    assert submitted.status == OutboundStatus.PACKED
    assert oc_sandbox.count("POST", "/openapi/3pp/outbound/v2/query") == queries_before + 1


def test_an_older_status_after_a_newer_one_is_ignored(
    submitted: OutboundOrder,
    oc_sandbox: Sandbox,
    eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    oc_sandbox.control(
        "POST", "outbound/advance", orderNumber=submitted.oc_order_number, to="Packed"
    )
    client = Client(enforce_csrf_checks=True)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, submitted.account, _event(submitted, "Packed"))
    with django_capture_on_commit_callbacks(execute=True):
        late = _post(client, submitted.account, _event(submitted, "Picked"))
    assert late.status_code == 202
    ignored = WebhookDelivery.objects.get(event_status="Picked")
    assert ignored.status == WebhookDelivery.Status.IGNORED and "older status" in ignored.outcome
    submitted.refresh_from_db()
    assert submitted.status == OutboundStatus.PACKED


def test_bad_json_and_unknown_orders_are_400_and_kept_for_review(submitted: OutboundOrder) -> None:
    client = Client(enforce_csrf_checks=True)
    assert _post(client, submitted.account, "{not json").status_code == 400
    unknown = {**_event(submitted, "Picked"), "orderNumber": "OCO-NOPE", "referenceNumber": "NOPE"}
    assert _post(client, submitted.account, unknown).status_code == 400
    kept = WebhookDelivery.objects.order_by("pk")
    assert [d.status for d in kept] == [WebhookDelivery.Status.REJECTED] * 2
    assert kept[0].raw_body == "{not json"


def test_the_sandbox_delivers_real_callbacks_over_http(
    submitted: OutboundOrder, oc_sandbox: Sandbox, live_server: Any, eager_tasks: None
) -> None:
    url = live_server.url + reverse(
        "oc_integration:outbound-callback", args=[submitted.account.webhook_id]
    )
    oc_sandbox.control("POST", "callbacks/config", url=url, username="oc", password=SECRET)
    oc_sandbox.control(
        "POST", "outbound/advance", orderNumber=submitted.oc_order_number, to="Picked"
    )
    deadline = time.monotonic() + 15
    while (
        time.monotonic() < deadline
        and not WebhookDelivery.objects.filter(event_status="Picked").exists()
    ):
        time.sleep(0.2)
    delivery = WebhookDelivery.objects.get(event_status="Picked")
    assert delivery.outbound_order == submitted
