"""The call log's pages: JSON bodies indented, other bodies as stored, a date hierarchy."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from hemi_fulfilment.apilog.admin import formatted
from hemi_fulfilment.apilog.models import ApiCallLog

pytestmark = pytest.mark.django_db


def test_a_json_body_is_shown_indented_and_xml_as_stored(admin_client: Client) -> None:
    call = ApiCallLog.objects.create(
        provider="oc",
        operation="stock snapshot",
        method="POST",
        url="https://oc.example/openapi/3pp/inventory/v1/snapshot",
        request_body=json.dumps({"data": {"pageNum": 1}}),
        response_body="<GetOrdersResponse><Ack>Success</Ack></GetOrdersResponse>",
    )
    page = admin_client.get(reverse("admin:apilog_apicalllog_change", args=[call.pk]))
    text = page.content.decode()
    assert "{\n  &quot;data&quot;: {\n    &quot;pageNum&quot;: 1\n  }\n}" in text
    assert "&lt;GetOrdersResponse&gt;&lt;Ack&gt;Success" in text


def test_a_cut_or_huge_body_is_left_as_it_is() -> None:
    assert formatted('{"data": [1, 2') == '{"data": [1, 2'
    huge = json.dumps({"rows": ["x" * 1000] * 300})
    assert formatted(huge) == huge


def test_the_list_has_a_date_hierarchy(admin_client: Client) -> None:
    ApiCallLog.objects.create(provider="oc", operation="op", method="GET", url="https://x")
    page = admin_client.get(reverse("admin:apilog_apicalllog_changelist")).content.decode()
    assert '<nav class="toplinks">' in page  # Django's date hierarchy
