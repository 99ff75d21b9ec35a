"""Serves the chat widget and the demo running-club site (stdlib only).

    python3 web/serve.py            # http://127.0.0.1:8080/  (WEB_PORT, WEB_HOST)

`/widget.js` is the bundle (rebuilt from src/ when older than its sources); every other path
is a file under demo/. In HTML pages `{{BOT_URL}}`, `{{CLINIC_NAME}}` and `{{WIDGET_URL}}` are
filled from the environment: BOT_URL (default http://127.0.0.1:$RASA_PORT, port 5005) and
CLINIC_NAME. Nothing is fetched from outside: the page works in a closed clinic network.
"""

from __future__ import annotations

import html
import mimetypes
import os
import signal
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

WEB = Path(__file__).resolve().parent
sys.path.insert(0, str(WEB))
import build  # noqa: E402  (web/build.py, next to this file)

DEMO = WEB / "demo"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml", ".json": "application/json"}


def settings() -> dict[str, str]:
    rasa_port = os.environ.get("RASA_PORT", "5005")
    return {
        "BOT_URL": os.environ.get("BOT_URL", f"http://127.0.0.1:{rasa_port}").rstrip("/"),
        "CLINIC_NAME": os.environ.get("CLINIC_NAME", "Riverside Physio"),
    }


class Handler(BaseHTTPRequestHandler):
    server_version = "knee-widget"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        if os.environ.get("WEB_QUIET") != "1":
            sys.stderr.write("web: " + (format % args) + "\n")

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:  # noqa: N802 - stdlib naming
        path = unquote(urlsplit(self.path).path)
        if path == "/widget.js":
            if build.is_stale():
                build.build()
            self.send_file(build.OUT, head)
            return
        if path.endswith("/"):
            path += "index.html"
        target = (DEMO / path.lstrip("/")).resolve()
        if DEMO not in target.parents or not target.is_file():
            self.send_error(HTTPStatus.NOT_FOUND, "Not found")
            return
        self.send_file(target, head)

    def send_file(self, path: Path, head: bool) -> None:
        body = path.read_bytes()
        if path.suffix == ".html":
            text = body.decode("utf-8")
            values = settings() | {"WIDGET_URL": f"http://{self.headers.get('Host', '127.0.0.1')}/widget.js"}
            for key, value in values.items():
                text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
            body = text.encode("utf-8")
        ctype = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)


def _stop(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    host = os.environ.get("WEB_HOST", "127.0.0.1")
    port = int(os.environ.get("WEB_PORT", "8080"))
    build.build()
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, _stop)
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    print(f"Demo running-club site with the chat widget: http://{shown}:{server.server_port}/", flush=True)
    print(f"Widget script for your own site: http://{shown}:{server.server_port}/widget.js "
          f"(talks to {settings()['BOT_URL']})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
