"""A runner on the web widget's socket.io channel, for the end-to-end tests.

Run with Rasa's environment (it has python-socketio, the client side of the protocol the
widget speaks): ``.venv/rasa/bin/python tests/e2e/socketio_runner.py <rasa_url> <session>``.
It joins the session's room as the widget does, then sends each line read from stdin as the
runner's message and prints every ``bot_uttered`` event as one JSON line on stdout.
"""

from __future__ import annotations

import json
import sys
import threading

import socketio


def main(url: str, session_id: str) -> int:
    client = socketio.Client(reconnection=False)
    joined = threading.Event()

    @client.on("session_confirm")
    def confirmed(_data: object) -> None:
        joined.set()

    @client.on("bot_uttered")
    def uttered(data: object) -> None:
        sys.stdout.write(json.dumps(data) + "\n")
        sys.stdout.flush()

    client.connect(url, transports=["polling"])  # the client side has no websocket package
    client.emit("session_request", {"session_id": session_id})
    if not joined.wait(30):
        return 1
    sys.stdout.write(json.dumps({"joined": session_id}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        if line.strip():
            client.emit("user_uttered", {"message": line.strip(), "session_id": session_id})
    client.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
