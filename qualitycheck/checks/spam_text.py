"""QC505 injected text: gambling, lottery, porn and 代开发票-style spam spliced into what a page
or document shows (title, body, image alt text, title attributes).

The terms and the words that make them an advertisement are data:
``dictionaries/injection/text/*.yaml`` (schema in spam-text.yaml). This module decides, for each
term hit, whether its surroundings sell it (a hit) or report on it (crackdown news, lottery
administration, tax offices' 代开发票 service: no hit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import yaml

from ..document import Finding
from ..errors import DictionaryError
from ..paths import DICTIONARIES_DIR
from ..yamlfile import safe_load
from .base import Check, Context
from .links import SOURCE_VETO
from .registry import register

TEXT_DIR = DICTIONARIES_DIR / "injection" / "text"
STRENGTHS = ("brand", "selling", "generic")
KINDS = ("赌博", "彩票", "色情", "违法广告")
_LATIN = re.compile(r"^[0-9a-z]+$", re.I)
_LINE_END = "\n。；！？"


@dataclass(frozen=True)
class TextRule:
    id: str
    kind: str
    strength: str
    pattern: re.Pattern
    anchors: tuple[str, ...]
    source: tuple[str, ...]
    spam_examples: tuple[str, ...] = ()
    clean_examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    rule: TextRule
    start: int
    end: int
    term: str


@dataclass
class SpamLexicon:
    """The text rules and the context words that judge each hit (one per process)."""

    rules: list[TextRule]
    window: int
    on_topic: re.Pattern
    negation_before: re.Pattern
    negation_after: re.Pattern
    official_lottery: re.Pattern
    official_lottery_after: re.Pattern
    commerce_strong: re.Pattern
    commerce_weak: re.Pattern
    _anchors: re.Pattern | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        words = sorted({a for r in self.rules for a in r.anchors}, key=len, reverse=True)
        self._anchors = re.compile("|".join(map(re.escape, words))) if words else None

    def is_on_topic(self, title: str) -> bool:
        return bool(self.on_topic.search(title))

    def hits(self, text: str, *, on_topic: bool) -> Iterator[Hit]:
        """The term hits in ``text`` that its context makes spam, strongest rules first, no overlaps."""
        if self._anchors is None:
            return
        low = text.lower()
        present = set(self._anchors.findall(low))
        if not present:  # the usual case: one regex pass over the text
            return
        taken: list[tuple[int, int]] = []
        for rule in self.rules:
            if not present.intersection(rule.anchors):
                continue
            for m in rule.pattern.finditer(text):
                s, e = m.start(), m.end()
                if any(s < te and ts < e for ts, te in taken):
                    continue
                if self._counts(rule, text, s, e, on_topic):
                    taken.append((s, e))
                    yield Hit(rule, s, e, m.group(0))

    # -- context ---------------------------------------------------------------------------
    def _line_bounds(self, text: str, s: int, e: int) -> tuple[int, int]:
        lo, hi = max(0, s - self.window), min(len(text), e + self.window)
        for ch in _LINE_END:
            cut = text.rfind(ch, lo, s)
            if cut >= 0:
                lo = max(lo, cut + 1)
            cut = text.find(ch, e, hi)
            if cut >= 0:
                hi = min(hi, cut)
        return lo, hi

    def _negated(self, text: str, s: int, e: int) -> bool:
        return bool(self.negation_before.search(text[max(0, s - 8) : s]) or self.negation_after.search(text[e : e + 6]))

    def _selling_near(self, text: str, s: int, e: int) -> bool:
        """A strong selling word, or two different weak ones, next to the hit (not inside it)."""
        lo, hi = self._line_bounds(text, s, e)
        around = (text[lo:s] + " " + text[e:hi]).lower()
        if self.commerce_strong.search(around):
            return True
        return len(set(self.commerce_weak.findall(around))) >= 2

    def _counts(self, rule: TextRule, text: str, s: int, e: int, on_topic: bool) -> bool:
        if self._negated(text, s, e):
            return False
        if rule.strength == "brand":
            return not on_topic or self._selling_near(text, s, e)
        if on_topic:
            return False
        if rule.strength == "selling":
            return True
        if rule.kind == "彩票" and (self.official_lottery.search(text[max(0, s - 4) : s])
                                   or self.official_lottery_after.search(text[e : e + 12])):
            return False  # 体育彩票 / 福利彩票, 彩票投注站 / 彩票代销: the lawful lotteries and their trade
        return self._selling_near(text, s, e)


def _terms_pattern(terms: list[str], pattern: str | None, where: str) -> re.Pattern:
    parts = []
    for t in sorted(terms, key=len, reverse=True):
        # a Latin brand is a whole word: bbin is not inside rabbinic, 12bet not inside 312bet
        parts.append(rf"(?<![0-9a-z]){re.escape(t)}(?![0-9a-z])" if _LATIN.match(t) else re.escape(t))
    if pattern:
        parts.append(f"(?:{pattern})")
    try:
        return re.compile("|".join(parts), re.I)
    except re.error as exc:
        raise DictionaryError(f"{where}：正则表达式有误：{exc}") from None


def _regex(data: dict, key: str, where: str) -> re.Pattern:
    value = data.get(key)
    if not value or not isinstance(value, str):
        raise DictionaryError(f"{where}：缺少 {key}")
    try:
        return re.compile(value, re.I)
    except re.error as exc:
        raise DictionaryError(f"{where}：{key} 正则表达式有误：{exc}") from None


def load_lexicon(folder: Path = TEXT_DIR) -> SpamLexicon:
    """Read every ``*.yaml`` of the folder; a bad entry is a DictionaryError naming it."""
    rules: list[TextRule] = []
    settings: dict = {}
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise DictionaryError(f"{folder}：没有植入文字词表（*.yaml）")
    for path in files:
        try:
            data = safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise DictionaryError(f"{path.name}：无法读取或 YAML 格式有误：{exc}") from None
        for key in ("window", "on_topic", "negation_before", "negation_after", "official_lottery",
                    "official_lottery_after", "commerce_strong", "commerce_weak"):
            if key in data:
                settings[key] = (data[key], path.name)
        for i, entry in enumerate(data.get("entries") or []):
            where = f"{path.name} 第 {i + 1} 条"
            if not isinstance(entry, dict) or not entry.get("id"):
                raise DictionaryError(f"{where}：缺少 id")
            where = f"{path.name} {entry['id']}"
            if not entry.get("source"):
                raise DictionaryError(f"{where}：缺少 source（每个条目都要注明来源）")
            if entry.get("strength") not in STRENGTHS:
                raise DictionaryError(f"{where}：strength 应为 {'/'.join(STRENGTHS)}")
            if entry.get("kind") not in KINDS:
                raise DictionaryError(f"{where}：kind 应为 {'/'.join(KINDS)}")
            terms = [str(t) for t in entry.get("terms") or []]
            if not terms and not entry.get("pattern"):
                raise DictionaryError(f"{where}：需要 terms 或 pattern")
            if entry.get("pattern") and not entry.get("anchors"):
                raise DictionaryError(f"{where}：pattern 条目需要 anchors（每个命中都包含的词）")
            examples = entry.get("examples") or {}
            source = entry["source"] if isinstance(entry["source"], list) else [entry["source"]]
            rules.append(TextRule(
                id=entry["id"], kind=entry["kind"], strength=entry["strength"],
                pattern=_terms_pattern(terms, entry.get("pattern"), where),
                anchors=tuple(str(a).lower() for a in entry.get("anchors") or []) + tuple(t.lower() for t in terms),
                source=tuple(str(s) for s in source),
                spam_examples=tuple(examples.get("spam") or ()), clean_examples=tuple(examples.get("clean") or ()),
            ))
    rules.sort(key=lambda r: STRENGTHS.index(r.strength))  # brands claim their span first
    compiled = {k: _regex({k: v}, k, name) for k, (v, name) in settings.items() if k != "window"}
    for key in ("on_topic", "negation_before", "negation_after", "official_lottery", "official_lottery_after",
                "commerce_strong", "commerce_weak"):
        if key not in compiled:
            raise DictionaryError(f"{folder}：缺少 {key}")
    window = settings.get("window", (10, ""))[0]
    if not isinstance(window, int) or not 1 <= window <= 40:
        raise DictionaryError(f"{folder}：window 应为 1 到 40 之间的整数")
    return SpamLexicon(rules=rules, window=window, **compiled)


@lru_cache(maxsize=1)
def spam_lexicon() -> SpamLexicon:
    return load_lexicon()


def _line_of(text: str, s: int, e: int) -> str:
    start = text.rfind("\n", 0, s) + 1
    end = text.find("\n", e)
    return text[start : end if end >= 0 else len(text)].strip()


def document_title(ctx: Context) -> str:
    """What the document says it is about: its title segment, else its title, else its first line."""
    title = " ".join(t for _, t in ctx.scope_ranges(("title",)))
    page = ctx.doc.meta.get("page")
    title = title or str(ctx.doc.title or getattr(page, "title", "") or "")
    return title or ctx.doc.text.lstrip()[:120].split("\n", 1)[0]


@register
class InjectedText(Check):
    """Gambling, lottery, porn or 代开发票-style spam spliced into the visible title or body text,
    the image alt text or the title attributes of a page, or into a plain-text or Word document
    (the seed notice's republished copy reads “本文由365bet体育网址发布于三农资讯”): the notices'
    内容被篡改. Brand names (365bet, 九游会, 开云体育 …) count alone; advertising phrases (澳门葡京娱乐,
    彩票平台注册, 代开发票 + a mobile number) unless negated (打击/查处/严禁 …) or in a document whose
    title is about gambling, lottery, porn, drugs or invoices; generic words (赌博, 彩票, 六合彩) only
    next to selling words (开户, 网址, 投注, 充值 …), and then as a warning. Terms:
    dictionaries/injection/text/."""

    code = "QC505"
    name = "security.injected-text"
    severity = "error"
    scopes = ("title", "body")
    rule_source = SOURCE_VETO

    def run(self, ctx: Context) -> Iterable[Finding]:
        lex = spam_lexicon()
        on_topic = _on_topic(lex, document_title(ctx))
        page = ctx.doc.meta.get("page")
        # What QC501 reports (a link's text, or the term it found in the link's title or address) is
        # not reported again here.
        flagged_links = _reported_by_qc501(page)
        ranges = ctx.scope_ranges(self.scopes)
        for offset, text in ranges:
            for line_hits in _by_line(text, lex.hits(text, on_topic=on_topic)):
                first = line_hits[0]
                line = _line_of(text, first.start, first.end)
                if _already_reported(line_hits, flagged_links):
                    continue
                yield self.finding(
                    offset + first.start, offset + first.end, ctx, _message(line_hits, line),
                    rule_id=first.rule.id, severity=_severity(line_hits), evidence=_evidence(line_hits, line),
                )
        if page is not None and not any(t.strip() for _, t in ranges) and getattr(page, "text", ""):
            # lint-site reads no main text on a home or list page; `check page.html` reads all of its
            # visible text there, so lint-site does too (link texts are QC501's, as above)
            for line_hits in _by_line(page.text, lex.hits(page.text, on_topic=on_topic)):
                line = _line_of(page.text, line_hits[0].start, line_hits[0].end)
                if _already_reported(line_hits, flagged_links):
                    continue
                yield self.spanless_finding(
                    _message(line_hits, line).replace("正文中", "页面文字中", 1), scope="body", match=line_hits[0].term,
                    rule_id=line_hits[0].rule.id, severity=_severity(line_hits), evidence=_evidence(line_hits, line),
                )
        for where, text in ctx.doc.meta.get("attr_texts") or ():
            hits = list(lex.hits(text, on_topic=on_topic))
            if not hits or _already_reported(hits, flagged_links):
                continue
            label = "图片说明（alt）" if where.endswith("@alt") else "提示文字（title 属性）"
            yield self.spanless_finding(
                f"{label}中被插入疑似{hits[0].rule.kind}内容：“{hits[0].term}”（“{text[:80]}”），请核查页面是否被篡改。",
                scope="attribute", match=hits[0].term, rule_id=hits[0].rule.id, severity=_severity(hits),
                evidence={**_evidence(hits, text), "where": where},
            )


def _reported_by_qc501(page: object) -> list[str]:
    out: list[str] = []
    for link in getattr(page, "links", ()) if page is not None else ():
        if link.why and ":" in link.why:
            out.append(link.why.split(":", 1)[1].lower())
            if link.text:
                out.append(link.text.lower())
    return out


def _already_reported(hits: list[Hit], reported: list[str]) -> bool:
    terms = [h.term.lower() for h in hits]
    return any(t in r or (len(r) >= 2 and r in t) for t in terms for r in reported)


def _on_topic(lex: SpamLexicon, title: str) -> bool:
    """Whether the title is about gambling, lottery, porn … itself; spam spliced into the title
    (大发彩票平台注册) does not make it so."""
    spam = list(lex.hits(title, on_topic=False))
    for h in reversed(spam):
        title = title[: h.start] + " " + title[h.end :]
    return lex.is_on_topic(title)


def _by_line(text: str, hits: Iterable[Hit]) -> Iterator[list[Hit]]:
    """Hits grouped by the line they are on: one spam line is one finding."""
    groups: dict[int, list[Hit]] = {}
    for h in hits:
        groups.setdefault(text.rfind("\n", 0, h.start), []).append(h)
    for key in sorted(groups):
        yield sorted(groups[key], key=lambda h: h.start)


def _severity(hits: list[Hit]) -> str:
    # a brand or an advertising phrase is certain; a generic word next to selling words needs a look
    return "error" if any(h.rule.strength != "generic" for h in hits) else "warning"


def _message(hits: list[Hit], line: str) -> str:
    terms = "、".join(dict.fromkeys(f"“{h.term}”" for h in hits))
    return f"正文中被插入疑似{hits[0].rule.kind}内容：{terms}（所在句：“{line[:80]}”），请核查页面是否被篡改。"


def _evidence(hits: list[Hit], line: str) -> dict:
    return {"rule": hits[0].rule.id, "rules": sorted({h.rule.id for h in hits}), "terms": [h.term for h in hits],
            "category": hits[0].rule.kind, "strength": hits[0].rule.strength, "line": line[:200]}
