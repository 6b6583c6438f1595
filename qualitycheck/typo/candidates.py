"""Confusion sets (precomputed at build time) and protected spans.

Nothing here converts pinyin at run time: ``models/typo/tables.npz`` already holds, for every
CJK character, the vocabulary characters it is commonly confused with and why (a bit mask of
``T_*`` reasons, see :mod:`qualitycheck.typo.dictdata`).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .dictdata import (T_FUZZY, T_PYC_PINYIN, T_PYC_SHAPE, T_SAME_SYL, T_SAME_TONE,  # noqa: F401
                       T_SHAPE)

T_ANY = 64  # proposed by the language model alone (no sound or shape relation)

# Spans the engine never edits: titles in 《》 (and 〈〉), plus the marks themselves.
_TITLE = re.compile(r"《[^《》\n]{0,200}》|〈[^〈〉\n]{0,200}〉")


class Tables:
    """Confusion candidates, word list, names and explicit word pairs."""

    def __init__(self, path: str | Path, cp_table: np.ndarray):
        z = np.load(path, allow_pickle=False)
        chars = str(z["conf_chars"])
        self.conf_off = z["conf_off"].astype(np.int64)
        self.conf_ids = z["conf_ids"].astype(np.int64)
        self.conf_types = z["conf_types"].astype(np.int64)
        # code point -> row in the confusion table (-1: none)
        self.cp_row = np.full(cp_table.shape[0], -1, dtype=np.int64)
        if chars:
            cps = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32)
            self.cp_row[cps] = np.arange(len(chars))
        self._words_raw = str(z["words"])
        self._names_raw = str(z["names"])
        self.pairs = {}
        for line in str(z["pairs"]).split("\n"):
            if "\t" in line:
                wrong, right = line.split("\t")
                self.pairs[wrong] = right
        self._words: frozenset[str] | None = None
        self._names: frozenset[str] | None = None

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = frozenset(self._words_raw.split("\n"))
        return self._words

    @property
    def names(self) -> frozenset[str]:
        if self._names is None:
            self._names = frozenset(self._names_raw.split("\n"))
        return self._names

    def candidates(self, ch: str) -> tuple[np.ndarray, np.ndarray]:
        r = self.cp_row[ord(ch)]
        if r < 0:
            return self.conf_ids[:0], self.conf_types[:0]
        a, b = self.conf_off[r], self.conf_off[r + 1]
        return self.conf_ids[a:b], self.conf_types[a:b]


def protected_mask(text: str) -> np.ndarray:
    """Boolean per character: True where the engine must not edit (《》 titles)."""
    mask = np.zeros(len(text), dtype=bool)
    if "《" in text or "〈" in text:
        for m in _TITLE.finditer(text):
            mask[m.start():m.end()] = True
    return mask


def covering(text: str, pos: int, vocab: frozenset[str], lengths=(2, 3, 4)) -> bool:
    """True if some entry of ``vocab`` of the given lengths covers character ``pos``."""
    n = len(text)
    for L in lengths:
        for j in range(max(0, pos - L + 1), min(pos, n - L) + 1):
            if text[j:j + L] in vocab:
                return True
    return False
