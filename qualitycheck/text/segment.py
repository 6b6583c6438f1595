"""jieba segmentation with the official-terms dictionary, loaded once per process."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from ..paths import DICTIONARIES_DIR

_lock = threading.Lock()
_tokenizer = None
TERMS_DIR = DICTIONARIES_DIR / "terms"
# jieba's 100k most frequent words (dictionaries/segment/build.py): a fifth of the load time of
# its full dictionary, the same answers for the checks.
CORE_DICT = DICTIONARIES_DIR / "segment" / "core.txt"


def tokenizer():
    """The process-wide jieba Tokenizer with our user dictionaries added."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer(dictionary=str(CORE_DICT)) if CORE_DICT.is_file() else jieba.Tokenizer()
                tok.initialize()
                for path in sorted(Path(TERMS_DIR).glob("*.txt")) if TERMS_DIR.is_dir() else []:
                    tok.load_userdict(str(path))
                _tokenizer = tok
    return _tokenizer


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) for each jieba token of text (precise mode, HMM on)."""
    return list(tokenizer().tokenize(text))
