"""One digest of the JSON reports mt-audit writes for the demo article and for every file of
the development sets (model-free, each German file with its English source where it has one),
so that a change that must not change behaviour (a move of modules, a refactoring) can be
shown to leave every report byte-identical: run it before and after and compare the digests.

    python scripts/report_digest.py [EVAL_DIR] [--per-file FILE]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def files(eval_dir: Path) -> list[tuple[Path, Path | None]]:
    out = [(ROOT / "examples" / "nordkorea-munition.de.txt", None)]
    for german in sorted(eval_dir.glob("precision/*/*.de.txt")) + sorted(eval_dir.glob("mqm-wmt23/*.de.txt")):
        source = german.with_name(german.name[: -len(".de.txt")] + ".en.txt")
        out.append((german, source if source.is_file() else None))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_dir", nargs="?", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--per-file", type=Path, help="Also write each file's digest here (JSON).")
    args = parser.parse_args()
    from audit.pipeline import Auditor, AuditSettings
    from audit.report import json_report

    auditor = Auditor(AuditSettings(backend="none", quiet=True, use_cache=False))
    total = hashlib.sha256()
    per_file = {}
    for german, source in files(args.eval_dir):
        doc = auditor.audit(german, source)
        text = json_report.render(doc, auditor.settings_record(doc), auditor.passed(doc))
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        name = str(german.relative_to(args.eval_dir)) if args.eval_dir in german.parents else german.name
        per_file[name] = digest
        total.update(f"{name}\t{digest}\n".encode())
    if args.per_file:
        args.per_file.write_text(json.dumps(per_file, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(per_file)} reports, digest {total.hexdigest()}")


if __name__ == "__main__":
    main()
