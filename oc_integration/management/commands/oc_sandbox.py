"""``manage.py oc_sandbox``: run the local Orange Connex sandbox in the foreground.

For the demo and for manual testing only: it refuses to start unless ``DEBUG`` is on
(production settings never enable it) or ``--allow-without-debug`` is given.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oc_integration.sandbox import Catalog, OcSandbox, demo_catalog, generate_catalog, serve
from oc_integration.sandbox.server import stop_server

CONTROL_ENDPOINTS = [
    "POST   /_sandbox/reset",
    "GET    /_sandbox/config          POST /_sandbox/config",
    "POST   /_sandbox/faults          GET|DELETE /_sandbox/faults",
    "GET    /_sandbox/calls           DELETE /_sandbox/calls",
    "POST   /_sandbox/tokens/revoke   POST /_sandbox/tokens/expire-access",
    "PUT    /_sandbox/catalog         POST /_sandbox/catalog/generate",
    "GET    /_sandbox/catalog/summary",
    "GET    /_sandbox/outbound        POST /_sandbox/outbound/advance | /auto",
    "POST   /_sandbox/callbacks/config  POST /_sandbox/callbacks/resend",
    "POST   /_sandbox/clock",
]


class Command(BaseCommand):
    help = "Run the Orange Connex sandbox (a local stand-in for OC) until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--catalog", choices=["demo", "empty"], default="demo")
        parser.add_argument(
            "--generate", type=int, metavar="N", help="serve a generated catalog of N SKUs"
        )
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="run even though DEBUG is off (never do this on a production host)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                "The OC sandbox is a development tool and DEBUG is off: refusing to start. "
                "Production settings never enable it; pass --allow-without-debug to override."
            )
        factory: Callable[[], Catalog]
        if options["generate"] is not None:
            count = options["generate"]
            if count < 0:
                raise CommandError("--generate needs a number of SKUs >= 0")
            factory = lambda: generate_catalog(count)  # noqa: E731 - a one-line factory
        elif options["catalog"] == "empty":
            factory = Catalog.empty
        else:
            factory = demo_catalog
        if not _is_loopback(options["host"]):
            self.stderr.write(
                self.style.WARNING(f"Warning: {options['host']} is not a loopback address.")
            )
        if options["verbosity"] >= 2:
            logger = logging.getLogger("oc_integration.sandbox")
            logger.setLevel(logging.DEBUG)
            logger.addHandler(logging.StreamHandler())
        try:
            server = serve(options["host"], options["port"], OcSandbox(catalog_factory=factory))
        except OSError as exc:
            raise CommandError(
                f"Cannot listen on {options['host']}:{options['port']}: {exc}"
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"OC sandbox listening on {server.url}"))
        self.stdout.write(f"  OAuth:   {server.url}/oauth/authorize  {server.url}/oauth/token")
        self.stdout.write(f"  API:     {server.url}/openapi/3pp/...")
        self.stdout.write(f"  Catalog: {len(server.sandbox.catalog)} SKUs")
        self.stdout.write("  Control API:")
        for line in CONTROL_ENDPOINTS:
            self.stdout.write(f"    {line}")
        self.stdout.write("Press Ctrl-C to stop.")
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            self.stdout.write("Stopping the OC sandbox.")
        finally:
            stop_server(server)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
