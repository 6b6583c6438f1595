"""Near-miss matching of a fixed-expression lexicon (成语, 提法): spans one edit away from an entry.

An edit is one character replaced by a same-sound or similar-shape character (再接再励 for
再接再厉), or two neighbouring characters swapped (按就部班). The index holds every
one-substitution key of every entry (the entry with one position blanked), so a text is scanned
with a few dictionary lookups per position whatever the lexicon's size. Which spans are real
words, and so never flagged, is the caller's business (``is_word``): this module only knows the
lexicon and the confusion sets.
"""
from __future__ import annotations

import gc
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping

_BLANK = "\x00"
_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]{4,}")


def is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF


@dataclass(frozen=True)
class NearMiss:
    start: int
    end: int
    wrong: str
    right: str
    #: "substitution" (one character) or "transposition" (two neighbours swapped)
    kind: str
    position: int  # index inside the span of the first changed character


class NearMissIndex:
    """All one-substitution and one-transposition variants of a lexicon, by key."""

    def __init__(self, entries: Iterable[str], confusable: Mapping[str, Iterable[str]],
                 min_len: int = 4, max_len: int = 8):
        # The index is a few hundred thousand small long-lived objects: the cyclic collector would
        # rescan them over and over while they are made (about 0.4 s of a cold `check`).
        paused = gc.isenabled()
        gc.disable()
        try:
            self._build(entries, confusable, min_len, max_len)
        finally:
            if paused:
                gc.enable()

    def _build(self, entries: Iterable[str], confusable: Mapping[str, Iterable[str]], min_len: int, max_len: int) -> None:
        self.entries = frozenset(e for e in entries if min_len <= len(e) <= max_len and all(map(is_han, e)))
        self.confusable = {ch: frozenset(alts) for ch, alts in confusable.items()}
        self.lengths = tuple(sorted({len(e) for e in self.entries}))
        # Sorted, so that where a span is one edit from several entries the same one is chosen
        # in every process (set order follows the per-process string hash).
        ordered = sorted(self.entries)
        # blanked key -> [(entry, position)]. The blank's place is part of the key, so all entries
        # under one key share the position; built a position at a time (this runs at start-up).
        self._subst: dict[str, list[tuple[str, int]]] = {}
        for i in range(self.lengths[-1] if self.lengths else 0):
            group = [e for e in ordered if len(e) > i]
            for key, entry in zip([e[:i] + _BLANK + e[i + 1:] for e in group], group):
                hits = self._subst.get(key)
                if hits is None:
                    self._subst[key] = [(entry, i)]
                else:
                    hits.append((entry, i))
        # swapped form -> (entry, position of the first swapped character)
        self._swap: dict[str, tuple[str, int]] = {}
        for entry in ordered:
            for i in range(len(entry) - 1):
                if entry[i] != entry[i + 1]:
                    swapped = entry[:i] + entry[i + 1] + entry[i] + entry[i + 2:]
                    if swapped not in self.entries and swapped not in self._swap:
                        self._swap[swapped] = (entry, i)
        # Half-keys: a one-substitution variant of an entry of length >= 4 keeps either its first
        # two or its last two characters, so a span whose halves match no entry's or swapped
        # form's is skipped at once (most spans of a text).
        self._heads: set[tuple[int, str]] = {(len(e), e[:2]) for e in self.entries}
        self._tails: set[tuple[int, str]] = {(len(e), e[-2:]) for e in self.entries}
        self._heads |= {(len(w), w[:2]) for w in self._swap}
        self._tails |= {(len(w), w[-2:]) for w in self._swap}
        # bigram -> [(span length, its offset in the span)]: the half-keys, for finditer's scan.
        self._bigram_roles: dict[str, list[tuple[int, int]]] = {}
        for length, head in self._heads:
            self._bigram_roles.setdefault(head, []).append((length, 0))
        for length, tail in self._tails:
            self._bigram_roles.setdefault(tail, []).append((length, length - 2))

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, span: str) -> NearMiss | None:
        """The entry ``span`` is one edit away from, if any (``span`` itself not an entry)."""
        if span in self.entries:
            return None
        n = len(span)
        if (n, span[:2]) not in self._heads and (n, span[-2:]) not in self._tails:
            return None
        swap = self._swap.get(span)
        if swap is not None:
            return NearMiss(0, n, span, swap[0], "transposition", swap[1])
        for i, ch in enumerate(span):
            hits = self._subst.get(span[:i] + _BLANK + span[i + 1:])
            if not hits:
                continue
            for entry, pos in hits:
                if ch in self.confusable.get(entry[pos], ()):
                    return NearMiss(0, n, span, entry, "substitution", pos)
        return None

    def finditer(self, text: str, is_word: Callable[[str], bool] = lambda s: False) -> Iterator[NearMiss]:
        """Near misses in ``text``, leftmost first, never overlapping, longest entry first.

        A span for which ``is_word`` is true (a dictionary word: 按步骤, 为人处事) is never a miss.
        """
        roles = self._bigram_roles
        for run_start, run in _han_runs(text):
            n = len(run)
            # One lookup per character pair: which spans could this pair be the head or tail of?
            candidates: dict[int, set[int]] = {}
            for i in range(n - 1):
                for length, offset in roles.get(run[i:i + 2], ()):
                    start = i - offset
                    if start >= 0 and start + length <= n:
                        candidates.setdefault(start, set()).add(length)
            free = 0
            for start in sorted(candidates):
                if start < free:
                    continue
                for length in sorted(candidates[start], reverse=True):
                    span = run[start:start + length]
                    miss = self.lookup(span)
                    if miss is not None and not is_word(span):
                        at = run_start + start
                        yield NearMiss(at, at + length, span, miss.right, miss.kind, miss.position)
                        free = start + length
                        break


def _han_runs(text: str) -> Iterator[tuple[int, str]]:
    for m in _HAN_RUN.finditer(text):
        yield m.start(), m.group()
