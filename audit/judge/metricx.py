"""MetricX-23 and MetricX-24 (Google, Apache-2.0) in quality-estimation mode: the English
source and the German in, an error score from 0 (perfect) to 25 out.

A MetricX checkpoint is an mT5 encoder-decoder whose score is read, as a regression head, at
one vocabulary entry (``<extra_id_10>``, id 250089) of the first decoder step, clipped to
[0, 25]; ``MT5ForConditionalGeneration`` holds its weights as they are.  The input joins the
two texts with labels, in the order of the checkpoint's version (MetricX-23: candidate, then
source; MetricX-24: source, then candidate), and drops the tokenizer's end-of-sequence token.
The checkpoints ship without a tokenizer: they use mT5's (the same sentencepiece vocabulary
for every size), from the checkpoint's folder when it has one, else ``google/mt5-xl``.

Inputs are sorted by length and batched, so that a batch pads little; the model runs under
``torch.inference_mode``, with bfloat16 weights where the CPU multiplies them natively, and only the one
row of the output layer the score is read at is computed.  Scores are cached per checkpoint
(``audit/judge/cache.py``).
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import JudgeUnavailable

SCORE_TOKEN = 250089  # <extra_id_10>
HIGHEST = 25.0
DEFAULT_TOKENIZER = "google/mt5-xl"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json",
                "pytorch_model.bin.index.json")
TOKENIZER_FILES = ("spiece.model", "tokenizer.json")
HUB_TIMEOUT_S = "5"


def version_of(model: str, config: dict | None = None) -> int:
    """23 or 24, from the checkpoint's id or folder name (23 where it says neither)."""
    name = Path(model).name.lower() if model else ""
    if "metricx-23" in name or "metricx_23" in name:
        return 23
    return 24 if "metricx-24" in name or "metricx_24" in name else 23


def model_input(source: str, german: str, version: int) -> str:
    if version >= 24:
        return f"source: {source} candidate: {german}"
    return f"candidate: {german} source: {source}"


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _has_weights(path: Path) -> bool:
    return any((path / name).is_file() for name in WEIGHT_FILES)


def resolve(model: str, what: str, files: tuple[str, ...], patterns: list[str]) -> Path:
    """The folder holding ``model`` (a local folder, or an id in the Hugging Face cache, or
    downloaded when the hub is allowed), or JudgeUnavailable naming where it looked."""
    candidate = Path(model).expanduser()
    if candidate.exists() or model.startswith((".", "/", "~")):
        if not candidate.is_dir():
            raise JudgeUnavailable(f"The {what} path {candidate} is not a folder holding a model.")
        if not any((candidate / f).is_file() for f in files):
            raise JudgeUnavailable(f"The {what} folder {candidate} lacks {' or '.join(files)}.")
        return candidate
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", HUB_TIMEOUT_S)
    os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", HUB_TIMEOUT_S)
    from huggingface_hub import constants, snapshot_download

    path = None
    try:
        path = snapshot_download(model, local_files_only=True, allow_patterns=patterns)
    except Exception:  # the hub library raises several error types for "not cached"
        path = None
    if path is not None and not any((Path(path) / f).is_file() for f in files):
        path = None
    if path is None and not _offline():
        try:
            path = snapshot_download(model, allow_patterns=patterns)
        except Exception as err:  # network, authentication, unknown repository
            raise JudgeUnavailable(
                f"The {what} {model} is not in the Hugging Face cache ({constants.HF_HUB_CACHE}) and could not be "
                f"downloaded ({type(err).__name__}); download it where there is network "
                f"(`hf download {model}`) or pass --qe-model PATH to a local copy.") from None
    if path is None:
        raise JudgeUnavailable(
            f"The {what} {model} is not in the Hugging Face cache ({constants.HF_HUB_CACHE}) and HF_HUB_OFFLINE "
            f"forbids downloading it; download it where there is network (`hf download {model}`) or pass "
            f"--qe-model PATH to a local copy.")
    return Path(path)


def cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return " amx_bf16" in flags or " avx512_bf16" in flags


class MetricX:
    """A MetricX checkpoint as a judge (``audit/judge/base.py``)."""

    kind = "metricx"
    metric = "MetricX-23-QE"

    def __init__(self, model: str, batch_size: int = 4, max_input_length: int | None = None,
                 tokenizer: str | None = None, version: int | None = None, threads: int | None = None,
                 precision: str = "auto"):
        try:
            import torch
            from transformers import AutoTokenizer, MT5ForConditionalGeneration
        except ImportError:
            from ..errors import install_hint

            raise JudgeUnavailable("The MetricX judge needs torch and transformers, which are not installed "
                                   f"({install_hint('qe')}).") from None
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        self.model_id = model
        self.version = version or version_of(model)
        # the published scores that calibrate it: MetricX-23-QE's (MetricX-24 has the same scale)
        self.metric = "MetricX-23-QE"
        self.label = f"MetricX-{self.version}"
        self.batch_size = max(1, batch_size)
        # the lengths the checkpoints were trained with
        self.max_input_length = max_input_length or (1024 if self.version == 23 else 1536)
        folder = resolve(model, "quality-estimation model", WEIGHT_FILES,
                         ["config.json", "*.safetensors", "*.bin", "*.json", "spiece.model"])
        if not (folder / "config.json").is_file() or not _has_weights(folder):
            raise JudgeUnavailable(f"The quality-estimation model folder {folder} lacks config.json or its weights.")
        if tokenizer is None and any((folder / f).is_file() for f in TOKENIZER_FILES):
            tokenizer_folder = folder
        else:
            tokenizer_folder = resolve(tokenizer or DEFAULT_TOKENIZER, "tokenizer", TOKENIZER_FILES,
                                       ["spiece.model", "tokenizer.json", "*.json"])
        from ..translate.loader import directory_revision

        self.revision = directory_revision(folder)
        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        # bfloat16 weights where the CPU multiplies them natively (AMX, AVX512-BF16): several
        # times faster than float32 there and half the memory; float32 elsewhere
        self.bf16 = precision == "bf16" or (precision == "auto" and cpu_has_bf16())
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_folder))
            self.model = MT5ForConditionalGeneration.from_pretrained(
                str(folder), dtype=torch.bfloat16 if self.bf16 else torch.float32)
        except (OSError, ValueError) as err:
            raise JudgeUnavailable(f"The quality-estimation model in {folder} cannot be loaded "
                                   f"({type(err).__name__}: {str(err).splitlines()[0][:160]}).") from None
        self.model.eval()
        if self.model.config.vocab_size <= SCORE_TOKEN:
            raise JudgeUnavailable(f"The model in {folder} has {self.model.config.vocab_size} vocabulary entries: "
                                   "it is no MetricX checkpoint (the score is read at entry 250089).")

    @classmethod
    def from_loaded(cls, model, tokenizer, batch_size: int = 4, version: int = 23) -> "MetricX":
        """A judge over a model already in memory (benchmarks, tests)."""
        import torch

        judge = cls.__new__(cls)
        judge._torch, judge.model, judge.tokenizer = torch, model.eval(), tokenizer
        judge.batch_size, judge.version = batch_size, version
        judge.bf16 = next(model.parameters()).dtype == torch.bfloat16
        judge.model_id, judge.revision, judge.label = "in memory", "", f"MetricX-{version}"
        judge.max_input_length = 1024 if version == 23 else 1536
        return judge

    def encode(self, pairs: list[tuple[str, str]]) -> list[list[int]]:
        """Token ids per pair, without the end-of-sequence token (as MetricX was trained)."""
        texts = [model_input(source, german, self.version) for source, german in pairs]
        ids = self.tokenizer(texts, max_length=self.max_input_length, truncation=True, padding=False)["input_ids"]
        eos = self.tokenizer.eos_token_id
        return [row[:-1] if row and row[-1] == eos else row for row in ids]

    def score(self, pairs: list[tuple[str, str]]) -> list[float]:
        return self.score_ids(self.encode(pairs)) if pairs else []

    def fits(self, pairs: list[tuple[str, str]]) -> list[bool]:
        """Whether each pair's input is within the length the checkpoint reads (longer ones
        would lose the end of the input, for MetricX-23 the end of the source)."""
        if not pairs:
            return []
        texts = [model_input(source, german, self.version) for source, german in pairs]
        ids = self.tokenizer(texts, truncation=False, padding=False)["input_ids"]
        eos = self.tokenizer.eos_token_id
        return [len(row) - (1 if row and row[-1] == eos else 0) <= self.max_input_length for row in ids]

    def score_ids(self, ids: list[list[int]]) -> list[float]:
        """Scores of inputs already tokenised, in batches of similar length."""
        torch = self._torch
        order = sorted(range(len(ids)), key=lambda k: len(ids[k]))
        out = [0.0] * len(ids)
        pad = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                batch = order[start:start + self.batch_size]
                width = max(1, max(len(ids[k]) for k in batch))
                input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, k in enumerate(batch):
                    input_ids[row, :len(ids[k])] = torch.tensor(ids[k], dtype=torch.long)
                    mask[row, :len(ids[k])] = 1
                values = self._first_step_score(input_ids, mask)
                for row, k in enumerate(batch):
                    out[k] = round(float(values[row]), 4)
        return out

    def _first_step_score(self, input_ids, mask):
        """The logit of the score entry at the first decoder step, clipped to the scale: the
        encoder, one decoder step, and one row of the output layer instead of all 250k."""
        torch = self._torch
        model = self.model
        encoded = model.get_encoder()(input_ids=input_ids, attention_mask=mask).last_hidden_state
        start = torch.full((input_ids.shape[0], 1), model.config.decoder_start_token_id or 0, dtype=torch.long)
        hidden = model.get_decoder()(input_ids=start, encoder_hidden_states=encoded,
                                     encoder_attention_mask=mask).last_hidden_state[:, 0, :]
        hidden = hidden.float()
        row = model.get_output_embeddings().weight[SCORE_TOKEN].float()
        return (hidden @ row).clamp(0.0, HIGHEST)
