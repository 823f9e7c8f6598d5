"""HTTP plumbing: a ThreadingHTTPServer around an ``OcSandbox``, and ``running_sandbox()``.

The server speaks HTTP/1.0 (one request per connection) so no idle keep-alive thread
outlives it; its threads are daemons and ``server_close`` does not wait for them, and a
handler sleeping in a fault wakes up as soon as the server stops.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .core import OcSandbox
from .messages import Request, Response, json_response
from .router import dispatch

logger = logging.getLogger(__name__)


class SandboxServer(ThreadingHTTPServer):
    """The sandbox's HTTP server; ``url`` is its base URL."""

    daemon_threads = True
    # A handler holding a "timeout" fault must not delay server_close().
    block_on_close = False
    # Tests fire bursts of concurrent calls (token races); the default backlog is 5.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], sandbox: OcSandbox) -> None:
        self.sandbox = sandbox
        # shutdown() blocks forever on a server that never served: remember whether it did.
        self.started = threading.Event()
        super().__init__(address, SandboxRequestHandler)

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until ``stop_server`` (or ``shutdown``)."""
        self.started.set()
        super().serve_forever(poll_interval)

    @property
    def url(self) -> str:
        """``http://host:port`` as clients should use it."""
        host, port = self.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        return f"http://{host}:{port}"


class SandboxRequestHandler(BaseHTTPRequestHandler):
    """Turns each HTTP request into a ``Request`` and writes back the ``Response``."""

    server: SandboxServer
    server_version = "OrangeConnexSandbox/1.0"
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        request = Request(
            method=self.command,
            raw_path=self.path,
            headers={key.lower(): value for key, value in self.headers.items()},
            body=body,
        )
        try:
            response = dispatch(self.server.sandbox, request)
        except Exception as exc:  # a sandbox bug must show up as a 500, not a hang
            logger.exception("OC sandbox failed on %s %s", self.command, self.path)
            response = json_response({"code": 500, "success": False, "message": repr(exc)}, 500)
        if response.drop:
            self.close_connection = True
            return
        try:
            self._write(response)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("client went away during %s %s", self.command, self.path)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if isinstance(response.body, bytes):
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
            return
        # Streamed: no Content-Length, the end of the body is the end of the connection.
        self.send_header("Connection", "close")
        self.end_headers()
        for chunk in response.body:
            self.wfile.write(chunk)

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)


def serve(
    host: str = "127.0.0.1", port: int = 0, sandbox: OcSandbox | None = None
) -> SandboxServer:
    """A bound (not yet serving) server; call ``serve_forever()`` and later ``stop_server``."""
    sandbox = sandbox or OcSandbox()
    sandbox.stopping.clear()
    return SandboxServer((host, port), sandbox)


def stop_server(server: SandboxServer) -> None:
    """Stop serving promptly: wake sleeping handlers, stop the loop, close the socket."""
    server.sandbox.stopping.set()
    if server.started.is_set():
        server.shutdown()
    server.server_close()
    server.sandbox.callbacks.stop()


@dataclass
class RunningSandbox:
    """A sandbox served in a background thread (what ``running_sandbox()`` yields)."""

    url: str
    sandbox: OcSandbox
    server: SandboxServer

    @property
    def port(self) -> int:
        """The TCP port it listens on."""
        return int(self.server.server_address[1])


@contextmanager
def running_sandbox(
    sandbox: OcSandbox | None = None, host: str = "127.0.0.1", port: int = 0
) -> Iterator[RunningSandbox]:
    """Serve a sandbox (a fresh one by default) on a free port for the ``with`` block."""
    server = serve(host, port, sandbox)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"oc-sandbox-{server.server_address[1]}",
        daemon=True,
    )
    thread.start()
    server.started.wait(5)
    try:
        yield RunningSandbox(server.url, server.sandbox, server)
    finally:
        stop_server(server)
        thread.join(timeout=5)
