"""Errors that end an audit with one clear sentence and a distinct exit code."""
from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_MODEL_UNAVAILABLE = 3
EXIT_INTERNAL = 4


class AuditError(Exception):
    """Base class: ``str(error)`` is the one sentence shown to the user of the command line;
    ``served`` the sentence for a client of ``mt-audit serve`` where that one names a flag."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str = "", served: str | None = None):
        super().__init__(message)
        self.served = served

    def served_message(self) -> str:
        return self.served or str(self)


class InputError(AuditError):
    """The input file is missing, unreadable or not text."""

    exit_code = EXIT_BAD_INPUT


class ConfigError(AuditError):
    """A configuration, glossary or baseline file is invalid."""

    exit_code = EXIT_BAD_INPUT


class ModelUnavailable(AuditError):
    """No translation model could be loaded."""

    exit_code = EXIT_MODEL_UNAVAILABLE


class JudgeUnavailable(ModelUnavailable):
    """A quality-estimation model (a judge of meaning) could not be loaded."""


def install_hint(extra: str) -> str:
    """How to add ``extra`` to this installation, as a command that works as written: from
    a clone (an editable install) the clone's own folder, else the folder or wheel mt-audit
    was installed from (the package is not on the Python package index)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file():
        return f"pip install '{root}[{extra}]'"
    return f"pip install 'PATH[{extra}]', PATH being your clone of mt-audit (or its wheel)"
