"""QC1xx typo checks: confusion pairs, repeated characters, the language-model engine."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Iterable

import yaml

from ..document import Finding
from ..errors import DictionaryError
from ..paths import DICTIONARIES_DIR
from ..text.matcher import PhraseMatcher
from ..typo.confusables import confusable_chars
from ..typo.pairs import load_confusion_pairs  # noqa: F401  (re-exported for callers)
from ..typo.variants import VariantTable, edited_edges, joined_to_neighbour, one_edit_variants
from ..typo.vocabulary import words
from ..yamlfile import safe_load
from .base import Check, Context
from .registry import register

TYPO_DIR = DICTIONARIES_DIR / "typos"


def _load_yaml(path) -> dict:
    """A dictionary file of this module, with a clear error for a broken one."""
    try:
        return safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DictionaryError(f"{path}: {exc}") from None


@register
class ConfusionPairCheck(Check):
    """A known wrong phrase whose right form is certain (按语 not 案语).

    Data: dictionaries/typos/confusion_pairs.tsv, one wrong→right pair per line
    with its source (常见错字错词 lists, 《咬文嚼字》). Only pairs whose wrong form
    does not occur in real laws and government reports are kept.
    """

    code = "QC101"
    name = "typo.confusion-pair"
    severity = "warning"
    rule_source = "dictionaries/typos/confusion_pairs.tsv"

    @cached_property
    def pairs(self) -> dict[str, tuple[str, str]]:
        return load_confusion_pairs()

    @cached_property
    def matcher(self) -> PhraseMatcher:
        return PhraseMatcher(self.pairs)

    def run(self, ctx: Context) -> Iterable[Finding]:
        for offset, segment in ctx.scope_ranges(self.scopes):
            for start, end, wrong, (right, source) in self.matcher.finditer(segment):
                start, end = offset + start, offset + end
                if ctx.quoted.touches(start, end):
                    continue
                yield self.finding(
                    start, end, ctx, f"疑似错别字：“{wrong}”应为“{right}”。", [right],
                    rule_id=f"pair:{wrong}", rule_source=source or self.rule_source,
                )


@register
class RepeatedCharCheck(Check):
    """A function character or word typed twice in a row (的的, 了了, 我们我们).

    Data: dictionaries/typos/repeated.yaml. A doubled character counts only when
    jieba segments it as two separate one-character tokens, so 针对对象 and
    成为为民 pass, and legitimate reduplications (看看, 常常) are never listed.
    """

    code = "QC102"
    name = "typo.repeated-char"
    severity = "error"
    rule_source = "dictionaries/typos/repeated.yaml"

    @cached_property
    def data(self) -> dict:
        return _load_yaml(TYPO_DIR / "repeated.yaml")

    @cached_property
    def pattern(self) -> re.Pattern:
        chars = re.escape(self.data["chars"])
        words = "|".join(sorted(map(re.escape, self.data["words"]), key=len, reverse=True))
        return re.compile(f"(?:({words})\\1|([{chars}])\\2)")

    def run(self, ctx: Context) -> Iterable[Finding]:
        from ..text.segment import tokens

        text = ctx.doc.text
        exceptions = self.data["exceptions"]
        for offset, segment in ctx.scope_ranges(self.scopes):
            for m in self.pattern.finditer(segment):
                unit = m.group(1) or m.group(2)
                start, end = offset + m.start(), offset + m.end()
                window_start = max(0, start - 4)
                window = text[window_start : end + 4]
                if any(e in window and _covers(window, e, start - window_start, end - window_start) for e in exceptions):
                    continue
                if len(unit) == 1:
                    # Two separate one-character tokens, or it is part of a word (针对/对象).
                    toks = tokens(text[max(0, start - 6) : end + 6])
                    rel = start - max(0, start - 6)
                    if not any(s == rel and e == rel + 1 for _, s, e in toks) or not any(
                        s == rel + 1 and e == rel + 2 for _, s, e in toks
                    ):
                        continue
                if ctx.quoted.touches(start, end):
                    continue
                yield self.finding(
                    start + len(unit), end, ctx,
                    f"“{unit}”重复，疑似多打了一遍。", [""],
                    rule_id=f"repeat:{unit}",
                )


def _covers(window: str, phrase: str, start: int, end: int) -> bool:
    pos = window.find(phrase)
    while pos != -1:
        if pos <= start and end <= pos + len(phrase):
            return True
        pos = window.find(phrase, pos + 1)
    return False


@register
class LeaderNameCheck(Check):
    """A Party or state leader's name written wrong next to the leader's title or fixed phrase
    (习进平总书记, 国务院总理李墙): 国办发〔2015〕15号 names it the example of a 严重错别字, a
    single-veto error. Variants are the name with one same-sound or similar-shape character
    replaced, a character typed twice (习习近平), an inner one dropped (习平) or two swapped
    (近习平); a doubled or edge character that makes a word with its neighbour is not one
    (学习习近平). Data: dictionaries/typos/leader_names.yaml (names with their sources).
    """

    code = "QC104"
    name = "typo.leader-name"
    severity = "error"
    rule_source = "国办发〔2015〕15号 单项否决·严重错误（党和国家领导人姓名错误）；名单见 dictionaries/typos/leader_names.yaml"

    @cached_property
    def data(self) -> dict:
        return _load_yaml(TYPO_DIR / "leader_names.yaml")

    @cached_property
    def table(self) -> VariantTable:
        similar = confusable_chars()
        names = [leader["name"] for leader in self.data["leaders"]]
        variants = (
            (wrong, variant)
            for name in names
            for wrong, variant in one_edit_variants(name, similar, word_substitutions=False)
            # 利希总理 is 英格利希: a swapped surname of a two-character name is a transliteration.
            if not (len(name) == 2 and variant.kind == "substitution" and variant.position == 0)
        )
        return VariantTable(variants, names)

    @cached_property
    def _context(self) -> dict[str, tuple[str, ...]]:
        return {leader["name"]: tuple(leader.get("context") or ()) for leader in self.data["leaders"]}

    @cached_property
    def _titles(self) -> tuple[re.Pattern, re.Pattern]:
        titles = "|".join(sorted(map(re.escape, self.data["titles"]), key=len, reverse=True))
        return re.compile(f"^(?:{titles})"), re.compile(f"(?:{titles})$")

    def run(self, ctx: Context) -> Iterable[Finding]:
        after_title, before_title = self._titles
        text = ctx.doc.text
        for offset, segment in ctx.scope_ranges(self.scopes):
            for start, end, wrong, variant in self.table.finditer(segment):
                start, end = offset + start, offset + end
                right, context = variant.right, self._context[variant.right]
                if joined_to_neighbour(text, start, end, edited_edges(variant, end - start), words()):
                    continue  # 学习习近平: 学习 + 习近平, nothing typed twice
                after = text[end : end + 16]
                before = re.sub(r"[\s、，]", "", text[max(0, start - 6) : start])
                if not (after_title.match(after) or before_title.search(before)
                        or any(after.startswith(c) for c in context)):
                    continue  # no title next to it: perhaps another person of a similar name
                yield self.finding(
                    start, end, ctx, f"领导人姓名疑似写错：“{wrong}”应为“{right}”（严重错误，单项否决风险）。", [right],
                    rule_id=f"leader:{right}",
                )


@register
class LanguageModelTypoCheck(Check):
    """A character that the official-register language model finds far less likely than a
    same-sounding or similar-looking alternative (错别字, e.g. 部署 written 布署).

    Engine: qualitycheck.typo (character n-gram model trained on laws, press
    conferences, State Council documents and government work reports; see
    models/typo/CARD.md for data, command and measured precision). Text in 《》,
    numbers, Latin text and known names are left alone.
    """

    code = "QC103"
    name = "typo.language-model"
    severity = "warning"
    rule_source = "models/typo/CARD.md（官方语料字符n元语言模型）"

    def run(self, ctx: Context) -> Iterable[Finding]:
        if not ctx.config["typo"]["language_model"]:
            return
        from ..typo.engine import get_engine

        engine = get_engine()
        min_conf = ctx.config["typo"]["min_confidence"]
        for offset, segment in ctx.scope_ranges(self.scopes):
            for edit in engine.correct(segment):
                # Explicit pairs are QC101's to report; the engine applies them only to keep context right.
                if edit.code != self.code or edit.confidence < min_conf:
                    continue
                start = offset + edit.pos
                end = start + len(edit.wrong)
                if ctx.quoted.touches(start, end):
                    continue
                yield self.finding(
                    start, end, ctx,
                    f"疑似错别字：“{edit.wrong}”可能应为“{edit.right}”。", [edit.right],
                    rule_id=f"lm:{edit.wrong}>{edit.right}",
                    evidence={"confidence": round(edit.confidence, 3)},
                )
