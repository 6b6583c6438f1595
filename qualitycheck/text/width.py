"""How wide a text shows in a terminal or a spreadsheet column."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Columns a text takes: CJK and other wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
