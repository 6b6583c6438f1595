"""The word list that says a span is a real word (so a near miss of an idiom is not a misspelling).

Sources, all in ``dictionaries/``: pycorrector's word frequencies, jieba's core dictionary (the
segmenter's own), the official-document and legal vocabularies and place names (see
``dictionaries/typo/`` headers and ``dictionaries/segment/build.py``). Read once per process, and
only when a check needs it: it costs a few tenths of a second.
"""
from __future__ import annotations

import re
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
WORD_FILES = tuple(DICTIONARIES_DIR / name for name in _FILES)
_lock = threading.Lock()
_words: frozenset[str] | None = None


#: A line's first field when it is a word of two or more characters (``#`` lines are headers).
#: No capturing group: findall then returns the match itself, 40% faster over the 2.9 MB of lists.
_WORD = re.compile(r"^[^\s#]\S+", re.M)


def words() -> frozenset[str]:
    """Every word of two or more characters in the word lists."""
    global _words
    if _words is None:
        with _lock:
            if _words is None:
                found: set[str] = set()
                for path in WORD_FILES:
                    if path.is_file():
                        # One regex over the whole file: a third of the time of a loop over lines.
                        found.update(_WORD.findall(path.read_text(encoding="utf-8")))
                _words = frozenset(found)
    return _words
