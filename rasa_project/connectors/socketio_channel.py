"""Rasa's socket.io channel with the ``enter_room`` fix (RasaHQ/rasa#13027).

Rasa 3.6's ``SocketIOInput`` calls ``sio.enter_room(sid, session_id)`` without ``await``.
With the python-socketio it installs (5.x) that method is a coroutine, so the socket never
joins the session's room: with ``session_persistence: true`` every bot message (emitted to
the room named after the session id) is lost, including messages pushed later through the
HTTP API (``trigger_intent?output_channel=latest``).

Messages over ``MESSAGE_MAX_CHARS`` are refused with a friendly reply before Rasa reads
them (``message_cap.py``). This subclass keeps everything else stock (events, JWT check,
metadata, output channel and the name ``socketio``, so ``output_channel=latest`` still
finds it) and only replaces the ``session_request`` handler with one that awaits the join.

Several Rasa instances: with ``SOCKETIO_REDIS_URL`` set, the server's client manager is
python-socketio's ``AsyncRedisManager``, so a message emitted on one instance (e.g. the
analysis push through ``trigger_intent`` landing on instance 2) reaches a browser whose
socket is connected to another instance. The proxy in front must keep one browser on one
instance (socket.io's polling transport needs it; ``deploy/nginx.conf.template``).

Limitations (as in stock Rasa): the session id sent by the browser is trusted; anyone who
knows it can join that conversation's room. Session ids must stay unguessable (uuid4).
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from connectors import message_cap
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint
from socketio import AsyncRedisManager, AsyncServer

from kneeapp import settings

logger = logging.getLogger(__name__)


class SocketIOChannel(SocketIOInput):
    """Stock socket.io input channel whose ``session_request`` joins the room for real."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Builds the stock blueprint, then re-registers ``session_request``."""
        socketio_webhook = super().blueprint(message_cap.capped(on_new_message))
        assert self.sio is not None
        share_rooms(self.sio, settings.current().socketio_redis_url)
        self.sio.on("session_request", namespace=self.namespace)(
            self._session_request_handler(self.sio)
        )
        return socketio_webhook

    def _session_request_handler(self, sio: AsyncServer) -> Callable[[str, Any], Awaitable[None]]:
        async def session_request(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                data = {}
            if data.get("session_id") is None:
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, data["session_id"], namespace=self.namespace)
                if inspect.isawaitable(joined):  # a coroutine in python-socketio 5
                    await joined
            await sio.emit("session_confirm", data["session_id"], room=sid)
            logger.debug("User %s connected to socketIO endpoint.", sid)

        return session_request


def share_rooms(sio: AsyncServer, redis_url: str) -> None:
    """Makes ``sio`` pass its emits through Redis at ``redis_url`` (no-op when empty).

    Must run before the first client connects: python-socketio initialises the manager
    (and starts its Redis listener) on the first connection.
    """
    if not redis_url:
        return
    manager = AsyncRedisManager(redis_url, channel="knee-socketio")
    manager.set_server(sio)
    sio.manager = manager
    sio.manager_initialized = False
