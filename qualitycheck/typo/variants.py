"""The one-edit misspellings of a small list of fixed phrases (提法, leaders' names), enumerated.

For a list of a few hundred phrases every likely misspelling can be written out in advance: one
character replaced by a same-sound or similar-shape one (两个卫护), one word of the phrase replaced
by a same-sound word (中国特色社会注意: 主义 → 注意), one inner character dropped (中国特社会主义),
one character typed twice (习习近平), two neighbours swapped. A text is then scanned with a
dictionary lookup per position and candidate length. (The idiom lexicon is too big for this:
``nearmiss.NearMissIndex`` keys it by blanked positions instead.)

What counts as a real word or an accepted form is the caller's business; this module drops only
variants that are themselves phrases of the list.
"""
from __future__ import annotations

from typing import Collection, Iterable, Iterator, Mapping, NamedTuple

import numpy as np

from ..stored import pack_strings, unpack_strings

#: Numerals are the distinctive part of counted formulations (四个意识, 两个确立); replacing one
#: gives another count, or ordinary text (是个意识), never a misspelling worth a single veto.
NUMERALS = frozenset("〇零一二三四五六七八九十百千万两")


class Variant(NamedTuple):
    """How a misspelling differs from its phrase (a tuple: a few thousand are made per phrase list
    at every cold start, three times faster than a frozen dataclass)."""

    right: str
    #: substitution, word-substitution, deletion, doubling or transposition
    kind: str
    #: index in the variant of the first character that differs from the phrase
    position: int


def one_edit_variants(
    phrase: str,
    confusable: Mapping[str, Collection[str]],
    *,
    vocabulary: Collection[str] = (),
    word_confusable: Mapping[str, Collection[str]] | None = None,
    deletions: bool = True,
    doublings: bool = True,
    edge_doublings: bool = True,
    transpositions: bool = True,
    word_substitutions: bool = True,
) -> Iterator[tuple[str, Variant]]:
    """Every misspelling of ``phrase`` one edit away, with what the edit was.

    A word substitution replaces two neighbouring characters that are a word of ``vocabulary`` by
    two confusable characters that are a word too (主义 → 注意); it is an edit of one word, the
    way a pinyin input method makes it; its characters come from ``word_confusable`` (default
    ``confusable``: a narrower table keeps the pairs, one table squared, few). ``edge_doublings``: the first or last character doubled
    (习习近平) as well as an inner one (金山银银山).
    """
    n = len(phrase)
    for i, ch in enumerate(phrase):
        if ch in NUMERALS:
            continue
        for alt in sorted(confusable.get(ch, ())):
            if alt not in NUMERALS:
                yield phrase[:i] + alt + phrase[i + 1:], Variant(phrase, "substitution", i)
    if word_confusable is None:
        word_confusable = confusable
    if word_substitutions and vocabulary:
        for i in range(n - 1):
            if phrase[i:i + 2] not in vocabulary or phrase[i] in NUMERALS or phrase[i + 1] in NUMERALS:
                continue
            for a in sorted(word_confusable.get(phrase[i], ())):
                for b in sorted(word_confusable.get(phrase[i + 1], ())):
                    if a + b in vocabulary and not NUMERALS.intersection(a + b):
                        yield phrase[:i] + a + b + phrase[i + 2:], Variant(phrase, "word-substitution", i)
    if deletions:
        # Inner characters only: without its first or last character a phrase is a plain prefix or
        # suffix of itself (中国特色社会主 is in every 中国特色社会主义).
        for i in range(1, n - 1):
            yield phrase[:i] + phrase[i + 1:], Variant(phrase, "deletion", i)
    if doublings:
        # A first or last character typed twice is often a character of the next word instead
        # (公司中中国共产党, 中华人民共和国国歌): callers with words of their own turn it off.
        for i in range(n) if edge_doublings else range(1, n - 1):
            yield phrase[:i + 1] + phrase[i:], Variant(phrase, "doubling", i + 1)
    if transpositions:
        for i in range(n - 1):
            if phrase[i] != phrase[i + 1]:
                yield phrase[:i] + phrase[i + 1] + phrase[i] + phrase[i + 2:], Variant(phrase, "transposition", i)


def edited_edges(variant: Variant, length: int) -> tuple[bool, bool]:
    """(left, right): which ends of a matched span of ``length`` the edit may have made. A
    deletion shortens the phrase to a prefix and suffix that may be words of their own
    (社会主义现代化国家 is no 社会主义现代化强国 short of 强); an edit of the first or last character
    may be the neighbour's word instead (核心发展理念, 学习习近平)."""
    if variant.kind == "deletion":
        return True, True
    width = 2 if variant.kind in ("transposition", "word-substitution") else 1
    if variant.kind == "doubling":  # the extra copy sits at ``position``; the original is before it
        return variant.position == 1, variant.position == length - 1
    return variant.position == 0, variant.position + width >= length


def joined_to_neighbour(text: str, start: int, end: int, edges: tuple[bool, bool],
                        vocabulary: Collection[str]) -> bool:
    """True when a word of ``vocabulary`` runs from the text before the span into its first
    character (``edges[0]``), or from its last character into the text after it (``edges[1]``):
    then the span's edge more likely belongs to that word than to a misspelled phrase. A word of one
    repeated character (习习) does not count: beside a doubled character it is the doubling itself
    (学习习习近平)."""
    left, right = edges
    for k in (2, 3, 4):
        for word in ((text[start - k + 1:start + 1] if left and start - k + 1 >= 0 else ""),
                     (text[end - 1:end - 1 + k] if right and end - 1 + k <= len(text) else "")):
            if word and word in vocabulary and len(set(word)) > 1:
                return True
    return False


class VariantTable:
    """Misspelling → the phrase it misspells, and a scan of a text for them."""

    def __init__(self, variants: Iterable[tuple[str, Variant]], phrases: Collection[str]):
        phrases = frozenset(phrases)
        table: dict[str, Variant] = {}
        for wrong, variant in variants:
            # The first phrase to claim a spelling keeps it: callers pass phrases in a fixed order.
            if len(wrong) >= 2 and wrong not in phrases and wrong not in table:
                table[wrong] = variant
        self.variants = table
        self._heads = self._heads_of(table)

    @staticmethod
    def _heads_of(table: Mapping[str, Variant]) -> dict[str, tuple[int, ...]]:
        """first two characters -> the lengths of variants starting with them, longest first"""
        heads: dict[str, set[int]] = {}
        for wrong in table:
            heads.setdefault(wrong[:2], set()).add(len(wrong))
        return {head: tuple(sorted(lengths, reverse=True)) for head, lengths in heads.items()}

    def __len__(self) -> int:
        return len(self.variants)

    # -------------------------------------------------------------- storage (see stored.py)
    def to_arrays(self) -> dict[str, np.ndarray]:
        wrongs = list(self.variants)  # insertion order: the order phrases claimed them
        rights = sorted({v.right for v in self.variants.values()})
        at = {r: i for i, r in enumerate(rights)}
        kinds = sorted({v.kind for v in self.variants.values()})
        return {
            "wrongs": pack_strings(wrongs), "n_wrongs": np.array(len(wrongs)),
            "rights": pack_strings(rights), "n_rights": np.array(len(rights)),
            "kinds": pack_strings(kinds), "n_kinds": np.array(len(kinds)),
            "right": np.array([at[v.right] for v in self.variants.values()], np.int32),
            "kind": np.array([kinds.index(v.kind) for v in self.variants.values()], np.int32),
            "position": np.array([v.position for v in self.variants.values()], np.int32),
        }

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> "VariantTable":
        wrongs = unpack_strings(a["wrongs"], int(a["n_wrongs"]))
        rights = unpack_strings(a["rights"], int(a["n_rights"]))
        kinds = unpack_strings(a["kinds"], int(a["n_kinds"]))
        variants = zip(map(rights.__getitem__, a["right"].tolist()), map(kinds.__getitem__, a["kind"].tolist()),
                       a["position"].tolist())
        self = cls((), ())
        self.variants = dict(zip(wrongs, map(Variant._make, variants)))
        self._heads = self._heads_of(self.variants)
        return self

    def finditer(self, text: str) -> Iterator[tuple[int, int, str, Variant]]:
        """Leftmost, then longest, non-overlapping misspellings in ``text``."""
        heads, table = self._heads, self.variants
        i, n = 0, len(text)
        while i < n - 1:
            lengths = heads.get(text[i:i + 2])
            if lengths:
                for length in lengths:
                    wrong = text[i:i + length]
                    variant = table.get(wrong) if len(wrong) == length else None
                    if variant is not None:
                        yield i, i + length, wrong, variant
                        i += length
                        break
                else:
                    i += 1
            else:
                i += 1
