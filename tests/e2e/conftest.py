"""Browser journeys in headless Chromium (Debian's package), driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from hemi_fulfilment.demo.data import DEMO_OC_ACCOUNT
from oc_integration.models import AccountOrangeConnex
from tests.oc_integration.conftest import (
    Sandbox,
    oc_sandbox,  # noqa: F401  (a shared fixture)
)

# Playwright's sync API runs an event loop in this thread; Django must still allow the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# `make screenshots` sets it to docs/; `make test` leaves it unset and docs/ untouched.
SCREENSHOTS_DIR_VARIABLE = "HEMI_SCREENSHOTS_DIR"
CHROMIUM = next(
    (
        p
        for p in ("/usr/lib/chromium/chromium", shutil.which("chromium") or "")
        if p and Path(p).exists()
    ),
    None,
)
PASSWORD = "e2e-Password-123"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items: mark only the journeys in this folder.
    here = Path(__file__).parent
    for item in items:
        if here not in item.path.parents:
            continue
        item.add_marker(pytest.mark.browser)
        if CHROMIUM is None:
            item.add_marker(pytest.mark.skip(reason="Debian's chromium is not installed"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    context.set_default_timeout(20_000)
    # Screenshots show the page, not the admin's navigation sidebar.
    context.add_init_script("localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def worker(transactional_db: None, celery_worker: None) -> None:
    """A real Celery worker on the configured broker, so queued jobs run as in the demo."""


@pytest.fixture
def manager(transactional_db: None) -> User:
    return User.objects.create_superuser("manager", "manager@example.com", PASSWORD)


def log_in(page: Any, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


class Screenshots:
    """Takes the README's screenshots: always into the test's own folder, and into
    ``$HEMI_SCREENSHOTS_DIR`` (``make screenshots`` points it at ``docs/``) only when set,
    so that ``make test`` never rewrites a tracked file."""

    def __init__(self, folder: Path, publish_to: Path | None) -> None:
        self.folder = folder
        self.publish_to = publish_to

    def __call__(self, page: Any, name: str) -> Path:
        """Save ``NAME.png`` of what the page shows; returns the test folder's copy."""
        taken = self.folder / f"{name}.png"
        page.screenshot(path=str(taken), full_page=False)
        assert taken.stat().st_size > 0
        if self.publish_to is not None:
            self.publish_to.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(taken, self.publish_to / taken.name)
        return taken


def screenshots_dir() -> Path | None:
    """Where ``make screenshots`` wants the README's screenshots, if it asked."""
    value = os.environ.get(SCREENSHOTS_DIR_VARIABLE, "").strip()
    return Path(value) if value else None


@pytest.fixture
def screenshot(tmp_path: Path) -> Screenshots:
    """``screenshot(page, name)``: see :class:`Screenshots`."""
    return Screenshots(tmp_path, screenshots_dir())


@pytest.fixture
def demo_oc(
    demo_data: None,
    oc_sandbox: Sandbox,  # noqa: F811 - the fixture imported above
    live_server: Any,
    settings: Any,
) -> AccountOrangeConnex:
    """The seeded demo OC account, pointed at this test's sandbox and web server."""
    settings.PUBLIC_BASE_URL = live_server.url
    account = AccountOrangeConnex.objects.get(name=DEMO_OC_ACCOUNT.name)
    account.api_base_url = f"{oc_sandbox.url}/openapi"
    account.oauth_base_url = oc_sandbox.url
    account.redirect_uri = f"{live_server.url}/oc/oauth/callback/"
    account.save()
    return account


def log_in_and_authorize(
    page: Any, live_server: Any, user: User, account: AccountOrangeConnex
) -> None:
    """Log in as ``user`` and authorize ``account`` on OC's consent page, as an account
    manager does first; the journeys that need an authorized account start with it."""
    log_in(page, live_server.url, user)
    authorize(page, live_server, account)
    page.click("#approve")
    page.wait_for_selector(".messagelist .success")


def wait_for(page: Any, done: Any, what: str) -> None:
    """Wait up to a minute for ``done()`` (e.g. the worker has finished a run)."""
    for _ in range(120):
        if done():
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"timed out waiting for {what}")


def authorize(page: Any, live_server: Any, account: AccountOrangeConnex) -> None:
    """Open the account and click *Authorize with Orange Connex*, up to OC's consent page."""
    page.goto(f"{live_server.url}/admin/oc_integration/accountorangeconnex/{account.pk}/change/")
    page.click("#authorize-with-oc")
    page.wait_for_selector("#approve")
