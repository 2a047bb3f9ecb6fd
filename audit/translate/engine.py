"""The translate stage: open a backend, back-translate a document through the cache."""
from __future__ import annotations

from typing import Sequence

from ..document import Document, TokenProb
from ..errors import ModelUnavailable, install_hint
from . import DecodingSettings, TranslationResult, Translator
from .cache import TranslationCache


def open_translator(backend: str, model: str, revision: str, settings: DecodingSettings,
                    quiet: bool = False, fallback: bool = True, warnings: list[str] | None = None
                    ) -> Translator | None:
    """A loaded translator, None for backend ``none``; ModelUnavailable when it cannot load.

    A ``ctranslate2`` backend whose conversion or loading fails falls back to ``marian``
    (with a warning appended to ``warnings``) unless ``fallback`` is false.
    """
    if backend == "none":
        return None
    if backend not in ("marian", "ctranslate2"):
        raise ModelUnavailable(f"Unknown translation backend {backend!r}.")
    require_extra(backend)
    from .loader import is_ct2_dir, resolve
    from .marian import MarianTranslator

    resolved = resolve(model, revision)
    if backend == "marian" and is_ct2_dir(resolved.path):
        raise ModelUnavailable(f"{resolved.path} is a CTranslate2 model; use it with --backend ctranslate2.")
    if backend == "ctranslate2":
        from .ct2 import CTranslate2Translator

        try:
            return CTranslate2Translator(resolved, settings, quiet=quiet)
        except ModelUnavailable as err:
            if not fallback or is_ct2_dir(resolved.path):
                raise
            if warnings is not None:
                warnings.append(f"{err} Falling back to the marian backend.")
    return MarianTranslator(resolved, settings, quiet=quiet)


class CachedTranslator:
    """Wraps a translator so that only sentences not yet in the cache are translated."""

    def __init__(self, translator: Translator, cache: TranslationCache | None):
        self.translator = translator
        self.cache = cache
        self.hits = 0
        self.misses = 0

    def _key(self, text: str) -> str:
        t = self.translator
        # A vocabulary shortlist may change the chosen output: its own key.
        backend = t.backend + ("+shortlist" if getattr(t, "shortlist", False) else "")
        return TranslationCache.key(t.model_id, t.revision, backend, t.settings.signature(), text)

    def cached(self, texts: Sequence[str]) -> set[str]:
        """Which of ``texts`` the cache already holds."""
        if not self.cache:
            return set()
        keys = {self._key(text): text for text in texts}
        return {keys[k] for k in self.cache.get_many(list(keys))}

    def translate(self, texts: Sequence[str]) -> list[TranslationResult]:
        t = self.translator
        keys = [self._key(text) for text in texts]
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


def translatable(doc: Document) -> list:
    """The segments that are back-translated: German prose."""
    return [s for s in doc.segments if s.is_prose and s.language == "de"]


def fill_back_translations(pairs, results: Sequence[TranslationResult]) -> None:
    """Store each result on its (document, segment) pair."""
    for (doc, seg), result in zip(pairs, results):
        seg.back_translation = result.text
        seg.bt_logprob = round(result.logprob, 4)
        seg.bt_confidence = round(result.confidence, 4)
        seg.bt_tokens = [TokenProb(token=tok, prob=round(prob, 4)) for tok, prob in result.tokens]
        seg.bt_chunks = result.chunks
        if result.truncated:
            doc.translation.truncated += 1


# What each backend imports, and the extra of the mt-audit package that brings it.
EXTRAS = {"marian": (("torch", "transformers", "sentencepiece"), "marian"),
          "ctranslate2": (("ctranslate2", "transformers", "sentencepiece"), "ct2")}


def require_extra(backend: str) -> None:
    """ModelUnavailable, naming the extra to install, when a backend's libraries are missing
    (the core install audits without a model)."""
    from importlib.util import find_spec

    modules, extra = EXTRAS[backend]
    missing = [name for name in modules if find_spec(name) is None]
    if missing:
        raise ModelUnavailable(f"The {backend} backend needs {', '.join(missing)}, which this installation "
                               f"lacks; install them with {install_hint(extra)} (or audit with "
                               f"--backend none).")
