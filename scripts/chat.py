"""Chat with the running assistant in a terminal over the REST channel (stdlib only).

Usage: python scripts/chat.py http://127.0.0.1:5005
Buttons are shown numbered; type the number to press one.
"""

from __future__ import annotations

import json
import sys
import urllib.request
import uuid


def send(base_url: str, sender: str, message: str) -> list[dict]:
    request = urllib.request.Request(
        f"{base_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def show(replies: list[dict]) -> list[dict]:
    buttons: list[dict] = []
    for reply in replies:
        if "text" in reply:
            print(f"bot> {reply['text']}")
        if "custom" in reply:
            print(f"bot> [clinic summary] {json.dumps(reply['custom'])[:300]}...")
        for button in reply.get("buttons", []):
            buttons.append(button)
            print(f"     [{len(buttons)}] {button['title']}")
    return buttons


def main(base_url: str) -> None:
    sender = uuid.uuid4().hex  # a random id: never an email or phone number
    print("Type your message (Ctrl-D to quit).")
    buttons: list[dict] = []
    while True:
        try:
            line = input("you> ").strip()
        except EOFError:
            break
        if line.isdigit() and 0 < int(line) <= len(buttons):
            line = buttons[int(line) - 1]["payload"]
        if line:
            buttons = show(send(base_url, sender, line))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5005")
