"""Back-translation throughput: naive loop vs the project's marian backend.

Builds a full-size random-weight Marian model from the real opus-mt-de-en
configuration and tokenizer (../shared/models/opus-mt-de-en), forces the output
length to 1.2 x the source tokens (random weights never stop on their own), and
measures in one run, each configuration in its own process for peak RSS:
  naive   one sentence at a time, beam 4, plain generate
  marian  the project's backend (length-sorted batches, inference mode)
and the time of an unchanged re-audit of the demo article from the cache.
Prints ratios against the naive baseline measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = Path(os.environ.get("MT_AUDIT_BENCH_CONFIG", ROOT.parent / "shared" / "models" / "opus-mt-de-en"))
DEMO = ROOT / "examples" / "nordkorea-munition.de.txt"
RATIO = 1.2


def demo_sentences(count: int) -> list[str]:
    from audit.ingest import ingest
    from audit.segment import segment_document

    doc = ingest(DEMO)
    segment_document(doc)
    prose = [s.text for s in doc.segments if s.is_prose]
    return (prose * math.ceil(count / len(prose)))[:count]


def build_model(directory: Path) -> Path:
    import shutil

    import torch
    from transformers import MarianConfig, MarianMTModel

    for name in ("config.json", "source.spm", "target.spm", "vocab.json", "tokenizer_config.json",
                 "generation_config.json", "special_tokens_map.json"):
        shutil.copy(CONFIG_DIR / name, directory / name)
    torch.manual_seed(0)
    model = MarianMTModel(MarianConfig.from_pretrained(str(CONFIG_DIR)))
    model.save_pretrained(str(directory))
    return directory


def run_naive(model_dir: str, count: int) -> dict:
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    torch.set_num_threads(os.cpu_count() or 1)
    tokenizer = MarianTokenizer.from_pretrained(model_dir)
    model = MarianMTModel.from_pretrained(model_dir).eval()
    model.generation_config.max_length = None
    sentences = demo_sentences(count)
    tokenizer(sentences[0])  # the slow tokenizer's first call warms up
    start = time.perf_counter()
    with torch.no_grad():
        for sentence in sentences:
            enc = tokenizer([sentence], return_tensors="pt")
            length = max(1, round(RATIO * enc["input_ids"].shape[1]))
            model.generate(**enc, num_beams=4, min_new_tokens=length, max_new_tokens=length)
    return {"sentences": count, "seconds": time.perf_counter() - start}


def run_marian(model_dir: str, count: int, batch_size: int) -> dict:
    from audit.translate import DecodingSettings
    from audit.translate.loader import resolve
    from audit.translate.marian import MarianTranslator

    translator = MarianTranslator(resolve(model_dir, "main"), DecodingSettings(
        beam_size=4, batch_size=batch_size, forced_length_ratio=RATIO), quiet=True)
    sentences = demo_sentences(count)
    translator.count_tokens(sentences[0])
    start = time.perf_counter()
    translator.translate(sentences)
    return {"sentences": count, "seconds": time.perf_counter() - start}


def run_reaudit(model_dir: str, cache_dir: str) -> dict:
    from audit.pipeline import AuditSettings, Auditor
    from audit.translate import DecodingSettings

    auditor = Auditor(AuditSettings(model=model_dir, cache_dir=cache_dir, quiet=True,
                                    decoding=DecodingSettings(forced_length_ratio=RATIO)))
    auditor.audit(DEMO)  # fills the cache
    start = time.perf_counter()
    doc = auditor.audit(DEMO)
    assert doc.translation.translated == 0
    return {"seconds": time.perf_counter() - start}


def child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.translate", "--child", *args], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "reports" / "bench.json"))
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--naive-sentences", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, model_dir, *rest = args.child
        result = {"naive": lambda: run_naive(model_dir, int(rest[0])),
                  "marian": lambda: run_marian(model_dir, int(rest[0]), int(rest[1])),
                  "reaudit": lambda: run_reaudit(model_dir, rest[0])}[kind]()
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    if not (CONFIG_DIR / "config.json").exists():
        sys.exit(f"benchmark needs the opus-mt-de-en configuration and tokenizer in {CONFIG_DIR}")
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        model_dir.mkdir()
        build_model(model_dir)
        naive = child(["naive", str(model_dir), str(args.naive_sentences)])
        marian = child(["marian", str(model_dir), str(args.sentences), str(args.batch_size)])
        reaudit = child(["reaudit", str(model_dir), str(Path(tmp) / "cache")])
    rate = {name: r["sentences"] / r["seconds"] for name, r in (("naive", naive), ("marian", marian))}
    report = {
        "sentences": {"naive": naive["sentences"], "marian": marian["sentences"]},
        "sentences_per_s": {k: round(v, 3) for k, v in rate.items()},
        "ratio_vs_naive": {"marian": round(rate["marian"] / rate["naive"], 2)},
        "peak_rss_mb": {"naive": round(naive["peak_rss_mb"]), "marian": round(marian["peak_rss_mb"])},
        "cached_reaudit_s": round(reaudit["seconds"], 3),
        "settings": {"beam_size": 4, "batch_size": args.batch_size, "forced_length_ratio": RATIO},
    }
    print(f"{'configuration':<44}{'sent/s':>8}{'x naive':>9}{'peak RSS':>10}")
    print(f"{'naive: one sentence, beam 4, generate':<44}{rate['naive']:>8.2f}{1.0:>9.1f}{naive['peak_rss_mb']:>8.0f}MB")
    print(f"{'marian backend, batch ' + str(args.batch_size) + ', beam 4':<44}{rate['marian']:>8.2f}"
          f"{report['ratio_vs_naive']['marian']:>9.1f}{marian['peak_rss_mb']:>8.0f}MB")
    print(f"unchanged re-audit of the demo from the cache: {report['cached_reaudit_s']:.3f} s")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
