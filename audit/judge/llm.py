"""An LLM as a judge of meaning, asked the GEMBA-MQM way (Kocmi & Federmann 2023) through any
endpoint that speaks the OpenAI chat API (a cloud service, llama.cpp's server, vLLM, Ollama).

Each (English, German) paragraph is sent with the GEMBA-MQM instructions and answer format,
at temperature 0; the answer lists errors by severity (critical, major, minor), each with its
MQM category, the German words it is about in quotes and, as mt-audit asks, a short reason.
The paragraph's score is GEMBA-MQM's penalty (critical 25, major 5, minor 1, at most 25): on the
scale of the published GEMBA-MQM scores, so that the calibration fitted on them applies.

Plumbing: requests run ``concurrency`` at a time, each with a timeout; a 429 or 5xx answer or a
dropped connection is retried with exponential back-off (``Retry-After`` honoured); answers are
cached in sqlite keyed by endpoint, model, prompt version and the texts, so a second run sends
nothing; tokens sent and received are counted.  Nothing is sent anywhere unless a URL is
configured.  The key comes from an environment variable (``MT_AUDIT_LLM_KEY``, else
``OPENAI_API_KEY``), never from the command line, and never reaches a report.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..errors import JudgeUnavailable
from .cache import AnswerCache

PROMPT_VERSION = "gemba-mqm/mt-audit-1"
KEY_VARIABLES = ("MT_AUDIT_LLM_KEY", "OPENAI_API_KEY")
PENALTY = {"critical": 25.0, "major": 5.0, "minor": 1.0}
HIGHEST = 25.0
RETRIES = 4
BACKOFF_S = 1.0
LONGEST_WAIT_S = 30.0

SYSTEM = ("You are an annotator for the quality of machine translation. Your task is to identify errors "
          "and assess the quality of the translation.")
INSTRUCTIONS = (
    "Based on the source segment and machine translation surrounded with triple backticks, identify error "
    "types in the translation and classify them. The categories of errors are: accuracy (addition, "
    "mistranslation, omission, untranslated text), fluency (character encoding, grammar, inconsistency, "
    "punctuation, register, spelling), style (awkward), terminology (inappropriate for context, inconsistent "
    "use), non-translation, other, or no-error.\n"
    "Each error is classified as one of three categories: critical, major, and minor. Critical errors inhibit "
    "comprehension of the text. Major errors disrupt the flow, but what the text is trying to say is still "
    "understandable. Minor errors are technically errors, but do not disrupt the flow or hinder "
    "comprehension.\n"
    "Quote the words of the translation each error is about, exactly as they stand, and after them give a "
    "short reason.")
# The answer format, shown by example (sentences written for mt-audit).
EXAMPLES = (
    ("The council postponed the vote on the new bus lanes until March.",
     "Der Rat hat die Abstimmung über die neuen Busspuren auf März vorgezogen.",
     "Critical:\nno-error\nMajor:\naccuracy/mistranslation - \"vorgezogen\" - 'postponed' means put off, "
     "not brought forward\nMinor:\nno-error\n"),
    ("Shares fell 3% after the company cut its forecast.",
     "Die Aktien fielen um 3 %, nachdem das Unternehmen seine Prognose senkte.",
     "Critical:\nno-error\nMajor:\nno-error\nMinor:\nfluency/grammar - \"senkte\" - the past perfect "
     "\"gesenkt hatte\" is needed\n"),
)
_SEVERITY = re.compile(r"^\s*(critical|major|minor)\s*:?\s*$", re.I)
_ERROR = re.compile(r"^\s*[-*]?\s*([a-z][a-z /-]*?)\s*(?:-|:)\s*[\"“„'](.*?)[\"”“'](?:\s*[-–—:]\s*(.*))?\s*$", re.I)
_CATEGORY_ONLY = re.compile(r"^\s*[-*]?\s*([a-z][a-z /-]*?)\s*$", re.I)


@dataclass
class LLMError:
    severity: str  # critical, major, minor
    category: str  # MQM, e.g. accuracy/mistranslation
    span: str  # the German words quoted ("" when none)
    reason: str = ""
    place: tuple[int, int] | None = None  # where the span stands in the German, where the judge says so


@dataclass
class Assessment:
    score: float  # GEMBA-MQM penalty, 0 (no error) to 25
    errors: list[LLMError] = field(default_factory=list)


def prompt(source: str, german: str) -> list[dict]:
    """The chat messages for one paragraph."""
    messages = [{"role": "system", "content": SYSTEM}]
    for en, de, answer in EXAMPLES:
        messages.append({"role": "user", "content": _user(en, de)})
        messages.append({"role": "assistant", "content": answer})
    messages.append({"role": "user", "content": _user(source, german)})
    return messages


def _user(source: str, german: str) -> str:
    return f"English source:\n```{source}```\nGerman translation:\n```{german}```\n\n{INSTRUCTIONS}"


def parse(answer: str) -> Assessment | None:
    """The errors of a GEMBA-MQM answer, or None when it is not one (no severity heading)."""
    severity = None
    errors: list[LLMError] = []
    seen_heading = False
    for line in (answer or "").splitlines():
        if not line.strip():
            continue
        heading = _SEVERITY.match(line)
        if heading:
            severity, seen_heading = heading.group(1).lower(), True
            continue
        if severity is None:
            continue
        text = line.strip()
        if text.lower().strip(".") in ("no-error", "no error", "none", "-"):
            continue
        m = _ERROR.match(text)
        if m:
            errors.append(LLMError(severity, m.group(1).strip().lower(), m.group(2).strip(), (m.group(3) or "").strip()))
        elif _CATEGORY_ONLY.match(text):
            errors.append(LLMError(severity, text.strip("-* ").lower(), ""))
    if not seen_heading:
        return None
    penalty = sum(PENALTY[e.severity] * (5.0 if e.category == "non-translation" else 1.0) for e in errors)
    return Assessment(min(HIGHEST, penalty), errors)


class LLMJudge:
    """GEMBA-MQM through an OpenAI-compatible chat endpoint, as a judge (``judge/base.py``)."""

    kind = "llm"
    metric = "GEMBA-MQM"
    caches_itself = True
    names_spans = True

    def __init__(self, url: str, model: str, concurrency: int = 4, timeout_s: float = 60.0,
                 cache_dir: str | None = None, use_cache: bool = True, retries: int = RETRIES,
                 backoff_s: float | None = None):
        if not url or not model:
            raise JudgeUnavailable("The LLM judge needs an endpoint and a model name (--llm-url and --llm-model, or "
                                   "url and model in [llm] of the configuration).")
        if not re.match(r"^https?://", url):
            raise JudgeUnavailable(f"The LLM endpoint {url!r} is no http(s) URL.")
        self.url = url.rstrip("/")
        self.endpoint = self.url if self.url.endswith("/chat/completions") else self.url + "/chat/completions"
        self.model_id = model
        self.label = f"GEMBA-MQM ({model})"
        self.revision = PROMPT_VERSION
        self.concurrency = max(1, concurrency)
        self.timeout_s = timeout_s
        self.retries, self.backoff_s = max(0, retries), BACKOFF_S if backoff_s is None else backoff_s
        self.key = next((os.environ[v] for v in KEY_VARIABLES if os.environ.get(v)), None)
        self.cache = AnswerCache(cache_dir, "llm.sqlite", "LLM answers") if use_cache else None
        self.tokens_sent = self.tokens_received = 0
        self.sent = self.from_cache = 0
        self._lock = threading.Lock()

    # --- the judge interface ------------------------------------------------------------
    def score(self, pairs: list[tuple[str, str]]) -> list[float | None]:
        return [a.score if a else None for a in self.assess(pairs)]

    def assess(self, pairs: list[tuple[str, str]]) -> list[Assessment | None]:
        """One assessment per pair (None where the answer was no GEMBA-MQM answer); raises
        JudgeUnavailable when the endpoint cannot be reached or answers nothing usable."""
        if not pairs:
            return []
        distinct = list(dict.fromkeys(pairs))
        answers = self.answers(distinct)
        by_pair = dict(zip(distinct, answers))
        failures = [a for a in answers if isinstance(a, Exception)]
        if failures and len(failures) == len(answers):
            raise JudgeUnavailable(str(failures[0]))
        parsed = {p: (parse(a) if isinstance(a, str) else None) for p, a in by_pair.items()}
        if all(v is None for v in parsed.values()):
            raise JudgeUnavailable(f"The LLM endpoint {self.url} answered nothing that reads as a GEMBA-MQM "
                                   f"error list (model {self.model_id}).")
        return [parsed[p] for p in pairs]

    def answers(self, pairs: list[tuple[str, str]]) -> list[str | Exception]:
        """The endpoint's answer text per pair (from the cache where it is there), or the
        error that kept it from answering; ``concurrency`` requests at once."""
        if not pairs:
            return []
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(pairs))) as pool:
            return list(pool.map(self._answer, pairs))

    # --- one request --------------------------------------------------------------------
    def cache_key(self, source: str, german: str) -> str:
        what = [self.endpoint, self.model_id, PROMPT_VERSION, source, german]
        return hashlib.sha256(json.dumps(what, ensure_ascii=False).encode("utf-8")).hexdigest()

    def _answer(self, pair: tuple[str, str]) -> str | Exception:
        key = self.cache_key(*pair)
        if self.cache is not None:
            known = self.cache.get(key)
            if known is not None:
                with self._lock:
                    self.from_cache += 1
                return known
        try:
            text = self._request(prompt(*pair))
        except JudgeUnavailable as err:
            return err
        if self.cache is not None and parse(text) is not None:
            self.cache.put(key, text)
        return text

    def _request(self, messages: list[dict]) -> str:
        body = json.dumps({"model": self.model_id, "messages": messages, "temperature": 0}).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        last = "no answer"
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(self.endpoint, data=body, headers=headers, method="POST")
            wait = self.backoff_s * (2 ** attempt)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    data = json.loads(response.read().decode("utf-8"))
                content = data["choices"][0]["message"]["content"]
                usage = data.get("usage") or {}
                with self._lock:
                    self.sent += 1
                    self.tokens_sent += int(usage.get("prompt_tokens") or 0)
                    self.tokens_received += int(usage.get("completion_tokens") or 0)
                return content if isinstance(content, str) else ""
            except urllib.error.HTTPError as err:
                last = f"HTTP {err.code}"
                if err.code != 429 and err.code < 500:
                    raise JudgeUnavailable(f"The LLM endpoint {self.url} refused the request ({last}).") from None
                retry_after = err.headers.get("Retry-After") if err.headers else None
                if retry_after and retry_after.strip().isdigit():
                    wait = float(retry_after)
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as err:
                last = type(getattr(err, "reason", err)).__name__
            except (ValueError, KeyError, IndexError, TypeError):
                raise JudgeUnavailable(f"The LLM endpoint {self.url} answered something that is no chat "
                                       "completion.") from None
            if attempt < self.retries:
                time.sleep(min(wait, LONGEST_WAIT_S))
        raise JudgeUnavailable(f"The LLM endpoint {self.url} could not be reached or kept failing ({last}, "
                               f"{self.retries + 1} tries).")

    def cost(self) -> dict:
        return {"requests": self.sent, "answers_from_cache": self.from_cache, "tokens_sent": self.tokens_sent,
                "tokens_received": self.tokens_received}
