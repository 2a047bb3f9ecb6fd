"""How the audit's time grows with the length of one paragraph: 25 KB to 1 MB of German on
one line, as punctuated sentences and as one unpunctuated "sentence" (the worst case of a
sentence splitter).  Every size is audited model-free in its own process (``mt-audit
check --backend none``); printed are the seconds per size and the growth from the smallest
to the largest size against the growth of the input (linear: ``growth`` about 1.0; a
quadratic stage shows as 2 and more).  The text is generated here, not read from anywhere.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES_KB = (25, 100, 250, 1000)
# Above this the growth counts as worse than linear (measurement noise on small machines).
MAX_GROWTH = 1.3
_WORDS = ("die Regierung hat am Montag neue Maßnahmen gegen steigende Preise beschlossen und Experten "
          "erwarten dass der Winter teuer wird weil die Lieferungen aus dem Ausland stocken").split()


def paragraph(kilobytes: int, punctuated: bool, seed: int = 7) -> str:
    rng = random.Random(seed)
    out, size = [], 0
    while size < kilobytes * 1000:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 18))]
        sentence = " ".join(words)
        if punctuated:
            sentence = sentence[0].upper() + sentence[1:] + "."
        out.append(sentence)
        size += len(sentence.encode("utf-8")) + 1
    return " ".join(out) + "\n"


def audit_seconds(path: Path, out: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "audit", "check", str(path), "--backend", "none", "--no-cache",
                             "--quiet", "--format", "json", "--out", str(out)], cwd=ROOT, capture_output=True,
                            text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"the audit of {path.name} failed: {result.stderr.strip()}")
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES_KB)), help="kilobytes, comma-separated")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        audit_seconds(_write(folder, "warm", paragraph(5, True)), folder / "out")  # imports, data caches
        for kind, punctuated in (("sentences", True), ("unpunctuated", False)):
            seconds = {}
            for kb in sizes:
                seconds[kb] = round(audit_seconds(_write(folder, f"{kind}{kb}", paragraph(kb, punctuated)),
                                                 folder / "out"), 2)
                print(f"{kind:>12} {kb:>5} KB on one line: {seconds[kb]:6.2f} s", flush=True)
            small, large = sizes[0], sizes[-1]
            # the fixed cost of a run (start-up, loading data) is taken out with the smallest size
            fixed = max(0.0, seconds[small] - (seconds[sizes[1]] - seconds[small]) * small / (sizes[1] - small)) \
                if len(sizes) > 2 else 0.0
            growth = math.log(max(seconds[large] - fixed, 1e-3) / max(seconds[small] - fixed, 1e-3)) / \
                math.log(large / small)
            results[kind] = {"seconds": seconds, "fixed_seconds": round(fixed, 2), "growth": round(growth, 2)}
            print(f"{kind:>12} growth {growth:.2f} (time ~ size^growth, start-up {fixed:.2f} s taken out)")
    worst = max(r["growth"] for r in results.values())
    verdict = "linear" if worst <= MAX_GROWTH else "worse than linear"
    print(f"long paragraphs: {verdict} (worst growth {worst:.2f}, limit {MAX_GROWTH})")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"long_paragraphs": results, "max_growth": MAX_GROWTH}, indent=2) + "\n",
                            encoding="utf-8")
    return 0 if worst <= MAX_GROWTH else 1


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.de.txt"
    path.write_text(text, encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.exit(main())
