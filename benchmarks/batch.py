"""Corpus throughput of ``mt-audit batch``: model-free at 1x, 2x and 4x a corpus, and with
the ctranslate2 backend against the translation-only rate of the same model.

The corpus is built from the German precision documents of the evaluation data
(``EVAL_DIR/precision/*/*.de.txt``, each with its English original), repeated under new
names until it holds ``--megabytes`` of German; every run is its own process (peak RSS
is that run's alone) with an empty translation cache.  Printed: words/s, documents/s,
peak RSS, and how time grows from 1x to 4x the corpus (linear: the 4x run takes about
four times the 1x run, ``growth`` about 1.0).  The ctranslate2 part uses the full-size
random-weight model of ``benchmarks.translate`` (real configuration and tokenizer) on a
smaller corpus and prints end-to-end sentences/s as a share of the translation-only rate
measured in the same run (the mean of one measurement right before the audit and one right
after it): the rest of the pipeline must cost little beside translation.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = Path(os.environ.get("EVAL_DIR", ROOT.parent / "shared" / "eval"))
RATIO = 1.2


def build_corpus(directory: Path, megabytes: float, eval_dir: Path = EVAL_DIR, sources: bool = True) -> dict:
    """German documents (and their English originals beside them) repeated under new names
    to ``megabytes`` of German text."""
    originals = sorted(eval_dir.glob("precision/*/*.de.txt"))
    if not originals:
        raise SystemExit(f"no precision documents under {eval_dir}/precision (set EVAL_DIR)")
    directory.mkdir(parents=True, exist_ok=True)
    budget, size, count, words = megabytes * 1024 * 1024, 0, 0, 0
    while size < budget:
        for german in originals:
            if size >= budget:
                break
            name = f"d{count:05d}"
            text = german.read_text(encoding="utf-8")
            (directory / f"{name}.de.txt").write_text(text, encoding="utf-8")
            english = german.with_name(german.name.replace(".de.txt", ".en.txt"))
            if sources and english.is_file():
                (directory / f"{name}.en.txt").write_text(english.read_text(encoding="utf-8"), encoding="utf-8")
            size += len(text.encode("utf-8"))
            words += len(text.split())
            count += 1
    return {"documents": count, "bytes": size, "words": words}


def run_batch(corpus: Path, out: Path, extra: list[str], env: dict, cwd: Path = ROOT) -> dict:
    """``mt-audit batch`` in its own process: seconds and that process's peak RSS."""
    code = ("import resource, runpy, sys, time\n"
            "start = time.perf_counter()\n"
            "sys.argv = ['mt-audit', *sys.argv[1:]]\n"
            "import os\n"
            "import audit.apps.cli\n"
            "from audit.apps.cli import main\n"
            "ratio = os.environ.get('MT_AUDIT_BENCH_FORCED_LENGTH')\n"
            "if ratio:  # a random-weight model never stops: force the output length\n"
            "    settings = audit.apps.cli._settings\n"
            "    def forced(options):\n"
            "        s = settings(options)\n"
            "        s.decoding.forced_length_ratio = float(ratio)\n"
            "        return s\n"
            "    audit.apps.cli._settings = forced\n"
            "try:\n"
            "    main(standalone_mode=False)\n"
            "except SystemExit:\n"
            "    pass\n"
            "seconds = time.perf_counter() - start\n"
            "from multiprocessing import forkserver\n"
            "if getattr(forkserver._forkserver, '_forkserver_pid', None):  # its workers' peak counts too\n"
            "    forkserver._forkserver._stop()\n"
            "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
            "rss = int(peak[0].split()[1]) / 1024 if peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
            "workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
            "print('BENCH', seconds, rss, workers, file=sys.stderr)\n")
    args = ["batch", str(corpus), "--source-dir", str(corpus), "--out", str(out), "--format", "html,json",
            "--quiet", "--fail-on", "never", *extra]
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True,
                            env={**env, "PYTHONPATH": str(cwd)})
    line = [ln for ln in result.stderr.splitlines() if ln.startswith("BENCH ")]
    if result.returncode != 0 or not line:
        raise SystemExit(f"mt-audit batch failed: {result.stderr[-2000:]}")
    _, seconds, rss, *workers = line[-1].split()
    # the main process's peak, and the largest worker's (--jobs): each worker holds one document at a time
    return {"seconds": float(seconds), "peak_rss_mb": float(rss),
            "worker_peak_rss_mb": float(workers[0]) if workers else 0.0}


def translation_only(model_dir: Path, sentences: list[str], env: dict, batch_size: int) -> dict:
    code = ("import json, sys, time\n"
            "from audit.translate import DecodingSettings\n"
            "from audit.translate.engine import open_translator\n"
            "sentences = json.load(open(sys.argv[2]))\n"
            f"t = open_translator('ctranslate2', sys.argv[1], 'main', DecodingSettings(beam_size=4, "
            f"batch_size={batch_size}, forced_length_ratio={RATIO}), quiet=True, fallback=False)\n"
            "t.count_tokens(sentences[0])\n"
            "start = time.perf_counter()\n"
            "t.translate(sentences)\n"
            "print(json.dumps({'seconds': time.perf_counter() - start}))\n")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(sentences, handle)
    try:
        out = subprocess.run([sys.executable, "-c", code, str(model_dir), handle.name], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True)
    finally:
        os.unlink(handle.name)
    return json.loads(out.stdout.strip().splitlines()[-1])


def corpus_sentences(corpus: Path) -> list[str]:
    """The distinct German prose sentences the audit sends to the model."""
    from audit.text.ingest import ingest
    from audit.text.segment import segment_document
    from audit.translate.engine import translatable

    seen: dict[str, None] = {}
    for path in sorted(corpus.glob("*.de.txt")):
        doc = ingest(path)
        segment_document(doc)
        for seg in translatable(doc):
            seen.setdefault(seg.text, None)
    return list(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "reports" / "bench-batch.json"))
    parser.add_argument("--megabytes", type=float, default=0.5,
                        help="German text of the 1x corpus (MB); 0 skips the model-free part")
    parser.add_argument("--baseline", metavar="CHECKOUT",
                        help="also run the model-free 4x corpus with the mt-audit of another checkout (a "
                             "git worktree of an earlier commit) and print the speed-up against it")
    parser.add_argument("--model-megabytes", type=float, default=0.1,
                        help="German text of the ctranslate2 corpus (MB); 0 skips the model part")
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    report: dict = {"model_free": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "MT_AUDIT_CACHE_DIR": str(tmp / "cache"), "HF_HUB_OFFLINE": "1"}
        print(f"{'run':<34}{'docs':>7}{'words':>10}{'s':>8}{'words/s':>10}{'docs/s':>8}{'peak RSS':>10}")
        # (scale, with English sources, worker processes: None = the default, one per CPU)
        runs = [(1, False, None), (2, False, None), (4, False, None), (1, False, 1), (1, True, None)] \
            if args.megabytes > 0 else []
        sizes: dict[Path, dict] = {}
        for scale, sources, jobs in runs:
            corpus = tmp / f"corpus{scale}{'-sources' if sources else ''}"
            if corpus not in sizes:
                sizes[corpus] = build_corpus(corpus, args.megabytes * scale, sources=sources)
            size = sizes[corpus]
            jobs_args = ["--jobs", str(jobs)] if jobs else []
            timing = run_batch(corpus, tmp / f"out{scale}{sources}{jobs}", ["--backend", "none", *jobs_args], env)
            row = {**size, **timing, "words_per_s": size["words"] / timing["seconds"],
                   "documents_per_s": size["documents"] / timing["seconds"]}
            key = f"{scale}x" + (" with sources" if sources else "") + (f" --jobs {jobs}" if jobs else "")
            report["model_free"][key] = row
            label = f"model-free {key} ({size['bytes'] / 1e6:.1f} MB)"
            print(f"{label:<34}"
                  f"{size['documents']:>7}{size['words']:>10}{timing['seconds']:>8.1f}{row['words_per_s']:>10.0f}"
                  f"{row['documents_per_s']:>8.1f}{timing['peak_rss_mb']:>8.0f}MB"
                  f"{' + worker ' + format(timing['worker_peak_rss_mb'], '.0f') + ' MB' if timing['worker_peak_rss_mb'] else ''}")
        if args.baseline and runs:
            # on the largest corpus (4x the default 0.5 MB: about 2 MB), where the start of
            # the processes weighs least
            corpus = tmp / "corpus4"
            timing = run_batch(corpus, tmp / "out-baseline", ["--backend", "none"], env, cwd=Path(args.baseline))
            words = report["model_free"]["4x"]["words"]
            report["baseline_4x"] = {**timing, "words_per_s": words / timing["seconds"], "checkout": args.baseline}
            report["speedup_vs_baseline"] = round(report["model_free"]["4x"]["words_per_s"]
                                                  / report["baseline_4x"]["words_per_s"], 2)
            print(f"{'baseline 4x (' + Path(args.baseline).name + ')':<34}{'':>7}{words:>10}{timing['seconds']:>8.1f}"
                  f"{words / timing['seconds']:>10.0f}{'':>8}{timing['peak_rss_mb']:>8.0f}MB")
            print(f"model-free speed-up against the baseline (4x corpus): {report['speedup_vs_baseline']:.1f}x")
            # with English sources: the alignment and the model-free reading of German against English
            corpus = tmp / "corpus1-sources"
            timing = run_batch(corpus, tmp / "out-baseline-sources", ["--backend", "none"], env, cwd=Path(args.baseline))
            words = report["model_free"]["1x with sources"]["words"]
            report["baseline_1x_with_sources"] = {**timing, "words_per_s": words / timing["seconds"]}
            report["speedup_vs_baseline_with_sources"] = round(
                report["model_free"]["1x with sources"]["words_per_s"] / report["baseline_1x_with_sources"]["words_per_s"], 2)
            print(f"{'baseline 1x with sources':<34}{'':>7}{words:>10}{timing['seconds']:>8.1f}"
                  f"{words / timing['seconds']:>10.0f}{'':>8}{timing['peak_rss_mb']:>8.0f}MB")
            print(f"model-free speed-up against the baseline with sources (1x corpus): "
                  f"{report['speedup_vs_baseline_with_sources']:.2f}x")
        if runs:
            one, four = report["model_free"]["1x"], report["model_free"]["4x"]
            report["growth_4x_over_1x"] = round((four["seconds"] / four["words"]) / (one["seconds"] / one["words"]), 2)
            print(f"time per word at 4x / at 1x: {report['growth_4x_over_1x']:.2f} (1.0 is linear)")
        config = ROOT.parent / "shared" / "models" / "opus-mt-de-en"
        if args.model_megabytes > 0 and (config / "config.json").exists():
            from benchmarks.translate import build_model

            model_dir = tmp / "model"
            model_dir.mkdir()
            build_model(model_dir)
            corpus = tmp / "model-corpus"
            size = build_corpus(corpus, args.model_megabytes)
            sentences = corpus_sentences(corpus)
            # Convert once outside the timed runs, as `make models` or a first audit would.
            translation_only(model_dir, sentences[:2], env, args.batch_size)
            # This machine's speed drifts over minutes: the translation-only rate is measured
            # right before and right after the whole audit, and their mean is the reference.
            before = translation_only(model_dir, sentences, env, args.batch_size)
            env_model = {**env, "MT_AUDIT_BENCH_FORCED_LENGTH": str(RATIO)}
            timing = run_batch(corpus, tmp / "out-model", [
                "--backend", "ctranslate2", "--model", str(model_dir), "--batch-size", str(args.batch_size),
                "--no-cache"], env_model)
            after = translation_only(model_dir, sentences, env, args.batch_size)
            alone = {"seconds": (before["seconds"] + after["seconds"]) / 2}
            alone_rate = len(sentences) / alone["seconds"]
            end_to_end = len(sentences) / timing["seconds"]
            report["ctranslate2"] = {**size, "sentences": len(sentences), "translation_only_s": alone["seconds"],
                                     "translation_only_before_after_s": [before["seconds"], after["seconds"]],
                                     "end_to_end_s": timing["seconds"], "peak_rss_mb": timing["peak_rss_mb"],
                                     "worker_peak_rss_mb": timing["worker_peak_rss_mb"],
                                     "translation_only_sentences_per_s": alone_rate,
                                     "end_to_end_sentences_per_s": end_to_end,
                                     "share_of_translation_rate": round(end_to_end / alone_rate, 3)}
            print(f"ctranslate2: {len(sentences)} sentences, translation only {alone_rate:.2f}/s (before "
                  f"{len(sentences) / before['seconds']:.2f}/s, after {len(sentences) / after['seconds']:.2f}/s), end to end "
                  f"{end_to_end:.2f}/s ({100 * end_to_end / alone_rate:.0f}% of the translation rate), "
                  f"peak RSS {timing['peak_rss_mb']:.0f} MB + largest worker {timing['worker_peak_rss_mb']:.0f} MB")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
