"""Serve the emulator on a loopback port, in a background thread or in the foreground."""

from __future__ import annotations

import logging
import threading

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import EmulatorApp

_logger = logging.getLogger(__name__)


class _Handler(WSGIRequestHandler):
    """Werkzeug's handler, logging to ``logging`` at DEBUG instead of stderr."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        _logger.debug("%s %s -> %s", self.command, self.path.split("?")[0], code)

    def log(self, type: str, message: str, *args: object) -> None:  # noqa: A002 - werkzeug's signature
        getattr(_logger, "error" if type == "error" else "debug")(message.rstrip(), *args)


class EmulatorServer:
    """One emulated Google on ``http://host:port``; ``port=0`` picks a free port.

    Use as a context manager, or ``start()``/``stop()``; ``app`` gives tests direct access
    to the state when the HTTP control API is not enough.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = EmulatorApp()
        self._server: BaseWSGIServer = make_server(host, port, self.app, threaded=True, request_handler=_Handler)
        display = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{display}:{self._server.port}"
        self.app.base_url = self.base_url
        self._thread: threading.Thread | None = None

    def start(self) -> EmulatorServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="gcal-emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
        self.app.push.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
