"""Connect to eBay from the admin, the callback's checks, and what the admin pages show."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ebay_orders.models import ConnectionStatus, EbayAuthorizationRequest, EbayConnection
from ebay_orders.sandbox import RunningSandbox
from tests.ebay_orders.auth.conftest import approve, token_requests
from tests.ebay_orders.conftest import connection_of

CALLBACK = "/ebay/oauth/callback/"


def uk_connection() -> EbayConnection:
    return EbayConnection.objects.select_related("ebay_account").get(ebay_account__site_code="UK")


def change_url(connection: EbayConnection) -> str:
    return reverse("admin:ebay_orders_ebayconnection_change", args=[connection.pk])


def start(client: Client, connection: EbayConnection) -> str:
    """Press Connect to eBay; the state eBay's consent page was sent."""
    response = client.post(
        reverse("admin:ebay_orders_ebayconnection_connect", args=[connection.pk])
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    return query["state"][0]


def test_connect_approve_and_back_leaves_the_connection_connected(
    admin_client: Client, emulator: RunningSandbox
) -> None:
    connection = uk_connection()
    response = admin_client.post(
        reverse("admin:ebay_orders_ebayconnection_connect", args=[connection.pk])
    )
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == emulator.url
    assert location.path == "/oauth2/authorize"
    state = parse_qs(location.query)["state"][0]
    back = approve(emulator, state=state)
    response = admin_client.get(CALLBACK, back, follow=True)
    assert response.redirect_chain[-1][0] == change_url(connection)
    page = response.content.decode()
    assert "Connected to eBay: Hemi now keeps the access token of eBay UK fresh itself." in page
    fresh = connection_of(connection.ebay_account)
    assert fresh.status == ConnectionStatus.CONNECTED
    assert "Reconnect to eBay" in page and "refresh token valid until" in page
    assert fresh.access_token not in page and fresh.refresh_token not in page
    assert back["code"] not in page


def replayed(client: Client, sandbox: RunningSandbox) -> dict[str, str]:
    back = approve(sandbox, state=start(client, uk_connection()))
    assert client.get(CALLBACK, back).status_code == 302
    return back


def expired(client: Client, sandbox: RunningSandbox) -> dict[str, str]:
    back = approve(sandbox, state=start(client, uk_connection()))
    EbayAuthorizationRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    return back


def other_session(client: Client, sandbox: RunningSandbox) -> dict[str, str]:
    other = Client()
    other.force_login(User.objects.get(username="admin"))
    return approve(sandbox, state=start(other, uk_connection()))


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda client, sandbox: {"code": "anything"}, "carries no state"),
        (lambda client, sandbox: approve(sandbox, state="made-up"), "unknown here"),
        (expired, "expired"),
        (other_session, "another browser session"),
        (replayed, "already used"),
    ],
    ids=["missing", "unknown", "expired", "other_session", "replayed"],
)
def test_a_callback_that_cannot_be_matched_is_refused_without_a_token_request(
    admin_client: Client, emulator: RunningSandbox, make: object, says: str
) -> None:
    back = make(admin_client, emulator)  # type: ignore[operator]
    asked = token_requests(emulator)
    response = admin_client.get(CALLBACK, back)
    assert response.status_code == 400
    page = response.content.decode()
    assert says in page and "again from the eBay connection page" in page
    assert "No token was requested from eBay" in page
    assert back.get("code", "-") not in page
    assert token_requests(emulator) == asked


def test_declining_at_ebay_changes_nothing_and_says_so(
    admin_client: Client, emulator: RunningSandbox
) -> None:
    state = start(admin_client, uk_connection())
    response = admin_client.get(CALLBACK, {"error": "access_denied", "state": state}, follow=True)
    assert "the consent was declined at eBay" in response.content.decode()
    assert token_requests(emulator) == 0
    assert connection_of(uk_connection().ebay_account).status == ConnectionStatus.NOT_CONNECTED


def test_a_code_ebay_refuses_shows_ebays_reason_and_links_the_connection(
    admin_client: Client, emulator: RunningSandbox
) -> None:
    state = start(admin_client, uk_connection())
    response = admin_client.get(CALLBACK, {"code": "not-a-code", "state": state})
    assert response.status_code == 400
    page = response.content.decode()
    assert "eBay did not accept the authorization code" in page and "invalid_grant" in page
    assert "Back to the connection" in page
    assert "invalid_grant" in connection_of(uk_connection().ebay_account).last_error


def test_connect_without_the_application_settings_says_what_is_missing(
    admin_client: Client, emulator: RunningSandbox
) -> None:
    connection = uk_connection()
    EbayConnection.objects.filter(pk=connection.pk).update(client_id="", ru_name="")
    response = admin_client.post(
        reverse("admin:ebay_orders_ebayconnection_connect", args=[connection.pk]), follow=True
    )
    assert "Enter the App ID (client id), the RuName of the eBay application" in (
        response.content.decode()
    )
    assert not EbayAuthorizationRequest.objects.exists()


def test_the_callback_query_never_reaches_the_access_log() -> None:
    from hemi_fulfilment.access_log import QUERY_REMOVED, without_callback_query

    line = '"GET /ebay/oauth/callback/?state=abc&code=v%5E1.1%23secret HTTP/1.1" 302'
    assert (
        without_callback_query(line) == f'"GET /ebay/oauth/callback/{QUERY_REMOVED} HTTP/1.1" 302'
    )


# --- what the admin shows --------------------------------------------------------------------
def test_the_list_says_each_connections_state_in_words(
    admin_client: Client, consented: EbayConnection
) -> None:
    EbayConnection.objects.filter(ebay_account__site_code="DE").update(
        status=ConnectionStatus.RECONNECT_REQUIRED, last_error="eBay refused the grant."
    )
    page = admin_client.get(reverse("admin:ebay_orders_ebayconnection_changelist")).content
    text = page.decode()
    assert "Connected until" in text and "refresh token valid until" in text
    assert "Reconnect required (eBay refused the grant.)" in text
    assert consented.access_token not in text


def test_a_pasted_token_connection_says_it_stops_in_about_two_hours(
    admin_client: Client, emulator: RunningSandbox
) -> None:
    connection = uk_connection()
    page = admin_client.get(change_url(connection)).content.decode()
    note = (
        "Pasted token: stops working about two hours after it was issued unless you connect "
        "through eBay&#x27;s consent."
    )
    assert note in page and 'id="connect-to-ebay"' in page and "Connect to eBay" in page


@pytest.mark.parametrize(
    "url",
    ["/admin/", "/admin/orders/order/", "/admin/ebay_orders/ebayrun/"],
    ids=["home", "orders", "ebay_runs"],
)
def test_the_banner_warns_about_reconnecting_and_expiring_consents(
    admin_client: Client, consented: EbayConnection, url: str
) -> None:
    EbayConnection.objects.filter(ebay_account__site_code="DE").update(
        status=ConnectionStatus.RECONNECT_REQUIRED, last_error="eBay refused the grant."
    )
    EbayConnection.objects.filter(pk=consented.pk).update(
        refresh_token_expires_at=timezone.now() + timedelta(days=10)
    )
    page = admin_client.get(url).content.decode()
    assert "Reconnect required for eBay DE. eBay refused the grant." in page
    assert "The consent of eBay UK expires on" in page


def test_the_banner_is_quiet_when_every_connection_is_fine(
    admin_client: Client, consented: EbayConnection
) -> None:
    page = admin_client.get("/admin/").content.decode()
    assert "Reconnect required" not in page and "consent expires" not in page


def test_the_form_keeps_the_client_secret_write_only(
    admin_client: Client, emulator: RunningSandbox
) -> None:
    connection = uk_connection()
    response = admin_client.post(
        change_url(connection),
        {
            "enabled": "on",
            "environment": "emulator",
            "client_id": "Other-App",
            "new_client_secret": "a-new-cert-id",
            "ru_name": "Other-RuName",
            "scopes": "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
            "order_source": "trading",
            "api_url": connection.api_url,
        },
    )
    assert response.status_code == 302
    fresh = connection_of(connection.ebay_account)
    assert (fresh.client_id, fresh.client_secret, fresh.ru_name) == (
        "Other-App",
        "a-new-cert-id",
        "Other-RuName",
    )
    page = admin_client.get(change_url(connection)).content.decode()
    assert "a-new-cert-id" not in page and "Cert ID stored" in page


def test_an_unknown_query_never_echoes_into_the_page(admin_client: Client) -> None:
    response = admin_client.get(CALLBACK + "?" + urlencode({"state": "<b>x</b>", "code": "c0de"}))
    assert response.status_code == 400 and "c0de" not in response.content.decode()
