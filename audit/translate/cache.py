"""A persistent translation cache (sqlite, safe with several audits at once).

Keyed by model id, model revision, backend, decoding settings and the sentence, so
re-auditing an edited article only translates the sentences that changed.  A
corrupt cache file is set aside and rebuilt; the cache is never fatal.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import Sequence

from . import TranslationResult

CACHE_ENV = "MT_AUDIT_CACHE_DIR"
SCHEMA = "CREATE TABLE IF NOT EXISTS translations (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def discard_damaged(path: Path, what: str) -> None:
    """A cache file that could not be read: removed (it is rebuilt from what it caches),
    and said once on standard error.  Every cache is disposable; none is ever fatal."""
    try:
        Path(path).unlink()
    except OSError:
        pass
    print(f"warning: the cached {what} {path} was damaged; it was removed and rebuilt.", file=sys.stderr)


def default_cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mt-audit"


class TranslationCache:
    def __init__(self, directory: str | Path | None = None):
        self.path = Path(directory or default_cache_dir()) / "translations.sqlite"
        self.conn: sqlite3.Connection | None = None
        self.warning: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = self._open()
        except sqlite3.DatabaseError:
            self._set_aside()
        except OSError as err:
            self.warning = f"The translation cache {self.path} cannot be used ({err.strerror}); translating without it."

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(SCHEMA)
        conn.execute("SELECT count(*) FROM translations LIMIT 1").fetchone()
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("quick_check failed")
        return conn

    def _set_aside(self) -> None:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        for old in self.path.parent.glob(f"{self.path.name}.corrupt-*"):  # keep only the newest copy
            try:
                old.unlink()
            except OSError:
                pass
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            if src.exists():
                src.replace(Path(str(aside) + suffix))
        self.warning = f"The translation cache was corrupt; it was moved to {aside} and rebuilt."
        print(f"warning: {self.warning}", file=sys.stderr)
        try:
            self.conn = self._open()
        except sqlite3.DatabaseError:
            self.conn = None

    @staticmethod
    def key(model_id: str, revision: str, backend: str, settings: dict, text: str) -> str:
        blob = json.dumps([model_id, revision, backend, settings, text], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, TranslationResult]:
        if self.conn is None or not keys:
            return {}
        found: dict[str, TranslationResult] = {}
        try:
            for start in range(0, len(keys), 500):
                part = list(keys[start:start + 500])
                marks = ",".join("?" * len(part))
                for key, value in self.conn.execute(
                        f"SELECT key, value FROM translations WHERE key IN ({marks})", part):
                    found[key] = _result(value)
        except (sqlite3.DatabaseError, ValueError, KeyError, TypeError):
            # corrupt, or rows of the wrong shape: the cache is set aside and rebuilt
            self._set_aside()
            return {}
        return found

    def put_many(self, items: dict[str, TranslationResult]) -> None:
        if self.conn is None or not items:
            return
        rows = [(key, json.dumps({"text": r.text, "logprob": r.logprob, "tokens": r.tokens,
                                  "chunks": r.chunks, "truncated": r.truncated}, ensure_ascii=False))
                for key, r in items.items()]
        try:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                self.conn.executemany("INSERT OR REPLACE INTO translations (key, value) VALUES (?, ?)", rows)
        except sqlite3.DatabaseError:
            self._set_aside()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _result(value) -> TranslationResult:
    """A cached row as a result; ValueError when it is not one (valid JSON of another shape)."""
    data = json.loads(value)
    tokens = data.get("tokens") if isinstance(data, dict) else None
    if not (isinstance(data, dict) and isinstance(data.get("text"), str) and _number(data.get("logprob"))
            and isinstance(tokens, list)
            and all(isinstance(t, list) and len(t) == 2 and isinstance(t[0], str) and _number(t[1]) for t in tokens)
            and isinstance(data.get("chunks", 1), int) and isinstance(data.get("truncated", False), bool)):
        raise ValueError("not a cached translation")
    return TranslationResult(text=data["text"], logprob=float(data["logprob"]), tokens=[tuple(t) for t in tokens],
                             chunks=data.get("chunks", 1), truncated=data.get("truncated", False))
