"""Ingest: read a file the user gave, decode it, find its structure.

Produces a ``Document`` with the decoded text, its paragraphs (each with a unit
kind: headline, teaser, body, quote or boilerplate) and the document metadata
(title, whether a disclaimer says it was machine-translated).  Nothing the user
gave is changed on disk; offsets refer to ``Document.text``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..document import BODY, BOILERPLATE, HEADLINE, TEASER, Document, Paragraph
from ..errors import InputError
from .lexicon import is_noise
from ..checks.patterns import DataPattern
from ..resources import load_data
from .segment import paragraphs

MAX_INPUT_BYTES = 50 * 1024 * 1024
WESTERN_ENCODINGS = ("cp1252", "latin_1", "iso8859_15")
FORMATS = ("txt", "md", "html")

_BULLET = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")
_SENTENCE_END = re.compile(r"[.!?…:;][\"“”»«'’)]*$")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


@dataclass
class BoilerplateRule:
    kind: str
    pattern: DataPattern
    full: bool
    max_chars: int
    following: int
    machine_translated: bool

    def matches(self, text: str) -> bool:
        if self.full:
            return bool(self.pattern.fullmatch(text))
        return len(text) <= self.max_chars and bool(self.pattern.search(text))


def boilerplate_rules(extra: list[dict] | None = None) -> list[BoilerplateRule]:
    rules = []
    for raw in [*load_data("boilerplate")["rule"], *(extra or [])]:
        rules.append(BoilerplateRule(
            kind=raw["kind"],
            pattern=DataPattern(raw["pattern"], "boilerplate", ignorecase=True),
            full=raw.get("match", "search") == "full",
            max_chars=int(raw.get("max_chars", 400)),
            following=int(raw.get("following", 0)),
            machine_translated=bool(raw.get("machine_translated", False)),
        ))
    return rules


def read_text(path: str | Path, what: str = "input") -> tuple[str, str, list[str]]:
    """Read and decode a text file: (text, encoding, warnings).  Never writes."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"The {what} file {path} does not exist.")
    if path.is_dir():
        raise InputError(f"The {what} path {path} is a directory; give a text, Markdown or HTML file.")
    if not path.is_file():
        raise InputError(f"The {what} path {path} is not a regular file (a device, pipe or socket); "
                         f"give a text, Markdown or HTML file.")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)  # never more, whatever the file claims
    except PermissionError:
        raise InputError(f"The {what} file {path} cannot be read (permission denied).") from None
    except OSError as err:
        raise InputError(f"The {what} file {path} cannot be read ({err.strerror}).") from None
    return decode_text(data, f"{what} file {path}", what)


def decode_text(data: bytes, label: str, what: str = "input") -> tuple[str, str, list[str]]:
    """Decode what was read or uploaded: (text, encoding, warnings).  ``label`` names it in
    errors ("input file a.txt", "uploaded German")."""
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"The {label} is larger than the limit of {MAX_INPUT_BYTES // (1024 * 1024)} MB "
                         f"per document.")
    warnings: list[str] = []
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        text, encoding = utf16
    elif b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"The {label} is binary, not text.")
    else:
        text, encoding, odd_lines = _decode(data, label)
        if odd_lines:
            shown = ", ".join(map(str, odd_lines[:10])) + (" …" if len(odd_lines) > 10 else "")
            warnings.append(f"Line{'s' if len(odd_lines) > 1 else ''} {shown} of the {what} "
                            f"{'are' if len(odd_lines) > 1 else 'is'} not UTF-8 and {'were' if len(odd_lines) > 1 else 'was'} "
                            f"read as Windows-1252 (the rest is UTF-8): check {'them' if len(odd_lines) > 1 else 'it'} "
                            "for garbled characters.")
    if encoding not in ("utf-8", "utf-8-sig", "ascii", MIXED):
        warnings.append(f"The {what} was not UTF-8; it was decoded as {encoding}.")
    return check_text(text, label, what, encoding, warnings)


def check_text(text: str, label: str, what: str = "input", encoding: str = "utf-8",
               warnings: list[str] | None = None) -> tuple[str, str, list[str]]:
    """Refuse text that is not text, repair mojibake: (text, encoding, warnings)."""
    warnings = list(warnings or [])
    if not text.strip():
        raise InputError(f"The {label} is empty.")
    if len(_BINARY_CONTROL.findall(text[:65536])) > max(8, len(text[:65536]) // 100):
        raise InputError(f"The {label} is binary, not text.")
    repaired = _repair_mojibake(text)
    if repaired != text:
        warnings.append(f"Garbled characters (mojibake) in the {what} were repaired; offsets refer "
                        "to the repaired text.")
        text = repaired
    return text, encoding, warnings


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text saved without a byte-order mark (some Windows tools do): text in Latin
    script has a zero byte in every other position, and only there.  None when ``data``
    does not read so, cleanly, as text."""
    head = data[:65536]
    if len(head) < 4 or len(data) % 2 or b"\x00" not in head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    even, odd = head[0::2], head[1::2]
    share_even, share_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if share_odd >= 0.6 and share_even <= 0.02:
        encoding = "utf-16-le"
    elif share_even >= 0.6 and share_odd <= 0.02:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\n\r\t\f")
    return (text, encoding) if controls == 0 else None


MIXED = "utf-8 with windows-1252 lines"
_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _by_line(data: bytes) -> tuple[str, list[int]]:
    """Each line decoded as UTF-8 where it is UTF-8, else as Windows-1252: (text, the numbers
    of the lines that were not UTF-8)."""
    out, odd = [], []
    for number, line in enumerate(data.split(b"\n"), 1):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace"))
            odd.append(number)
    return "\n".join(out), odd


def _decode(data: bytes, label: str) -> tuple[str, str, list[int]]:
    """(text, encoding, the lines read otherwise than the rest)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict"), "utf-8-sig", []
        except UnicodeDecodeError:
            text, odd = _by_line(data[3:])  # a UTF-8 mark, and lines of another encoding after it
            return text, MIXED, odd
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    # lines of UTF-8 beside lines of Latin-1 (copy pasted together from two sources): each
    # line as it was written, rather than all of it garbled as one 8-bit encoding
    lines = data.split(b"\n")
    utf8_lines = 0
    for line in lines:
        if _MULTIBYTE.search(line):
            try:
                line.decode("utf-8")
                utf8_lines += 1
            except UnicodeDecodeError:
                pass
    if utf8_lines:
        text, odd = _by_line(data)
        return text, MIXED, odd
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    best = results.best()
    if best is None or best.encoding is None:
        raise InputError(f"The {label} is not UTF-8 and its encoding could not be detected.")
    # German copy that is not UTF-8 is Windows-1252 / Latin-1: where the detector finds that
    # reading as good as its first guess (cp1250 reads "Lefèvre" as "Lefčvre" just as
    # cleanly), the encoding German copy comes in wins.
    western = [m for m in results if m.encoding in WESTERN_ENCODINGS]
    if western and western[0].chaos <= best.chaos + 0.01 and western[0].coherence >= best.coherence - 0.05:
        best = western[0]
    return str(best), best.encoding.replace("_", "-"), []


def _repair_mojibake(text: str) -> str:
    import ftfy

    # Only repair encoding damage: curly German quotes, line breaks and widths are
    # part of what the checks inspect and must stay as the user wrote them.
    config = ftfy.TextFixerConfig(
        unescape_html=False, remove_terminal_escapes=False, uncurl_quotes=False,
        fix_line_breaks=False, fix_character_width=False, fix_latin_ligatures=False,
        fix_surrogates=True, remove_control_chars=False, normalization=None,
    )
    return ftfy.fix_text(text, config=config)


def read_source(path: str | Path, input_format: str = "auto") -> tuple[str, list[str]]:
    """The English source's text, extracted like the German (HTML article text, Markdown
    prose), and warnings, among them one when the text does not read as English."""
    text, _, warnings = read_text(path, "source")
    return source_from_text(text, path, input_format, warnings)


def source_from_text(text: str, path: str | Path, input_format: str = "auto",
                     warnings: list[str] | None = None) -> tuple[str, list[str]]:
    """``read_source`` for text already decoded; ``path`` names it (and its extension hints
    at the format) but is never opened."""
    warnings = list(warnings or [])
    fmt = detect_format(path, text) if input_format == "auto" else input_format
    if fmt == "html":
        text, _ = html_to_text(text, path, "source")
    elif fmt == "md":
        text, _ = markdown_to_text(text)
        if not text.strip():
            raise InputError(f"The source Markdown file {path} holds no prose (only code, tables or markup).")
    from .segment import detect_language

    language, probability = detect_language(text[:5000])
    if language != "en" and probability > 0.9:
        warnings.append(f"The source {path} does not read as English (it reads as {language!r}); drift and the "
                        f"source checks compare English with German.")
    return text, warnings


def detect_format(path: str | Path, text: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        return "html"
    if suffix in (".md", ".markdown"):
        return "md"
    head = text.lstrip()[:512].lower()
    if head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text):
        return "html"
    return "txt"


def html_to_text(html: str, path: str | Path, what: str = "HTML") -> tuple[str, str]:
    """Extract the article body of an HTML page as Markdown-ish text, and its title."""
    import trafilatura

    body = trafilatura.extract(
        html, output_format="markdown", include_formatting=True, include_comments=False,
        include_tables=False, include_images=False, include_links=False, favor_recall=True,
    )
    if not body or not body.strip():
        raise InputError(f"No article text could be extracted from the {what} file {path}.")
    # Markdown escapes are markup, not text ("Lehrer\\*innen", "\\[sic\\]")
    body = _MD_ESCAPE.sub(r"\1", body)
    metadata = trafilatura.extract_metadata(html)
    title = ((metadata.title if metadata is not None else None) or "").strip()
    if title and not body.lstrip().startswith(("#", title)):
        body = f"# {title}\n\n{body}"
    return body, title


_TEXT_SUFFIX = re.compile(r"\.(?:txt|md|markdown|html?|xhtml)$", re.IGNORECASE)
_LANGUAGE_SUFFIX = re.compile(r"\.(?:de|deu|ger)$", re.IGNORECASE)


def markdown_to_text(markdown: str) -> tuple[str, list[tuple[int, int, int]]]:
    """The prose of a Markdown file, parsed with markdown-it-py (CommonMark and tables), as
    text with one block per paragraph, headings as "# ...", list items as "- ...", quotes as
    "> ...": inline markup gives its text (emphasis, links, code spans); code blocks,
    tables and raw HTML are not prose and are left out.  Also (offset in the text, first
    line in the file, line after its last) for every block, so a finding can be placed in
    the file."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(_without_front_matter(markdown))
    blocks: list[tuple[str, int, int]] = []
    prefix, depth_table, quote_depth, list_depth = "", 0, 0, 0
    heading = 0
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            depth_table += 1
        elif token.type == "table_close":
            depth_table -= 1
        elif token.type == "blockquote_open":
            quote_depth += 1
        elif token.type == "blockquote_close":
            quote_depth -= 1
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "heading_open":
            heading = int(token.tag[1:])
        elif token.type == "heading_close":
            heading = 0
        elif token.type == "inline" and not depth_table:
            text = _inline_text(token.children or [])
            if not text.strip():
                continue
            if heading:
                prefix = "#" * heading + " "
            elif list_depth and tokens[index - 2].type == "list_item_open":
                prefix = "- "
            elif quote_depth:
                prefix = "> "
            else:
                prefix = ""
            first, after = token.map or (0, 1)
            blocks.append((prefix + text.strip(), first + 1, after))
    out, origin, offset = [], [], 0
    for text, line, after in blocks:
        origin.append((offset, line, after))
        out.append(text)
        offset += len(text) + 2
    return "\n\n".join(out) + ("\n" if out else ""), origin


# Front matter of static site generators and CMS exports: YAML between "---" lines or TOML
# between "+++" lines at the very start of the file.  It is metadata (title, author, tags),
# not prose.
_FRONT_MATTER = re.compile(r"\A\ufeff?(---|\+\+\+)[ \t]*\r?\n(?:.*?\r?\n)??\1[ \t]*(?:\r?\n|\Z)", re.S)


def _without_front_matter(markdown: str) -> str:
    """``markdown`` with its front matter blanked out line for line, so that the parser's line
    numbers still point into the file."""
    m = _FRONT_MATTER.match(markdown)
    if not m:
        return markdown
    return "\n" * m.group(0).count("\n") + markdown[m.end():]


def _inline_text(children) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            continue
    return "".join(parts)


def displayable(path: str | Path) -> str:
    """A path as reports and messages show it: a file name that is not valid UTF-8 (Latin-1
    bytes arrive as lone surrogates) gets U+FFFD for each byte that cannot be read, so that
    every report can be written as UTF-8."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def document_name(path: str | Path) -> str:
    """The name reports are written under: the file name without its text extension and
    language tag ("story.de.txt" -> "story", "rt.com.18606.de.txt" -> "rt.com.18606")."""
    name = Path(path).name
    name = _LANGUAGE_SUFFIX.sub("", _TEXT_SUFFIX.sub("", name))
    return name or Path(path).stem or "document"


def ingest(path: str | Path, input_format: str = "auto", boilerplate_extra: list[dict] | None = None) -> Document:
    """Read a German article into a Document with paragraphs, kinds and metadata."""
    text, encoding, warnings = read_text(path)
    return document_from_text(text, path, input_format, boilerplate_extra, encoding, warnings)


def document_from_text(text: str, path: str | Path, input_format: str = "auto",
                       boilerplate_extra: list[dict] | None = None, encoding: str = "utf-8",
                       warnings: list[str] | None = None) -> Document:
    """``ingest`` for text already decoded; ``path`` names the document (and its extension
    hints at the format) but is never opened."""
    path = Path(path)
    warnings = list(warnings or [])
    fmt = detect_format(path, text) if input_format == "auto" else input_format
    if fmt not in FORMATS:
        raise InputError(f"Unknown input format {fmt!r}; use one of {', '.join(FORMATS)} or auto.")
    origin, markup = None, (text if fmt != "txt" else None)
    if fmt == "html":
        text, _ = html_to_text(text, path)
    elif fmt == "md":
        text, origin = markdown_to_text(text)
        if not text.strip():
            raise InputError(f"The Markdown file {path} holds no prose (only code, tables or markup).")
    doc = Document(path=displayable(path), name=document_name(displayable(path)), text=text, format=fmt,
                   encoding=encoding, warnings=warnings, origin_lines=origin, markup=markup)
    doc.paragraphs = structure(text, fmt, boilerplate_rules(boilerplate_extra), doc)
    headline = next((p for p in doc.paragraphs if p.kind == HEADLINE), None)
    if headline is not None:
        doc.title = text[headline.start:headline.end].strip()
    else:
        first = next((p for p in doc.paragraphs if p.kind != BOILERPLATE), None)
        doc.title = text[first.start:first.end].strip()[:120] if first else doc.name
    return doc


def structure(text: str, fmt: str, rules: list[BoilerplateRule], doc: Document) -> list[Paragraph]:
    """Paragraphs with kinds: markup markers are left out of the content span."""
    out: list[Paragraph] = []
    boiler_left = 0
    seen_headline = False
    teaser_open = False
    for index, (a, b) in enumerate(paragraphs(text)):
        line = text[a:b]
        if is_noise(line):
            # a separator ("* * *", "---"): nothing to translate or audit
            out.append(Paragraph(index=index, start=a, end=b, kind=BOILERPLATE, boilerplate_reason="separator"))
            continue
        kind = BODY
        marker = 0
        heading = _MD_HEADING.match(line) if fmt in ("md", "html") else None
        quote = _MD_QUOTE.match(line) if fmt in ("md", "html") else None
        bullet = _BULLET.match(line)
        if heading:
            marker = heading.end()
        elif quote:
            marker = quote.end()
        elif bullet:
            marker = bullet.end()
        content = line[marker:].strip()
        para = Paragraph(index=index, start=a + marker + (len(line[marker:]) - len(line[marker:].lstrip())), end=b)
        rule = next((r for r in rules if r.matches(content)), None)
        if boiler_left > 0 or rule is not None:
            para.kind = BOILERPLATE
            if rule is not None:
                para.boilerplate_reason = rule.kind
                boiler_left = rule.following
                if rule.machine_translated and not doc.machine_translated:
                    doc.machine_translated = True
                    doc.mt_evidence = _evidence_sentence(content, rule.pattern)
            else:
                para.boilerplate_reason = "byline"
                boiler_left -= 1
            out.append(para)
            continue
        if heading or (not bullet and _looks_like_heading(content)):
            kind = HEADLINE
            teaser_open = not seen_headline
            seen_headline = True
        elif teaser_open and bullet:
            kind = TEASER
        elif teaser_open and _next_is_bullet(text, b) and len(content) <= 400:
            kind = TEASER  # the standfirst above a teaser list
        else:
            teaser_open = False
        para.kind = kind
        out.append(para)
    return out


def _next_is_bullet(text: str, end: int) -> bool:
    rest = text[end:]
    nxt = re.search(r"[^\s]", rest)
    return bool(nxt) and bool(_BULLET.match(rest[nxt.start():].split("\n", 1)[0]))


def _looks_like_heading(content: str) -> bool:
    """A short single line without a closing full stop: a headline or crosshead."""
    if len(content) > 160 or len(content.split()) < 2:
        return False
    if content.endswith("?"):
        # A one-sentence question standing alone as a paragraph is a crosshead.
        return content.count("? ") == 0 and content.count(". ") == 0
    return not _SENTENCE_END.search(content)


def _evidence_sentence(paragraph: str, pattern: DataPattern) -> str:
    from .segment import segmenter

    for a, b in segmenter("de").spans(paragraph):
        if pattern.search(paragraph[a:b]):
            return paragraph[a:b]
    return paragraph
