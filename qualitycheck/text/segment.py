"""jieba segmentation with the official-terms dictionary, loaded once per process.

jieba keeps its dictionary as a prefix dictionary (every word and every prefix of a word, with
its frequency). Built from core.txt and the term lists it takes about 0.3 s at every cold start,
most of it unmarshalling jieba's own cache. ``dictionaries/segment/prefix_dict.npz`` holds the
finished prefix dictionary, written by real jieba (``compile_prefix_dict``), as one UTF-8 blob
and a frequency array: it loads in a fifth of the time and gives jieba the very same table. It
records a digest of the files it was made from; when they change it is ignored (and jieba builds
the table itself) until ``python dictionaries/segment/build.py`` writes it anew.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from .. import stored
from ..paths import DICTIONARIES_DIR

_lock = threading.Lock()
_tokenizer = None
TERMS_DIR = DICTIONARIES_DIR / "terms"
# jieba's 100k most frequent words (dictionaries/segment/build.py): a fifth of the load time of
# its full dictionary, the same answers for the checks.
CORE_DICT = DICTIONARIES_DIR / "segment" / "core.txt"
PREFIX_DICT = DICTIONARIES_DIR / "segment" / "prefix_dict.npz"


def _sources() -> list[Path]:
    terms = sorted(Path(TERMS_DIR).glob("*.txt")) if TERMS_DIR.is_dir() else []
    return ([CORE_DICT] if CORE_DICT.is_file() else []) + terms


def _jieba():
    """jieba, imported without pkg_resources. jieba imports setuptools' pkg_resources only to
    open its bundled files, and falls back to opening them by path without it; in a fresh
    Python 3.11 venv (setuptools 65) that import costs 0.1 s of every cold `check`."""
    import sys

    block = "pkg_resources" not in sys.modules
    if block:
        sys.modules["pkg_resources"] = None  # makes `import pkg_resources` raise ImportError
    try:
        import jieba
    finally:
        if block and sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    return jieba


def _built_tokenizer():
    """jieba's own way: its dictionary file, then each term list as a user dictionary."""
    jieba = _jieba()
    tok = jieba.Tokenizer(dictionary=str(CORE_DICT)) if CORE_DICT.is_file() else jieba.Tokenizer()
    tok.initialize()
    for path in _sources()[1 if CORE_DICT.is_file() else 0:]:
        tok.load_userdict(str(path))
    return tok


def _compiled_tokenizer():
    """A Tokenizer given the stored prefix dictionary, or None when it is missing or stale."""
    table = stored.load_as(PREFIX_DICT, _digest(), lambda a: (
        dict(zip(stored.unpack_strings(a["words"], len(a["freq"])), a["freq"].tolist())), int(a["total"])))
    if table is None:
        return None
    tok = _jieba().Tokenizer(dictionary=str(CORE_DICT))
    # What Tokenizer.initialize() would have loaded; cut() reads only these three.
    tok.FREQ, tok.total = table
    tok.initialized = True
    return tok


def _digest() -> str:
    return stored.source_digest(_sources(), "jieba-prefix-1")


def compile_prefix_dict(out: Path = PREFIX_DICT) -> int:
    """Write the prefix dictionary real jieba builds from our sources; returns its size."""
    import numpy as np

    tok = _built_tokenizer()
    words = sorted(tok.FREQ)
    stored.save(out, _digest(), {"words": stored.pack_strings(words),
                                 "freq": np.array([tok.FREQ[w] for w in words], dtype=np.int64),
                                 "total": np.array(tok.total)})
    return len(words)


def tokenizer():
    """The process-wide jieba Tokenizer with our user dictionaries added."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _compiled_tokenizer() or _built_tokenizer()
    return _tokenizer


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) for each jieba token of text (precise mode, HMM on)."""
    return list(tokenizer().tokenize(text))
