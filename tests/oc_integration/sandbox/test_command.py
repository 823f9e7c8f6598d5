"""``manage.py oc_sandbox``: refuses to run without DEBUG; otherwise serves until Ctrl-C."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from oc_integration.sandbox import SandboxServer


def test_the_command_refuses_to_run_when_debug_is_off(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("oc_sandbox", "--port", "0")


def _interrupt(self: SandboxServer, poll_interval: float = 0.5) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("debug", "extra"), [(True, []), (False, ["--allow-without-debug"])], ids=["debug", "override"]
)
def test_the_command_prints_its_url_and_control_endpoints_then_stops_on_ctrl_c(
    settings: Any, monkeypatch: pytest.MonkeyPatch, debug: bool, extra: list[str]
) -> None:
    settings.DEBUG = debug
    monkeypatch.setattr(SandboxServer, "serve_forever", _interrupt)
    out = StringIO()
    call_command("oc_sandbox", "--port", "0", "--catalog", "empty", *extra, stdout=out)
    text = out.getvalue()
    assert "OC sandbox listening on http://127.0.0.1:" in text
    assert "/_sandbox/reset" in text and "/_sandbox/faults" in text
    assert "Catalog: 0 SKUs" in text
    assert "Stopping the OC sandbox." in text


def test_the_command_can_serve_a_generated_catalog(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DEBUG = True
    monkeypatch.setattr(SandboxServer, "serve_forever", _interrupt)
    out = StringIO()
    call_command("oc_sandbox", "--port", "0", "--generate", "250", stdout=out)
    assert "Catalog: 250 SKUs" in out.getvalue()
