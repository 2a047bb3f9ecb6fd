"""The translate stage: open a backend, back-translate a document through the cache."""
from __future__ import annotations

from typing import Sequence

from ..document import Document, TokenProb
from ..errors import ModelUnavailable
from . import DecodingSettings, TranslationResult, Translator
from .cache import TranslationCache


def open_translator(backend: str, model: str, revision: str, settings: DecodingSettings,
                    quiet: bool = False) -> Translator | None:
    """A loaded translator, None for backend ``none``; ModelUnavailable when it cannot load."""
    if backend == "none":
        return None
    if backend == "marian":
        from .loader import resolve
        from .marian import MarianTranslator

        return MarianTranslator(resolve(model, revision), settings, quiet=quiet)
    raise ModelUnavailable(f"Unknown translation backend {backend!r}.")


class CachedTranslator:
    """Wraps a translator so that only sentences not yet in the cache are translated."""

    def __init__(self, translator: Translator, cache: TranslationCache | None):
        self.translator = translator
        self.cache = cache
        self.hits = 0
        self.misses = 0

    def translate(self, texts: Sequence[str]) -> list[TranslationResult]:
        t = self.translator
        settings = t.settings.signature()
        keys = [TranslationCache.key(t.model_id, t.revision, t.backend, settings, text) for text in texts]
        found = self.cache.get_many(keys) if self.cache else {}
        missing = sorted({k: text for k, text in zip(keys, texts) if k not in found}.items())
        if missing:
            new = t.translate([text for _, text in missing])
            fresh = {key: result for (key, _), result in zip(missing, new)}
            if self.cache:
                self.cache.put_many(fresh)
            found.update(fresh)
        self.misses += len(missing)
        self.hits += len(texts) - len(missing)
        return [found[k] for k in keys]


def back_translate(doc: Document, translator: CachedTranslator) -> None:
    """Fill the back-translation of every German prose segment."""
    todo = [s for s in doc.segments if s.is_prose and s.language == "de"]
    before_hits, before_misses = translator.hits, translator.misses
    results = translator.translate([s.text for s in todo])
    for seg, result in zip(todo, results):
        seg.back_translation = result.text
        seg.bt_logprob = round(result.logprob, 4)
        seg.bt_confidence = round(result.confidence, 4)
        seg.bt_tokens = [TokenProb(token=tok, prob=round(prob, 4)) for tok, prob in result.tokens]
        seg.bt_chunks = result.chunks
        if result.truncated:
            doc.translation.truncated += 1
    doc.translation.translated = translator.misses - before_misses
    doc.translation.from_cache = translator.hits - before_hits
