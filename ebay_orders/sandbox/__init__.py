"""An eBay Trading API emulator for the demo and the tests (GetOrders, CompleteSale).

It imports neither the client nor Django models, only the demo data set, so that the
client is tested against an independent reading of eBay's XML.
"""

from ebay_orders.sandbox.server import API_PATH, RunningSandbox, make_server, running_sandbox
from ebay_orders.sandbox.state import DEFAULT_TOKEN, FAULT_KINDS, SandboxState

__all__ = [
    "API_PATH",
    "DEFAULT_TOKEN",
    "FAULT_KINDS",
    "RunningSandbox",
    "SandboxState",
    "make_server",
    "running_sandbox",
]
