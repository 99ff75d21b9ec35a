"""Rasa's socket.io channel with the ``enter_room`` fix (RasaHQ/rasa#13027).

Rasa 3.6's ``SocketIOInput`` calls ``sio.enter_room(sid, session_id)`` without ``await``.
With the python-socketio it installs (5.x) that method is a coroutine, so the socket never
joins the session's room: with ``session_persistence: true`` every bot message (emitted to
the room named after the session id) is lost, including messages pushed later through the
HTTP API (``trigger_intent?output_channel=latest``).

Messages over ``MESSAGE_MAX_CHARS`` are refused with a friendly reply before Rasa reads
them (``message_cap.py``). This subclass keeps everything else stock (events, JWT check,
metadata, output channel and the name ``socketio``, so ``output_channel=latest`` still
finds it) and replaces two handlers: ``session_request`` awaits the join, and
``user_uttered`` handles a message that carries the widget's ``message_id`` once, also when
the widget sends it again after a lost connection (``resend_dedupe.py``): the turn's
replies then name the message (``reply_to``, ``reply_index``) and the socket.io
acknowledgement, sent when the turn is over, says how it went (``{"message_id",
"status"}``). Messages without an id are handled as stock Rasa does.

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
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from connectors import message_cap, resend_dedupe
from connectors.lock_store import RedisUrlLockStore
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic
from socketio import AsyncRedisManager, AsyncServer

from kneeapp import settings

logger = logging.getLogger(__name__)


class SocketIOChannel(SocketIOInput):
    """Stock socket.io input channel whose ``session_request`` joins the room for real and
    which handles a widget message once however often it is sent."""

    _app: Sanic | None = None
    _claims: resend_dedupe.Claims | None = None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Builds the stock blueprint, then re-registers ``session_request`` and the user
        message event."""
        capped = message_cap.capped(on_new_message)
        socketio_webhook = super().blueprint(capped)
        assert self.sio is not None
        share_rooms(self.sio, settings.current().socketio_redis_url)
        self.sio.on("session_request", namespace=self.namespace)(
            self._session_request_handler(self.sio)
        )
        self.sio.on(self.user_message_evt, namespace=self.namespace)(
            self._user_message_handler(self.sio, capped)
        )

        @socketio_webhook.listener("before_server_start")
        async def remember_app(app: Sanic, _loop: Any) -> None:
            self._app = app

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

    def _user_message_handler(
        self, sio: AsyncServer, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Callable[[str, Any], Awaitable[dict[str, str] | None]]:
        async def user_uttered(sid: str, data: Any) -> dict[str, str] | None:
            if not isinstance(data, dict):
                return None
            sender_id = data.get("session_id") if self.session_persistence else sid
            if not sender_id or not isinstance(sender_id, str):
                logger.warning("A socket.io message without a session id was ignored.")
                return None
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            message_id = resend_dedupe.client_message_id(data.get("message_id"))

            def message(output: SocketIOOutput) -> UserMessage:
                return UserMessage(data.get("message", ""), output, sender_id,
                                   input_channel=self.name(), metadata=metadata,
                                   message_id=message_id)

            if message_id is None:  # an older widget: as stock Rasa
                await on_new_message(message(SocketIOOutput(sio, self.bot_message_evt)))
                return None

            async def run() -> None:
                await on_new_message(message(TurnOutput(sio, self.bot_message_evt, message_id)))

            async def replay_saved() -> bool:
                return await self._replay(sio, sid, sender_id, message_id)

            try:
                status = await resend_dedupe.handle_once(
                    self._claims_store(), resend_dedupe.claim_key(sender_id, message_id),
                    sent_again=data.get("resend") is True, run=run, replay_saved=replay_saved)
            except Exception as problem:
                logger.warning("A socket.io message could not be handled: %s",
                               type(problem).__name__)
                status = resend_dedupe.Status.FAILED
            if status in (resend_dedupe.Status.ALREADY_HANDLED,
                          resend_dedupe.Status.STILL_RUNNING):
                logger.info("A message sent again was not run again (%s).", status.value)
            return {"message_id": message_id, "status": status.value}

        return user_uttered

    def _agent(self) -> Any:
        return getattr(self._app.ctx, "agent", None) if self._app is not None else None

    def _claims_store(self) -> resend_dedupe.Claims:
        """Redis claims beside the Redis lock store (several instances), else in memory
        (one process); chosen once the agent and its lock store are there."""
        if self._claims is None:
            agent = self._agent()
            if agent is None:
                return resend_dedupe.MemoryClaims()
            locks = getattr(agent, "lock_store", None)
            if isinstance(locks, RedisUrlLockStore):
                self._claims = resend_dedupe.RedisClaims(
                    locks.red, locks.owner, locks.alive, prefix=locks.related_key("turn-once", ""))
            else:
                self._claims = resend_dedupe.MemoryClaims()
        return self._claims

    async def _replay(self, sio: AsyncServer, sid: str, sender_id: str, message_id: str) -> bool:
        """Sends the stored turn of ``message_id`` to socket ``sid`` again (the widget drops
        the replies it already shows); False when the tracker has no such turn."""
        tracker_store = getattr(self._agent(), "tracker_store", None)
        tracker = await tracker_store.retrieve(sender_id) if tracker_store else None
        replies = resend_dedupe.turn_replies(tracker.events if tracker else [], message_id)
        if replies is None:
            return False
        output = TurnOutput(sio, self.bot_message_evt, message_id, to=sid)
        for reply in replies:
            await output.send_response(sender_id, reply.message())
        return True


class TurnOutput(SocketIOOutput):
    """The socket.io output of one widget message's turn: every reply names the message
    (``reply_to``) and its position in the turn (``reply_index``).

    Args:
        sio: The server.
        bot_message_evt: The bot message event's name.
        message_id: The widget's id of the message.
        to: Send to this room (a socket id) instead of the conversation's.
    """

    def __init__(self, sio: AsyncServer, bot_message_evt: str, message_id: str,
                 to: str | None = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.message_id, self.to, self.sent = message_id, to, 0

    async def _send_message(self, socket_id: str, response: Any) -> None:
        tagged = {**response, "reply_to": self.message_id, "reply_index": self.sent}
        self.sent += 1
        await self.sio.emit(self.bot_message_evt, tagged, room=self.to or socket_id)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any],
                               **kwargs: Any) -> None:
        """A custom payload as the event's data (as ``rasa_fixes`` does), tagged."""
        await self._send_message(recipient_id, json_message)


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
