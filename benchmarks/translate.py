"""Back-translation throughput: naive loop vs the project's backends.

Builds a full-size random-weight Marian model from the real opus-mt-de-en
configuration and tokenizer (../shared/models/opus-mt-de-en), forces the output
length to 1.2 x the source tokens (random weights never stop on their own), and
measures in one run, each configuration in its own process for peak RSS:
  naive        one sentence at a time, beam 4, plain generate
  marian       the project's backend (length-sorted batches, inference mode)
  marian-int8  the same with torch dynamic int8 quantisation (--int8)
  ctranslate2  the CTranslate2 int8 conversion (converted beforehand, in another
               process, as `make models` or the first audit would)
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
    """The demo article's prose sentences, repeated to ``count``.  Children read them from
    $MT_AUDIT_BENCH_SENTENCES (written by the parent), so that a backend's peak memory is
    not that of the ingest and segmentation libraries."""
    if os.environ.get("MT_AUDIT_BENCH_SENTENCES"):
        prose = json.loads(Path(os.environ["MT_AUDIT_BENCH_SENTENCES"]).read_text(encoding="utf-8"))
        return (prose * math.ceil(count / len(prose)))[:count]
    prose = _prose()
    return (prose * math.ceil(count / len(prose)))[:count]


def _prose() -> list[str]:
    from audit.text.ingest import ingest
    from audit.text.segment import segment_document

    doc = ingest(DEMO)
    segment_document(doc)
    return [s.text for s in doc.segments if s.is_prose]


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


def run_backend(model_dir: str, count: int, batch_size: int, backend: str) -> dict:
    from audit.translate import DecodingSettings
    from audit.translate.engine import open_translator

    quantize = "int8" if backend == "marian-int8" else None
    translator = open_translator(backend.replace("-int8", ""), model_dir, "main", DecodingSettings(
        beam_size=4, batch_size=batch_size, forced_length_ratio=RATIO, quantize=quantize), quiet=True,
        fallback=False)
    sentences = demo_sentences(count)
    translator.count_tokens(sentences[0])
    start = time.perf_counter()
    translator.translate(sentences)
    return {"sentences": count, "seconds": time.perf_counter() - start}


def run_convert(model_dir: str) -> dict:
    from audit.translate.ct2 import convert
    from audit.translate.loader import resolve

    start = time.perf_counter()
    convert(resolve(model_dir, "main"))
    return {"seconds": time.perf_counter() - start}


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


def peak_rss_mb() -> float:
    """This process's peak resident set size.  /proc's VmHWM belongs to this program alone;
    getrusage's ru_maxrss would also count the parent's size at the fork (Linux keeps the
    larger of the two across exec), here the benchmark parent holding a full model."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(args: list[str], env: dict) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.translate", "--child", *args], cwd=ROOT,
                         capture_output=True, text=True, check=True, env=env)
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
        runs = {"naive": lambda: run_naive(model_dir, int(rest[0])),
                "convert": lambda: run_convert(model_dir),
                "reaudit": lambda: run_reaudit(model_dir, rest[0])}
        result = runs[kind]() if kind in runs else run_backend(model_dir, int(rest[0]), int(rest[1]), kind)
        result["peak_rss_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return
    if not (CONFIG_DIR / "config.json").exists():
        sys.exit(f"benchmark needs the opus-mt-de-en configuration and tokenizer in {CONFIG_DIR}")
    backends = ("marian", "marian-int8", "ctranslate2")
    with tempfile.TemporaryDirectory() as tmp:
        sentences = Path(tmp) / "sentences.json"
        sentences.write_text(json.dumps(_prose()), encoding="utf-8")
        env = {**os.environ, "MT_AUDIT_CACHE_DIR": str(Path(tmp) / "cache"), "HF_HUB_OFFLINE": "1",
               "MT_AUDIT_BENCH_SENTENCES": str(sentences)}
        model_dir = Path(tmp) / "model"
        model_dir.mkdir()
        build_model(model_dir)
        naive = child(["naive", str(model_dir), str(args.naive_sentences)], env)
        runs = {"naive": naive}
        conversion = child(["convert", str(model_dir)], env)
        for backend in backends:
            runs[backend] = child([backend, str(model_dir), str(args.sentences), str(args.batch_size)], env)
        reaudit = child(["reaudit", str(model_dir), str(Path(tmp) / "cache")], env)
    rate = {name: r["sentences"] / r["seconds"] for name, r in runs.items()}
    report = {
        "sentences": {name: r["sentences"] for name, r in runs.items()},
        "sentences_per_s": {k: round(v, 3) for k, v in rate.items()},
        "ratio_vs_naive": {k: round(rate[k] / rate["naive"], 2) for k in backends},
        "peak_rss_mb": {name: round(r["peak_rss_mb"]) for name, r in runs.items()},
        "ctranslate2_conversion_s": round(conversion["seconds"], 1),
        "cached_reaudit_s": round(reaudit["seconds"], 3),
        "settings": {"beam_size": 4, "batch_size": args.batch_size, "forced_length_ratio": RATIO,
                     "threads": os.cpu_count()},
    }
    labels = {"naive": "naive: one sentence, beam 4, generate",
              "marian": f"marian backend, batch {args.batch_size}, beam 4",
              "marian-int8": f"marian --int8 (torch dynamic), batch {args.batch_size}, beam 4",
              "ctranslate2": f"ctranslate2 int8, batch {args.batch_size}, beam 4"}
    print(f"{'configuration':<52}{'sent/s':>8}{'x naive':>9}{'peak RSS':>10}")
    for name, label in labels.items():
        ratio = 1.0 if name == "naive" else report["ratio_vs_naive"][name]
        print(f"{label:<52}{rate[name]:>8.2f}{ratio:>9.1f}{runs[name]['peak_rss_mb']:>8.0f}MB")
    print(f"ctranslate2 conversion (once per model): {report['ctranslate2_conversion_s']:.1f} s")
    print(f"unchanged re-audit of the demo from the cache: {report['cached_reaudit_s']:.3f} s")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
