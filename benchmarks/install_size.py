"""Install size and time: the core install (``pip install .`` into a fresh virtual
environment, as ``docs/ci.md`` describes) measured now, and the size of an existing full
environment (``make install``'s ``.venv``).

    python -m benchmarks.install_size [--venv .venv] [--out reports/install-size.json]

Times depend on the pip cache and the network; sizes do not.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def size_mb(folder: Path) -> float:
    total = 0
    for base, _, files in os.walk(folder):
        for name in files:
            path = Path(base) / name
            if not path.is_symlink():
                total += path.stat().st_size
    return round(total / 1e6, 1)


def core_install() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        start = time.perf_counter()
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        str(ROOT)], check=True)
        seconds = time.perf_counter() - start
        return {"command": "python -m venv v && v/bin/pip install .", "seconds": round(seconds, 1),
                "size_mb": size_mb(venv)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv", help="a full environment to measure")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    result = {"core": core_install()}
    if (args.venv / "bin" / "python").exists():
        result["full"] = {"command": "make install", "size_mb": size_mb(args.venv)}
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
