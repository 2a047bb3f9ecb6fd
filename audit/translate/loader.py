"""Finding a model: a local directory, the Hugging Face cache, or the hub.

The hub is only asked when the cache does not have the model and the user has
not set ``HF_HUB_OFFLINE``; it is given a few seconds, never more.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelUnavailable

MARIAN_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
MODEL_ENV = "MT_AUDIT_MODEL"
HUB_TIMEOUT_S = "5"


@dataclass
class ResolvedModel:
    model_id: str
    path: Path
    revision: str


def hf_cache_dir() -> str:
    from huggingface_hub import constants

    return str(constants.HF_HUB_CACHE)


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def is_ct2_dir(path: Path) -> bool:
    """Whether ``path`` holds a CTranslate2 conversion (its weights are model.bin)."""
    return (path / "model.bin").is_file()


def check_marian_dir(path: Path) -> None:
    """Fail with one sentence naming every file a Marian model directory lacks."""
    missing = [name for name in MARIAN_FILES if not (path / name).is_file()]
    if not any((path / name).is_file() for name in WEIGHT_FILES):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        raise ModelUnavailable(f"The model directory {path} is missing {', '.join(missing)}; "
                               "it needs a complete MarianMT model (run `make models` or save one "
                               "with save_pretrained).")


def directory_revision(path: Path) -> str:
    """A content hash of a local model directory's config and weights, as its revision."""
    import hashlib

    digest = hashlib.sha256()
    for name in ("config.json", *WEIGHT_FILES, "model.bin"):
        file = path / name
        if file.is_file():
            stat = file.stat()
            digest.update(f"{name}:{stat.st_size}".encode())
            with file.open("rb") as handle:
                digest.update(handle.read(1 << 20))
    return "local-" + digest.hexdigest()[:12]


def resolve(model: str, revision: str) -> ResolvedModel:
    """Where the model's files are, or ModelUnavailable with where we looked."""
    candidate = Path(model).expanduser()
    if candidate.exists() or model.startswith((".", "/", "~")):
        if not candidate.is_dir():
            raise ModelUnavailable(f"The model path {candidate} is not a directory holding a model.")
        if is_ct2_dir(candidate):
            missing = [f for f in ("source.spm", "target.spm", "vocab.json") if not (candidate / f).is_file()]
            if missing:
                raise ModelUnavailable(f"The CTranslate2 model directory {candidate} is missing "
                                       f"{', '.join(missing)} (the tokenizer files of the original model).")
            return ResolvedModel(model_id=str(candidate), path=candidate, revision=directory_revision(candidate))
        check_marian_dir(candidate)
        return ResolvedModel(model_id=str(candidate), path=candidate, revision=directory_revision(candidate))

    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", HUB_TIMEOUT_S)
    os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", HUB_TIMEOUT_S)
    from huggingface_hub import snapshot_download

    patterns = [*MARIAN_FILES, "generation_config.json", "tokenizer_config.json", "special_tokens_map.json",
                "model.safetensors", "pytorch_model.bin"]
    try:
        path = snapshot_download(model, revision=revision, local_files_only=True, allow_patterns=patterns)
    except Exception:  # the hub library raises several error types for "not cached"
        path = None
    if path is None and not offline():
        try:
            path = snapshot_download(model, revision=revision, allow_patterns=patterns)
        except Exception as err:  # network errors, auth errors, unknown repo
            reason = type(err).__name__
            raise ModelUnavailable(
                f"The translation model {model} is not in the Hugging Face cache ({hf_cache_dir()}) and "
                f"could not be downloaded ({reason}); run `make models` where there is network, or "
                f"pass --model PATH (or set {MODEL_ENV}) to a local copy.") from None
    if path is None:
        raise ModelUnavailable(
            f"The translation model {model} is not in the Hugging Face cache ({hf_cache_dir()}) and "
            f"HF_HUB_OFFLINE forbids downloading it; run `make models` where there is network, or "
            f"pass --model PATH (or set {MODEL_ENV}) to a local copy.")
    path = Path(path)
    check_marian_dir(path)
    return ResolvedModel(model_id=model, path=path, revision=path.name)


def target_side_pieces(model_dir: Path) -> list[str]:
    """The vocabulary pieces of the target-side sentencepiece model, in vocabulary order.

    opus-mt models share one vocabulary between source and target (58k pieces for
    de-en) but were trained to produce only the pieces of the target sentencepiece model
    (32k): a decoder that scores only these (a vocabulary shortlist) chooses the same
    output at a fraction of the output layer's cost.  Empty when the files are missing.
    """
    import json

    import sentencepiece

    try:
        target = sentencepiece.SentencePieceProcessor(model_file=str(Path(model_dir) / "target.spm"))
        vocab = json.loads((Path(model_dir) / "vocab.json").read_text(encoding="utf-8"))
    except (OSError, RuntimeError, ValueError):
        return []
    pieces = {target.id_to_piece(i) for i in range(target.get_piece_size())}
    return sorted((p for p in pieces if p in vocab and p and not any(c.isspace() for c in p)), key=vocab.get)
