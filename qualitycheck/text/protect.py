"""Spans of text that wording and typo rules leave alone.

A quoted title is what it is: text inside 《》, Chinese and ASCII quotation
marks and 「」 is exempt from wording rules (DESIGN.md, "Checks").
"""

from __future__ import annotations

import bisect
import re

from ..document import Span

# Pairs are matched non-greedily and never across a line break, so an
# unbalanced mark cannot swallow the rest of a document.
_QUOTED = re.compile(
    r"《[^《》\n]{0,200}》"
    r"|“[^“”\n]{0,300}”"
    r"|‘[^‘’\n]{0,300}’"
    r"|「[^「」\n]{0,300}」"
    r"|『[^『』\n]{0,300}』"
    r'|"[^"\n]{0,300}"'
)


class ProtectedSpans:
    """Sorted, non-overlapping spans with fast containment tests."""

    def __init__(self, spans: list[Span]):
        spans = sorted(spans)
        merged: list[Span] = []
        for sp in spans:
            if merged and sp.start <= merged[-1].end:
                merged[-1] = Span(merged[-1].start, max(merged[-1].end, sp.end))
            else:
                merged.append(sp)
        self.spans = merged
        self._starts = [s.start for s in merged]

    def touches(self, start: int, end: int) -> bool:
        """True if [start, end) overlaps any protected span."""
        i = bisect.bisect_right(self._starts, end - 1) - 1
        return i >= 0 and self.spans[i].end > start

    def __len__(self) -> int:
        return len(self.spans)


def quoted_spans(text: str) -> ProtectedSpans:
    """Spans of quoted text (the marks included)."""
    return ProtectedSpans([Span(m.start(), m.end()) for m in _QUOTED.finditer(text)])
