"""Sentence splitting that keeps offsets into the original text."""

from __future__ import annotations

import re
from typing import Iterator

# A sentence ends at 。！？!? (plus closing quotes/brackets after them), a
# semicolon, or a line break. Keeping offsets lets findings point at the source.
_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]+[”’」』）)]*|\n|$)")


def split_sentences(text: str) -> Iterator[tuple[int, str]]:
    """Yield (offset, sentence) for each non-blank sentence of text."""
    for m in _SENTENCE.finditer(text):
        sentence = m.group()
        if sentence.strip():
            yield m.start(), sentence
