"""Errors that end an audit with one clear sentence and a distinct exit code."""
from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_MODEL_UNAVAILABLE = 3
EXIT_INTERNAL = 4


class AuditError(Exception):
    """Base class: ``str(error)`` is the one sentence shown to the user."""

    exit_code = EXIT_BAD_INPUT


class InputError(AuditError):
    """The input file is missing, unreadable or not text."""

    exit_code = EXIT_BAD_INPUT


class ConfigError(AuditError):
    """A configuration, glossary or baseline file is invalid."""

    exit_code = EXIT_BAD_INPUT


class ModelUnavailable(AuditError):
    """No translation model could be loaded."""

    exit_code = EXIT_MODEL_UNAVAILABLE
