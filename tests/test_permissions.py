"""Who may change what in the admin: every state-changing action needs a named permission.

Staff who may only *view* are never offered an action, get 403 from the custom pages,
and their attempts reach neither sandbox, queue nothing and change no row. Staff with the
named permission (and nothing else beyond viewing) can do what it names. Error reports of
pages and functions that handle secrets show those secrets as hidden.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from celery.app.task import Task
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.db.models import Model
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.debug import ExceptionReporter, get_exception_reporter_class
from django_celery_beat.models import PeriodicTask

from ebay_orders.models import EbayConnection, IssueKind, OrderIssue, ReportStatus, ShipmentReport
from ebay_orders.sandbox import RunningSandbox
from hemi_fulfilment.catalog.models import EbayAccount, Product
from hemi_fulfilment.orders.models import Order
from hemi_fulfilment.schedules import register_recurring_jobs
from oc_integration.admin.outbound.hemi_orders import push_to_orange_connex
from oc_integration.auth.tokens import forget_access_token, get_access_token
from oc_integration.client.codes import decode_until_stable
from oc_integration.models import (
    AccountOrangeConnex,
    AuthorizationStatus,
    InboundOrder,
    OAuthAuthorizationRequest,
    OCSku,
    OutboundOrder,
    OutboundStatus,
    ProductAccountOrangeConnex,
    RoutingAccount,
    SyncRun,
    WebhookDelivery,
)
from oc_integration.outbound.orders import prepare_outbound_orders
from oc_integration.outbound.push import push_queued
from oc_integration.outbound.routing.run import turn_on
from oc_integration.stock.runs import queue_stock_sync, run_stock_sync
from tests.ebay_orders.conftest import connected, sandbox  # noqa: F401  (fixtures)
from tests.oc_integration.conftest import Sandbox, demo_account, oc_sandbox  # noqa: F401
from tests.oc_integration.factories import region_mapping_form
from tests.oc_integration.inbound.helpers import world_draft
from tests.oc_integration.outbound_helpers import stock_everything, web_orders

pytestmark = pytest.mark.django_db

AUTHORIZE = "oc_integration.authorize_accountorangeconnex"
APPLY = "oc_integration.apply_syncrun"
RUN_STOCK_SYNC = "oc_integration.run_stock_sync"
PUSH = "oc_integration.push_outboundorder"
CANCEL = "oc_integration.cancel_outboundorder"
REFRESH = "oc_integration.refresh_outboundorder"
RUN_EBAY_JOBS = "ebay_orders.run_ebay_jobs"
RESEND = "ebay_orders.resend_shipmentreport"
RESOLVE = "ebay_orders.resolve_orderissue"
CONNECT_EBAY = "ebay_orders.connect_ebayconnection"
CHANGE_PERIODIC_TASK = "django_celery_beat.change_periodictask"
RUN_MOVEMENT_SYNC = "oc_integration.run_movement_sync"
RUN_STOCK_AGE_SYNC = "oc_integration.run_stock_age_sync"
RUN_SKU_SYNC = "oc_integration.run_sku_sync"
REGISTER_SKU = "oc_integration.register_ocsku"
DOWNLOAD_LABELS = "oc_integration.download_sku_labels"
SET_UP_EF = "oc_integration.set_up_sku_ef_services"
PLACE_INBOUND = "oc_integration.place_inboundorder"
SYNC_INBOUND = "oc_integration.sync_inboundorder"
ESTIMATE_COSTS = "oc_integration.estimate_costs"
REPLAY = "oc_integration.replay_webhookdelivery"
MANAGE_ROUTING = "oc_integration.manage_routing"
ATTACH_OWN_LABEL = "oc_integration.attach_ownlabel"
SYNC_RETURNS = "oc_integration.sync_returns"

#: Actions that only read, which anyone who may view may run: ("app.Model", action name).
#: None today (the stock CSV export is a page of its own, tested below).
READ_ONLY_ACTIONS: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Guarded:
    """A state-changing admin action, the permission it needs and what it says once done."""

    model: type[Model]
    action: str
    permission: str
    done: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.model._meta.label, self.action)

    def __str__(self) -> str:
        return f"{self.model._meta.label}.{self.action}"


GUARDED = [
    Guarded(AccountOrangeConnex, "sync_stock_now", RUN_STOCK_SYNC, "queued as"),
    Guarded(AccountOrangeConnex, "stock_dry_run", RUN_STOCK_SYNC, "review and apply"),
    Guarded(AccountOrangeConnex, "refresh_access_token_now", AUTHORIZE, "access token refreshed."),
    Guarded(
        AccountOrangeConnex, "sync_movements_now", RUN_MOVEMENT_SYNC, "Stock movement import for"
    ),
    Guarded(AccountOrangeConnex, "sync_stock_age_now", RUN_STOCK_AGE_SYNC, "Stock age import for"),
    Guarded(OutboundOrder, "push_to_oc", PUSH, "push(es) queued for the worker"),
    Guarded(OutboundOrder, "refresh_from_oc", REFRESH, "open order(s)"),
    Guarded(OutboundOrder, "cancel_at_oc", CANCEL, "cancelled at OC."),
    Guarded(Order, "push_to_orange_connex", PUSH, "order(s) queued for"),
    Guarded(EbayConnection, "import_orders_now", RUN_EBAY_JOBS, "Order import queued for"),
    Guarded(EbayAccount, "import_orders_now", RUN_EBAY_JOBS, "Order import queued for"),
    Guarded(EbayConnection, "report_shipments_now", RUN_EBAY_JOBS, "Shipment reports queued for"),
    Guarded(EbayAccount, "report_shipments_now", RUN_EBAY_JOBS, "Shipment reports queued for"),
    Guarded(ShipmentReport, "retry", RESEND, "will be sent on the next run."),
    Guarded(ShipmentReport, "mark_reported", RESEND, "marked as reported"),
    Guarded(OrderIssue, "mark_resolved", RESOLVE, "marked resolved."),
    Guarded(PeriodicTask, "enable_tasks", CHANGE_PERIODIC_TASK, "successfully enabled"),
    Guarded(PeriodicTask, "disable_tasks", CHANGE_PERIODIC_TASK, "successfully disabled"),
    Guarded(PeriodicTask, "toggle_tasks", CHANGE_PERIODIC_TASK, "successfully toggled"),
    Guarded(PeriodicTask, "run_tasks", CHANGE_PERIODIC_TASK, "successfully run"),
    Guarded(AccountOrangeConnex, "sync_skus_now", RUN_SKU_SYNC, "SKU sync for"),
    Guarded(Product, "register_at_orange_connex", REGISTER_SKU, "check before sending"),
    Guarded(OCSku, "download_labels", DOWNLOAD_LABELS, "%PDF-"),
    Guarded(OCSku, "refresh_ef_services_now", SET_UP_EF, "EF services refreshed"),
    Guarded(OCSku, "set_up_ef_services", SET_UP_EF, "Set up the chosen EF services"),
    Guarded(InboundOrder, "place_at_oc", PLACE_INBOUND, "check before placing"),
    Guarded(AccountOrangeConnex, "sync_inbound_now", SYNC_INBOUND, "Inbound sync for"),
    Guarded(Product, "estimate_fulfilment_costs", ESTIMATE_COSTS, "cost estimate(s) from OC"),
    Guarded(WebhookDelivery, "replay_callbacks", REPLAY, "queued to be confirmed with OC again"),
    Guarded(AccountOrangeConnex, "sync_returns_now", SYNC_RETURNS, "Return import for"),
    Guarded(RoutingAccount, "turn_routing_on", MANAGE_ROUTING, "Automatic routing is now on"),
    Guarded(RoutingAccount, "turn_routing_off", MANAGE_ROUTING, "Automatic routing is now off"),
    Guarded(RoutingAccount, "route_orders_now", MANAGE_ROUTING, "Routing run queued for"),
]
GUARDED_BY_KEY = {case.key: case for case in GUARDED}
NAMED_PERMISSIONS = sorted({case.permission for case in GUARDED} | {APPLY, CONNECT_EBAY})


@dataclass(frozen=True)
class RegisteredAction:
    """One action of one registered ModelAdmin, as Django's changelist offers it."""

    model: type[Model]
    name: str
    function: Callable[..., Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.model._meta.label, self.name)

    def __str__(self) -> str:
        return f"{self.model._meta.label}.{self.name}"


def registered_actions() -> list[RegisteredAction]:
    """Every action of every ModelAdmin on the admin site, Django's delete included."""
    return [
        RegisteredAction(model, name, function)
        for model, model_admin in admin.site._registry.items()
        for function, name, _ in model_admin._get_base_actions()  # type: ignore[attr-defined]
    ]


#: The project's own actions (Django's "delete selected" needs the delete permission).
OWN_ACTIONS = [a for a in registered_actions() if a.name != "delete_selected"]


def changelist(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def staff(username: str, *permissions: str) -> User:
    """A staff user with every view permission and exactly ``permissions`` besides."""
    user = User.objects.create_user(username, password=f"pw-{username}-1", is_staff=True)
    named = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in (permission.split(".") for permission in permissions)
    ]
    user.user_permissions.set([*Permission.objects.filter(codename__startswith="view_"), *named])
    return User.objects.get(pk=user.pk)  # without the permission cache of the old instance


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def request_by(user: User, method: str = "get") -> HttpRequest:
    request = getattr(RequestFactory(), method)("/admin/")
    request.user = user
    return request


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the sessions (logging in writes one)."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.label != "sessions.Session"
    }


@dataclass
class World:
    """Both sandboxes, an authorized OC account and at least one row for every action."""

    oc: Sandbox
    ebay: RunningSandbox
    account: AccountOrangeConnex
    dry_run: SyncRun

    def oc_calls(self) -> int:
        return len(self.oc.control("GET", "calls")["calls"])

    def ebay_calls(self) -> int:
        return len(self.ebay.state.calls())


@pytest.fixture
def world(
    demo_account: AccountOrangeConnex,  # noqa: F811
    oc_sandbox: Sandbox,  # noqa: F811
    connected: RunningSandbox,  # noqa: F811
) -> World:
    stock_everything(oc_sandbox, demo_account)
    sent = web_orders(2, prefix="PERM")[0]  # the other one is left for the Hemi orders push
    prepare_outbound_orders(demo_account, [sent.pk])
    push_queued(demo_account.pk)
    submitted = OutboundOrder.objects.get(order=sent)
    assert submitted.status == OutboundStatus.SUBMITTED
    WebhookDelivery.objects.create(
        account=demo_account,
        delivery_id="PERM-CALLBACK-1",
        outbound_order=submitted,
        order_number=submitted.oc_order_number or "",
        status=WebhookDelivery.Status.FAILED,
    )
    ebay_order = Order.objects.filter(ebay_order_id__isnull=False).first()
    assert ebay_order is not None
    ShipmentReport.objects.get_or_create(order=ebay_order, defaults={"status": ReportStatus.FAILED})
    OrderIssue.objects.create(
        ebay_account=EbayAccount.objects.get(site_code="UK"),
        ebay_order_id="PERM-HELD-1",
        kind=IssueKind.MALFORMED,
        message="No shipping address.",
    )
    if not PeriodicTask.objects.exists():
        register_recurring_jobs()
    world_draft(demo_account)  # so that "Place at Orange Connex" has an order to check
    turn_on(demo_account, by=None)  # so that "Route new orders now" has a run to queue
    dry_run = run_stock_sync(
        queue_stock_sync(demo_account, trigger=SyncRun.Trigger.ADMIN, dry_run=True).pk
    )
    return World(oc=oc_sandbox, ebay=connected, account=demo_account, dry_run=dry_run)


@pytest.fixture
def sent_tasks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the Celery tasks sent (they are recorded, not sent)."""
    sent: list[str] = []

    def record(task: Task, *args: Any, **kwargs: Any) -> None:
        sent.append(task.name)

    monkeypatch.setattr(Task, "apply_async", record)
    return sent


def action_post(model: type[Model], action: str) -> dict[str, Any]:
    """What a changelist form sends for ``action`` on every row, past any confirmation."""
    return {
        "action": action,
        "_selected_action": list(model._base_manager.values_list("pk", flat=True)),
        "reason": "Customer request",  # the cancel confirmation
        "confirm_push": "yes",  # the push confirmation (after its preview)
        "post": "yes",  # the delete confirmation
    }


# --- every action declares what it needs -------------------------------------------------
@pytest.mark.parametrize("action", registered_actions(), ids=str)
def test_every_state_changing_action_declares_a_permission_beyond_view(
    action: RegisteredAction,
) -> None:
    if action.key in READ_ONLY_ACTIONS:
        pytest.skip("read-only action: viewing is enough")
    declared = set(getattr(action.function, "allowed_permissions", ()))
    assert declared - {"view"}, f"{action} declares no permission beyond view: {declared}"


def test_every_action_of_the_project_is_listed_with_its_named_permission() -> None:
    registered = {a.key for a in OWN_ACTIONS} - READ_ONLY_ACTIONS
    assert registered == set(GUARDED_BY_KEY), (
        "List each new action in GUARDED (its permission and what it says once done); "
        "drop the ones that are gone."
    )


@pytest.mark.parametrize(
    "model_admin", list(admin.site._registry.values()), ids=lambda m: m.model._meta.label
)
def test_view_only_staff_are_offered_no_action_at_all(model_admin: admin.ModelAdmin) -> None:
    viewer = staff("viewer")
    assert model_admin.get_actions(request_by(viewer)) == {}


@pytest.mark.parametrize("case", GUARDED, ids=str)
def test_an_action_is_offered_only_to_staff_with_its_named_permission(case: Guarded) -> None:
    model_admin = admin.site.get_model_admin(case.model)
    others = [p for p in NAMED_PERMISSIONS if p != case.permission]
    all_but_this = staff("all-but-this", *others)
    with_this = staff("with-this", case.permission)
    assert case.action not in model_admin.get_actions(request_by(all_but_this))
    assert case.action in model_admin.get_actions(request_by(with_this))


def test_the_resolved_box_of_a_held_order_needs_the_resolve_permission_too() -> None:
    issue_admin = admin.site.get_model_admin(OrderIssue)
    editor = staff("editor", "ebay_orders.change_orderissue")
    resolver = staff("resolver", "ebay_orders.change_orderissue", RESOLVE)
    assert "resolved" in issue_admin.get_readonly_fields(request_by(editor))
    assert "resolved" not in issue_admin.get_readonly_fields(request_by(resolver))


# --- view-only staff change nothing --------------------------------------------------------
@pytest.mark.parametrize("action", OWN_ACTIONS, ids=str)
def test_view_only_staff_cannot_run_an_action_and_nothing_reaches_the_sandboxes(
    action: RegisteredAction,
    world: World,
    sent_tasks: list[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = GUARDED_BY_KEY.get(action.key)
    assert case is not None, f"{action} is missing from GUARDED"
    client = logged_in(staff("viewer"))
    page = client.get(changelist(action.model)).content.decode()
    assert f'value="{action.name}"' not in page
    oc_calls, ebay_calls, before = world.oc_calls(), world.ebay_calls(), database_state()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            changelist(action.model), action_post(action.model, action.name), follow=True
        )
    assert response.status_code in (200, 403)
    assert case.done not in response.content.decode()
    assert world.oc_calls() == oc_calls and world.ebay_calls() == ebay_calls
    assert queued == [] and sent_tasks == []
    assert database_state() == before


def test_view_only_staff_cannot_start_an_authorization_or_paste_a_code(world: World) -> None:
    account = world.account
    code = decode_until_stable(world.oc.fresh_code(account))
    client = logged_in(staff("viewer"))
    oc_calls, before = world.oc_calls(), database_state()
    start = reverse("admin:oc_integration_accountorangeconnex_authorize", args=[account.pk])
    paste = reverse("admin:oc_integration_accountorangeconnex_paste_code", args=[account.pk])
    assert client.post(start).status_code == 403
    assert client.get(paste).status_code == 403
    assert client.post(paste, {"pasted": code}).status_code == 403
    callback = f"/oc/oauth/callback/?act=getAuthorizationCode&code={code}&state=anything"
    assert client.get(callback).status_code == 403
    assert world.oc_calls() == oc_calls and database_state() == before
    assert not OAuthAuthorizationRequest.objects.exists()


def test_view_only_staff_cannot_connect_an_ebay_account(world: World) -> None:
    connection = EbayConnection.objects.get(ebay_account__site_code="UK")
    start = reverse("admin:ebay_orders_ebayconnection_connect", args=[connection.pk])
    change = reverse("admin:ebay_orders_ebayconnection_change", args=[connection.pk])
    client = logged_in(staff("viewer", *[p for p in NAMED_PERMISSIONS if p != CONNECT_EBAY]))
    before = database_state()
    assert 'id="connect-to-ebay"' not in client.get(change).content.decode()
    assert client.post(start).status_code == 403
    assert client.get("/ebay/oauth/callback/?code=c&state=anything").status_code == 403
    assert database_state() == before


def test_staff_with_the_connect_permission_are_sent_to_ebays_consent(world: World) -> None:
    connection = EbayConnection.objects.get(ebay_account__site_code="UK")
    client = logged_in(staff("seller-manager", CONNECT_EBAY))
    change = reverse("admin:ebay_orders_ebayconnection_change", args=[connection.pk])
    assert 'id="connect-to-ebay"' in client.get(change).content.decode()
    start = reverse("admin:ebay_orders_ebayconnection_connect", args=[connection.pk])
    response = client.post(start)
    assert response.status_code == 302 and "/oauth2/authorize?" in response["Location"]
    assert connection.authorization_requests.count() == 1


def test_view_only_staff_see_no_authorize_button_but_can_export_the_stock(world: World) -> None:
    client = logged_in(staff("viewer"))
    page = client.get(
        reverse("admin:oc_integration_accountorangeconnex_change", args=[world.account.pk])
    ).content.decode()
    assert 'id="authorize-with-oc"' not in page and 'id="paste-code"' not in page
    export = client.get(reverse("admin:oc_integration_productaccountorangeconnex_export"))
    assert export.status_code == 200
    lines = b"".join(export.streaming_content).decode().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 + ProductAccountOrangeConnex.objects.count() > 1


def test_view_only_staff_can_review_a_dry_run_but_not_apply_it(world: World) -> None:
    client = logged_in(staff("viewer"))
    review = reverse("admin:oc_integration_syncrun_review", args=[world.dry_run.pk])
    page = client.get(review).content.decode()
    assert 'id="review-summary"' in page and 'id="apply-changes"' not in page
    before = database_state()
    assert client.post(review).status_code == 403
    assert database_state() == before


def test_the_cancel_and_choose_account_pages_refuse_staff_without_the_permission(
    world: World, sent_tasks: list[str]
) -> None:
    # Django offers neither action to them; the pages check on their own all the same.
    request = request_by(staff("viewer", RUN_STOCK_SYNC, REFRESH), "post")
    outbound_admin = admin.site.get_model_admin(OutboundOrder)
    with pytest.raises(PermissionDenied):
        outbound_admin.cancel_at_oc(request, OutboundOrder.objects.all())  # type: ignore[attr-defined]
    with pytest.raises(PermissionDenied):
        outbound_admin.push_to_oc(request, OutboundOrder.objects.all())  # type: ignore[attr-defined]
    with pytest.raises(PermissionDenied):
        push_to_orange_connex(admin.site.get_model_admin(Order), request, Order.objects.all())
    assert OutboundOrder.objects.get().status == OutboundStatus.SUBMITTED
    assert sent_tasks == []


def test_the_own_label_page_refuses_staff_without_the_attach_permission(world: World) -> None:
    outbound = OutboundOrder.objects.get()
    url = reverse("admin:oc_integration_outboundorder_own_label", args=[outbound.pk])
    client = logged_in(staff("viewer", *NAMED_PERMISSIONS))
    before = database_state()
    assert client.get(url).status_code == 403
    assert client.post(url, {"remove": "1", "carrier": "DPD"}).status_code == 403
    assert database_state() == before
    allowed = logged_in(staff("labeller", ATTACH_OWN_LABEL))
    assert allowed.get(url).status_code == 200


# --- staff with the named permission can do it --------------------------------------------
@pytest.mark.parametrize("case", GUARDED, ids=str)
def test_staff_with_the_named_permission_can_run_the_action(
    case: Guarded, world: World, sent_tasks: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(staff("doer", case.permission))
    assert f'value="{case.action}"' in client.get(changelist(case.model)).content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            changelist(case.model), action_post(case.model, case.action), follow=True
        )
    assert response.status_code == 200
    assert case.done in response.content.decode()


def test_staff_with_the_authorize_permission_can_authorize_and_paste_a_code(
    world: World,
) -> None:
    account = world.account
    client = logged_in(staff("manager", AUTHORIZE))
    start = reverse("admin:oc_integration_accountorangeconnex_authorize", args=[account.pk])
    response = client.post(start)
    assert response.status_code == 302
    assert response["Location"].startswith(world.oc.url)
    AccountOrangeConnex.objects.filter(pk=account.pk).update(
        authorization_status=AuthorizationStatus.NOT_AUTHORIZED
    )
    paste = reverse("admin:oc_integration_accountorangeconnex_paste_code", args=[account.pk])
    assert client.post(paste, {"pasted": world.oc.fresh_code(account)}).status_code == 302
    account.refresh_from_db()
    assert account.authorization_status == AuthorizationStatus.AUTHORIZED


def test_staff_with_the_apply_permission_can_apply_a_reviewed_run(world: World) -> None:
    client = logged_in(staff("stock-keeper", APPLY))
    review = reverse("admin:oc_integration_syncrun_review", args=[world.dry_run.pk])
    assert 'id="apply-changes"' in client.get(review).content.decode()
    assert "Applied run" in client.post(review, follow=True).content.decode()
    world.dry_run.refresh_from_db()
    assert world.dry_run.status == SyncRun.Status.APPLIED


# --- error reports hide secrets ------------------------------------------------------------
@dataclass
class Report:
    """What Django's error report of one failed request shows."""

    post: dict[str, Any]  # a QueryDict: .get() gives the value shown
    text: str
    frames: list[dict[str, Any]]

    def variables(self, function: str) -> dict[str, Any]:
        frame = next(f for f in self.frames if f["function"] == function)
        return dict(frame["vars"])


@contextmanager
def error_reports() -> Iterator[list[Report]]:
    """The error reports of the requests that fail inside the block."""
    reports: list[Report] = []

    def receive(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
        # The reporter the settings name, as Django's debug page and admin emails use it.
        reporter_class: Any = get_exception_reporter_class(request)  # a class, not an instance
        reporter = reporter_class(request, *sys.exc_info())
        reports.append(
            Report(
                post=reporter.filter.get_post_parameters(request),
                text=reporter.get_traceback_text(),
                frames=reporter.get_traceback_frames(),
            )
        )

    got_request_exception.connect(receive)
    try:
        yield reports
    finally:
        got_request_exception.disconnect(receive)


HIDDEN = "********************"


class BrokenOAuthClient:
    """An OAuth client that fails in a way nobody handles."""

    def exchange_code(self, code: str) -> None:
        raise RuntimeError("The OAuth client broke.")

    def refresh(self, refresh_token: str) -> None:
        raise RuntimeError("The OAuth client broke.")


def failing_post(client: Client, url: str, data: dict[str, str]) -> Report:
    client.raise_request_exception = False
    with error_reports() as reports:
        assert client.post(url, data).status_code == 500
    assert len(reports) == 1
    return reports[0]


def test_an_error_report_of_the_paste_code_page_hides_the_code(
    world: World, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DEBUG = False  # Django hides nothing in debug mode
    monkeypatch.setattr(
        "oc_integration.auth.authorization.oauth_client", lambda account: BrokenOAuthClient()
    )
    code = "PASTED-CODE-Zq8+kL1"
    paste = reverse("admin:oc_integration_accountorangeconnex_paste_code", args=[world.account.pk])
    report = failing_post(logged_in(staff("manager", AUTHORIZE)), paste, {"pasted": code})
    assert report.post.get("pasted") == HIDDEN
    assert report.variables("exchange_code")["code"] == HIDDEN
    assert code not in report.text


def test_an_error_report_of_the_oc_account_form_hides_the_secrets(
    world: World, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DEBUG = False
    account = world.account

    def broken_save(*args: Any) -> None:
        raise RuntimeError("The database went away.")

    monkeypatch.setattr(admin.site.get_model_admin(AccountOrangeConnex), "save_model", broken_save)
    secrets = {
        "new_secret_key": "SECRET-KEY-8f2c91",
        "new_webhook_secret": "WEBHOOK-SECRET-4d7e0a1b",
    }
    form = {
        "name": account.name,
        "environment": account.environment,
        "api_base_url": account.api_base_url,
        "oauth_base_url": account.oauth_base_url,
        "client_key": account.client_key,
        "redirect_uri": account.redirect_uri,
        "signature_mode": account.signature_mode,
        "token_client_auth": account.token_client_auth,
        "access_token_bearer_prefix": "on",
        "stock_snapshot_version": account.stock_snapshot_version,
        **region_mapping_form(account),
        **secrets,
    }
    superuser = User.objects.create_superuser("root", password="pw-root-1")
    change = reverse("admin:oc_integration_accountorangeconnex_change", args=[account.pk])
    report = failing_post(logged_in(superuser), change, form)
    assert report.post.get("new_secret_key") == report.post.get("new_webhook_secret") == HIDDEN
    assert report.post.get("client_key") == account.client_key  # only the secrets are hidden
    for secret in secrets.values():
        assert secret not in report.text


def test_an_error_report_of_the_ebay_connection_form_hides_the_token(
    world: World, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DEBUG = False

    def broken_save(*args: Any) -> None:
        raise RuntimeError("The database went away.")

    monkeypatch.setattr(admin.site.get_model_admin(EbayConnection), "save_model", broken_save)
    connection = EbayConnection.objects.select_related("ebay_account").first()
    assert connection is not None
    token = "EBAY-USER-TOKEN-v^1.1#i^1"
    superuser = User.objects.create_superuser("root", password="pw-root-1")
    change = reverse("admin:ebay_orders_ebayconnection_change", args=[connection.pk])
    report = failing_post(
        logged_in(superuser),
        change,
        {"enabled": "on", "api_url": connection.api_url, "new_user_token": token},
    )
    assert report.post.get("new_user_token") == HIDDEN
    assert token not in report.text


def test_an_error_report_of_the_oauth_callback_hides_its_code_and_state_everywhere(
    world: World, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DEBUG = False

    def broken_state(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("The database went away.")

    monkeypatch.setattr("oc_integration.views.consume_state", broken_state)
    client = logged_in(staff("manager", AUTHORIZE))
    client.raise_request_exception = False
    with error_reports() as reports:
        response = client.get("/oc/oauth/callback/?act=getAuthorizationCode&code=C0DE&state=ST4TE")
    assert response.status_code == 500
    variables = reports[0].variables("oauth_callback")
    assert variables["params"] == variables["state"] == HIDDEN
    # The query string is hidden too: in the GET list, the request URL and META.
    assert "C0DE" not in reports[0].text and "ST4TE" not in reports[0].text
    assert "act=getAuthorizationCode" in reports[0].text


def test_an_error_report_of_a_failing_token_refresh_hides_the_refresh_token(
    world: World, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DEBUG = False
    monkeypatch.setattr("oc_integration.auth.tokens.oauth_client", lambda a: BrokenOAuthClient())
    forget_access_token(world.account.pk)
    with pytest.raises(RuntimeError) as failure:
        get_access_token(world.account.pk)
    reporter = ExceptionReporter(None, failure.type, failure.value, failure.tb)
    refresh_token = AccountOrangeConnex.objects.get(pk=world.account.pk).refresh_token
    assert refresh_token and refresh_token not in reporter.get_traceback_text()
    frames = {f["function"]: dict(f["vars"]) for f in reporter.get_traceback_frames()}
    assert frames["_refresh_with_retries"]["refresh_token"] == HIDDEN
