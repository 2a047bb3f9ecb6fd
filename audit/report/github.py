"""GitHub Actions workflow commands: one annotation per open finding."""
from __future__ import annotations

import re

from ..document import MAJOR, Document
from .locate import FileText, origin_line


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _escape_data(text: str) -> str:
    """Workflow-command data: % and line breaks escaped, other control characters dropped."""
    return _CONTROL.sub("", text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def file_position(doc: Document, offset: int, text: FileText | None = None) -> tuple[int, int | None] | None:
    """Where ``offset`` of the audited text lies in the file the user gave: (line, column),
    (line, None) for text derived from Markdown, None for HTML (no lines to point at).
    ``text`` is ``FileText(doc.text)`` when the caller already has it."""
    if doc.format == "html":
        return None
    if doc.origin_lines:
        return origin_line(doc, offset), None
    return (text or FileText(doc.text)).line_column(offset)


def render(doc: Document, settings: dict, passed: bool) -> str:
    lines = []
    text = FileText(doc.text)
    for f in doc.findings:
        if f.accepted:
            continue
        level = "error" if f.severity == MAJOR else "warning"
        props = [f"file={_escape_property(doc.path)}"]
        position = file_position(doc, f.start, text)
        if position is not None:
            props.append(f"line={position[0]}")
            if position[1] is not None:
                props.append(f"col={position[1]}")
        props.append(f"title={_escape_property(f'mt-audit {f.category} ({f.check})')}")
        message = f.with_suggestion()
        lines.append(f"::{level} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")
