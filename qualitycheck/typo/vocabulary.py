"""The word list that says a span is a real word (so a near miss of an idiom is not a misspelling).

Sources, all in ``dictionaries/``: pycorrector's word frequencies, jieba's core dictionary (the
segmenter's own), the official-document and legal vocabularies and place names (see
``dictionaries/typo/`` headers and ``dictionaries/segment/build.py``). Read once per process, and
only when a check needs it: it costs a few tenths of a second.
"""
from __future__ import annotations

import threading

from ..paths import DICTIONARIES_DIR

_FILES = (
    "typo/word_freq.txt",
    "segment/core.txt",
    "terms/official_terms.txt",
    "typo/official_terms.txt",
    "typo/official_phrases.txt",
    "typo/legal_terms.txt",
    "typo/place_name.txt",
)
_lock = threading.Lock()
_words: frozenset[str] | None = None


def words() -> frozenset[str]:
    """Every word of two or more characters in the word lists."""
    global _words
    if _words is None:
        with _lock:
            if _words is None:
                found: set[str] = set()
                for name in _FILES:
                    path = DICTIONARIES_DIR / name
                    if not path.is_file():
                        continue
                    with path.open(encoding="utf-8") as handle:
                        for line in handle:
                            if line.startswith("#"):
                                continue
                            word = line.split(None, 1)[0] if line.strip() else ""
                            if len(word) >= 2:
                                found.add(word)
                _words = frozenset(found)
    return _words
