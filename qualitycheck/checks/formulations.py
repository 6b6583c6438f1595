"""QC106 typo.formulation: a fixed political formulation misspelled (中国特色社会注意, 两个卫护)."""

from __future__ import annotations

from functools import cached_property
from typing import Iterable

from ..document import Finding
from ..paths import DICTIONARIES_DIR
from .. import stored
from ..typo.confusables import CONFUSABLE_FILES, confusable_chars, wide_confusable_chars
from ..typo.variants import VariantTable, edited_edges, joined_to_neighbour, one_edit_variants
from ..typo.vocabulary import words, words_digest
from .base import Check, Context
from .idioms import _splits_into_words
from .registry import register
from .typos import _load_yaml

FORMULATIONS = DICTIONARIES_DIR / "typos" / "formulations.yaml"

_KIND_ZH = {
    "substitution": "错字",
    "word-substitution": "同音词误用",
    "deletion": "漏字",
    "doubling": "多字",
    "transposition": "字序颠倒",
}


#: The misspelling table ready-made, written by ``python dictionaries/typos/build_stored.py``;
#: used only while every file it is built from is unchanged.
STORED_TABLE = DICTIONARIES_DIR / "typos" / "formulation_variants.npz"
#: Bump when the table is built differently (variants.py, the filters below): stored tables
#: then count as stale.
_TABLE_FORMAT = "formulations-1"


def _table_digest() -> str:
    return stored.source_digest([FORMULATIONS, *CONFUSABLE_FILES], _TABLE_FORMAT, words_digest())


@register
class FormulationCheck(Check):
    """A fixed formulation of the Party's theory or of the state's institutions (规范表述, 提法)
    one edit from its canonical wording: a same-sound or similar-shape character (两个卫护), a
    same-sound word (中国特色社会注意), an inner character dropped, a character doubled, or two
    neighbours swapped. 国办秘函〔2019〕19号 makes 严重表述错误 a single-veto item.

    Data: dictionaries/typos/formulations.yaml (each entry with its source and a misspelling it
    must catch). Never flagged: a variant that is itself a word of the word lists or an accepted
    phrase of the file; a first or last character typed twice (公司中中国共产党, 中华人民共和国国歌);
    a dropped character, or an edit of the first or last character, where the span's first or last
    character makes a word with the text beside it (社会主义现代化国家 holds 国家, 核心发展理念 holds
    核心); a shortened form that splits into words (中国现代化).
    """

    code = "QC106"
    name = "typo.formulation"
    severity = "error"
    rule_source = "国办秘函〔2019〕19号 单项否决·严重表述错误；表述见 dictionaries/typos/formulations.yaml（来源逐条注明）"

    @cached_property
    def data(self) -> dict:
        return _load_yaml(FORMULATIONS)

    @cached_property
    def table(self) -> VariantTable:
        table = stored.load_as(STORED_TABLE, _table_digest(), VariantTable.from_arrays)
        return self.build_table() if table is None else table

    def build_table(self) -> VariantTable:
        """Every accepted misspelling of every formulation, built from the dictionary files."""
        phrases = [entry["text"] for entry in self.data["formulations"]]
        confusable, vocabulary = wide_confusable_chars(), words()
        accepted = set(self.data.get("accepted") or ())
        variants = (
            (wrong, variant)
            for phrase in sorted(phrases, key=lambda p: (-len(p), p))
            for wrong, variant in one_edit_variants(phrase, confusable, vocabulary=vocabulary, edge_doublings=False,
                                                    word_confusable=confusable_chars())
            if wrong not in accepted and wrong not in vocabulary
            # 中国现代化 (中国 + 现代化) is a phrase of its own, not 中国式现代化 short of a character.
            and not (variant.kind == "deletion" and _splits_into_words(wrong, vocabulary))
        )
        return VariantTable(variants, phrases)

    def run(self, ctx: Context) -> Iterable[Finding]:
        text = ctx.doc.text
        for offset, segment in ctx.scope_ranges(self.scopes):
            for start, end, wrong, variant in self.table.finditer(segment):
                start, end = offset + start, offset + end
                if joined_to_neighbour(text, start, end, edited_edges(variant, end - start), words()):
                    continue
                yield self.finding(
                    start, end, ctx,
                    f"规范表述疑似写错（{_KIND_ZH[variant.kind]}）：“{wrong}”应为“{variant.right}”"
                    "（严重表述错误，单项否决风险）。",
                    [variant.right],
                    rule_id=f"formulation:{variant.right}",
                    evidence={"edit": variant.kind},
                )
