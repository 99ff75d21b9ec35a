"""A real Sanic app served over HTTP from a background thread, for the Rasa-environment tests
of input channels (Rasa's own CORS set-up and channel blueprints included)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sanic import Sanic

# Several apps start in one process: Sanic 21.12's touch-up pass must keep the originals.
Sanic.test_mode = True


def _serve(app: Sanic, ready: threading.Event, box: dict) -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def start() -> None:
        server = await app.create_server(host="127.0.0.1", port=0, return_asyncio_server=True)
        await server.startup()
        await server.before_start()  # sanic_cors adds its middleware here
        await server.start_serving()
        await server.after_start()
        box["port"] = server.server.sockets[0].getsockname()[1]
        box["server"] = server
        box["loop"] = loop
        ready.set()

    loop.run_until_complete(start())
    loop.run_forever()


@contextmanager
def serving(app: Sanic) -> Iterator[str]:
    """Serves ``app`` on a free loopback port; yields its base URL (``http://127.0.0.1:<port>``)."""
    ready, box = threading.Event(), {}
    thread = threading.Thread(target=_serve, args=(app, ready, box), daemon=True)
    thread.start()
    assert ready.wait(10), "test server did not start"
    try:
        yield f"http://127.0.0.1:{box['port']}"
    finally:
        loop = box["loop"]
        loop.call_soon_threadsafe(box["server"].close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
