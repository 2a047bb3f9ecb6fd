"""The COMET family (Unbabel: CometKiwi, XCOMET) in quality-estimation mode through
unbabel-comet: the English source and the German in, a quality from 0 to 1 (higher better)
out, and for XCOMET its own error spans in the German.

unbabel-comet pins numpy < 2 and transformers < 5; mt-audit needs numpy 2 and transformers 5,
so the two cannot share an environment.  COMET runs in an environment of its own (``make
comet`` builds one at ``.venv-comet``; ``$MT_AUDIT_COMET_PYTHON`` names another), in a worker
process (``comet_worker.py``) that loads the checkpoint once and answers score requests over
a pipe for as long as the judge lives.  The checkpoints are gated on the Hugging Face hub
under a non-commercial licence: the user accepts it there, and mt-audit says so where one is
missing.  Scores are cached per checkpoint like the other judges' (``audit/judge/cache.py``).
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import threading
import weakref
from pathlib import Path

from ..errors import JudgeUnavailable
from .cache import AnswerCache, ScoreCache
from .llm import Assessment, LLMError

PYTHON_VARIABLE = "MT_AUDIT_COMET_PYTHON"
WORKER = Path(__file__).with_name("comet_worker.py")
ENVIRONMENT = Path(__file__).resolve().parents[2] / ".venv-comet"
HUB_TIMEOUT_S = "5"


def metric_of(model: str) -> str:
    """The published metric whose calibration a checkpoint takes, from its id or folder name:
    XCOMET-QE for XCOMET, CometKiwi-XXL for the WMT23 CometKiwi models, else CometKiwi."""
    name = Path(model).name.lower() if model else ""
    if "xcomet" in name:
        return "XCOMET-QE"
    if "cometkiwi" in name and ("wmt23" in name or "xxl" in name or name.endswith("-xl")):
        return "CometKiwi-XXL"
    return "CometKiwi"


def comet_python(explicit: str | None = None) -> str:
    """The Python that runs the worker: ``explicit`` or ``$MT_AUDIT_COMET_PYTHON``, else this
    one where it can import comet, else the project's ``.venv-comet``."""
    chosen = explicit or os.environ.get(PYTHON_VARIABLE, "").strip()
    if chosen:
        if not Path(chosen).is_file() or not os.access(chosen, os.X_OK):
            raise JudgeUnavailable(f"The COMET Python {chosen} ({PYTHON_VARIABLE}) is not an executable file.")
        return chosen
    if importlib.util.find_spec("comet") is not None and importlib.util.find_spec("comet.models") is not None:
        return sys.executable
    beside = ENVIRONMENT / "bin" / "python"
    if beside.is_file():
        return str(beside)
    raise JudgeUnavailable(
        "The COMET judge needs unbabel-comet in an environment of its own (it pins numpy < 2 and transformers < 5, "
        f"which mt-audit's cannot hold): `make comet` builds one at .venv-comet, or set {PYTHON_VARIABLE} to the "
        "Python of one that has it.")


def _stop(process: subprocess.Popen, log) -> None:
    if process.poll() is None:
        try:
            process.stdin.close()
            process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
    log.close()


def _place(span: dict) -> tuple[int, int] | None:
    start, end = span.get("start"), span.get("end")
    return (start, end) if isinstance(start, int) and isinstance(end, int) and 0 <= start < end else None


class Comet:
    """A COMET checkpoint as a judge (``audit/judge/base.py``), run by a worker process."""

    kind = "comet"

    def __init__(self, model: str, batch_size: int = 8, threads: int | None = None, python: str | None = None,
                 cache_dir: str | None = None, use_cache: bool = True, **_options):
        self.model_id = model
        self.batch_size = max(1, batch_size)
        executable = comet_python(python)
        environment = dict(os.environ)
        environment.setdefault("HF_HUB_ETAG_TIMEOUT", HUB_TIMEOUT_S)
        environment.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", HUB_TIMEOUT_S)
        environment.setdefault("TOKENIZERS_PARALLELISM", "false")
        self._log = tempfile.TemporaryFile()
        command = [executable, "-I", str(WORKER), "--model", model, "--batch-size", str(self.batch_size)]
        if threads:
            command += ["--threads", str(threads)]
        try:
            self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=self._log, env=environment, text=True, encoding="utf-8")
        except OSError as err:
            self._log.close()
            raise JudgeUnavailable(f"The COMET Python {executable} cannot be started ({err.strerror}).") from None
        self._finalizer = weakref.finalize(self, _stop, self._process, self._log)
        self._lock = threading.Lock()
        hello = self._answer()
        if not hello.get("ready"):
            self.close()
            raise JudgeUnavailable("The COMET worker started but did not say it was ready.")
        self.revision = str(hello.get("revision", ""))
        self.checkpoint = hello.get("checkpoint", "")
        # XCOMET names error spans: its answers (score and spans) are findings at words, kept
        # in a cache of their own; the others' scores go through the judges' score cache
        self.names_spans = hello.get("class") == "XCOMETMetric"
        self.metric = "XCOMET-QE" if self.names_spans else metric_of(model)
        self.label = f"{self.metric} ({Path(model).name or model})"
        self.caches_itself = self.names_spans
        self.cache = AnswerCache(cache_dir, "comet.sqlite", "XCOMET answers") if self.names_spans and use_cache else None
        if hello.get("class") in ("RegressionMetric", "RankingMetric"):
            self.close()
            raise JudgeUnavailable(f"The COMET model {model} needs a reference translation; a quality-estimation "
                                   "checkpoint (CometKiwi, XCOMET) reads the source and the German alone.")

    def _answer(self) -> dict:
        line = self._process.stdout.readline()
        if not line:
            self._process.wait()
            raise JudgeUnavailable(f"The COMET worker ended (exit {self._process.returncode}): {self._last_words()}")
        try:
            message = json.loads(line)
        except ValueError:
            raise JudgeUnavailable("The COMET worker answered something that is not JSON.") from None
        if "error" in message:
            raise JudgeUnavailable(str(message["error"]))
        return message

    def _last_words(self) -> str:
        self._log.seek(0)
        lines = [x for x in self._log.read().decode("utf-8", "replace").splitlines() if x.strip()]
        return (lines[-1].strip()[:240] if lines else "it printed nothing") + "."

    def _ask(self, request: dict) -> dict:
        """One request to the worker and its answer."""
        with self._lock:
            if self._process.poll() is not None:
                raise JudgeUnavailable(f"The COMET worker has ended (exit {self._process.returncode}).")
            try:
                self._process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
                self._process.stdin.flush()
            except OSError:
                raise JudgeUnavailable(f"The COMET worker has ended: {self._last_words()}") from None
            return self._answer()

    def assess_raw(self, pairs: list[tuple[str, str]]) -> dict:
        """The worker's answer for ``pairs``: scores, and XCOMET's spans (None for others)."""
        if not pairs:
            return {"scores": [], "spans": None}
        answer = self._ask({"pairs": [list(p) for p in pairs]})
        scores = answer.get("scores")
        if not isinstance(scores, list) or len(scores) != len(pairs):
            raise JudgeUnavailable("The COMET worker answered with a wrong number of scores.")
        return answer

    def assess(self, pairs: list[tuple[str, str]]) -> list[Assessment]:
        """XCOMET's score and error spans per pair, each distinct pair asked once across runs."""
        keys = [ScoreCache.key(self, p) for p in pairs]
        known = {}
        for k in dict.fromkeys(keys):
            text = self.cache.get(k) if self.cache is not None else None
            if text is not None:
                known[k] = json.loads(text)
        todo = {k: p for k, p in zip(keys, pairs) if k not in known}
        if todo:
            answer = self.assess_raw(list(todo.values()))
            spans = answer.get("spans") or [[] for _ in todo]
            for (k, _), value, named in zip(todo.items(), answer["scores"], spans):
                known[k] = {"score": round(float(value), 4), "spans": named or []}
                if self.cache is not None:
                    self.cache.put(k, json.dumps(known[k], ensure_ascii=False))
        return [Assessment(known[k]["score"], [
            LLMError(str(s.get("severity") or "minor").lower(), "error span", str(s.get("text") or ""),
                     f"confidence {float(s['confidence']):.2f}" if s.get("confidence") is not None else "",
                     _place(s))
            for s in known[k]["spans"]]) for k in keys]

    def fits(self, pairs: list[tuple[str, str]]) -> list[bool]:
        """Whether each pair is within the tokens the checkpoint's encoder reads at once."""
        if not pairs:
            return []
        answer = self._ask({"ask": "fits", "pairs": [list(p) for p in pairs]})
        verdicts = answer.get("fits")
        if not isinstance(verdicts, list) or len(verdicts) != len(pairs):
            raise JudgeUnavailable("The COMET worker answered with a wrong number of lengths.")
        return [bool(v) for v in verdicts]

    def score(self, pairs: list[tuple[str, str]]) -> list[float]:
        if self.names_spans:
            return [a.score for a in self.assess(pairs)]
        return [round(float(s), 4) for s in self.assess_raw(pairs)["scores"]]

    def close(self) -> None:
        self._finalizer()
