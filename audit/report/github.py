"""GitHub Actions workflow commands: one annotation per open finding."""
from __future__ import annotations

import re

from ..document import MAJOR, Document


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _escape_data(text: str) -> str:
    """Workflow-command data: % and line breaks escaped, other control characters dropped."""
    return _CONTROL.sub("", text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``; a line ends at CR LF, CR or LF."""
    line, start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, offset):
        line, start = line + 1, match.end()
    return line, offset - start + 1


def file_position(doc: Document, offset: int) -> tuple[int, int | None] | None:
    """Where ``offset`` of the audited text lies in the file the user gave: (line, column),
    (line, None) for text derived from Markdown, None for HTML (no lines to point at)."""
    if doc.format == "html":
        return None
    if doc.origin_lines:
        line = next((ln for start, ln in reversed(doc.origin_lines) if start <= offset), doc.origin_lines[0][1])
        return line, None
    return line_and_column(doc.text, offset)


def render(doc: Document, settings: dict, passed: bool) -> str:
    lines = []
    for f in doc.findings:
        if f.accepted:
            continue
        level = "error" if f.severity == MAJOR else "warning"
        props = [f"file={_escape_property(doc.path)}"]
        position = file_position(doc, f.start)
        if position is not None:
            props.append(f"line={position[0]}")
            if position[1] is not None:
                props.append(f"col={position[1]}")
        props.append(f"title={_escape_property(f'mt-audit {f.category} ({f.check})')}")
        message = f.message + (f" Suggestion: {f.suggestion}" if f.suggestion else "")
        lines.append(f"::{level} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")
