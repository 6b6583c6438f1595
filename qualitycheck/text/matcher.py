"""Find many literal phrases at once with one compiled trie-shaped regex."""

from __future__ import annotations

import re
from typing import Generic, Iterator, TypeVar

T = TypeVar("T")


def _trie_pattern(words: list[str]) -> str:
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = node.get("", False)
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch != ""]
        if not branches:
            return ""
        # Longer continuations come first so the regex prefers the longest phrase.
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)


class PhraseMatcher(Generic[T]):
    """All non-overlapping, leftmost-longest occurrences of known phrases."""

    def __init__(self, phrases: dict[str, T]):
        self.phrases = {p: v for p, v in phrases.items() if p}
        self._regex = re.compile(_trie_pattern(list(self.phrases))) if self.phrases else None

    def finditer(self, text: str) -> Iterator[tuple[int, int, str, T]]:
        if self._regex is None:
            return
        for m in self._regex.finditer(text):
            if m.end() > m.start():
                yield m.start(), m.end(), m.group(), self.phrases[m.group()]

    def __len__(self) -> int:
        return len(self.phrases)
