"""QC105 typo.idiom: an idiom or fixed expression with one character wrong (再接再励, 美仑美奂)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Iterable

from ..document import Finding
from ..errors import DictionaryError
from ..paths import DICTIONARIES_DIR
from .. import stored
from ..typo.nearmiss import NearMiss, NearMissIndex
from ..typo.vocabulary import words
from .base import Check, Context
from .registry import register
from .typos import _load_yaml

IDIOM_DIR = DICTIONARIES_DIR / "typos"


def read_lexicon(path) -> list[str]:
    """The lexicon file: one entry per line, ``#`` lines are its header (sources)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DictionaryError(f"{path}: {exc}") from None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


#: The index ready-made (0.05 s to load against 0.2-0.3 s to build), written by
#: ``python dictionaries/typos/build_stored.py``; used only while its sources are unchanged.
STORED_INDEX = IDIOM_DIR / "idiom_index.npz"
_INDEX_SOURCES = (IDIOM_DIR / "idioms.txt", IDIOM_DIR / "idiom_confusables.txt")
#: Bump when NearMissIndex builds its tables differently: stored indexes then count as stale.
_INDEX_FORMAT = "nearmiss-3"


def _index_digest() -> str:
    return stored.source_digest(_INDEX_SOURCES, _INDEX_FORMAT)


def build_index() -> NearMissIndex:
    """The near-miss index of the idiom lexicon, built from its files."""
    confusable = {}
    for line in read_lexicon(IDIOM_DIR / "idiom_confusables.txt"):
        right, _, wrongs = line.partition("\t")
        confusable[right] = wrongs
    return NearMissIndex(read_lexicon(IDIOM_DIR / "idioms.txt"), confusable)


def write_stored_index() -> Path:
    stored.save(STORED_INDEX, _index_digest(), build_index().to_arrays())
    return STORED_INDEX


@register
class IdiomNearMissCheck(Check):
    """A span one same-sound or similar-shape character (or one swapped pair) away from an idiom
    or fixed expression, and not itself a word: 再接再励 (再接再厉), 迫不急待 (迫不及待).

    Lexicon: dictionaries/typos/idioms.txt (built by dictionaries/typos/build_idioms.py from
    corpora/idioms/, sources in its header). Confusion sets: dictionaries/typos/idiom_confusables.txt
    (pycorrector's lists, the typo tables' shape edits, same syllable). Never flagged: a span that
    is a word of the word lists or a lookalike of idiom_lookalikes.txt (为人处事), a span that
    splits into words of two or more characters (传诵千古 is 传诵 + 千古; without this guard
    official text gets ~200 false alarms per 600k sentences), a span a word runs across
    (今天下午双方, 贯彻实事求是), a span overlapping an idiom written right (无所不用其极), the
    accepted variants of dictionaries/typos/idioms.yaml, and text in quotes or 《》.
    """

    code = "QC105"
    name = "typo.idiom"
    severity = "warning"
    rule_source = "dictionaries/typos/idioms.txt（成语及固定搭配，来源见文件头）"

    @cached_property
    def data(self) -> dict:
        return _load_yaml(IDIOM_DIR / "idioms.yaml")

    @cached_property
    def index(self) -> NearMissIndex:
        index = stored.load_as(STORED_INDEX, _index_digest(), NearMissIndex.from_arrays)
        return build_index() if index is None else index

    @cached_property
    def accepted(self) -> frozenset[str]:
        """Spans never flagged: accepted variants and real words one edit from an idiom."""
        return frozenset(self.data.get("accepted") or ()) | frozenset(read_lexicon(IDIOM_DIR / "idiom_lookalikes.txt"))

    def run(self, ctx: Context) -> Iterable[Finding]:
        text = ctx.doc.text
        for offset, segment in ctx.scope_ranges(self.scopes):
            for miss in self.index.finditer(segment, self._is_word):
                start, end = offset + miss.start, offset + miss.end
                if (ctx.quoted.touches(start, end) or self._explained_by_context(text, start, miss)
                        or self._inside_entry(text, start, end)):
                    continue
                yield self.finding(
                    start, end, ctx,
                    f"成语或固定搭配疑似写错：“{miss.wrong}”应为“{miss.right}”。", [miss.right],
                    rule_id=f"idiom:{miss.right}",
                    evidence={"edit": miss.kind},
                )

    def _is_word(self, span: str) -> bool:
        if span in self.accepted:
            return True
        vocab = words()
        return span in vocab or _splits_into_words(span, vocab)

    def _inside_entry(self, text: str, start: int, end: int) -> bool:
        """True when the span overlaps an idiom written right (无所不用其极 holds 无所不用)."""
        entries = self.index.entries
        for length in self.index.lengths:
            for j in range(max(0, start - length + 1), end):
                if text[j:j + length] in entries:
                    return True
        return False

    @staticmethod
    def _explained_by_context(text: str, start: int, miss: NearMiss) -> bool:
        """True when the span is not a unit of the sentence: a word runs across its first or last
        character or across the changed one (今天下午双方 holds 天下午双, 贯彻实事求是 holds 贯彻实事)."""
        vocab = words()
        end = start + len(miss.wrong)
        for pos in (start, end - 1, start + miss.position):
            for length in (2, 3, 4):
                for j in range(max(0, pos - length + 1), pos + 1):
                    if (j < start or j + length > end) and text[j:j + length] in vocab:
                        return True
        return False


def _splits_into_words(span: str, vocab: frozenset[str]) -> bool:
    """True when span is a sequence of two or more words of two or more characters each."""
    n = len(span)
    reachable = [False] * (n + 1)
    reachable[0] = True
    for i in range(n):
        if not reachable[i]:
            continue
        for j in range(i + 2, n + 1):
            if (i, j) != (0, n) and span[i:j] in vocab:
                reachable[j] = True
    return reachable[n]
