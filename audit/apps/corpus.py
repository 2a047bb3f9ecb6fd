"""Corpus mode (``mt-audit batch``): many documents, one model load.

Every document is read and segmented first; then the German prose of all documents
goes through the back-translation as one ``datasets.Dataset`` mapped in batches
(length-sorted across documents, so batches are fuller than one article's), through
the translation cache; then each document is aligned, scored, flagged and its reports
rendered.  A combined ``corpus.jsonl`` holds one line per audited segment.

Reading and segmenting, and the stages after the translation, run on a pool of worker
processes (``--jobs``, one per CPU by default); the model is loaded once, in this
process, and the files are written here, so the outputs do not depend on the number of
workers.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..document import MAJOR, Document
from ..errors import EXIT_FINDINGS, EXIT_OK, AuditError, InputError
from ..text.ingest import document_name
from ..translate import TranslationResult

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
SOURCE_SUFFIXES = (".en.txt", ".en.md", ".en.html")


@dataclass
class DocumentOutcome:
    path: str
    name: str
    segments: int
    findings: int
    major: int
    passed: bool
    written: list[str]


@dataclass
class CorpusOutcome:
    documents: list[DocumentOutcome] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, one-sentence reason)
    error_code: int = EXIT_OK
    jsonl: str | None = None
    translated: int = 0
    from_cache: int = 0
    # (document, passed) of every audited document, for the reports written once per run.
    audited: list = field(default_factory=list, repr=False)
    combined: list[str] = field(default_factory=list)

    def record(self, doc: Document, passed: bool, written: list[str]) -> list[str]:
        """Count an audited document; returns its lines of ``corpus.jsonl``."""
        open_findings = [f for f in doc.findings if not f.accepted]
        self.documents.append(DocumentOutcome(
            path=doc.path, name=doc.name, segments=len(doc.segments), findings=len(open_findings),
            major=sum(1 for f in open_findings if f.severity == MAJOR), passed=passed, written=written))
        self.audited.append((doc, passed))
        return [json.dumps(line, ensure_ascii=False, sort_keys=True) for line in segment_lines(doc)]

    @property
    def exit_code(self) -> int:
        codes = [self.error_code] + [EXIT_OK if d.passed else EXIT_FINDINGS for d in self.documents]
        return max(codes)


# What marks an HTML report mt-audit wrote (its template's generator line).
REPORT_MARK = b'<meta name="generator" content="mt-audit">'


def is_own_report(path: Path) -> bool:
    """Whether ``path`` is an HTML report mt-audit wrote (never an article to audit)."""
    if path.suffix.lower() not in (".html", ".htm"):
        return False
    try:
        with path.open("rb") as handle:
            return REPORT_MARK in handle.read(4096)
    except OSError:
        return False


def collect_inputs(inputs: list[Path], out_dir: Path | None = None) -> tuple[list[Path], list[tuple[str, str]]]:
    """The files to audit (each file given, and the German files inside each folder given),
    and (path, reason) for each input that does not exist.  mt-audit's own outputs are
    never inputs: a folder's walk skips ``out_dir`` (where it lies inside the folder; the folder
    itself may be the output folder) and the HTML reports mt-audit wrote, and such a report
    named on its own is refused."""
    files: list[Path] = []
    missing: list[tuple[str, str]] = []
    out = Path(out_dir).resolve() if out_dir is not None else None
    for item in inputs:
        if item.is_dir():
            # an output folder inside the input folder is skipped; the input folder itself as the
            # output folder is read, its reports left out (and no report may replace an input)
            skip = out if out is not None and out != item.resolve() else None
            files += sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                            and not p.name.lower().endswith(SOURCE_SUFFIXES)
                            and not (skip is not None and skip in p.resolve().parents) and not is_own_report(p))
        elif item.exists():
            if is_own_report(item):
                raise InputError(f"The input {item} is a report mt-audit wrote, not an article to audit.")
            files.append(item)
        else:
            missing.append((str(item), f"The input {item} does not exist."))
    if not files:
        folders = [item for item in inputs if item.is_dir()]
        if len(missing) == 1:
            reason = missing[0][1]
        elif len(folders) == 1 and len(inputs) == 1:
            reason = f"The directory {folders[0]} holds no German files (.txt, .md, .html)."
        else:
            reason = "No German files (.txt, .md, .html) were found in the inputs given."
        raise InputError(reason)
    names = [document_name(f) for f in files]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise InputError(f"Several inputs would write reports of the same name ({', '.join(clashes)}); "
                         f"audit them in separate runs or rename them.")
    return files, missing


def source_beside(german: Path) -> Path | None:
    """The English original beside a German file named with its language: NAME.en.txt
    (.md, .html) for NAME.de.txt (.md, .html); None when there is none."""
    parts = german.name.split(".")
    if len(parts) < 3 or parts[-2].lower() != "de":
        return None
    stem = ".".join(parts[:-2])
    for suffix in SOURCE_SUFFIXES:
        candidate = german.with_name(stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def find_source(german: Path, source_dir: Path | None) -> Path | None:
    if source_dir is None:
        return None
    stem = document_name(german)
    for suffix in SOURCE_SUFFIXES + (".txt", ".md", ".html"):
        candidate = source_dir / f"{stem}{suffix}"
        if candidate.is_file() and candidate.resolve() != Path(german).resolve():
            return candidate
    return None


def corpus_batch(settings) -> int:
    """Sentences per call of the translator in corpus mode (longest first across documents)."""
    return max(1, settings.decoding.batch_size) * 8


def _map_with_datasets(batch_size: int) -> Callable:
    """A ``map_batches`` for ``Auditor.translate``: ``datasets.Dataset.map`` in batches."""
    def run(texts: list[str], translate: Callable) -> list[TranslationResult]:
        if not texts:
            return []
        import datasets
        from datasets import Dataset

        datasets.disable_progress_bars()

        def step(batch: dict) -> dict:
            results = translate(batch["text"])
            return {"result": [json.dumps(result_to_dict(r)) for r in results]}

        # Longest first inside the corpus, so every batch holds sentences of like length.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        dataset = Dataset.from_dict({"index": order, "text": [texts[i] for i in order]})
        # An explicit fingerprint: datasets would otherwise try to hash the model inside `step`.
        fingerprint = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
        mapped = dataset.map(step, batched=True, batch_size=batch_size, load_from_cache_file=False,
                             keep_in_memory=True, new_fingerprint=f"translate-{fingerprint}")
        out: list[TranslationResult | None] = [None] * len(texts)
        for index, result in zip(mapped["index"], mapped["result"]):
            out[index] = result_from_dict(json.loads(result))
        return out  # type: ignore[return-value]
    return run


def result_to_dict(result: TranslationResult) -> dict:
    return {"text": result.text, "logprob": result.logprob, "tokens": [list(t) for t in result.tokens],
            "chunks": result.chunks, "truncated": result.truncated}


def result_from_dict(fields: dict) -> TranslationResult:
    return TranslationResult(**{**fields, "tokens": [tuple(t) for t in fields["tokens"]]})


def segment_lines(doc: Document) -> list[dict]:
    """The combined-JSONL lines of one document: one per segment."""
    source_by_id = {s.id: s.text for s in doc.source_segments}
    by_segment: dict[str, list] = {}
    for f in doc.findings:
        by_segment.setdefault(f.segment_id, []).append(
            {"check": f.check, "category": f.category, "severity": f.severity, "message": f.message,
             "accepted": f.accepted})
    return [{"document": doc.name, "path": doc.path, "segment": s.id, "kind": s.kind, "language": s.language,
             "start": s.start, "end": s.end, "text": s.text, "back_translation": s.back_translation,
             "confidence": s.bt_confidence, "source": " ".join(source_by_id[i] for i in s.source_ids) or None,
             "drift": s.drift, "findings": by_segment.get(s.id, [])} for s in doc.segments]


# --- the stages each document goes through on its own (local workers and Ray tasks) ------

_AUDITORS: dict = {}


def worker_auditor(settings):
    """One Auditor per worker process and settings (configuration, glossary, baseline)."""
    from ..pipeline import Auditor

    key = pickle.dumps(settings)
    if key not in _AUDITORS:
        _AUDITORS[key] = Auditor(settings)
    return _AUDITORS[key]


def load_one(settings, path: str, source: str | None) -> tuple[Document | None, str, int]:
    """Read and segment one document: (document, "", 0), or (None, error sentence, exit code)."""
    try:
        return worker_auditor(settings).load(path, source or None), "", 0
    except AuditError as err:
        return None, str(err), err.exit_code


def finish_one(settings, doc: Document, out_dir: str, formats: list[str],
               combined: list[str]) -> tuple[Document, bool, dict[str, str]]:
    """Align, score and flag one back-translated document and render its reports:
    (document, passed, {path: text})."""
    from ..report import render_reports, report_paths

    auditor = worker_auditor(settings)
    doc = auditor.finish(doc)
    passed = auditor.passed(doc)
    paths = report_paths(doc.name, Path(out_dir), formats, dict.fromkeys(combined))
    files = render_reports(doc, auditor, paths, formats, passed)
    return doc, passed, {str(path): text for path, text in files.items()}


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def init_worker() -> None:
    import signal

    # the parent stops the workers: Ctrl-C (sent to the whole process group) is its to
    # handle, and SIGTERM ends a worker at once, without a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # each worker is one of several processes sharing the CPUs: one thread for numerical
    # libraries (the drift signals' embeddings) instead of one per CPU in every worker
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = "1"
    torch = sys.modules.get("torch")
    if torch is not None:  # forked from the warmed fork server, which loaded it
        torch.set_num_threads(1)


def _start_warm_parent() -> bool:
    """Start multiprocessing's fork server with ``audit.apps.warm`` preloaded (it finishes a
    sample document: the models and data a document's stages load on first use); False
    where there is no fork server.  Returns at once: the server loads beside this process."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    from multiprocessing import forkserver

    try:
        multiprocessing.get_context("forkserver").set_forkserver_preload(["audit.apps.warm"])
        forkserver.ensure_running()
    except OSError:
        return False
    return True


def _quiet_pool_threads() -> None:
    """A pool stopped mid-work leaves its manager and feeder threads to find their work gone
    (a KeyError, a broken pipe): what they raise then is no news to the user, who was told
    the run was interrupted, and is not printed."""
    import threading

    previous = threading.excepthook

    def hook(args) -> None:
        name = type(args.thread).__name__ if args.thread is not None else ""
        if "ExecutorManagerThread" in name or (args.thread is not None and args.thread.name.startswith("QueueFeeder")):
            return
        previous(args)

    threading.excepthook = hook


class _Stages:
    """Runs ``load_one`` / ``finish_one`` over documents: on a pool of worker processes, or
    here.  A pool whose worker dies is given up and the rest run here.

    ``method`` "fork" starts the workers at once, as copies of this process before any model
    is loaded in it; "forkserver" forks them from the warmed fork server (``_start_warm_parent``)."""

    def __init__(self, jobs: int, documents: int, method: str = "fork"):
        self.pool = None
        if jobs > 1 and documents > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            if method not in multiprocessing.get_all_start_methods():
                method = "spawn"
            self.pool = ProcessPoolExecutor(max_workers=min(jobs, documents),
                                            mp_context=multiprocessing.get_context(method),
                                            initializer=init_worker)

    def map(self, function, calls: list[tuple]) -> list:
        if self.pool is not None:
            from concurrent.futures.process import BrokenProcessPool

            try:
                return list(self.pool.map(function, *zip(*calls), chunksize=1)) if calls else []
            except BrokenProcessPool:
                self.close()
        return [function(*call) for call in calls]

    def close(self, abandon: bool = False) -> None:
        """Shut the pool down; ``abandon`` (Ctrl-C, SIGTERM, an error): stop the workers now
        instead of letting them finish the documents they hold."""
        if self.pool is not None:
            pool, self.pool = self.pool, None
            if abandon:
                _quiet_pool_threads()
                # The interrupted map has cancelled the futures it still waited for; the pool's
                # manager thread would set the broken pool's error on them, which a cancelled
                # future refuses (InvalidStateError, printed from that thread): they go first.
                pending = getattr(pool, "_pending_work_items", None) or {}
                for work_id in [k for k, item in list(pending.items()) if item.future.cancelled()]:
                    pending.pop(work_id, None)
                for process in list((getattr(pool, "_processes", None) or {}).values()):
                    process.terminate()
            pool.shutdown(wait=not abandon, cancel_futures=True)


def audit_corpus(auditor, files: list[Path], sources: list[Path | None], out_dir: Path, formats: list[str],
                 combined: dict, write: Callable[[Document, bool, dict[Path, str]], None],
                 jobs: int = 1) -> CorpusOutcome:
    """Audit ``files`` (with ``sources``); ``write(doc, passed, files)`` writes one
    document's rendered reports (all or none)."""
    outcome = CorpusOutcome()
    settings = auditor.settings
    # the stages run here (and in forked workers) use this Auditor instead of making another
    _AUDITORS[pickle.dumps(settings)] = auditor
    stages = _Stages(jobs, len(files))
    try:
        docs: list[Document] = []
        loaded = stages.map(load_one, [(settings, str(path), str(source) if source else None)
                                       for path, source in zip(files, sources)])
        for path, (doc, error, code) in zip(files, loaded):
            if doc is None:  # one bad file does not stop the corpus
                outcome.errors.append((str(path), error))
                outcome.error_code = max(outcome.error_code, code)
            else:
                docs.append(doc)
        warmed = False
        if stages.pool is not None and docs:
            auditor.open_model()
            # While the model translates, a process of its own loads what finishing a
            # document needs; the workers that finish the documents are forked from it
            # and share it, instead of each loading its own.
            warmed = auditor.translator is not None and _start_warm_parent()
        auditor.translate(docs, map_batches=_map_with_datasets(corpus_batch(settings)))
        if settings.qe != "none" or settings.llm_url:
            # a judge of meaning is loaded once, here, and judges every document (a worker
            # process each would load a model of a billion weights each)
            stages.close()
            stages = _Stages(1, len(docs))
        elif warmed:
            stages.close()
            stages = _Stages(jobs, len(docs), "forkserver")
        finished = stages.map(finish_one, [(settings, doc, str(out_dir), formats, list(combined)) for doc in docs])
    except BaseException:
        stages.close(abandon=True)
        raise
    finally:
        stages.close()
    lines: list[str] = []
    for doc, passed, rendered in finished:
        files_written = {Path(p): text for p, text in rendered.items()}
        write(doc, passed, files_written)
        lines += outcome.record(doc, passed, [str(p) for p in files_written])
    outcome.translated, outcome.from_cache = auditor.sent_to_model, auditor.taken_from_cache
    if docs:  # nothing audited: no combined file
        write_jsonl(outcome, out_dir, lines)
    return outcome


def write_jsonl(outcome: CorpusOutcome, out_dir: Path, lines: list[str]) -> None:
    """``corpus.jsonl``: one line per audited segment of every document."""
    from ..report import write_atomic

    jsonl = Path(out_dir) / "corpus.jsonl"
    try:
        write_atomic(jsonl, "".join(line + "\n" for line in lines))
    except OSError as err:
        raise InputError(f"The combined results {jsonl} cannot be written ({err.strerror}).") from None
    outcome.jsonl = str(jsonl)
