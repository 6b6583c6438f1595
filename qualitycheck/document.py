"""The types every layer shares: Span, Segment, Document and Finding."""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}  # as reports show them


def line_starts(text: str) -> list[int]:
    """Offsets at which the lines of text start (the first is 0)."""
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


@dataclass(frozen=True, order=True)
class Span:
    """Half-open character range [start, end) in a Document's checked text."""

    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Segment:
    """One scope of a document (title, body, footer ...) inside the checked text."""

    scope: str
    start: int
    end: int


@dataclass
class Document:
    """A text to check, with where it came from and what we know about it.

    ``text`` is everything that is checked; ``segments`` say which part is the
    title, the body and so on, so a finding can name its scope.  For HTML,
    ``suppressed`` lists ranges of ``text`` switched off by inline comments
    (``<!-- qc: disable=QC201 -->``) or ``data-qc-ignore``.
    """

    text: str
    source: str = "<text>"
    kind: str = "text"  # text | docx | html
    title: str | None = None
    published: date | None = None
    source_line: str | None = None  # the 来源 line of an article
    url: str | None = None
    segments: list[Segment] = field(default_factory=list)
    suppressed: list[tuple[Span, frozenset[str] | None]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    _line_starts: list[int] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.segments:
            self.segments = [Segment("body", 0, len(self.text))]

    def scope_at(self, offset: int) -> str:
        for seg in self.segments:
            if seg.start <= offset < seg.end:
                return seg.scope
        return self.segments[-1].scope if self.segments else "body"

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        if self._line_starts is None:
            self._line_starts = line_starts(self.text)
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def line_text(self, line: int) -> str:
        self.line_col(0)
        assert self._line_starts is not None
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end != -1 else len(self.text)]

    def is_suppressed(self, code: str, span: Span) -> bool:
        for rng, codes in self.suppressed:
            if rng.start <= span.start and span.end <= rng.end:
                if codes is None or any(code.startswith(c) for c in codes):
                    return True
        return False


@dataclass
class Finding:
    """One problem found: what rule, where, why, and how to fix it."""

    code: str
    name: str
    severity: str
    message: str
    span: Span | None = None
    match: str = ""
    suggestions: list[str] = field(default_factory=list)
    source: str = ""
    scope: str = "body"
    rule_source: str = ""
    rule_id: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    line: int | None = None
    column: int | None = None
    url: str | None = None

    def locate(self, doc: Document) -> "Finding":
        """Fill source, scope, line and column from the document."""
        self.source = self.source or doc.source
        if self.url is None:
            self.url = doc.url
        if self.span is not None:
            self.scope = doc.scope_at(self.span.start)
            self.line, self.column = doc.line_col(self.span.start)
        return self

    @property
    def fingerprint(self) -> str:
        """Stable id for baselines: the rule, where, and what was matched."""
        key = f"{self.code}|{self.rule_id}|{self.url or self.source}|{self.scope}|{self.match}"
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    def sort_key(self) -> tuple:
        start = self.span.start if self.span else -1
        return (self.url or self.source, start, self.code, self.rule_id, self.match)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "source": self.source,
            "url": self.url,
            "scope": self.scope,
            "span": {"start": self.span.start, "end": self.span.end} if self.span else None,
            "line": self.line,
            "column": self.column,
            "match": self.match,
            "suggestions": list(self.suggestions),
            "rule_id": self.rule_id,
            "rule_source": self.rule_source,
            "fingerprint": self.fingerprint,
        }
        if self.evidence:
            out["evidence"] = self.evidence
        return out


#: A language-model guess (QC103) inside a phrase that a list check reports whole (an idiom, a
#: formulation, a leader's name, a known wrong phrase) says the same thing twice: the list
#: check's finding, which names the whole right phrase, is kept.
_GUESS_CODES = frozenset({"QC103"})
_WHOLE_PHRASE_CODES = frozenset({"QC101", "QC104", "QC105", "QC106"})


def finalize(findings: Iterable[Finding]) -> list[Finding]:
    """Sort findings and drop duplicates (same code, span and suggestion).

    Where two findings cover the same span, the one with the higher severity
    (then the lower code) is kept: an outdated agency name is not also a typo.
    A QC103 guess inside the span of a QC101/QC104/QC105/QC106 finding is dropped.
    """
    best: dict[tuple, Finding] = {}
    for f in findings:
        span_key = (f.span.start, f.span.end) if f.span else (f.rule_id, f.match, f.message)
        key = (f.url or f.source, f.scope if f.span is None else "", span_key)
        prev = best.get(key)
        if prev is None or (SEVERITY_RANK[f.severity], prev.code) > (SEVERITY_RANK[prev.severity], f.code):
            best[key] = f
    kept = list(best.values())
    wholes = [(f.url or f.source, f.span.start, f.span.end) for f in kept if f.span and f.code in _WHOLE_PHRASE_CODES]
    if wholes:
        kept = [f for f in kept if not (
            f.span and f.code in _GUESS_CODES
            and any(src == (f.url or f.source) and start <= f.span.start and f.span.end <= end for src, start, end in wholes))]
    return sorted(kept, key=Finding.sort_key)
