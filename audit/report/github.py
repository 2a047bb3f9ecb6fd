"""GitHub Actions workflow commands: one annotation per open finding."""
from __future__ import annotations

from ..document import MAJOR, Document


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def render(doc: Document, settings: dict, passed: bool) -> str:
    lines = []
    # Offsets of HTML input refer to the extracted text, not to lines of the file.
    positional = doc.format != "html"
    for f in doc.findings:
        if f.accepted:
            continue
        level = "error" if f.severity == MAJOR else "warning"
        props = [f"file={_escape_property(doc.path)}"]
        if positional:
            line, col = line_and_column(doc.text, f.start)
            props += [f"line={line}", f"col={col}"]
        props.append(f"title={_escape_property(f'mt-audit {f.category} ({f.check})')}")
        message = f.message + (f" Suggestion: {f.suggestion}" if f.suggestion else "")
        lines.append(f"::{level} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")
