"""The data model: one ``Document`` carries everything through the pipeline.

Every stage adds to the document and never rewrites what an earlier stage set,
so a report can always say where a number came from.  Offsets are character
offsets into ``Document.text`` (the text the user gave, decoded; for HTML the
extracted article text), which is what makes exact highlighting possible.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Unit kinds.  Boilerplate is shown but never scored or flagged as drift.
HEADLINE = "headline"
TEASER = "teaser"
BODY = "body"
QUOTE = "quote"
BOILERPLATE = "boilerplate"
KINDS = (HEADLINE, TEASER, BODY, QUOTE, BOILERPLATE)
PROSE_KINDS = (HEADLINE, TEASER, BODY, QUOTE)

MAJOR = "major"
MINOR = "minor"
SEVERITY_RANK = {MINOR: 1, MAJOR: 2}


@dataclass
class Paragraph:
    """A block of text (a line in plain text, a block in Markdown/HTML)."""

    index: int
    start: int
    end: int
    kind: str = BODY
    boilerplate_reason: str | None = None
    language: str = "de"


@dataclass
class TokenProb:
    token: str
    prob: float


@dataclass
class Segment:
    """One sentence (or a headline/teaser line) of the German text."""

    id: str
    paragraph: int
    kind: str
    start: int
    end: int
    text: str
    language: str = "de"
    back_translation: str | None = None
    bt_logprob: float | None = None
    bt_confidence: float | None = None
    bt_tokens: list[TokenProb] = field(default_factory=list)
    bt_chunks: int = 1
    source_ids: list[str] = field(default_factory=list)
    signals: dict[str, Any] = field(default_factory=dict)
    drift: float | None = None

    @property
    def is_prose(self) -> bool:
        return self.kind in PROSE_KINDS


@dataclass
class SourceSegment:
    """One sentence of the English source text."""

    id: str
    start: int
    end: int
    text: str


@dataclass
class Alignment:
    """One bead of the alignment: German segment ids to source segment ids (n:m)."""

    german: list[str]
    source: list[str]
    score: float | None = None


@dataclass
class Finding:
    segment_id: str
    start: int
    end: int
    category: str
    severity: str
    check: str
    message: str
    suggestion: str = ""
    text: str = ""
    accepted: bool = False
    # How often a finding of this kind is right when it fires (0-1): the severity policy
    # makes a finding major only where this is high.
    confidence: float = 0.5
    # Concrete strings that can replace the finding's span as they stand (in the form needed
    # at that place); empty where the fix needs an editor (a rewording, a conversion).
    replacements: list[str] = field(default_factory=list)

    def with_suggestion(self) -> str:
        """The message, and the suggestion after it when there is one."""
        return self.message + (f" Suggestion: {self.suggestion}" if self.suggestion else "")

    def key(self) -> str:
        """Stable identity for accepted-findings baselines: check and normalised text,
        not offsets, so the baseline survives edits elsewhere in the article."""
        return f"{self.check}:{' '.join(self.text.lower().split())}"


@dataclass
class TranslationInfo:
    backend: str = "none"
    model: str | None = None
    revision: str | None = None
    skipped_reason: str | None = None
    beam_size: int | None = None
    batch_size: int | None = None
    translated: int = 0
    from_cache: int = 0
    truncated: int = 0

    @property
    def skipped(self) -> bool:
        return self.skipped_reason is not None


@dataclass
class Document:
    path: str
    name: str
    text: str
    format: str = "txt"
    encoding: str = "utf-8"
    title: str = ""
    machine_translated: bool = False
    mt_evidence: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    source_path: str | None = None
    source_text: str | None = None
    source_segments: list[SourceSegment] = field(default_factory=list)
    alignments: list[Alignment] = field(default_factory=list)
    translation: TranslationInfo = field(default_factory=TranslationInfo)
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reference_free: bool = True
    # For text derived from markup (Markdown): (offset in ``text``, first line in the file,
    # line after its last) for each block, so that a finding can be placed in the file.
    origin_lines: list[tuple[int, int, int]] | None = None
    # For Markdown and HTML: the file's text as decoded (the markup), so that reports can
    # point at the finding's words in the file itself.
    markup: str | None = None

    def segment(self, segment_id: str) -> Segment:
        for seg in self.segments:
            if seg.id == segment_id:
                return seg
        raise KeyError(segment_id)

    def segment_at(self, offset: int) -> Segment | None:
        for seg in self.segments:
            if seg.start <= offset < seg.end:
                return seg
        return None

    @property
    def prose_segments(self) -> list[Segment]:
        return [s for s in self.segments if s.is_prose]
