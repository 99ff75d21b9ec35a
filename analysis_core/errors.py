"""Typed errors raised by the analysis core."""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class for every error the analysis core raises on purpose."""


class VideoError(AnalysisError):
    """The file is not a video the analysis can read.

    The message is one friendly sentence that can be shown to a runner as it is.
    """


class AnalysisTimeout(AnalysisError):
    """The analysis ran past its wall-clock limit."""
