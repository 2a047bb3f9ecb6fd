"""Where a finding lies in the file the user gave, for every report that points into files
(SARIF, GitLab Code Quality, GitHub annotations, JUnit, the terminal's ``file:line:col``).

A plain-text input is audited as written, so a finding's offsets are offsets in the
file.  Markdown and HTML are audited as their prose; there the prose's words are aligned,
in order, with the words of the file's text (``WordMap``): in Markdown within the lines of
the block each one comes from, in HTML among the text the page shows (tags, comments,
scripts and styles are not text; entities are the characters they stand for).  A
finding's span is then the file's span from its first aligned word to its last, so each
occurrence of a repeated word is placed at its own place.  Paths are given relative to the
repository's root (``base_dir``), so a report reads the same wherever it was made.
"""
from __future__ import annotations

import bisect
import hashlib
import os
import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from html.parser import HTMLParser
from pathlib import Path, PurePath

from ..document import Document, Finding
from ..baseline import occurrences

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WORD = re.compile(r"\w+")
# A candidate place for a prose word further than this many file words ahead must be
# confirmed by the words after it, so that a common word does not jump into a menu.
_NEAR = 12
_CANDIDATES = 64


@dataclass
class Region:
    start_line: int
    start_column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    offset: int | None = None      # code points from the start of the file
    length: int | None = None
    snippet: str | None = None     # the file's text in the region


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
        return Region(line, column, end_line, end_column, start + self.shift, end - start, self.text[start:end])


def file_text(doc: Document) -> FileText:
    """The text of ``doc``'s file as the audit decoded it."""
    shift = 1 if doc.encoding == "utf-8-sig" else 0
    return FileText(doc.text if doc.markup is None else doc.markup, shift)


class _Visible(HTMLParser):
    """The characters an HTML page shows, each with its span in the file's text."""

    _HIDDEN = {"script", "style", "noscript", "template"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.chars: list[str] = []
        self.begins: list[int] = []
        self.ends: list[int] = []
        self.hidden = 0
        self.feed(text)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _break(self):
        # a tag ends a word ("<h1>Lage</h1><p>Start" shows two); it is no character of the text
        at = self._offset()
        self.chars.append(" ")
        self.begins.append(at)
        self.ends.append(at)

    def handle_starttag(self, tag, attrs):
        self._break()
        if tag in self._HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        self._break()
        if tag in self._HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_startendtag(self, tag, attrs):
        self._break()

    def handle_data(self, data):
        if self.hidden:
            return
        start = self._offset()
        self.chars.extend(data)
        self.begins.extend(range(start, start + len(data)))
        self.ends.extend(range(start + 1, start + len(data) + 1))

    def _reference(self, raw: str):
        if self.hidden:
            return
        start = self._offset()
        for ch in unescape(raw):
            self.chars.append(ch)
            self.begins.append(start)
            self.ends.append(start + len(raw))

    def handle_entityref(self, name):
        self._reference(f"&{name};")

    def handle_charref(self, name):
        self._reference(f"&#{name};")


class WordMap:
    """The prose's words aligned with the file's words: ``span(start, end)`` is the file's
    span of the prose's ``[start, end)``, or None where none of its words was found."""

    def __init__(self, doc: Document, source: FileText):
        self.doc_text, self.file_text = doc.text, source.text
        prose = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(doc.text)]
        self.prose_starts = [a for a, _, _ in prose]
        self.prose = prose
        self.file: list[tuple[int, int] | None] = [None] * len(prose)
        if doc.format == "html":
            visible = _Visible(source.text)
            shown = "".join(visible.chars)
            words = [(visible.begins[m.start()], visible.ends[m.end() - 1], m.group()) for m in _WORD.finditer(shown)]
            self._align(0, len(prose), words)
        else:
            words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(source.text)]
            blocks = list(doc.origin_lines or [(0, 1, len(source.starts))])
            word_starts = [a for a, _, _ in words]
            for number, (offset, line, end_line) in enumerate(blocks):
                # a block's words are looked for in the lines it was parsed from
                first = bisect.bisect_left(self.prose_starts, offset)
                last = (bisect.bisect_left(self.prose_starts, blocks[number + 1][0])
                        if number + 1 < len(blocks) else len(prose))
                begin = source.starts[min(line, len(source.starts)) - 1]
                end = source.starts[end_line] if end_line < len(source.starts) else len(source.text)
                lo, hi = bisect.bisect_left(word_starts, begin), bisect.bisect_left(word_starts, end)
                self._align(first, last, words[lo:hi])

    def _align(self, first: int, last: int, words: list[tuple[int, int, str]]) -> None:
        positions: dict[str, list[int]] = {}
        for n, (_, _, word) in enumerate(words):
            positions.setdefault(word, []).append(n)
        cursor = 0
        for i in range(first, last):
            word = self.prose[i][2]
            places = positions.get(word, [])
            k = bisect.bisect_left(places, cursor)
            for p in places[k:k + _CANDIDATES]:
                # the next file word, or a place the following prose words confirm (the last
                # word of a block: one near by)
                following = min(3, last - i)
                if p == cursor or (following > 1 and all(
                        p + j < len(words) and words[p + j][2] == self.prose[i + j][2]
                        for j in range(1, following))) or (following == 1 and p - cursor <= _NEAR):
                    self.file[i] = words[p][:2]
                    cursor = p + 1
                    break
            else:
                # a word written with markup inside it ("*Blitz*krieg") is several file words
                joined = ""
                for p in range(cursor, min(cursor + 4, len(words))):
                    joined += words[p][2]
                    if not word.startswith(joined):
                        break
                    if joined == word and p > cursor:
                        self.file[i] = (words[cursor][0], words[p][1])
                        cursor = p + 1
                        break

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        lo = bisect.bisect_right(self.prose_starts, start) - 1
        lo = max(lo, 0)
        hi = bisect.bisect_left(self.prose_starts, end, lo)  # only the words the span reaches
        placed = [i for i in range(lo, hi) if self.prose[i][1] > start and self.file[i] is not None]
        if not placed:
            return self._between(start, end, lo)
        first, last = placed[0], placed[-1]
        # within a word the file has the same characters; before the first word and after
        # the last one (quotes, a sign, a full stop) the file's text is taken when it agrees
        a = self.file[first][0] + max(0, start - self.prose[first][0])
        if start < self.prose[first][0]:
            lead = self.doc_text[start:self.prose[first][0]]
            if self.file_text[a - len(lead):a] == lead:
                a -= len(lead)
        b = self.file[last][1] - max(0, self.prose[last][1] - end)
        if end > self.prose[last][1]:
            tail = self.doc_text[self.prose[last][1]:end]
            if self.file_text[b:b + len(tail)] == tail:
                b += len(tail)
        return a, b

    def _between(self, start: int, end: int, near: int) -> tuple[int, int] | None:
        """A span without a word (a full stop, a space, a quotation mark): placed after the
        word before it or before the word after it, where the file has the same characters
        in between."""
        before = next((i for i in range(min(near, len(self.prose) - 1), max(near - 3, -1), -1)
                       if self.prose[i][1] <= start and self.file[i] is not None), None)
        if before is not None:
            gap = self.doc_text[self.prose[before][1]:end]
            at = self.file[before][1]
            if self.file_text[at:at + len(gap)] == gap:
                return at + len(gap) - (end - start), at + len(gap)
        after = next((i for i in range(max(near, 0), min(near + 3, len(self.prose)))
                      if self.prose[i][0] >= end and self.file[i] is not None), None)
        if after is not None:
            gap = self.doc_text[start:self.prose[after][0]]
            at = self.file[after][0]
            if self.file_text[at - len(gap):at] == gap:
                return at - len(gap), at - len(gap) + (end - start)
        return None


def regions(doc: Document, findings: list[Finding]) -> dict[int, Region | None]:
    """For each finding (by ``id()``), its region in the file, or None where it cannot be placed."""
    source = file_text(doc)
    if doc.markup is None:
        return {id(f): source.region(f.start, f.end) for f in findings}
    words = WordMap(doc, source)
    out: dict[int, Region | None] = {}
    for f in findings:
        span = words.span(f.start, f.end)
        if span is not None:
            out[id(f)] = source.region(*span)
        elif doc.origin_lines:
            out[id(f)] = Region(origin_line(doc, f.start))
        else:
            out[id(f)] = None
    return out


def origin_line(doc: Document, offset: int) -> int:
    """The line of the file where the block holding ``offset`` starts (Markdown input)."""
    return next((block[1] for block in reversed(doc.origin_lines) if block[0] <= offset), doc.origin_lines[0][1])


@lru_cache(maxsize=64)
def _git_root(folder: str) -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True,
                              text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return (done.stdout.strip() or None) if done.returncode == 0 else None


def base_dir(explicit: str | None = None, paths: list[str] = ()) -> Path:
    """The folder report paths are relative to: ``explicit`` (``--base-dir``), else the git
    repository the command runs in, else the one the first file lies in, else the current
    folder."""
    if explicit:
        return Path(os.path.abspath(explicit))
    cwd = os.getcwd()
    root = _git_root(cwd)
    if root is None and paths:
        folder = os.path.dirname(os.path.abspath(paths[0]))
        root = _git_root(folder) if os.path.isdir(folder) else None
    return Path(root or cwd)


def repo_path(path: str, base: Path) -> str | None:
    """``path`` relative to ``base`` in POSIX form, or None when it lies outside it."""
    absolute = Path(os.path.abspath(path))
    for candidate in (absolute, Path(os.path.realpath(absolute))):
        try:
            return PurePath(os.path.relpath(candidate, base)).as_posix() if candidate.is_relative_to(base) else None
        except ValueError:
            continue
    return None


def report_path(path: str, base: Path) -> str:
    """The path a report names a file by: relative to ``base`` when it lies inside, else absolute."""
    return repo_path(path, base) or PurePath(os.path.abspath(path)).as_posix()


def fingerprints(doc: Document, findings: list[Finding], with_path: bool = True,
                 base: Path | None = None) -> dict[int, str]:
    """A fingerprint per finding that survives edits elsewhere in the file: the finding's
    baseline key (check and words), the file as the report names it (unless ``with_path``
    is false: SARIF pairs the fingerprint with the file itself), and which occurrence of
    that key it is."""
    name = report_path(doc.path, base or base_dir(None, [doc.path])) if with_path else ""
    return {id(f): hashlib.sha256(f"{name}\0{f.key()}\0{n}".encode()).hexdigest() for f, n in occurrences(findings)}
