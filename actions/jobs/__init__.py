"""Asynchronous video analysis: the job function, its limited child process, the queue
backends (local database queue, RQ on Redis), the worker and the probe used before enqueueing.

Importing this package is cheap and has no side effects (the action server imports every
module under ``actions``, and the analysis child imports :mod:`actions.jobs.limits`); the
public names below are loaded on first use, and the analysis library only in the child.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "VideoRejected": "actions.jobs.probe",
    "estimate_analysis_s": "actions.jobs.probe",
    "probe_limited": "actions.jobs.probe",
    "run_analysis_job": "actions.jobs.run",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'actions.jobs' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
