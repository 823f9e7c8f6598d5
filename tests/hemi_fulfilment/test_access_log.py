"""The OAuth callback's query (code, state) never reaches an access log."""

from __future__ import annotations

import importlib.util
import io
import logging
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config  # type: ignore[import-untyped]
from gunicorn.glogging import Logger  # type: ignore[import-untyped]

from hemi_fulfilment.access_log import QUERY_REMOVED, OAuthCallbackQueryFilter

ROOT = Path(__file__).resolve().parents[2]
CODE = "AbCd%252B123secret"
STATE = "st4te-value-9"


def _server_record(request_line: str) -> logging.LogRecord:
    """A record as runserver's request handler logs it."""
    return logging.getLogger("django.server").makeRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (request_line, "302", "0"),
        None,
    )


@pytest.mark.parametrize(
    "path", ["/oc/oauth/callback/", "/ebay/oauth/callback/", "/oauth/callback"]
)
def test_the_filter_removes_the_query_of_an_oauth_callback_request_line(path: str) -> None:
    record = _server_record(
        f"GET {path}?act=getAuthorizationCode&code={CODE}&state={STATE} HTTP/1.1"
    )
    assert OAuthCallbackQueryFilter().filter(record) is True
    message = record.getMessage()
    assert CODE not in message and STATE not in message
    assert message == f'"GET {path}{QUERY_REMOVED} HTTP/1.1" 302 0'


def test_the_filter_leaves_other_queries_alone() -> None:
    record = _server_record("GET /admin/orders/order/?q=123&p=2 HTTP/1.1")
    OAuthCallbackQueryFilter().filter(record)
    assert record.getMessage() == '"GET /admin/orders/order/?q=123&p=2 HTTP/1.1" 302 0'


def test_runservers_logger_is_configured_to_drop_the_callback_query() -> None:
    logger = logging.getLogger("django.server")
    handler = logger.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    original = handler.setStream(stream)
    try:
        logger.info(
            '"%s" %s %s',
            f"GET /oc/oauth/callback/?code={CODE}&state={STATE} HTTP/1.1",
            "302",
            "0",
            extra={"server_time": "01/Dec/2026 10:00:00"},
        )
    finally:
        handler.setStream(original)
    logged = stream.getvalue()
    assert "/oc/oauth/callback/" in logged
    assert CODE not in logged and STATE not in logged


def _gunicorn_config() -> Config:
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    config = Config()
    for name in ("wsgi_app", "accesslog", "errorlog", "access_log_format"):
        config.set(name, getattr(module, name))
    return config


def test_gunicorns_access_log_records_the_callback_path_without_its_query(
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = _gunicorn_config()
    assert config.wsgi_app == "hemi_fulfilment.wsgi:application"
    log = Logger(config)
    query = f"act=getAuthorizationCode&code={CODE}&state={STATE}"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/oc/oauth/callback/?{query}",
        "PATH_INFO": "/oc/oauth/callback/",
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.5",
        "HTTP_REFERER": f"https://hemi.example/oc/oauth/callback/?{query}",
        "HTTP_USER_AGENT": "Firefox",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[])
    request = SimpleNamespace(headers=[])
    log.access(response, request, environ, timedelta(milliseconds=12))
    for handler in log.access_log.handlers:
        handler.flush()
    logged = capsys.readouterr().out
    assert '"GET /oc/oauth/callback/ HTTP/1.1" 302' in logged
    assert CODE not in logged and STATE not in logged and "code=" not in logged
