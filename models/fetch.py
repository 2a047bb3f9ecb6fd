"""`make models`: fetch the back-translation model into the Hugging Face cache and
convert it for the ctranslate2 backend (int8, kept in the mt-audit cache folder).

Needs network.  Without it, pass `--model PATH` (or set MT_AUDIT_MODEL) to a local
copy of a MarianMT model directory (config.json, model.safetensors or
pytorch_model.bin, source.spm, target.spm, vocab.json).
"""
from __future__ import annotations

import sys

from audit.translate import DEFAULT_MODEL, DEFAULT_REVISION
from audit.translate.loader import MARIAN_FILES, hf_cache_dir


def main() -> int:
    from huggingface_hub import snapshot_download

    patterns = [*MARIAN_FILES, "generation_config.json", "tokenizer_config.json", "special_tokens_map.json",
                "model.safetensors", "pytorch_model.bin"]
    try:
        path = snapshot_download(DEFAULT_MODEL, revision=DEFAULT_REVISION, allow_patterns=patterns)
    except Exception as err:  # network, auth or unknown-revision errors all end the same way
        print(f"make models: {DEFAULT_MODEL} could not be downloaded ({type(err).__name__}); this needs "
              f"network access to the Hugging Face hub. Offline, use --model PATH.", file=sys.stderr)
        return 3
    print(f"{DEFAULT_MODEL}@{DEFAULT_REVISION} is in {path} (cache {hf_cache_dir()})")
    from audit.errors import ModelUnavailable
    from audit.translate.ct2 import convert
    from audit.translate.loader import resolve

    try:
        converted = convert(resolve(DEFAULT_MODEL, DEFAULT_REVISION))
    except ModelUnavailable as err:
        print(f"make models: {err} The marian backend still works.", file=sys.stderr)
        return 0
    print(f"CTranslate2 int8 conversion in {converted}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
