"""The admin's session and CSRF cookies carry the project's own names."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client


def test_the_cookie_names_are_the_projects_own() -> None:
    assert settings.SESSION_COOKIE_NAME == "hemi_fulfilment_sessionid"
    assert settings.CSRF_COOKIE_NAME == "hemi_fulfilment_csrftoken"


@pytest.mark.django_db
def test_logging_in_sets_the_named_cookies_and_ignores_djangos_default_ones() -> None:
    User.objects.create_superuser("boss", password="pw-boss-1")
    client = Client(enforce_csrf_checks=True)
    login_page = client.get("/admin/login/")
    csrf = login_page.cookies["hemi_fulfilment_csrftoken"].value
    assert "csrftoken" not in login_page.cookies
    response = client.post(
        "/admin/login/",
        {"username": "boss", "password": "pw-boss-1", "csrfmiddlewaretoken": csrf},
    )
    assert response.status_code == 302
    assert "hemi_fulfilment_sessionid" in response.cookies
    assert "sessionid" not in response.cookies
    # Another app's "sessionid" cookie on the same host changes nothing.
    client.cookies["sessionid"] = "someone-elses-session"
    assert client.get("/admin/").status_code == 200
