"""Small, documented fixes to Rasa 3.6 internals, applied when our components load.

1. Action responses: ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``,
   which re-checks the (constant) schema against the JSON-Schema metaschema on every action
   call. Profiling the stack under load showed that this took over half of the Rasa
   server's CPU time. We validate against the same schema with a validator built once, so
   every action response is still checked, only the schema is not re-checked each time.
2. socket.io custom payloads: ``SocketIOOutput.send_custom_json`` calls
   ``sio.emit(event, **json_message)``, so a payload such as ``{"triage": ...}`` raises a
   TypeError and the message (and everything after it in that turn) never reaches the
   browser. We emit the payload as the event's data, to the conversation's room.
3. Action server failures: when the action server is down, times out or answers 500,
   ``RemoteAction.run`` raises, Rasa logs the error (with the echoed request) and carries
   on without the action's events, so the runner hears nothing (``[]``). We first tell
   the runner to try again (``data/channels.yml``'s ``try_again``, once per message), then
   let Rasa carry on as before. The logged error is cut down by ``kneeapp/log_privacy``.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import OutputChannel
from rasa.core.channels.socketio import SocketIOOutput
from rasa.shared.constants import DOCS_BASE_URL

_APPLIED = False
_STOCK_REMOTE_RUN = RemoteAction.run
#: Messages after which the runner was already asked to try again (newest last).
_TOLD: OrderedDict[str, None] = OrderedDict()
_TOLD_CAPACITY = 10_000


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _action_response_validator().validate(result)
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


async def _send_custom_json(
    self: SocketIOOutput, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
) -> None:
    await self.sio.emit(self.bot_message_evt, json_message, room=recipient_id)


@lru_cache(maxsize=1)
def _try_again_text() -> str:
    from connectors.chat_app import channel_texts

    return channel_texts().try_again


def _first_time_for(message_id: str | None) -> bool:
    if message_id is None:
        return True
    if message_id in _TOLD:
        return False
    _TOLD[message_id] = None
    while len(_TOLD) > _TOLD_CAPACITY:
        _TOLD.popitem(last=False)
    return True


async def _run_or_ask_to_try_again(self: RemoteAction, output_channel: OutputChannel,
                                   nlg: Any, tracker: Any, domain: Any) -> Any:
    try:
        return await _STOCK_REMOTE_RUN(self, output_channel, nlg, tracker, domain)
    except ActionExecutionRejection:
        raise
    except Exception:
        latest = getattr(tracker, "latest_message", None)
        if _first_time_for(getattr(latest, "message_id", None)):
            await output_channel.send_text_message(tracker.sender_id, _try_again_text())
        raise


def apply() -> None:
    """Applies the fixes once."""
    global _APPLIED
    if not _APPLIED:
        RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
        SocketIOOutput.send_custom_json = _send_custom_json  # type: ignore[method-assign]
        RemoteAction.run = _run_or_ask_to_try_again  # type: ignore[method-assign]
        _APPLIED = True
