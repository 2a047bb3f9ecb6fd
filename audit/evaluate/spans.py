"""Where the LLM judge's error spans land in the German, measured on expert error spans.

An LLM asked the GEMBA-MQM way quotes the German words of each error; the judge finds them
in the paragraph (``judge.findings.occurrences``) and reports the error at those words.  The
published GEMBA-MQM answers have no spans, so the words come from the expert annotators
of ``DIR/mqm-wmt23`` (each error's span and its character offsets in the German line): each
is written into a GEMBA-MQM answer line as an LLM writes it, parsed by the judge's parser
(``judge.llm.parse``) and placed.  Three ways of quoting: the words as they stand; with
typographic quotes and dashes written plainly (as models often do); and lower-cased.

A span counts as placed *exactly* when it lands on the annotated characters, *elsewhere*
when it lands on the same words at another place of the paragraph (words that stand more
than once: the finding says so), *not placed* when the judge reports the error at the
paragraph because the words are not there as quoted.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ..errors import InputError

_PLAIN = str.maketrans({"„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'", "–": "-", "—": "-"})
QUOTINGS = {
    "as they stand": lambda span: span,
    "plain quotes and dashes": lambda span: span.translate(_PLAIN),
    "lower case": lambda span: span.lower(),
}


def span_placement(directory: str | Path) -> dict:
    """Per way of quoting: spans, shares placed exactly / elsewhere / not placed, and among
    the words that stand more than once in their paragraph, the share the finding reports
    as such."""
    from ..judge.findings import occurrences
    from ..judge.llm import parse

    root = Path(directory) / "mqm-wmt23"
    gold = root / "gold.jsonl"
    if not gold.is_file():
        raise InputError(f"No MQM annotations at {gold}.")
    lines: dict[str, list[str]] = {}
    counts = {name: Counter() for name in QUOTINGS}
    with gold.open(encoding="utf-8") as handle:
        for row_text in handle:
            row = json.loads(row_text)
            errors = [e for e in row.get("errors", []) if str(e.get("span", "")).strip()]
            if not errors:
                continue
            if row["file"] not in lines:
                path = root / row["file"]
                if not path.is_file():
                    raise InputError(f"The MQM annotations name {row['file']}, which is not in {root}.")
                lines[row["file"]] = path.read_text(encoding="utf-8").split("\n")
            german = lines[row["file"]][row["line"] - 1]
            for e in errors:
                if german[e["start"]:e["end"]] != e["span"]:
                    continue  # offsets that do not fit the file: not a placement question
                # the annotated words without the spaces an annotator's selection may hold
                lead = len(e["span"]) - len(e["span"].lstrip())
                words = (e["start"] + lead, e["start"] + lead + len(e["span"].strip()))
                category = e["category"].rstrip("!")  # the raters' "Non-translation!" is GEMBA's "non-translation"
                for name, quote in QUOTINGS.items():
                    answer = f"Major:\n{category} - \"{quote(e['span'].strip())}\" - a reason\n"
                    assessment = parse(answer)
                    quoted = assessment.errors[0].span if assessment and assessment.errors else ""
                    found = occurrences(german, quoted)
                    placed = found[0] if found else None
                    c = counts[name]
                    c["spans"] += 1
                    if placed is None:
                        c["not placed"] += 1
                    elif placed == words:
                        c["exactly"] += 1
                    elif german[placed[0]:placed[1]].casefold() == e["span"].strip().casefold():
                        c["elsewhere"] += 1
                    else:
                        c["other words"] += 1
                    if len(found) > 1:
                        c["standing more than once"] += 1
    out = {}
    for name, c in counts.items():
        n = c["spans"]
        share = (lambda k: round(c[k] / n, 4)) if n else (lambda k: 0.0)
        out[name] = {"spans": n, "exactly": share("exactly"), "elsewhere (said)": share("elsewhere"),
                     "other words": share("other words"), "not placed (said)": share("not placed"),
                     "standing more than once": share("standing more than once")}
    return out


# --- an LLM's own answers ----------------------------------------------------------------

def mqm_lines(directory: str | Path, limit: int | None = None) -> list[dict]:
    """The lines of ``DIRECTORY/mqm-wmt23`` in the order of its annotations (the first
    ``limit``): file, line, the English and the German line, and the expert errors on it."""
    root = Path(directory) / "mqm-wmt23"
    gold = root / "gold.jsonl"
    if not gold.is_file():
        raise InputError(f"No MQM annotations at {gold}.")
    texts: dict[str, list[str]] = {}

    def line_of(name: str, number: int) -> str:
        if name not in texts:
            path = root / name
            if not path.is_file():
                raise InputError(f"The MQM annotations name {name}, which is not in {root}.")
            texts[name] = path.read_text(encoding="utf-8").split("\n")
        lines = texts[name]
        return lines[number - 1] if 0 < number <= len(lines) else ""

    out = []
    with gold.open(encoding="utf-8") as handle:
        for row_text in handle:
            if limit is not None and len(out) >= limit:
                break
            row = json.loads(row_text)
            german = line_of(row["file"], row["line"])
            source = line_of(row["file"][:-len(".de.txt")] + ".en.txt", row["line"])
            if german.strip() and source.strip():
                out.append({"file": row["file"], "line": row["line"], "source": source, "german": german,
                            "errors": row.get("errors", [])})
    return out


def ask(judge, lines: list[dict]) -> list[dict]:
    """The LLM judge's answer to each line (through its cache), as records of what it was
    asked and said: file, line, model, prompt version, answer."""
    from ..judge.llm import PROMPT_VERSION

    answers = judge.answers([(r["source"], r["german"]) for r in lines])
    failed = [a for a in answers if isinstance(a, Exception)]
    if failed and len(failed) == len(answers):
        raise failed[0]  # the endpoint answered nothing: its one sentence, exit 3
    return [{"file": r["file"], "line": r["line"], "model": judge.model_id, "prompt": PROMPT_VERSION,
             "answer": a if isinstance(a, str) else None} for r, a in zip(lines, answers)]


def read_answers(path: str | Path) -> list[dict]:
    """Answers recorded by ``ask`` (``mt-audit eval spans --record FILE``), one JSON object a line."""
    try:
        rows = [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()]
    except OSError as err:
        raise InputError(f"The recorded answers {path} cannot be read ({err.strerror}).") from None
    except ValueError:
        raise InputError(f"The recorded answers {path} are not JSON lines.") from None
    if not all(isinstance(r, dict) and {"file", "line", "answer"} <= set(r) for r in rows):
        raise InputError(f"The recorded answers {path} are not answers written by `mt-audit eval spans --record`.")
    return rows


def answer_placement(lines: list[dict], answers: list[dict]) -> dict:
    """Where the spans an LLM names in its own answers land, as the judge places them: once
    where quoted, once after folding case, quotes and spaces, at words that stand more than
    once (the finding marks the first and says so), or not in the German (the finding stays
    at the paragraph and says so); and how they meet the expert annotations of the same lines
    (placed spans on an annotated error; annotated major errors a placed span covers)."""
    from ..judge.findings import occurrences
    from ..judge.llm import parse

    by_line = {(a["file"], a["line"]): a.get("answer") for a in answers}
    c = Counter()
    for row in lines:
        key = (row["file"], row["line"])
        if key not in by_line:
            continue
        c["lines"] += 1
        assessment = parse(by_line[key]) if isinstance(by_line[key], str) else None
        if assessment is None:
            continue
        c["answers"] += 1
        german = row["german"]
        fitting = [e for e in row["errors"] if german[e["start"]:e["end"]] == e.get("span")]
        annotated = [(e["start"], e["end"]) for e in fitting]
        covered = set()
        for e in assessment.errors:
            if e.category.startswith("source") or not e.span.strip():
                continue
            c["spans"] += 1
            found = occurrences(german, e.span)
            if not found:
                c["not in the German (said)"] += 1
                continue
            if len(found) > 1:
                c["standing more than once (said)"] += 1
            elif e.span.strip() in german:
                c["once, where quoted"] += 1
            else:
                c["once, after folding"] += 1
            a, b = found[0]
            c["placed"] += 1
            if any(a < y and x < b for x, y in annotated):
                c["on an annotated error"] += 1
            covered |= {k for k, (x, y) in enumerate(annotated) if any(a < y and x < b for a, b in found)}
        majors = [k for k, e in enumerate(fitting) if e["severity"] == "major"]
        c["annotated majors"] += len(majors)
        c["annotated majors covered"] += len(set(majors) & covered)

    def share(k: str, of: str) -> float:
        return round(c[k] / c[of], 4) if c[of] else 0.0

    return {"lines": c["lines"], "GEMBA-MQM answers": share("answers", "lines"), "spans": c["spans"],
            "once, where quoted": share("once, where quoted", "spans"),
            "once, after folding": share("once, after folding", "spans"),
            "standing more than once (said)": share("standing more than once (said)", "spans"),
            "not in the German (said)": share("not in the German (said)", "spans"),
            "placed on an annotated error": share("on an annotated error", "placed"),
            "annotated majors covered": share("annotated majors covered", "annotated majors")}
