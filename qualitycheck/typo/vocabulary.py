"""The word list that says a span is a real word (so a near miss of an idiom is not a misspelling).

Sources, all in ``dictionaries/``: pycorrector's word frequencies, jieba's core dictionary (the
segmenter's own), the official-document and legal vocabularies and place names (see
``dictionaries/typo/`` headers and ``dictionaries/segment/build.py``). Read once per process, and
only when a check needs it, from the merged copy words.npz while the lists are unchanged.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

import numpy as np

from ..paths import DICTIONARIES_DIR
from .. import stored

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
#: The merged list ready-made (dictionaries/typos/build_stored.py), read while WORD_FILES are unchanged:
#: splitting one blob takes a fraction of the regex pass over 2.9 MB of lists.
STORED_WORDS = DICTIONARIES_DIR / "typos" / "words.npz"
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
                _words = _stored_words() or build_words()
    return _words


def build_words() -> frozenset[str]:
    """The word lists read from their files."""
    found: set[str] = set()
    for path in WORD_FILES:
        if path.is_file():
            # One regex over the whole file: a third of the time of a loop over lines.
            found.update(_WORD.findall(path.read_text(encoding="utf-8")))
    return frozenset(found)


@lru_cache(maxsize=1)
def words_digest() -> str:
    """Digest of the word lists (hashed once per process: the stored words and the stored
    formulation table both depend on them)."""
    return stored.source_digest(WORD_FILES, "words-1")


def write_stored_words() -> int:
    """Write STORED_WORDS (dictionaries/typos/build_stored.py); returns the number of words."""
    found = sorted(build_words())
    stored.save(STORED_WORDS, words_digest(), {"words": stored.pack_strings(found), "count": np.array(len(found))})
    return len(found)


def _stored_words() -> frozenset[str] | None:
    return stored.load_as(STORED_WORDS, words_digest(),
                          lambda a: frozenset(stored.unpack_strings(a["words"], int(a["count"]))))
