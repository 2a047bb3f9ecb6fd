"""The terminal summary (rich): verdict, counts and the top findings."""
from __future__ import annotations

import re

from rich.console import Console
from rich.markup import escape as _markup_escape
from rich.table import Table

from ..document import MAJOR, SEVERITY_RANK, Document

# Control characters (C0, DEL, C1) and bidirectional controls: text from an article must
# never drive the terminal (ESC and OSC sequences) or reorder what is shown.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` without control characters, line breaks as spaces, and no two colons in a
    row: wherever the terminal wraps it, no line can start a CI workflow command
    (``::error::``, ``::add-mask::``)."""
    text = _CONTROL.sub("", text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " "))
    while "::" in text:
        text = text.replace("::", ": :")
    return text


def escape(text: str) -> str:
    return _markup_escape(printable(text))


def _where(region) -> str:
    if region is None:
        return "1:1"
    return f"{region.start_line}:{region.start_column or 1}"


def finding_lines(doc: Document) -> str:
    """One ``file:line:col: severity: message [check]`` line per open finding, in file
    order: the form compilers and linters print, which editors and ``grep`` jump to."""
    from .locate import regions

    open_findings = sorted((f for f in doc.findings if not f.accepted), key=lambda f: (f.start, f.end))
    placed = regions(doc, open_findings)
    lines = [f"{printable(doc.path)}:{_where(placed.get(id(f)))}: {f.severity}: "
             f"{printable(f.with_suggestion())} [{f.check}]" for f in open_findings]
    return "".join(line + "\n" for line in lines)


def print_summary(doc: Document, passed: bool, fail_on: str, written: list[str], console: Console,
                  top: int = 10, judges: list[dict] | None = None) -> None:
    info = doc.translation
    console.print(f"[bold]mt-audit[/bold] {escape(doc.path)}: {escape(doc.title)}")
    if doc.machine_translated:
        console.print(f"  machine-translated: yes ({escape(doc.mt_evidence or '')})")
    if info.skipped:
        console.print(f"[bold yellow]  Back-translation skipped:[/bold yellow] {escape(info.skipped_reason or '')}")
    else:
        console.print(f"  back-translation: {escape(info.model or '')} ({info.backend}), {info.translated} "
                      f"translated, {info.from_cache} from cache")
    if judges:
        ran = [j["judge"] + (f" ({j['model']})" if j.get("model") else "") for j in judges if j["ran"]]
        missing = [j["judge"] for j in judges if not j["ran"]]
        missing += [name for j in judges for name, present in (j.get("resources") or {}).items() if not present]
        console.print(f"  judges: {escape(', '.join(ran))}" + (f"; missing: {escape(', '.join(missing))}"
                                                              if missing else ""))
    for warning in doc.warnings:
        console.print(f"[yellow]  warning:[/yellow] {escape(warning)}")
    open_findings = [f for f in doc.findings if not f.accepted]
    majors = sum(1 for f in open_findings if f.severity == MAJOR)
    console.print(f"  {len(doc.segments)} segments, {len(open_findings)} findings ({majors} major, "
                  f"{len(open_findings) - majors} minor){', ' + str(len(doc.findings) - len(open_findings)) + ' accepted' if len(open_findings) != len(doc.findings) else ''}")
    if open_findings:
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("sev")
        table.add_column("line:col")
        table.add_column("category")
        table.add_column("finding", overflow="fold")
        from .locate import regions

        ranked = sorted(open_findings, key=lambda f: (-SEVERITY_RANK[f.severity], f.start))
        placed = regions(doc, ranked[:top])
        for f in ranked[:top]:
            style = "red" if f.severity == MAJOR else "yellow"
            suggestion = f" → {f.suggestion}" if f.suggestion else ""
            table.add_row(f"[{style}]{f.severity}[/{style}]", _where(placed.get(id(f))), f.category,
                          escape(f.message + suggestion))
        console.print(table)
        if len(ranked) > top:
            console.print(f"  … and {len(ranked) - top} more in the report")
    for path in written:
        console.print(f"  wrote {escape(path)}")
    verdict = "[bold green]PASSED[/bold green]" if passed else "[bold red]FAILED[/bold red]"
    console.print(f"  gate (fail on {fail_on}): {verdict}")


def print_corpus_summary(outcome, fail_on: str, console: Console) -> None:
    """One line per document of ``mt-audit batch``, then the corpus verdict."""
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("document", "segments", "findings", "major", "gate"):
        table.add_column(column, justify="left" if column == "document" else "right")
    for d in outcome.documents:
        verdict = "[green]passed[/green]" if d.passed else "[red]failed[/red]"
        table.add_row(escape(d.path), str(d.segments), str(d.findings), str(d.major), verdict)
    for path, _ in outcome.errors:
        table.add_row(escape(path), "", "", "", "[red]error[/red]")
    console.print(f"[bold]mt-audit batch[/bold]: {len(outcome.documents)} documents audited, "
                  f"{len(outcome.errors)} could not be read; {outcome.translated} distinct sentences sent to the "
                  f"model, {outcome.from_cache} taken from the cache")
    console.print(table)
    if outcome.jsonl:
        console.print(f"  wrote {escape(outcome.jsonl)} and one report per document")
    for path in outcome.combined:
        console.print(f"  wrote {escape(path)}")
    failed = sum(1 for d in outcome.documents if not d.passed)
    verdict = "[bold green]PASSED[/bold green]" if not failed and not outcome.errors else "[bold red]FAILED[/bold red]"
    console.print(f"  gate (fail on {fail_on}): {verdict} ({failed} document(s) failed the gate, "
                  f"{len(outcome.errors)} could not be audited)")


def fail(err) -> None:
    """End the command with ``err`` as one sentence on standard error and its exit code."""
    import sys

    import click

    click.echo(f"mt-audit: error: {printable(str(err))}", err=True)
    sys.exit(err.exit_code)
