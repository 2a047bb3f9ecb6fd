"""Where a finding lies in the file the user gave, for reports that point into files
(SARIF, GitLab Code Quality).

A plain-text input is audited as written, so a finding's offsets are offsets in the
file.  Markdown and HTML are audited as their prose: there the finding's words are
looked up in the file's text, from the line its block starts on (Markdown) or from the
previous finding onward, and the first occurrence gives the place; Markdown falls back
to the block's line when the words are written with markup in between.
"""
from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass

from ..document import Document, Finding

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class Region:
    start_line: int
    start_column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    offset: int | None = None      # code points from the start of the file
    length: int | None = None


class FileText:
    """The decoded file a document was read from, with its line starts."""

    def __init__(self, text: str, offset_shift: int = 0):
        self.text = text
        self.shift = offset_shift  # a byte-order mark is a character of the file
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def line_column(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def region(self, start: int, end: int) -> Region:
        line, column = self.line_column(start)
        end_line, end_column = self.line_column(end)
        return Region(line, column, end_line, end_column, start + self.shift, end - start)


def file_text(doc: Document) -> FileText | None:
    """The text of ``doc``'s file as the audit decoded it, or None when it cannot be read again."""
    if doc.format == "txt":
        return FileText(doc.text, 1 if doc.encoding == "utf-8-sig" else 0)
    from ..errors import AuditError
    from ..ingest import read_text

    try:
        text, encoding, _ = read_text(doc.path)
    except AuditError:
        return None
    return FileText(text, 1 if encoding == "utf-8-sig" else 0)


def _words_pattern(text: str) -> re.Pattern | None:
    words = re.findall(r"\w+|[^\w\s]", text)
    if not words:
        return None
    # Whitespace of the prose may be a line break, an entity or a tag in the file.
    return re.compile(r"(?:\s|&nbsp;|&#160;|<[^>]*>)*".join(re.escape(w) for w in words))


def regions(doc: Document, findings: list[Finding]) -> dict[int, Region | None]:
    """For each finding (by ``id()``), its region in the file, or None where it cannot be placed."""
    out: dict[int, Region | None] = {}
    source = file_text(doc)
    if source is None:
        return {id(f): None for f in findings}
    if doc.format == "txt":
        return {id(f): source.region(f.start, f.end) for f in findings}
    cursor = 0
    for f in sorted(findings, key=lambda f: (f.start, f.end)):
        line = origin_line(doc, f.start) if doc.origin_lines else None
        begin = source.starts[line - 1] if line and line <= len(source.starts) else cursor
        pattern = _words_pattern(f.text)
        match = None
        if pattern is not None:
            match = pattern.search(source.text, begin) or pattern.search(source.text)
        if match:
            out[id(f)] = source.region(match.start(), match.end())
            cursor = match.start()
        elif line:
            out[id(f)] = Region(line)
        else:
            out[id(f)] = None
    return out


def origin_line(doc: Document, offset: int) -> int:
    """The line of the file where the block holding ``offset`` starts (Markdown input)."""
    return next((ln for start, ln in reversed(doc.origin_lines) if start <= offset), doc.origin_lines[0][1])


def fingerprints(doc: Document, findings: list[Finding], with_path: bool = True) -> dict[int, str]:
    """A fingerprint per finding that survives edits elsewhere in the file: the finding's
    baseline key (check and words), the file (unless ``with_path`` is false: SARIF pairs
    the fingerprint with the file itself), and which occurrence of that key it is."""
    seen: dict[str, int] = {}
    out = {}
    for f in sorted(findings, key=lambda f: (f.start, f.end, f.check)):
        key = f"{doc.path if with_path else ''}\0{f.key()}"
        seen[key] = seen.get(key, 0) + 1
        out[id(f)] = hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()
    return out
