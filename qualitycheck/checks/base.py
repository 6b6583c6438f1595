"""What every check is: a small unit with a stable code, a name, a severity and a docstring."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar, Iterable

from ..document import Document, Finding, Span
from ..text.protect import ProtectedSpans, quoted_spans
from .help_zh import rule_help

if TYPE_CHECKING:
    from ..config import Config


@dataclass
class Context:
    """What a check may read besides the document: configuration and shared per-document views."""

    config: "Config"
    doc: Document
    _cache: dict = field(default_factory=dict)

    @property
    def as_of(self) -> date:
        return self.config.as_of

    @cached_property
    def quoted(self) -> ProtectedSpans:
        return quoted_spans(self.doc.text)

    def scope_ranges(self, scopes: tuple[str, ...]) -> list[tuple[int, str]]:
        """(offset, text) for the document's segments in the given scopes."""
        return [
            (seg.start, self.doc.text[seg.start : seg.end])
            for seg in self.doc.segments
            if seg.scope in scopes
        ]


class Check:
    """Base class. Subclasses set the class attributes and implement ``run``.

    The docstring of a subclass says what it catches, why, and which rule or
    source it enforces; ``qualitycheck rule CODE`` prints it.
    """

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    severity: ClassVar[str] = "warning"
    scopes: ClassVar[tuple[str, ...]] = ("title", "body")
    rule_source: ClassVar[str] = ""
    enabled_by_default: ClassVar[bool] = True
    #: page | site: site checks run once per site over facts gathered from its pages
    level: ClassVar[str] = "page"

    @property
    def description_en(self) -> str:
        """The class docstring: the developers' notes, in English."""
        return inspect.cleandoc(self.__doc__ or "")

    @property
    def title(self) -> str:
        """The rule's Chinese title (空白栏目), as report headings show it; else its English name."""
        entry = rule_help(self.code)
        return entry.title if entry else self.name

    @property
    def description(self) -> str:
        """What the rule catches and why, in Chinese (help_zh); the docstring where there is none."""
        entry = rule_help(self.code)
        if entry is None:
            return self.description_en
        return entry.summary + (f"\n\n{entry.description}" if entry.description else "")

    @property
    def summary(self) -> str:
        """The description's first paragraph on one line."""
        if not self.description:
            return self.name
        return " ".join(self.description.split("\n\n")[0].split())

    def is_active(self, config: "Config") -> bool:
        """Whether this configuration runs the check at all."""
        return config.is_selected(self.code, enabled_by_default=self.enabled_by_default)

    def run(self, ctx: Context) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(
        self,
        start: int,
        end: int,
        ctx: Context,
        message: str,
        suggestions: Iterable[str] = (),
        *,
        rule_id: str = "",
        rule_source: str | None = None,
        severity: str | None = None,
        evidence: dict | None = None,
    ) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            message=message,
            span=Span(start, end),
            match=ctx.doc.text[start:end],
            suggestions=list(suggestions),
            rule_source=rule_source if rule_source is not None else self.rule_source,
            rule_id=rule_id,
            evidence=evidence or {},
        )

    def spanless_finding(
        self,
        message: str,
        *,
        scope: str,
        match: str = "",
        url: str | None = None,
        source: str = "",
        evidence: dict | None = None,
        rule_id: str = "",
        rule_source: str | None = None,
        severity: str | None = None,
    ) -> Finding:
        """A finding about a page or site as a whole (a column, a link, a mark), not a text span."""
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            message=message,
            match=match,
            source=source,
            scope=scope,
            rule_source=rule_source if rule_source is not None else self.rule_source,
            rule_id=rule_id,
            evidence=evidence or {},
            url=url,
        )
