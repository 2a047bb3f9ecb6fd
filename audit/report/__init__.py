"""Reports: JSON (schema mt-audit/1), HTML, JUnit XML, GitHub annotations, terminal."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

FORMATS = ("html", "json", "junit", "github")


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so no half-written report is ever left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
