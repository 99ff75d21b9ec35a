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
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.socketio import SocketIOOutput
from rasa.shared.constants import DOCS_BASE_URL

_APPLIED = False


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


def apply() -> None:
    """Applies the fixes once."""
    global _APPLIED
    if not _APPLIED:
        RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
        SocketIOOutput.send_custom_json = _send_custom_json  # type: ignore[method-assign]
        _APPLIED = True
