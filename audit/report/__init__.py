"""Reports: JSON (schema mt-audit/1), HTML, JUnit XML, SARIF, GitLab Code Quality,
GitHub annotations, terminal.

HTML, JSON and JUnit are written per document (``<name>.html`` …); SARIF and GitLab
Code Quality are one file for all documents of a run (``mt-audit.sarif``,
``mt-audit.gitlab.json``), and ``--output-file FORMAT=PATH`` names that file (for
JUnit: one combined file instead of one per document).

Writing is safe for what the user gave: ``check_outputs`` refuses any output path that is
one of the inputs (or a folder, or in a folder that cannot be written) before the audit
runs, and ``write_set`` writes a set of reports all or nothing, each through a temporary
file that is renamed into place, with the mode the umask gives a new file (or the mode of
the file it replaces).  A Ctrl-C or SIGTERM that arrives while the temporary files are
written removes them (the old set stays); one that arrives while they are renamed is held
until the last rename (the new set is complete), so no signal leaves a new HTML report
beside an old JSON one.
"""
from __future__ import annotations

import os
import signal
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from ..errors import InputError

# ``terminal`` writes no file: only the summary on the terminal (for pre-commit).
# ``lines`` prints one ``file:line:col: severity: message [check]`` line per open finding.
FORMATS = ("html", "json", "junit", "sarif", "gitlab", "github", "terminal", "lines")
SUFFIXES = {"html": ".html", "json": ".json", "junit": ".junit.xml"}
COMBINED = {"sarif": "mt-audit.sarif", "gitlab": "mt-audit.gitlab.json"}
# Formats that can be one file for every document of a run.
COMBINABLE = ("junit", "sarif", "gitlab")


def report_paths(name: str, out_dir: Path, formats: list[str], combined: dict[str, Path] | None = None
                 ) -> dict[str, Path]:
    """The per-document file each report format is written to (``github`` goes to standard
    output; a format in ``combined`` is written once for all documents)."""
    combined = combined or {}
    return {fmt: Path(out_dir) / f"{name}{SUFFIXES[fmt]}" for fmt in formats
            if fmt in SUFFIXES and fmt not in combined}


def combined_paths(out_dir: Path, formats: list[str], output_files: dict[str, Path]) -> dict[str, Path]:
    """The files written once per run: SARIF and GitLab (by default in ``out_dir``) and any
    format named with ``--output-file``."""
    paths = {fmt: Path(out_dir) / name for fmt, name in COMBINED.items() if fmt in formats}
    paths.update({fmt: Path(path) for fmt, path in output_files.items() if fmt in formats})
    return paths


def render_combined(fmt: str, docs: list, settings: dict) -> str:
    from . import gitlab, junit, sarif

    return {"sarif": sarif.render_all, "gitlab": gitlab.render_all, "junit": junit.render_all}[fmt](docs, settings)


def _identity(path: Path) -> tuple:
    """What makes two paths the same file: device and inode where the file exists, else
    the resolved path."""
    try:
        stat = path.stat()
        return ("inode", stat.st_dev, stat.st_ino)
    except OSError:
        return ("path", str(path.resolve()))


def check_outputs(outputs: list[Path], inputs: list[Path | None]) -> None:
    """Refuse, in one sentence, an output path that is an input, a folder, or that cannot be created."""
    given: dict[tuple, Path] = {}
    for source in (Path(p) for p in inputs if p):
        given.setdefault(_identity(source), source)
        given.setdefault(("path", str(source.resolve())), source)
    writable: dict[Path, bool] = {}
    for output in outputs:
        output = Path(output)
        source = given.get(_identity(output)) or given.get(("path", str(output.resolve())))
        if source is not None:
            raise InputError(f"The output {output} is the input file {source}; choose another output path.")
        if output.is_dir():
            raise InputError(f"The output {output} is a folder; remove it or choose another --out.")
        parent = output.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if parent not in writable:
            if not parent.is_dir():
                raise InputError(f"The output {output} cannot be written: {parent} is not a folder.")
            writable[parent] = os.access(parent, os.W_OK | os.X_OK)
        if not writable[parent]:
            raise InputError(f"The output {output} cannot be written (permission denied in {parent}).")


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _temporary(path: Path, text: str, made: list[str]) -> str:
    """Write ``text`` to a temporary file beside ``path`` with the mode ``path`` will have;
    the file's name goes into ``made`` as soon as it exists, so that a signal arriving at
    any point still finds it to remove."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    made.append(tmp)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        mode = path.stat().st_mode & 0o7777 if path.exists() else _new_file_mode()
        os.chmod(tmp, mode)
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def write_set(files: dict[Path, str]) -> None:
    """Write every file or none: all are written to temporary files first, then renamed."""
    temporaries: dict[Path, str] = {}
    made: list[str] = []
    try:
        for path in files:
            if Path(path).is_dir():
                raise IsADirectoryError(21, "Is a directory", str(path))
        for path, text in files.items():
            temporaries[Path(path)] = _temporary(Path(path), text, made)
        with _signals_held():
            for path, tmp in temporaries.items():
                os.replace(tmp, path)
    except BaseException:
        for tmp in made:
            _remove(tmp)
        raise


@contextmanager
def _signals_held():
    """SIGINT and SIGTERM arriving inside the block take effect when it ends (renames take
    microseconds).  Only the main thread handles signals; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(number)
        if handler is not None:  # None: installed outside Python, left alone
            previous[number] = handler
            signal.signal(number, lambda signum, frame: pending.append(signum))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in pending[:1]:
            signal.raise_signal(number)


def write_atomic(path: Path, text: str) -> None:
    """Write one file through a temporary file and a rename: never half-written."""
    write_set({Path(path): text})


def render_reports(doc, auditor, paths: dict, formats: list[str], passed: bool) -> dict[Path, str]:
    """The per-document reports of ``formats`` (those with a path in ``paths``), rendered."""
    from . import html, json_report, junit

    renderers = {"html": html.render, "json": json_report.render, "junit": junit.render}
    settings = auditor.settings_record(doc)
    ci = auditor.ci_settings(doc)
    return {paths[fmt]: renderers[fmt](doc, ci if fmt == "junit" else settings, passed)
            for fmt in formats if fmt in paths}


def write_files(files: dict[Path, str]) -> None:
    """Write report files all or none; a failure is one error sentence."""
    if not files:
        return
    try:
        write_set(files)
    except OSError as err:
        raise InputError(f"The reports cannot be written to {Path(next(iter(files))).parent} "
                         f"({err.strerror}).") from None
