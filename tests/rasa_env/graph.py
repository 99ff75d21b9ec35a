"""Builds one NLU component the way Rasa's graph does, for tests (import after
``pytest.importorskip("rasa")``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

C = TypeVar("C", bound=GraphComponent)


def create_component(component: type[C], storage: Path, config: dict[str, Any] | None = None) -> C:
    """``component.create`` with its default config updated by ``config``."""
    return component.create(  # type: ignore[return-value]
        {**component.get_default_config(), **(config or {})},
        LocalModelStorage(storage),
        Resource(component.__name__),
        ExecutionContext(GraphSchema({}), "test"),
    )
