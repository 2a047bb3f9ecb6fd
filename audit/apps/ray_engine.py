"""``mt-audit batch --engine ray``: the corpus audit on Ray Data, for archives that do not
fit one machine.

The stages are those of the local engine (``corpus.audit_corpus``), each a Ray Data
operation over the corpus: documents are read and segmented by ``map`` (one document per
block, so a document that fails is one failed block, skipped and reported by name while
the rest completes); the sentences the translation cache lacks are back-translated by
``map_batches`` on an actor pool, one model per actor, each actor's backend using the CPUs
Ray gives it; alignment, scoring, findings and the rendering of each document's reports
are mapped again.  The driver (the machine that runs ``mt-audit batch``) keeps the
translation cache and writes every file, so the outputs are those of ``--engine local``,
byte for byte, and a rerun from the same machine finds its sentences in the cache.
"""
from __future__ import annotations

import json
import pickle
from dataclasses import replace
from pathlib import Path
from typing import Callable

from .corpus import CorpusOutcome, finish_one, load_one, result_from_dict, result_to_dict, write_jsonl
from ..document import Document
from ..errors import EXIT_INTERNAL, InputError, install_hint
from ..translate import TranslationResult

EXTRA = "ray"
# A task whose worker dies is run again this often, then its document is reported as failed
# (Ray Data would otherwise retry it forever).
MAX_RETRIES = 2


def require_ray():
    """The ray module, or one sentence saying what to install."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise InputError(f"--engine ray needs Ray Data, which this installation lacks; install it with "
                         f"{install_hint(EXTRA)}.") from None
    return ray


def _load(row: dict, settings) -> dict:
    doc, error, code = load_one(settings, row["path"], row["source"] or None)
    return {"index": row["index"], "doc": pickle.dumps(doc) if doc is not None else b"", "error": error,
            "code": code}


def _finish(row: dict, settings, out_dir: str, formats: list[str], combined: list[str]) -> dict:
    doc, passed, files = finish_one(settings, pickle.loads(row["doc"]), out_dir, formats, combined)
    return {"index": row["index"], "doc": pickle.dumps(doc), "passed": passed, "files": json.dumps(files)}


class _TranslateActor:
    """One translation model per actor; its backend uses the CPUs the actor was given."""

    def __init__(self, settings, threads: int):
        from ..translate.engine import open_translator

        decoding = replace(settings.decoding, threads=threads)
        self.translator = open_translator(settings.backend, settings.model, settings.revision, decoding,
                                          quiet=True, fallback=not settings.require_model)

    def __call__(self, batch: dict) -> dict:
        """Each row's list of sentences translated in one call (a chunk of the local engine)."""
        results = []
        for texts in batch["texts"]:
            results.append(json.dumps([result_to_dict(r) for r in self.translator.translate(json.loads(str(texts)))]))
        return {"call": batch["call"], "results": results}


def _describe(settings) -> dict:
    """What the translation model is (for the cache key and the reports), as an actor loads it."""
    from ..translate.engine import open_translator

    t = open_translator(settings.backend, settings.model, settings.revision, settings.decoding, quiet=True,
                        fallback=not settings.require_model)
    return {"model_id": t.model_id, "revision": t.revision, "backend": t.backend,
            "shortlist": bool(getattr(t, "shortlist", False))}


class RemoteTranslator:
    """The model's identity for the driver's cache and reports, and the actor pool that
    translates: ``translate_calls`` runs translator calls side by side on the actors."""

    def __init__(self, ray, settings, identity: dict, actors: int, cpus_per_actor: int):
        self.ray, self.settings = ray, settings.decoding
        self._audit_settings = settings
        self.model_id, self.revision, self.backend = identity["model_id"], identity["revision"], identity["backend"]
        self.shortlist = identity["shortlist"]
        self.actors, self.cpus = actors, cpus_per_actor

    def translate_calls(self, calls: list[list[str]]) -> list[list[TranslationResult]]:
        """Each list of sentences translated by one call of an actor's translator."""
        rows = [{"call": n, "texts": json.dumps(texts)} for n, texts in enumerate(calls) if texts]
        out: list[list[TranslationResult]] = [[] for _ in calls]
        if not rows:
            return out
        dataset = self.ray.data.from_items(rows, override_num_blocks=len(rows))
        mapped = dataset.map_batches(_TranslateActor, fn_constructor_args=(self._audit_settings, self.cpus),
                                     batch_size=1, concurrency=min(self.actors, len(rows)), num_cpus=self.cpus,
                                     batch_format="numpy")
        for row in mapped.iter_rows():
            out[int(row["call"])] = [result_from_dict(r) for r in json.loads(row["results"])]
        return out

    def translate(self, texts: list[str]) -> list[TranslationResult]:
        """The Translator interface: one call on one actor."""
        return self.translate_calls([list(texts)])[0]


def _connect(ray, address: str | None) -> None:
    import logging

    import os
    import warnings

    for name in ("ray", "ray.data", "ray._private", "ray.util"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # Ray's own notes on how it schedules (actor restarts, idle concurrency) are not the
    # user's concern; failures are reported by mt-audit, document by document.
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    warnings.filterwarnings("ignore", category=UserWarning, module=r"ray\..*")
    if ray.is_initialized():
        return

    options = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR,
                   configure_logging=False)
    try:
        if address:
            ray.init(address=address, **options)
        else:
            ray.init(**options)
    except (ConnectionError, RuntimeError, ValueError) as err:
        raise InputError(f"Ray could not be started or reached at {address or 'a local instance'} "
                         f"({str(err).splitlines()[0] if str(err) else type(err).__name__}).") from None


def audit_corpus_ray(auditor, files: list[Path], sources: list[Path | None], out_dir: Path, formats: list[str],
                     combined: dict, address: str | None = None, write: Callable | None = None) -> CorpusOutcome:
    """The corpus audit of ``corpus.audit_corpus`` on Ray Data; ``write(doc, passed, files)``
    writes one document's rendered reports (all or none)."""
    ray = require_ray()
    _connect(ray, address)
    import warnings

    # max_retries is passed as a remote argument, which Ray announces it will rename
    # (the extra pins a version that takes it).
    warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated", category=Warning)
    context = ray.data.DataContext.get_current()
    context.max_errored_blocks = -1          # a failed document is reported, the rest goes on
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    settings = auditor.settings
    outcome = CorpusOutcome()

    rows = [{"index": k, "path": str(f), "source": str(s) if s else ""} for k, (f, s) in enumerate(zip(files, sources))]
    loaded = {r["index"]: r for r in ray.data.from_items(rows, override_num_blocks=len(rows))
              .map(_load, fn_kwargs={"settings": settings}, max_retries=MAX_RETRIES).take_all()}
    docs: dict[int, Document] = {}
    for row in rows:
        got = loaded.get(row["index"])
        if got is None:
            outcome.errors.append((row["path"], f"The input {row['path']} could not be read (its worker failed)."))
            outcome.error_code = max(outcome.error_code, EXIT_INTERNAL)
        elif got["error"]:
            outcome.errors.append((row["path"], got["error"]))
            outcome.error_code = max(outcome.error_code, int(got["code"]))
        else:
            docs[row["index"]] = pickle.loads(got["doc"])

    remote = None
    if settings.backend != "none" and docs:
        remote = _translate(ray, auditor, settings)
    auditor.translate([docs[k] for k in sorted(docs)],
                      map_batches=_map_on_actors(auditor, remote) if remote is not None else None)

    finished_rows = [{"index": k, "doc": pickle.dumps(docs[k])} for k in sorted(docs)]
    finished = {}
    if finished_rows:
        finished = {r["index"]: r for r in ray.data.from_items(finished_rows, override_num_blocks=len(finished_rows))
                    .map(_finish, fn_kwargs={"settings": settings, "out_dir": str(out_dir), "formats": formats,
                                             "combined": list(combined)}, max_retries=MAX_RETRIES).take_all()}
    lines: list[str] = []
    for k in sorted(docs):
        row = finished.get(k)
        if row is None:
            outcome.errors.append((rows[k]["path"], f"The audit of {rows[k]['path']} failed on its worker."))
            outcome.error_code = max(outcome.error_code, EXIT_INTERNAL)
            continue
        doc, passed = pickle.loads(row["doc"]), bool(row["passed"])
        files_written = {Path(p): text for p, text in json.loads(row["files"]).items()}
        if write is not None:
            write(doc, passed, files_written)
        lines += outcome.record(doc, passed, [str(p) for p in files_written])
    outcome.translated, outcome.from_cache = auditor.sent_to_model, auditor.taken_from_cache
    if outcome.audited:
        write_jsonl(outcome, out_dir, lines)
    return outcome


def _translate(ray, auditor, settings) -> "RemoteTranslator | None":
    """Give the driver's Auditor a translator whose model runs on the cluster."""
    from ..errors import ModelUnavailable
    from ..translate.cache import TranslationCache
    from ..translate.engine import CachedTranslator

    auditor._opened = True
    try:
        identity = ray.get(ray.remote(_describe).options(num_cpus=1).remote(settings))
    except Exception as err:  # a task's error reaches the driver wrapped in RayTaskError
        cause = getattr(err, "cause", None) or err
        if not isinstance(cause, ModelUnavailable):
            raise
        if settings.require_model:
            raise cause from None
        auditor.skipped_reason = str(cause)
        return None
    cpus = int(ray.cluster_resources().get("CPU", 1))
    per_actor = max(1, min(cpus, settings.decoding.threads or 1))
    actors = max(1, cpus // per_actor)
    cache = TranslationCache(settings.cache_dir) if settings.use_cache else None
    remote = RemoteTranslator(ray, settings, identity, actors, per_actor)
    auditor.translator = CachedTranslator(remote, cache)
    return remote


def _map_on_actors(auditor, remote: "RemoteTranslator") -> Callable:
    """A ``map_batches`` for ``Auditor.translate`` that gives the model exactly the calls of
    the local engine (``corpus._map_with_datasets``): the sentences longest first, in chunks
    of ``corpus_batch``, each chunk's sentences missing from the cache (or from an earlier
    chunk) translated in one call, in the cache's key order; the calls run side by side on
    the actors, so that the output is the local engine's, byte for byte."""
    from .corpus import corpus_batch

    def run(texts: list[str], translate) -> list[TranslationResult]:
        cached = auditor.translator
        batch = corpus_batch(auditor.settings)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        chunks = [[texts[i] for i in order[k:k + batch]] for k in range(0, len(order), batch)]
        known: dict[str, TranslationResult] = {}
        planned: set[str] = set()
        calls: list[list[tuple[str, str]]] = []
        for chunk in chunks:
            keys = [cached._key(text) for text in chunk]
            if cached.cache is not None:
                known.update(cached.cache.get_many([k for k in keys if k not in known and k not in planned]))
                missing = sorted({k: t for k, t in zip(keys, chunk) if k not in known and k not in planned}.items())
                planned.update(k for k, _ in missing)
            else:  # without a cache every chunk translates its own sentences, as locally
                missing = sorted(dict(zip(keys, chunk)).items())
            calls.append(missing)
        results = remote.translate_calls([[text for _, text in call] for call in calls])
        out: list[TranslationResult | None] = [None] * len(texts)
        position = 0
        for chunk, call, translated in zip(chunks, calls, results):
            fresh = {key: result for (key, _), result in zip(call, translated)}
            if cached.cache is not None and fresh:
                cached.cache.put_many(fresh)
            mine = {**known, **fresh} if cached.cache is not None else fresh
            if cached.cache is not None:
                known.update(fresh)
            for text in chunk:
                out[order[position]] = mine[cached._key(text)]
                position += 1
        return out  # type: ignore[return-value]
    return run

