"""GitHub Actions workflow commands: one annotation per open finding, at the finding's line
and column (start and end) in the file, the file named relative to the repository's root;
a notice when the back-translation was skipped."""
from __future__ import annotations

import re

from ..document import MAJOR, Document
from .locate import base_dir, regions, report_path


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _escape_data(text: str) -> str:
    """Workflow-command data: % and line breaks escaped, other control characters dropped, the
    Unicode line and paragraph separators (which end a line for many readers of the log) a
    space."""
    text = _CONTROL.sub("", text).replace("\u2028", " ").replace("\u2029", " ")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(doc: Document, settings: dict, passed: bool) -> str:
    lines = []
    path = report_path(doc.path, base_dir(settings.get("base_dir"), [doc.path]))
    if doc.translation.skipped:
        lines.append(f"::notice file={_escape_property(path)},title=mt-audit back-translation skipped::"
                     f"{_escape_data(f'{doc.translation.skipped_reason} Drift was not scored in this file.')}")
    open_findings = [f for f in doc.findings if not f.accepted]
    placed = regions(doc, open_findings)
    for f in open_findings:
        level = "error" if f.severity == MAJOR else "warning"
        props = [f"file={_escape_property(path)}"]
        region = placed.get(id(f))
        if region is not None:
            props.append(f"line={region.start_line}")
            if region.start_column is not None:
                props.append(f"col={region.start_column}")
                if region.end_line is not None:
                    props.append(f"endLine={region.end_line}")
                    props.append(f"endColumn={region.end_column}")
        props.append(f"title={_escape_property(f'mt-audit {f.category} ({f.check})')}")
        lines.append(f"::{level} {','.join(props)}::{_escape_data(f.with_suggestion())}")
    return "\n".join(lines) + ("\n" if lines else "")
