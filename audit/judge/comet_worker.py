"""The COMET judge's worker: run by the Python of an environment that has unbabel-comet
(``python -I comet_worker.py --model M``), it loads one COMET checkpoint and scores
(English source, German) pairs without a reference, for ``audit/judge/comet.py``.

unbabel-comet pins numpy < 2 and transformers < 5, which mt-audit's own environment cannot
hold, so COMET runs in its own environment and this file imports nothing of mt-audit: the
standard library and comet only.  It speaks JSON lines: first ``{"ready": ...}`` (or
``{"error": "one sentence"}`` and exit 2), then for each ``{"pairs": [[source, german], ...]}``
read from stdin one ``{"scores": [...], "spans": [...] | null}``.  Everything comet and
Lightning print goes to stderr, so that stdout carries the answers alone.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import warnings
from pathlib import Path

GATED = ("CometKiwi and XCOMET are gated on the Hugging Face hub: accept their licence (non-commercial) on the "
         "model's page and log in (`hf auth login`)")


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def checkpoint_of(model: str) -> Path:
    """The ``model.ckpt`` of ``model``: a .ckpt file, a folder holding checkpoints/model.ckpt,
    or a hub id in the Hugging Face cache (downloaded when the hub is allowed)."""
    path = Path(model).expanduser()
    if path.exists() or model.startswith((".", "/", "~")):
        if path.is_file() and path.suffix == ".ckpt":
            return path
        if (path / "checkpoints" / "model.ckpt").is_file():
            return path / "checkpoints" / "model.ckpt"
        raise LookupError(f"The COMET model path {path} is neither a .ckpt file nor a folder holding "
                          "checkpoints/model.ckpt and hparams.yaml.")
    from huggingface_hub import constants, snapshot_download

    try:
        folder = snapshot_download(model, local_files_only=True)
    except Exception:  # the hub library raises several error types for "not cached"
        folder = None
    if folder is None and not _offline():
        try:
            folder = snapshot_download(model)
        except Exception as err:  # network, authentication, gated, unknown repository
            raise LookupError(
                f"The COMET model {model} is not in the Hugging Face cache ({constants.HF_HUB_CACHE}) and could not "
                f"be downloaded ({type(err).__name__}); {GATED}, or pass --qe-model PATH to a local copy.") from None
    if folder is None:
        raise LookupError(
            f"The COMET model {model} is not in the Hugging Face cache ({constants.HF_HUB_CACHE}) and HF_HUB_OFFLINE "
            f"forbids downloading it; download it where there is network (`hf download {model}`; {GATED}) or "
            "pass --qe-model PATH to a local copy.")
    ckpt = Path(folder) / "checkpoints" / "model.ckpt"
    if not ckpt.is_file():
        raise LookupError(f"The COMET model {model} in the Hugging Face cache lacks checkpoints/model.ckpt.")
    return ckpt


def revision_of(ckpt: Path) -> str:
    """The hub commit a cached checkpoint came from, else a content hash of the local files."""
    folder = ckpt.parents[1]
    if folder.parent.name == "snapshots":
        return folder.name
    digest = hashlib.sha256()
    for file in (folder / "hparams.yaml", ckpt):
        if file.is_file():
            digest.update(f"{file.name}:{file.stat().st_size}".encode())
            with file.open("rb") as handle:
                digest.update(handle.read(1 << 20))
    return "local-" + digest.hexdigest()[:12]


def load(ckpt: Path):
    from comet import load_from_checkpoint

    try:
        return load_from_checkpoint(str(ckpt), local_files_only=_offline())
    except (OSError, ValueError, KeyError, RuntimeError) as err:
        first = (str(err).splitlines() or [""])[0][:200]
        raise LookupError(f"The COMET checkpoint {ckpt} cannot be loaded ({type(err).__name__}: {first}); "
                          "its encoder's tokenizer and configuration (hparams.yaml's pretrained_model) must be in "
                          "the Hugging Face cache too.") from None


def spans_of(output, count: int):
    """XCOMET's error spans per pair (text, start, end in the German, severity, confidence),
    or None for a checkpoint that names none."""
    metadata = getattr(output, "metadata", None) or {}
    spans = metadata.get("error_spans") if hasattr(metadata, "get") else None
    if spans is None:
        return None
    return [[{"text": s.get("text", ""), "start": s.get("start"), "end": s.get("end"),
              "severity": s.get("severity", ""), "confidence": s.get("confidence")} for s in (row or [])]
            for row in list(spans)[:count]]


def fits(model, samples: list[dict]) -> list[bool]:
    """Whether each pair is within the tokens the encoder reads at once (the German, then the
    source, with their separators); comet cuts a longer one, losing the end of the source."""
    encoder = model.encoder
    limit = encoder.max_positions - (1 + 2 * encoder.size_separator)
    count = encoder.tokenizer([s["mt"] for s in samples] + [s["src"] for s in samples],
                              add_special_tokens=False, truncation=False)["input_ids"]
    n = len(samples)
    return [len(count[k]) + len(count[n + k]) <= limit for k in range(n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args(argv)

    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # whatever comet, Lightning or transformers print goes to stderr
    sys.stdout = sys.stderr

    def say(message: dict) -> None:
        answers.write(json.dumps(message, ensure_ascii=False) + "\n")
        answers.flush()

    warnings.filterwarnings("ignore")
    for name in ("pytorch_lightning", "lightning", "lightning.pytorch", "lightning_fabric", "comet", "transformers"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        import comet  # noqa: F401
        import torch
    except ImportError as err:
        say({"error": f"This Python ({sys.executable}) cannot import unbabel-comet ({err.name} is missing)."})
        return 2
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    try:
        ckpt = checkpoint_of(args.model)
        model = load(ckpt)
    except LookupError as err:
        say({"error": str(err)})
        return 2
    model.eval()
    hparams = dict(getattr(model, "hparams", {}) or {})
    say({"ready": True, "checkpoint": str(ckpt), "revision": revision_of(ckpt),
         "class": type(model).__name__, "input_segments": list(hparams.get("input_segments") or []),
         "comet": getattr(comet, "__version__", "")})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            pairs = request["pairs"]
            samples = [{"src": str(source), "mt": str(german)} for source, german in pairs]
        except (ValueError, KeyError, TypeError):
            say({"error": "The request is not a JSON object with pairs of texts."})
            continue
        if request.get("ask") == "fits":
            say({"fits": fits(model, samples)})
            continue
        if not samples:
            say({"scores": [], "spans": None})
            continue
        try:
            output = model.predict(samples, batch_size=max(1, args.batch_size), gpus=0, progress_bar=False,
                                   num_workers=0)
        except Exception as err:  # a failure inside comet: said once, the worker goes on
            say({"error": f"COMET failed to score ({type(err).__name__}: {(str(err).splitlines() or [''])[0][:200]})."})
            continue
        say({"scores": [float(s) for s in output.scores], "spans": spans_of(output, len(samples))})
    return 0


if __name__ == "__main__":
    sys.exit(main())
