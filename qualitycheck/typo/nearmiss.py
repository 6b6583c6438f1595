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

import numpy as np

from ..stored import pack_strings, unpack_strings

_BLANK = "\x00"
_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]{4,}")
_HAN_ONLY = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]+")


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
                 min_len: int = 4, max_len: int = 8, loose: Mapping[str, Iterable[str]] | None = None):
        # The index is a few hundred thousand small long-lived objects: the cyclic collector would
        # rescan them over and over while they are made (about 0.4 s of a cold `check`).
        paused = gc.isenabled()
        gc.disable()
        try:
            self._build(entries, confusable, min_len, max_len, loose or {})
        finally:
            if paused:
                gc.enable()

    def _build(self, entries: Iterable[str], confusable: Mapping[str, Iterable[str]], min_len: int, max_len: int,
               loose: Mapping[str, Iterable[str]]) -> None:
        self.entries = frozenset(e for e in entries if min_len <= len(e) <= max_len and _HAN_ONLY.fullmatch(e))
        self.confusable = _alternatives(confusable)
        # A second tier (near homophones, lookalike glyphs): a span is matched through it only when
        # no entry is reached through ``confusable``, so 各行其事 stays 各行其是, never 各行其志.
        self.loose = _alternatives(loose)
        self.lengths = tuple(sorted({len(e) for e in self.entries}))
        self._signatures = frozenset("".join(sorted(e)) for e in self.entries)
        # Sorted, so that where a span is one edit from several entries the same one is chosen
        # in every process (set order follows the per-process string hash).
        ordered = sorted(self.entries)
        # blanked key -> the entry, or a list of entries when several share the key. The blank's
        # place is part of the key, so it is also the changed position. A plain string per key
        # keeps the index to few objects: it is built at every cold start.
        subst: dict[str, str | list[str]] = {}
        for i in range(self.lengths[-1] if self.lengths else 0):
            group = [e for e in ordered if len(e) > i]
            for key, entry in zip([e[:i] + _BLANK + e[i + 1:] for e in group], group):
                hit = subst.get(key)
                if hit is None:
                    subst[key] = entry
                elif isinstance(hit, str):
                    subst[key] = [hit, entry]
                else:
                    hit.append(entry)
        self._subst = subst
        # bigram -> the roles it can play in a variant: (span length, offset, chars, chars). A
        # one-substitution or one-swap variant of an entry keeps its first two or its last two
        # characters (offset 0 or n-2), except a swap of the middle pair of a four-character entry
        # (按就部班: first and third, second and fourth). The two character sets then say what
        # the span's other end must hold: with the head kept, the last or the second-last
        # character of some such entry (swapped ones included); with the tail kept, the first or
        # the second. A text is scanned with one lookup per character pair and two ``in`` tests
        # per role, and only the few spans that pass are matched (about 1 in 20 of an article's).
        grouped: dict[tuple[str, int, int], tuple[set[str], set[str]]] = {}

        def role(bigram: str, n: int, offset: int, first: str, second: str) -> None:
            sets = grouped.setdefault((bigram, n, offset), (set(), set()))
            sets[0].update(first)
            sets[1].update(second)

        for e in ordered:
            n = len(e)
            # head kept: the substituted or swapped place is at 2 or later, so the last or the
            # second-last character stays (a swap of the last two exchanges them)
            role(e[:2], n, 0, e[-2] + e[-1], e[-1] + e[-2])
            # tail kept: the first or the second character stays (or the first two are swapped)
            role(e[-2:], n, n - 2, e[0] + e[1], e[1] + e[0])
            if n == 4:
                role(e[0] + e[2], 4, 0, e[1], e[3])
                role(e[1] + e[3], 4, 2, e[0], e[2])
        roles: dict[str, list[tuple[int, int, str, str]]] = {}
        for (bigram, n, offset), (first, second) in sorted(grouped.items()):
            roles.setdefault(bigram, []).append((n, offset, "".join(sorted(first)), "".join(sorted(second))))
        self._bigram_roles = roles

    def __len__(self) -> int:
        return len(self.entries)

    # -------------------------------------------------------------- storage (see stored.py)
    def to_arrays(self) -> dict[str, np.ndarray]:
        """The index as plain arrays; ``from_arrays`` rebuilds it without recomputing a key."""
        ordered = sorted(self.entries)
        at = {e: i for i, e in enumerate(ordered)}
        keys = sorted(self._subst)
        hits = [[v] if isinstance(v, str) else v for v in (self._subst[k] for k in keys)]
        bigrams = sorted(self._bigram_roles)
        roles = [self._bigram_roles[b] for b in bigrams]
        return {
            "entries": pack_strings(ordered), "n_entries": np.array(len(ordered)),
            "subst_keys": pack_strings(keys), "subst_count": np.array([len(h) for h in hits], np.int32),
            "subst_entry": np.array([at[e] for h in hits for e in h], np.int32),
            "bigrams": pack_strings(bigrams), "role_count": np.array([len(r) for r in roles], np.int32),
            "role_length": np.array([r[0] for rs in roles for r in rs], np.int32),
            "role_offset": np.array([r[1] for rs in roles for r in rs], np.int32),
            "role_first": pack_strings(r[2] for rs in roles for r in rs),
            "role_second": pack_strings(r[3] for rs in roles for r in rs),
            "signatures": pack_strings(sorted(self._signatures)), "n_signatures": np.array(len(self._signatures)),
            **_pack_alternatives("conf", self.confusable),
            **_pack_alternatives("loose", self.loose),
        }

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> "NearMissIndex":
        paused = gc.isenabled()
        gc.disable()  # as in __init__: a few hundred thousand long-lived objects
        try:
            return cls._from_arrays(a)
        finally:
            if paused:
                gc.enable()

    @classmethod
    def _from_arrays(cls, a: dict[str, np.ndarray]) -> "NearMissIndex":
        self = cls.__new__(cls)
        ordered = unpack_strings(a["entries"], int(a["n_entries"]))
        self.entries = frozenset(ordered)
        self.lengths = tuple(sorted({len(e) for e in ordered}))
        self._signatures = frozenset(unpack_strings(a["signatures"], int(a["n_signatures"])))
        self.confusable = _unpack_alternatives("conf", a)
        self.loose = _unpack_alternatives("loose", a)
        # Whole-array steps (map, zip, dict) rather than a Python loop per key: the loop alone was
        # as slow as building the index.
        counts = a["subst_count"]
        keys = unpack_strings(a["subst_keys"], len(counts))
        flat, starts = a["subst_entry"], np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        subst: dict[str, str | list[str]] = dict(zip(keys, map(ordered.__getitem__, flat[starts].tolist())))
        for k in np.flatnonzero(counts > 1).tolist():  # keys several entries share: a few hundred
            subst[keys[k]] = [ordered[j] for j in flat[starts[k]:starts[k] + counts[k]].tolist()]
        self._subst = subst
        ends = np.cumsum(a["role_count"]).tolist()
        total = ends[-1] if ends else 0
        role_list = list(zip(a["role_length"].tolist(), a["role_offset"].tolist(),
                             unpack_strings(a["role_first"], total), unpack_strings(a["role_second"], total)))
        bigrams = unpack_strings(a["bigrams"], len(ends))
        self._bigram_roles = dict(zip(bigrams, map(role_list.__getitem__, map(slice, [0] + ends[:-1], ends))))
        return self

    def lookup(self, span: str) -> NearMiss | None:
        """The entry ``span`` is one edit away from, if any (``span`` itself not an entry)."""
        entries = self.entries
        if span in entries:
            return None
        return self._match(span)

    def _match(self, span: str) -> NearMiss | None:
        """lookup() for a span the scan already found a candidate (not an entry, halves known)."""
        entries, n = self.entries, len(span)
        swap: tuple[str, int] | None = None
        # A swap keeps the characters: unless some entry has exactly these, skip the n-1 tries
        # (a quarter of the check's time went to them).
        for i in range(n - 1) if "".join(sorted(span)) in self._signatures else ():
            if span[i] != span[i + 1]:
                swapped = span[:i] + span[i + 1] + span[i] + span[i + 2:]
                # the smallest entry wins, so the choice does not follow the string hash
                if swapped in entries and (swap is None or swapped < swap[0]):
                    swap = (swapped, i)
        if swap is not None:
            return NearMiss(0, n, span, swap[0], "transposition", swap[1])
        subst, confusable, loose = self._subst, self.confusable, self.loose
        near: NearMiss | None = None
        for i in range(n):
            hit = subst.get(span[:i] + _BLANK + span[i + 1:])
            if hit is None:
                continue
            ch = span[i]
            for entry in (hit,) if hit.__class__ is str else hit:
                if ch in confusable.get(entry[i], ()):
                    return NearMiss(0, n, span, entry, "substitution", i)
                if near is None and ch in loose.get(entry[i], ()):
                    near = NearMiss(0, n, span, entry, "substitution", i)
        return near

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
                for length, offset, first, second in roles.get(run[i:i + 2], ()):
                    start = i - offset
                    end = start + length
                    if start < 0 or end > n:
                        continue
                    # the other end of the span must hold what a variant of such an entry holds
                    if (run[end - 2] in first or run[end - 1] in second) if offset == 0 else \
                            (run[start] in first or run[start + 1] in second):
                        candidates.setdefault(start, set()).add(length)
            free = 0
            for start in sorted(candidates):
                if start < free:
                    continue
                for length in sorted(candidates[start], reverse=True):
                    span = run[start:start + length]
                    miss = None if span in self.entries else self._match(span)
                    if miss is not None and not is_word(span):
                        at = run_start + start
                        yield NearMiss(at, at + length, span, miss.right, miss.kind, miss.position)
                        free = start + length
                        break


def _alternatives(mapping: Mapping[str, Iterable[str]]) -> dict[str, str | frozenset[str]]:
    """Character -> its one-character alternatives. A string is kept as it is: ``in`` on a short
    string is as quick as on a set, and 230k one-character strings are not made at every cold start."""
    return {ch: alts if isinstance(alts, str) else frozenset(alts) for ch, alts in mapping.items() if alts}


def _pack_alternatives(name: str, mapping: Mapping[str, str | frozenset[str]]) -> dict[str, np.ndarray]:
    """A table of _alternatives as arrays: its characters, and one string of alternatives each."""
    chars = sorted(mapping)
    return {f"{name}_chars": pack_strings(chars), f"n_{name}": np.array(len(chars)),
            f"{name}_alts": pack_strings(m if isinstance(m, str) else "".join(sorted(m)) for m in map(mapping.__getitem__, chars))}


def _unpack_alternatives(name: str, a: dict[str, np.ndarray]) -> dict[str, str]:
    chars = unpack_strings(a[f"{name}_chars"], int(a[f"n_{name}"]))
    return dict(zip(chars, unpack_strings(a[f"{name}_alts"], len(chars))))


def _han_runs(text: str) -> Iterator[tuple[int, str]]:
    for m in _HAN_RUN.finditer(text):
        yield m.start(), m.group()
