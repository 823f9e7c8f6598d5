"""The OC sandbox: a local stand-in for Orange Connex over real HTTP.

It serves OC's OAuth endpoints (``/oauth/authorize``, ``/oauth/token``), the OC API under
``/openapi`` (service list, stock snapshot, outbound creation / query / cancel) with OC's
authentication and signature checks, and a control API under ``/_sandbox/`` that tests
and the demo use to inject faults, read the call journal, revoke tokens, change the
catalog and move orders along. It imports nothing from the real OC client or the models.

Typical use in a test::

    with running_sandbox() as oc:
        requests.post(oc.url + "/_sandbox/faults", json={"endpoint": "*", "kind": "http500"})
        ...  # point the client at oc.url
        assert oc.sandbox.journal.count("POST", "/oauth/token") == 1
"""

from __future__ import annotations

from .catalog import Catalog, StockRow, demo_catalog, generate_catalog
from .config import CallbackTarget, ClientConfig, SandboxConfig
from .core import OcSandbox
from .server import RunningSandbox, SandboxServer, running_sandbox, serve, stop_server

__all__ = [
    "CallbackTarget",
    "Catalog",
    "ClientConfig",
    "OcSandbox",
    "RunningSandbox",
    "SandboxConfig",
    "SandboxServer",
    "StockRow",
    "demo_catalog",
    "generate_catalog",
    "running_sandbox",
    "serve",
    "stop_server",
]
