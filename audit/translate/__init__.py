"""Back-translation: the Translator interface, its backends and the cache.

Every backend returns the same ``TranslationResult``: the text, the sequence
log-probability and per-token probabilities (for confidence and highlighting).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol, Sequence

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-de-en"
# Pinned so that reports made months apart are comparable.
DEFAULT_REVISION = "main"
BACKENDS = ("marian", "ctranslate2", "none")


@dataclass
class DecodingSettings:
    beam_size: int = 4
    batch_size: int = 16
    max_input_tokens: int = 400
    # Benchmarks only: force every output to this multiple of the source length, so a
    # random-weight model does the same work as a real one.
    forced_length_ratio: float | None = None
    # "int8": dynamic int8 quantisation of the marian backend's linear layers (torch).
    quantize: str | None = None
    # CPU threads the backend may use (None: every CPU of the machine); a Ray actor sets
    # its own share.  Not part of the signature: it changes speed, not output.
    threads: int | None = None

    def signature(self) -> dict:
        signature = {"beam_size": self.beam_size, "max_input_tokens": self.max_input_tokens}
        if self.quantize:
            signature["quantize"] = self.quantize
        if self.forced_length_ratio:
            # A forced length changes the output, so it must change the cache key too.
            signature["forced_length_ratio"] = self.forced_length_ratio
        return signature


@dataclass
class TranslationResult:
    text: str
    logprob: float
    tokens: list[tuple[str, float]] = field(default_factory=list)
    chunks: int = 1
    truncated: bool = False

    @property
    def confidence(self) -> float:
        """Geometric mean of the token probabilities (1.0 for an empty output)."""
        import math

        if not self.tokens:
            return 1.0
        return math.exp(self.logprob / len(self.tokens))


class Translator(Protocol):
    model_id: str
    revision: str
    backend: str
    settings: DecodingSettings

    def translate(self, texts: Sequence[str]) -> list[TranslationResult]: ...


_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_for_model(text: str) -> str:
    """What the model sees: no zero-width or control characters, single spaces."""
    return " ".join(_INVISIBLE.sub("", text).split())
