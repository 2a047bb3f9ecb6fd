"""The fast backend: a CTranslate2 int8 conversion of the same MarianMT model.

The conversion is made once (by ``make models`` or on first use) and kept in the
mt-audit cache folder, keyed by model and revision, with the tokenizer files copied
in so the folder is self-contained; ``--model PATH`` also takes such a folder (one
with ``model.bin``) directly.  The conversion carries a vocabulary shortlist (the
target-side pieces, see ``_target_vocabulary_map``) that beam search uses when the folder
has one.  Per-token probabilities come from scoring the chosen output with
``score_batch`` (teacher forcing, full vocabulary): CTranslate2 reports per-step
log-probabilities only for greedy search.
"""
from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..errors import ModelUnavailable
from . import DecodingSettings, TranslationResult
from .chunk import ChunkedTranslator, length_batches, progress
from .loader import ResolvedModel, is_ct2_dir, target_side_pieces

TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json", "special_tokens_map.json",
                   "generation_config.json")
QUANTIZATION = "int8"
SCORE_BATCH = 4


def conversion_dir(resolved: ResolvedModel, cache_dir: Path | None = None) -> Path:
    from .cache import default_cache_dir

    base = Path(cache_dir) if cache_dir else default_cache_dir()
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{resolved.model_id}@{resolved.revision}")[-120:]
    return base / "ctranslate2" / f"{name}-{QUANTIZATION}-shortlist"


def convert(resolved: ResolvedModel, cache_dir: Path | None = None) -> Path:
    """The CTranslate2 folder for ``resolved``, converting it first if needed."""
    if is_ct2_dir(resolved.path):
        return resolved.path
    target = conversion_dir(resolved, cache_dir)
    if is_ct2_dir(target):
        return target
    try:
        from ctranslate2.converters import TransformersConverter
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:
        raise ModelUnavailable("The ctranslate2 backend needs the ctranslate2 package; install it "
                               "(`make install`) or use --backend marian.") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    files = [str(resolved.path / f) for f in TOKENIZER_FILES if (resolved.path / f).is_file()]
    # Convert into a temporary folder and rename it into place: a conversion that is
    # interrupted, or two audits converting at once, never leave a half-written model.
    work = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        vmap = _target_vocabulary_map(resolved.path, work)
        TransformersConverter(str(resolved.path), copy_files=files).convert(
            str(work / "model"), vmap=str(vmap) if vmap else None, quantization=QUANTIZATION, force=True)
        try:
            os.replace(work / "model", target)
        except OSError:
            if not is_ct2_dir(target):  # someone else finished first: theirs is as good
                raise
    except ModelUnavailable:
        raise
    except Exception as err:  # the converter raises many types for unsupported or broken models
        raise ModelUnavailable(f"The CTranslate2 conversion of {resolved.path} failed "
                               f"({type(err).__name__}: {err}).") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _target_vocabulary_map(model_dir: Path, work: Path) -> Path | None:
    """A CTranslate2 vocabulary map that always offers the target-side pieces
    (``loader.target_side_pieces``); None when they cannot be read."""
    pieces = target_side_pieces(model_dir)
    if not pieces:
        return None
    path = work / "vmap.txt"
    path.write_text("\t" + " ".join(pieces) + "\n", encoding="utf-8")
    return path


def _limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's per-thread malloc arenas before the CTranslate2 worker threads start.
    Each worker thread otherwise gets an arena of its own that keeps the memory it freed.
    Measured on the benchmark's 200 sentences (three runs each, same speed): peak RSS
    745-856 MB with glibc's default, 576-708 MB with two arenas."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


class MarianPieces:
    """Marian's tokenisation with sentencepiece alone (no torch import): the source
    sentencepiece model, pieces missing from the vocabulary as <unk>, </s> at the end;
    decoding through the target sentencepiece model.  The same tokens as transformers'
    MarianTokenizer (tested)."""

    eos_token, unk_token, pad_token = "</s>", "<unk>", "<pad>"

    def __init__(self, folder: Path):
        import json

        import sentencepiece

        self.source = sentencepiece.SentencePieceProcessor(model_file=str(folder / "source.spm"))
        self.target = sentencepiece.SentencePieceProcessor(model_file=str(folder / "target.spm"))
        self.vocab = set(json.loads((folder / "vocab.json").read_text(encoding="utf-8")))

    def tokenize(self, text: str) -> list[str]:
        if not text:
            return []
        return [p if p in self.vocab else self.unk_token for p in self.source.encode(text, out_type=str)]

    def encode_tokens(self, text: str) -> list[str]:
        return self.tokenize(text) + [self.eos_token]

    def decode(self, tokens: list[str]) -> str:
        pieces = [t for t in tokens if t not in (self.eos_token, self.pad_token)]
        return self.target.decode_pieces(pieces).replace("\u2581", " ").strip()


class CTranslate2Translator(ChunkedTranslator):
    backend = "ctranslate2"

    def __init__(self, resolved: ResolvedModel, settings: DecodingSettings, quiet: bool = False,
                 cache_dir: Path | None = None):
        import ctranslate2

        _limit_malloc_arenas()
        folder = convert(resolved, cache_dir)
        self.model_id = resolved.model_id
        self.revision = resolved.revision
        self.settings = settings
        self.quiet = quiet
        self.path = folder
        try:
            self.tokenizer = MarianPieces(folder)
            # One worker per core, one thread each: batches run side by side, which keeps
            # both cores busier than splitting every matrix product across them.
            self.translator = ctranslate2.Translator(str(folder), device="cpu", compute_type=QUANTIZATION,
                                                     inter_threads=settings.threads or os.cpu_count() or 1,
                                                     intra_threads=1)
        except (OSError, ValueError, RuntimeError) as err:
            raise ModelUnavailable(f"The CTranslate2 model in {folder} could not be loaded ({err}).") from None
        self.max_input_tokens = min(settings.max_input_tokens, 510)
        self.shortlist = (folder / "vmap.txt").is_file()

    def _translate_pieces(self, pieces: list[str]) -> list[TranslationResult]:
        """Length-sorted batches, submitted together so that the workers run side by side."""
        out = [TranslationResult(text="", logprob=0.0) for _ in pieces]
        jobs = []
        for batch in length_batches(pieces, self.settings.batch_size):
            source = [self.tokenizer.encode_tokens(pieces[i]) for i in batch]
            longest = max(len(s) for s in source)
            max_len, min_len = min(512, 2 * longest + 16), 1
            if self.settings.forced_length_ratio:
                max_len = min_len = max(1, round(self.settings.forced_length_ratio * longest))
            pending = self.translator.translate_batch(
                source, beam_size=self.settings.beam_size, max_input_length=0, max_decoding_length=max_len,
                min_decoding_length=min_len, asynchronous=True, use_vmap=self.shortlist)
            jobs.append((batch, source, max_len, pending))
        scoring = []
        for batch, source, max_len, pending in progress(jobs, self.quiet):
            targets = [p.result().hypotheses[0] for p in pending]
            # Scoring holds the logits of every position over the whole vocabulary: small
            # batches keep that (and the peak memory) low at no cost in speed.
            scoring.append((batch, targets, max_len,
                            self.translator.score_batch(source, targets, max_batch_size=SCORE_BATCH,
                                                        max_input_length=0, asynchronous=True)))
        for batch, targets, max_len, pending in scoring:
            for i, target, score in zip(batch, targets, (p.result() for p in pending)):
                out[i] = self._result(target, score, max_len)
        return out

    def _result(self, target: list[str], score, max_len: int) -> TranslationResult:
        # Teacher-forced scores of the chosen output; the last one is that of </s>.
        tokens = [(tok, lp) for tok, lp in zip(score.tokens, score.log_probs) if tok != self.tokenizer.eos_token]
        return TranslationResult(text=self.tokenizer.decode(target), logprob=sum(lp for _, lp in tokens),
                                 tokens=[(tok, math.exp(lp)) for tok, lp in tokens],
                                 truncated=len(target) >= max_len)
