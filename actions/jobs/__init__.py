"""Asynchronous video analysis: the job function, its limited child process, the queue
backends (local database queue, RQ on Redis), the worker and the probe used before enqueueing.

Importing this package is cheap and has no side effects (the action server imports every
module under ``actions``); the analysis library is only imported in the child process.
"""

from actions.jobs.probe import VideoRejected, estimate_analysis_s, probe_limited
from actions.jobs.run import run_analysis_job

__all__ = ["VideoRejected", "estimate_analysis_s", "probe_limited", "run_analysis_job"]
