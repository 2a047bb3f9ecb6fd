"""Which findings count: their order, the ids of their occurrences, the findings an editor
accepted (baselines: ``--ignore``, ``--write-ignore``, the page's accept) and the gate."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .document import SEVERITY_RANK, Finding
from .errors import ConfigError


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.start, -SEVERITY_RANK[f.severity], f.check, f.end, f.message))


BASELINE_SCHEMA = "mt-audit-accepted/1"
# How far an accepted finding reaches: the one occurrence (by its id in that story), every
# occurrence of its words in that story, or every story (a file without scopes: everywhere).
SCOPES = ("occurrence", "story", "everywhere")
DEFAULT_NAMES = {"article", "upload", "document"}  # what the page and the API call an unnamed text


def occurrences(findings: list[Finding]) -> list[tuple[Finding, int]]:
    """Each finding with which occurrence of its key (check and words) it is, 1 for the
    first, in the order of the text: what stays the same under edits elsewhere."""
    seen: dict[str, int] = {}
    out = []
    for f in sorted(findings, key=lambda f: (f.start, f.end, f.check)):
        key = f.key()
        seen[key] = seen.get(key, 0) + 1
        out.append((f, seen[key]))
    return out


def occurrence_ids(findings: list[Finding]) -> dict[int, str]:
    """An id per finding (by ``id()``), unique among ``findings`` and stable under edits
    elsewhere in the text: its key and which occurrence of that key it is."""
    return {id(f): "f" + hashlib.sha256(f"{f.key()}\0{n}".encode()).hexdigest()[:12] for f, n in occurrences(findings)}


def story_id(doc) -> str:
    """What a baseline calls a story: its name (the file's, or the one a request gives), or,
    for a text without a name, a hash of its headline (its first passage)."""
    if doc.name not in DEFAULT_NAMES:
        return doc.name
    first = next((s.text for s in doc.segments if s.is_prose), doc.text[:200])
    return "text:" + hashlib.sha256(" ".join(first.lower().split()).encode()).hexdigest()[:12]


def entry_id(entry: dict) -> str:
    """A baseline entry's identity: its key, scope, story and occurrence."""
    scope = entry.get("scope", "everywhere")
    if scope == "everywhere":
        return entry["key"]
    occurrence = entry.get("occurrence", "") if scope == "occurrence" else ""
    return "\0".join((entry["key"], scope, entry.get("story", ""), occurrence))


class Baseline:
    """Accepted findings, each with its scope."""

    def __init__(self, entries=()):
        self.everywhere: set[str] = set()
        self.stories: set[tuple[str, str]] = set()
        self.occurrences: set[tuple[str, str, str]] = set()
        for entry in entries:
            self.add(entry)

    def add(self, entry: dict | str) -> None:
        if isinstance(entry, str):  # a bare key: accepted everywhere
            self.everywhere.add(entry)
            return
        scope = entry.get("scope", "everywhere")
        if scope == "story":
            self.stories.add((entry["key"], entry.get("story", "")))
        elif scope == "occurrence":
            self.occurrences.add((entry["key"], entry.get("story", ""), entry.get("occurrence", "")))
        else:
            self.everywhere.add(entry["key"])

    def mark(self, doc, findings: list[Finding]) -> None:
        """Set ``accepted`` on the findings of ``doc`` this baseline accepts."""
        story = story_id(doc) if self.stories or self.occurrences else ""
        ids = occurrence_ids(findings) if self.occurrences else {}
        for f in findings:
            key = f.key()
            f.accepted = (key in self.everywhere or (key, story) in self.stories
                          or (key, story, ids.get(id(f), "")) in self.occurrences)


def load_baseline(path: str | Path) -> Baseline:
    """Accepted findings: a JSON file written by --write-ignore or the editor's page."""
    return Baseline(load_baseline_entries(path).values())


def load_baseline_entries(path: str | Path) -> dict[str, dict]:
    """The entries of a baseline file by ``entry_id``."""
    from .resources import read_user_file

    path = Path(path)
    raw = read_user_file(path, "accepted-findings")
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise ConfigError(f"The accepted-findings file {path} nests too deeply to be read.") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = None
    if isinstance(data, dict) and "schema" in data and data["schema"] != BASELINE_SCHEMA:
        raise ConfigError(f"The accepted-findings file {path} is of schema {str(data['schema'])[:60]!r}; this "
                          f"version of mt-audit reads {BASELINE_SCHEMA}.")
    try:
        entries = [entry for entry in data["accepted"] if isinstance(entry["key"], str)]
    except (KeyError, TypeError):
        raise ConfigError(f"The accepted-findings file {path} is not a baseline written by "
                          "--write-ignore.") from None
    for entry in entries:
        if entry.get("scope", "everywhere") not in SCOPES:
            raise ConfigError(f"The accepted-findings file {path} has an entry of scope {str(entry['scope'])[:40]!r}; "
                              f"scopes are {', '.join(SCOPES)}.")
        if entry.get("scope") in ("story", "occurrence") and not isinstance(entry.get("story"), str):
            raise ConfigError(f"The accepted-findings file {path} has an entry of scope {entry['scope']} "
                              f"without its story.")
    return {entry_id(entry): entry for entry in entries}


def baseline_entry(f: Finding, scope: str = "everywhere", story: str = "", occurrence: str = "") -> dict:
    entry = {"key": f.key(), "check": f.check, "text": f.text, "message": f.message}
    if scope != "everywhere":
        entry.update(scope=scope, story=story)
    if scope == "occurrence":
        entry["occurrence"] = occurrence
    return entry


def baseline_json(docs, scope: str = "story") -> str:
    """The baseline that accepts every finding of ``docs`` (documents), each in ``scope``."""
    entries: dict[str, dict] = {}
    for doc in docs:
        story = story_id(doc)
        ids = occurrence_ids(doc.findings)
        for f in doc.findings:
            entry = baseline_entry(f, scope, story, ids[id(f)])
            entries.setdefault(entry_id(entry), entry)
    return baseline_text(entries.values())


def baseline_text(entries) -> str:
    """A baseline file's content: the entries ({"key", "check", "text", "message"}, and
    "scope", "story", "occurrence" where the scope is narrower than everywhere)."""
    return json.dumps({"schema": BASELINE_SCHEMA, "accepted": sorted(entries, key=lambda e: (e["key"], entry_id(e)))},
                      ensure_ascii=False, indent=2) + "\n"


def gate(findings: list[Finding], fail_on: str) -> bool:
    """True when the gate passes: no unaccepted finding at or above ``fail_on``."""
    if fail_on == "never":
        return True
    floor = SEVERITY_RANK[fail_on]
    return not any(SEVERITY_RANK[f.severity] >= floor and not f.accepted for f in findings)
