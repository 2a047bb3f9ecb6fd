"""Quality-estimation throughput: MetricX as its reference implementation runs it against the
project's judge, on a full-size random-weight mT5-large with MetricX-23-large's configuration.

Same inputs for both, in one run, each in its own process for peak RSS:
  reference  transformers, float32, one input at a time, the full output layer (what
             google-research/metricx's predict does on a CPU with batch size 1)
  judge      the project's MetricX judge: inputs sorted by length and batched, bfloat16 weights
             where the CPU multiplies them natively, one row of the output layer
  judge-fp32 the same in float32 (what runs on a CPU without bfloat16)
Inputs: the demo article's paragraphs as the German and, as the English of the same length,
the same paragraphs (the cost depends on the number of tokens only), tokenised by the real
opus-mt sentencepiece model.  Prints paragraphs per second, peak RSS and the ratio; the scores
of the two agree to within bfloat16's precision (reported).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPM = Path(os.environ.get("MT_AUDIT_BENCH_CONFIG", ROOT.parent / "shared" / "models" / "opus-mt-de-en")) / "source.spm"
DEMO = ROOT / "examples" / "nordkorea-munition.de.txt"
BATCH = 4  # the judge's default (--qe-batch-size)
# MetricX-23-large (google/metricx-23-qe-large-v2p0): mT5-large
LARGE = dict(vocab_size=250112, d_model=1024, d_kv=64, d_ff=2816, num_layers=24, num_decoder_layers=24, num_heads=16,
             feed_forward_proj="gated-gelu", tie_word_embeddings=False, pad_token_id=0, eos_token_id=1,
             decoder_start_token_id=0)


def inputs(count: int) -> list[list[int]]:
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(model_file=str(SPM))
    paragraphs = [p for p in DEMO.read_text(encoding="utf-8").split("\n") if len(p.split()) > 5]
    out = []
    for k in range(count):
        text = paragraphs[k % len(paragraphs)]
        # "candidate: German source: English", the English as long as the German
        ids = processor.encode(f"candidate: {text} source: {text}")
        out.append([min(i + 3, LARGE["vocab_size"] - 1) for i in ids][:1024])
    return out


def build(folder: Path) -> None:
    import torch
    from transformers import MT5Config, MT5ForConditionalGeneration
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    torch.manual_seed(0)
    model = MT5ForConditionalGeneration(MT5Config(**LARGE))
    model.save_pretrained(str(folder))


def run_child(mode: str, folder: Path, ids_file: Path, out_file: Path) -> None:
    import torch

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    ids = json.loads(ids_file.read_text())
    torch.set_num_threads(os.cpu_count() or 1)
    if mode == "reference":
        from transformers import MT5ForConditionalGeneration

        model = MT5ForConditionalGeneration.from_pretrained(str(folder)).eval()

        def score(rows):
            out = []
            with torch.no_grad():
                for row in rows:
                    x = torch.tensor([row])
                    logits = model(input_ids=x, attention_mask=torch.ones_like(x),
                                   decoder_input_ids=torch.zeros((1, 1), dtype=torch.long)).logits
                    out.append(float(logits[0, 0, 250089].clamp(0, 25)))
            return out

        score(ids[:1])  # warm-up, as for the judge
        start = time.perf_counter()
        scores = score(ids)
        seconds = time.perf_counter() - start
    else:
        from transformers import MT5ForConditionalGeneration

        from audit.judge.metricx import MetricX

        # the inputs are token ids already: the tokenizer is asked only for its padding id
        padding = type("Padding", (), {"pad_token_id": 0})()
        dtype = torch.bfloat16 if mode == "judge" else torch.float32
        judge = MetricX.from_loaded(MT5ForConditionalGeneration.from_pretrained(str(folder), dtype=dtype), padding,
                                    batch_size=BATCH)
        judge.score_ids(ids[:1])  # warm-up
        start = time.perf_counter()
        scores = judge.score_ids(ids)
        seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out_file.write_text(json.dumps({"seconds": seconds, "rss_mb": rss_mb, "scores": scores}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=16)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "bench-qe.json")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, folder, ids_file, out_file = args.child
        run_child(mode, Path(folder), Path(ids_file), Path(out_file))
        return
    if not SPM.is_file():
        sys.exit(f"The benchmark needs the real opus-mt tokenizer at {SPM} (set MT_AUDIT_BENCH_CONFIG).")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "metricx-large-random"
        build(folder)
        ids = inputs(args.paragraphs)
        ids_file = Path(tmp) / "ids.json"
        ids_file.write_text(json.dumps(ids))
        results = {}
        for mode in ("reference", "judge-fp32", "judge"):
            out_file = Path(tmp) / f"{mode}.json"
            subprocess.run([sys.executable, "-m", "benchmarks.qe", "--child", mode, str(folder), str(ids_file),
                            str(out_file)], check=True, cwd=ROOT)
            results[mode] = json.loads(out_file.read_text())
    reference = results["reference"]
    report = {"paragraphs": len(ids), "tokens": sum(map(len, ids)), "configuration": "mT5-large (MetricX-23-large)"}
    for mode, r in results.items():
        report[mode] = {"paragraphs_per_s": round(len(ids) / r["seconds"], 3), "seconds": round(r["seconds"], 2),
                        "peak_rss_mb": round(r["rss_mb"]), "speed_vs_reference": round(reference["seconds"] / r["seconds"], 2),
                        "largest_score_difference": round(max(abs(a - b) for a, b in zip(r["scores"], reference["scores"])), 4)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
