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
#: A span that splits into words (一览 + 无疑) is flagged only when its changed character is read
#: as the idiom's and the 4-gram model, within this many characters either side, does not prefer
#: the words by more than this log10 margin. The margin is below zero because the model's official
#: text holds few idioms (人情世故 scores below 人情 + 事故); the false alarms it lets through on
#: corpora/lm (毫无意义 for 毫无疑义, -2.4 and lower) sit below it. Set on the dev list and corpora/lm:
#: in-sample there.
RESCUE_CONTEXT = 8
RESCUE_MARGIN = -1.5
#: Bump when NearMissIndex builds its tables differently: stored indexes then count as stale.
_INDEX_FORMAT = "nearmiss-4"


def _index_digest() -> str:
    return stored.source_digest(_INDEX_SOURCES, _INDEX_FORMAT)


def read_confusables(column: int = 1) -> dict[str, str]:
    """A column of idiom_confusables.txt by character: 1 the characters written for it, 2 those of
    them read with the same syllable, 3 the index's loose tier (near homophones as accents merge
    zh/z and -ng/-n, and the nearest glyphs)."""
    return {cells[0]: cells[column] if len(cells) > column else ""
            for cells in (line.split("\t") for line in read_lexicon(IDIOM_DIR / "idiom_confusables.txt"))}


def build_index() -> NearMissIndex:
    """The near-miss index of the idiom lexicon, built from its files."""
    return NearMissIndex(read_lexicon(IDIOM_DIR / "idioms.txt"), read_confusables(1), loose=read_confusables(3))


def write_stored_index() -> Path:
    stored.save(STORED_INDEX, _index_digest(), build_index().to_arrays())
    return STORED_INDEX


@register
class IdiomNearMissCheck(Check):
    """A span one same-sound or similar-shape character (or one swapped pair) away from an idiom
    or fixed expression, and not itself a word: 再接再励 (再接再厉), 迫不急待 (迫不及待).

    Lexicon: dictionaries/typos/idioms.txt (built by dictionaries/typos/build_idioms.py from
    corpora/idioms/, sources in its header). Confusion sets: dictionaries/typos/idiom_confusables.txt
    (pycorrector's lists, the typo tables' shape edits, same syllable; a loose tier of near
    homophones and lookalike glyphs, tried only where those reach no entry). Never flagged: a span that
    is a word of the word lists or a lookalike of idiom_lookalikes.txt (为人处事), a span that
    splits into words of two or more characters (传诵千古 is 传诵 + 千古; without this guard
    official text gets ~200 false alarms per 600k sentences) unless its changed character is read
    as the idiom's and the language model does not prefer the words in context (不同反响 for
    不同凡响; RESCUE_MARGIN), a span a word runs across
    (今天下午双方, 贯彻实事求是), a span overlapping an idiom written right (无所不用其极), a span
    whose changed first or last character is a function character (怎么也想不到 holds 也想不到),
    the accepted variants and set phrases of dictionaries/typos/idioms.yaml (its ``words`` count as
    words for the guards), and text in quotes or 《》.
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
        data = self.data
        return (frozenset(data.get("accepted") or ()) | frozenset(data.get("accepted_phrases") or ())
                | frozenset(read_lexicon(IDIOM_DIR / "idiom_lookalikes.txt")))

    @cached_property
    def extra_words(self) -> frozenset[str]:
        """Words the guards count as words beside the word lists (巴方, 非遗)."""
        return frozenset(self.data.get("words") or ())

    @cached_property
    def edge_function_characters(self) -> str:
        return str(self.data.get("edge_function_characters") or "")

    def run(self, ctx: Context) -> Iterable[Finding]:
        text = ctx.doc.text
        for offset, segment in ctx.scope_ranges(self.scopes):
            for miss in self.index.finditer(segment, self._is_word):
                start, end = offset + miss.start, offset + miss.end
                if (ctx.quoted.touches(start, end) or self._function_edge(miss)
                        or self._explained_by_context(text, start, miss) or self._inside_entry(text, start, end)):
                    continue
                if _splits_into_words(miss.wrong, words(), self.extra_words) and not self._language_model_prefers(
                        text, start, end, miss, offset, offset + len(segment)):
                    continue
                yield self.finding(
                    start, end, ctx,
                    f"成语或固定搭配疑似写错：“{miss.wrong}”应为“{miss.right}”。", [miss.right],
                    rule_id=f"idiom:{miss.right}",
                    evidence={"edit": miss.kind},
                )

    @cached_property
    def soundalikes(self) -> dict[str, str]:
        """Character -> the characters of its confusion set read with the same syllable."""
        return read_confusables(2)

    def _is_word(self, span: str) -> bool:
        if span in self.accepted:
            return True
        vocab, extra = words(), self.extra_words
        if span in vocab or span in extra:
            return True
        # A span that splits into words (传诵 + 千古) is left alone unless it could be the
        # rescue's (run() then asks the language model).
        return _splits_into_words(span, vocab, extra) and not self._sounds_like_entry(span)

    def _sounds_like_entry(self, span: str) -> bool:
        """True when span is the idiom with one character replaced by one read the same way
        (一览无疑 for 一览无遗, 不同反响 for 不同凡响): the split guard's misses."""
        if any(word in span for word in self.extra_words):
            return False  # listed because the span is that word and the rest (巴方支持)
        miss = self.index.lookup(span)
        return (miss is not None and miss.kind == "substitution"
                and span[miss.position] in self.soundalikes.get(miss.right[miss.position], ""))

    def _language_model_prefers(self, text: str, start: int, end: int, miss: NearMiss, lo: int, hi: int) -> bool:
        """The split-guard rescue: the words do not read far better in their context than the idiom."""
        from ..errors import ModelError
        from ..typo.engine import get_engine

        try:
            lm = get_engine().lm
        except ModelError:
            return False
        a, b = max(lo, start - RESCUE_CONTEXT), min(hi, end + RESCUE_CONTEXT)
        written = text[a:b]
        fixed = text[a:start] + miss.right + text[end:b]
        return lm.sentence_logprob(fixed) - lm.sentence_logprob(written) >= RESCUE_MARGIN

    def _function_edge(self, miss: NearMiss) -> bool:
        """True when the changed character is the span's first or last and a function character
        (怎么也想不到 holds 也想不到, not a misspelt 意想不到)."""
        return (miss.kind == "substitution" and miss.position in (0, len(miss.wrong) - 1)
                and miss.wrong[miss.position] in self.edge_function_characters)

    def _inside_entry(self, text: str, start: int, end: int) -> bool:
        """True when the span overlaps an idiom written right (无所不用其极 holds 无所不用)."""
        entries = self.index.entries
        for length in self.index.lengths:
            for j in range(max(0, start - length + 1), end):
                if text[j:j + length] in entries:
                    return True
        return False

    def _explained_by_context(self, text: str, start: int, miss: NearMiss) -> bool:
        """True when the span is not a unit of the sentence: a word runs across its first or last
        character or across the changed one (今天下午双方 holds 天下午双, 贯彻实事求是 holds 贯彻实事)."""
        vocab, extra = words(), self.extra_words
        end = start + len(miss.wrong)
        for pos in (start, end - 1, start + miss.position):
            for length in (2, 3, 4):
                for j in range(max(0, pos - length + 1), pos + 1):
                    if (j < start or j + length > end) and (text[j:j + length] in vocab or text[j:j + length] in extra):
                        return True
        return False


def _splits_into_words(span: str, vocab: frozenset[str], extra: frozenset[str] = frozenset()) -> bool:
    """True when span is a sequence of two or more words of two or more characters each."""
    n = len(span)
    reachable = [False] * (n + 1)
    reachable[0] = True
    for i in range(n):
        if not reachable[i]:
            continue
        for j in range(i + 2, n + 1):
            if (i, j) != (0, n) and (span[i:j] in vocab or span[i:j] in extra):
                reachable[j] = True
    return reachable[n]
