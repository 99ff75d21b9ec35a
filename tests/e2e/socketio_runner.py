"""A runner on the web widget's socket.io channel, for the end-to-end tests.

Run with Rasa's environment (it has python-socketio, the client side of the protocol the
widget speaks): ``.venv/rasa/bin/python tests/e2e/socketio_runner.py <rasa_url> <session>``.
It joins the session's room as the widget does, then sends each line read from stdin as the
runner's message and prints every ``bot_uttered`` event as one JSON line on stdout.

With ``--widget`` it also does what ``web/src/widget.js`` does about lost connections: it
reconnects, gives each message a ``message_id``, keeps it pending until the server's
acknowledgement, sends one at a time, and after a reconnection sends the oldest pending one
again (same id, ``resend: true``). It then also prints ``{"joined": session}`` after every
(re)connection, ``{"sent": id, "resend": bool}``, ``{"acked": id, "ack": ...}`` and
``{"disconnected": true}``.
"""

from __future__ import annotations

import json
import sys
import threading
import uuid
from typing import Any

import socketio

_OUTPUT = threading.Lock()


def _print(line: dict[str, Any]) -> None:
    with _OUTPUT:
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()


class Widget:
    """The widget's sending side: pending messages, one in flight, resent after a drop."""

    def __init__(self, client: socketio.Client, session_id: str) -> None:
        self.client, self.session_id = client, session_id
        self.pending: list[dict[str, Any]] = []
        self.ready, self.in_flight = False, None
        self.lock = threading.RLock()

    def add(self, text: str) -> None:
        with self.lock:
            self.pending.append({"id": uuid.uuid4().hex, "message": text, "sent": False})
        self.flush()

    def flush(self) -> None:
        with self.lock:
            if not self.ready or self.in_flight or not self.pending:
                return
            head = self.pending[0]
            data = {"message": head["message"], "session_id": self.session_id,
                    "message_id": head["id"]}
            if head["sent"]:
                data["resend"] = True
            head["sent"], self.in_flight = True, head["id"]
        _print({"sent": head["id"], "resend": bool(data.get("resend"))})
        self.client.emit("user_uttered", data,
                         callback=lambda *ack: self.acknowledged(head["id"], ack))

    def acknowledged(self, message_id: str, ack: tuple[Any, ...]) -> None:
        with self.lock:
            self.pending = [m for m in self.pending if m["id"] != message_id]
            if self.in_flight == message_id:
                self.in_flight = None
        _print({"acked": message_id, "ack": ack[0] if ack else None})
        self.flush()

    def lost(self) -> None:
        with self.lock:
            self.ready, self.in_flight = False, None

    def confirmed(self) -> None:
        with self.lock:
            self.ready = True
        self.flush()


def main(url: str, session_id: str, widget_mode: bool = False) -> int:
    client = socketio.Client(reconnection=widget_mode, reconnection_delay=0.5,
                             reconnection_delay_max=2)
    joined = threading.Event()
    widget = Widget(client, session_id)

    @client.on("session_confirm")
    def confirmed(_data: object) -> None:
        if widget_mode:
            _print({"joined": session_id})
            widget.confirmed()
        joined.set()

    @client.on("bot_uttered")
    def uttered(data: dict[str, Any]) -> None:
        _print(data)

    if widget_mode:
        @client.on("connect")
        def connected() -> None:
            client.emit("session_request", {"session_id": session_id})

        @client.on("disconnect")
        def disconnected(*_: object) -> None:
            widget.lost()
            _print({"disconnected": True})

    client.connect(url, transports=["polling"])  # the client side has no websocket package
    if not widget_mode:
        client.emit("session_request", {"session_id": session_id})
    if not joined.wait(30):
        return 1
    if not widget_mode:
        _print({"joined": session_id})
    for line in sys.stdin:
        if not line.strip():
            continue
        if widget_mode:
            widget.add(line.strip())
        else:
            client.emit("user_uttered", {"message": line.strip(), "session_id": session_id})
    client.disconnect()
    return 0


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--widget"]
    sys.exit(main(arguments[0], arguments[1], widget_mode="--widget" in sys.argv))
