"""``manage.py ebay_sandbox``: run the eBay Trading API emulator for the demo."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ebay_orders.sandbox import API_PATH, DEFAULT_TOKEN, SandboxState, make_server


def _default_port() -> int:
    return urlsplit(settings.EBAY_SANDBOX_URL).port or 8766


class Command(BaseCommand):
    help = "Run the eBay sandbox (GetOrders, CompleteSale, /_sandbox/ control API). Demo only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=_default_port())
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run even though DEBUG is off (never on a production host).",
        )
        parser.add_argument("--seller-fulfilled", type=int, default=8, help="Orders per site.")
        parser.add_argument("--ebay-fulfilled", type=int, default=4, help="Orders per site.")
        parser.add_argument("--mixed", type=int, default=0, help="Mixed orders per site.")
        parser.add_argument("--unknown-sku", type=int, default=0, help="Per site.")
        parser.add_argument("--malformed", type=int, default=0, help="Per site.")
        parser.add_argument("--page-size", type=int, default=100, help="Most orders per page.")
        parser.add_argument("--token", default=DEFAULT_TOKEN, help="The accepted user token.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                "The eBay sandbox is a demo tool and DEBUG is off; "
                "pass --allow-without-debug if you really mean it."
            )
        state = SandboxState(
            token=options["token"],
            seller_fulfilled=options["seller_fulfilled"],
            ebay_fulfilled=options["ebay_fulfilled"],
            mixed=options["mixed"],
            unknown_sku=options["unknown_sku"],
            malformed=options["malformed"],
            max_entries_per_page=options["page_size"],
        )
        server = make_server(options["host"], options["port"], state)
        base = f"http://{options['host']}:{server.server_port}"
        self.stdout.write(
            f"eBay sandbox: Trading API at {base}{API_PATH}, control at {base}/_sandbox/ "
            f"({len(state.orders)} orders). Ctrl-C stops it."
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("eBay sandbox stopped.")
        finally:
            server.server_close()
