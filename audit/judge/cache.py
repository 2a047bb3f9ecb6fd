"""Scores of a judge kept across runs (sqlite, beside the translation cache), keyed by the
judge's kind, checkpoint, revision and the exact pair: re-auditing an edited article scores
only the paragraphs that changed.  Like every cache here it is disposable: a damaged file is
removed and rebuilt, and one that cannot be used leaves the judge scoring everything."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path

from ..translate.cache import default_cache_dir, discard_damaged

class SqliteCache:
    """One sqlite file in the mt-audit cache folder holding ``table`` (key -> value): WAL, a
    busy timeout for audits running side by side, and disposable — a damaged file is removed
    and rebuilt, one that cannot be used leaves ``conn`` None and says why in ``warning``."""

    def __init__(self, directory: str | Path | None, name: str, table: str, value_type: str, what: str,
                 threads: bool = False):
        self.path = Path(directory or default_cache_dir()) / name
        self.schema = f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value {value_type} NOT NULL)"
        self.threads = threads
        self.conn: sqlite3.Connection | None = None
        self.warning: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = self._open()
        except sqlite3.DatabaseError:
            discard_damaged(self.path, what)
            try:
                self.conn = self._open()
            except (sqlite3.DatabaseError, OSError):
                self.conn = None
        except OSError as err:
            self.warning = f"The cache of {what} {self.path} cannot be used ({err.strerror}); going on without it."

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=not self.threads)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(self.schema)
        return conn


class ScoreCache(SqliteCache):
    def __init__(self, directory: str | Path | None = None):
        super().__init__(directory, "judges.sqlite", "scores", "REAL", "judge scores")

    @staticmethod
    def key(judge, pair: tuple[str, str]) -> str:
        what = [judge.kind, judge.model_id, judge.revision, getattr(judge, "version", None),
                getattr(judge, "bf16", None), *pair]
        return hashlib.sha256(json.dumps(what, ensure_ascii=False).encode("utf-8")).hexdigest()

    def score(self, judge, pairs: list[tuple[str, str]]) -> list[float]:
        """The judge's scores of ``pairs``, each distinct pair asked of the model once."""
        keys = [self.key(judge, p) for p in pairs]
        known: dict[str, float] = {}
        if self.conn is not None:
            try:
                for start in range(0, len(keys), 500):
                    chunk = keys[start:start + 500]
                    rows = self.conn.execute(f"SELECT key, value FROM scores WHERE key IN ({','.join('?' * len(chunk))})",
                                             chunk).fetchall()
                    known.update(rows)
            except sqlite3.DatabaseError:
                known = {}
        todo = {}
        for k, p in zip(keys, pairs):
            if k not in known and k not in todo:
                todo[k] = p
        if todo:
            fresh = judge.score(list(todo.values()))
            known.update(zip(todo, fresh))
            if self.conn is not None:
                try:
                    self.conn.executemany("INSERT OR REPLACE INTO scores VALUES (?, ?)", list(zip(todo, fresh)))
                except sqlite3.DatabaseError:
                    pass
        return [known[k] for k in keys]


class AnswerCache(SqliteCache):
    """A judge's whole answers as text (the LLM's, XCOMET's with its spans), kept beside the
    other caches in the file ``name``; several request threads may use it."""

    def __init__(self, directory: str | Path | None, name: str, what: str):
        super().__init__(directory, name, "answers", "TEXT", what, threads=True)
        self.lock = threading.Lock()

    def get(self, key: str) -> str | None:
        if self.conn is None:
            return None
        with self.lock:
            try:
                row = self.conn.execute("SELECT value FROM answers WHERE key = ?", (key,)).fetchone()
            except sqlite3.DatabaseError:
                return None
        return row[0] if row else None

    def put(self, key: str, value: str) -> None:
        if self.conn is None:
            return
        with self.lock:
            try:
                self.conn.execute("INSERT OR REPLACE INTO answers VALUES (?, ?)", (key, value))
            except sqlite3.DatabaseError:
                pass


class NoCache:
    """Scores straight from the judge (``--no-cache``), each distinct pair once per call."""

    warning = None

    def score(self, judge, pairs: list[tuple[str, str]]) -> list[float]:
        distinct = list(dict.fromkeys(pairs))
        values = dict(zip(distinct, judge.score(distinct)))
        return [values[p] for p in pairs]
