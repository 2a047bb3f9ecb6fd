"""The regular expressions of the checks' data (shipped and ``--glossary``), run with a
time budget.

Python's ``re`` backtracks without limit: a pattern such as ``(\\w|\\w\\w)+Q`` takes
exponential time on one long compound.  The data's patterns are compiled with ``regex``
(the same syntax, with lookbehinds, which linear-time engines lack) and every match runs
under a budget; a pattern that uses it up ends the audit with one sentence naming it
(exit 2) instead of never finishing.  ``probe`` tries a pattern on texts that make
backtracking patterns explode, so that a glossary is refused when it is read.
"""
from __future__ import annotations

import time

import regex

from ..errors import ConfigError

# Seconds one pattern may spend matching over one document.
BUDGET_SECONDS = 2.0
# Seconds a pattern may spend on each probe text when a glossary is read.
PROBE_SECONDS = 0.05
_PROBES = ("a" * 120, "a" * 60 + "!", "e" * 120, "e" * 60 + "!", "1" * 120, "1" * 60 + "x", " " * 120,
           " " * 60 + "x", "a " * 60, "ab-" * 40, "Aa1 ." * 24,
           "Die Bundesregierung kündigte am Montag neue Maßnahmen an, " * 3)


class DataPattern:
    """A compiled pattern of the checks' data whose matches share one time budget."""

    __slots__ = ("pattern", "where", "compiled", "budget")

    def __init__(self, pattern: str, where: str, ignorecase: bool = False):
        self.pattern, self.where = pattern, where
        self.compiled = regex.compile(pattern, regex.V0 | (regex.IGNORECASE if ignorecase else 0))
        self.budget = BUDGET_SECONDS

    def _run(self, method: str, text: str) -> list | object:
        started = time.monotonic()
        try:
            if method == "finditer":
                return list(self.compiled.finditer(text, timeout=self.budget))
            return getattr(self.compiled, method)(text, timeout=self.budget)
        except TimeoutError:
            raise ConfigError(f"The regular expression {self.pattern!r} ({self.where}) took more than "
                              f"{BUDGET_SECONDS:g} seconds on this text: it backtracks; write it more simply.") \
                from None
        finally:
            self.budget = max(0.001, self.budget - (time.monotonic() - started))

    def finditer(self, text: str) -> list:
        return self._run("finditer", text)

    def search(self, text: str):
        return self._run("search", text)

    def fullmatch(self, text: str):
        return self._run("fullmatch", text)


def probe(pattern: str, name: str, path) -> None:
    """Refuse a pattern that matches the empty text (it would flag every place) or that
    does not finish quickly on texts that make backtracking explode."""
    compiled = regex.compile(pattern, regex.V0 | regex.IGNORECASE)
    for text in ("", *_PROBES):
        try:
            empty = any(m.start() == m.end() for m in compiled.finditer(text, timeout=PROBE_SECONDS))
        except TimeoutError:
            raise ConfigError(f"The regular expression {name} in {path} backtracks: on a text of {len(text)} "
                              f"characters it did not finish in {PROBE_SECONDS:g} seconds; write it more "
                              f"simply.") from None
        if empty:
            raise ConfigError(f"The regular expression {name} in {path} matches an empty text, so it would "
                              f"match everywhere; make it match at least one character.")
