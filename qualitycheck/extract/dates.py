"""Chinese date forms: 2024-09-12, 2024/9/12, 2024年9月12日, 二〇二四年九月十二日, [09-12].

trafilatura reads ``发布时间：2018年09月19日`` as 2018-01-01, so publish dates
on Chinese pages come from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}

_Y = r"((?:19|20)\d{2})"
_M = r"(1[0-2]|0?[1-9])"
_D = r"(3[01]|[12]\d|0?[1-9])"

# Full dates with a year. The lookarounds keep us out of longer digit runs
# (phone numbers, document numbers).
_FULL = re.compile(
    rf"(?<!\d){_Y}\s*(?:年\s*{_M}\s*月\s*{_D}\s*日?|[-/.]{_M}[-/.]{_D})(?!\d)"
)
_CN_FULL = re.compile(
    r"(?P<y>[一二〇○零OＯ]{1}[〇○零一二三四五六七八九OＯ]{3})年(?P<m>十[一二]?|[一二三四五六七八九])月"
    r"(?P<d>三十[一]?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])日"
)
# Month-day without a year, as list items show them: [09-12], (9-12), 09/12, 9月12日.
_MONTH_DAY = re.compile(r"(?<![\d年/.-])(?P<m>1[0-2]|0?[1-9])(?:[-/.]|月)(?P<d>3[01]|[12]\d|0?[1-9])日?(?![\d/.-])")
# Labels that introduce the document date on an article page.
_PUBLISH_LABEL = re.compile(
    r"(?:发布|发表|发稿|发文|成文|更新|公开|印发|生成)?\s*(?:时间|日期)\s*[:：]\s*"
)


@dataclass(frozen=True)
class DateHit:
    date: date
    start: int
    end: int
    has_year: bool = True


def _cn_number(text: str) -> int:
    """十二 → 12, 二十三 → 23, 三十 → 30, 九 → 9."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text]


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def iter_dates(text: str, default_year: int | None = None) -> list[DateHit]:
    """Every date in text, in order. Month-day forms need ``default_year``."""
    hits: list[DateHit] = []
    taken: list[tuple[int, int]] = []
    for m in _FULL.finditer(text):
        groups = [g for g in m.groups() if g]
        d = _make(int(groups[0]), int(groups[1]), int(groups[2]))
        if d:
            hits.append(DateHit(d, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in _CN_FULL.finditer(text):
        year = int("".join(str(_CN_DIGITS.get(ch, 0)) for ch in m.group("y").replace("Ｏ", "〇")))
        d = _make(year, _cn_number(m.group("m")), _cn_number(m.group("d")))
        if d:
            hits.append(DateHit(d, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    if default_year is not None:
        for m in _MONTH_DAY.finditer(text):
            if any(s <= m.start() < e for s, e in taken):
                continue
            d = _make(default_year, int(m.group("m")), int(m.group("d")))
            if d:
                hits.append(DateHit(d, m.start(), m.end(), has_year=False))
    hits.sort(key=lambda h: h.start)
    return hits


def parse_date(text: str, default_year: int | None = None) -> date | None:
    """The first date in text, or None."""
    hits = iter_dates(text, default_year)
    return hits[0].date if hits else None


def find_publish_date(text: str, *, window: int = 60) -> DateHit | None:
    """The date that follows a publish label (发布时间：…, 日期：…), else None."""
    for m in _PUBLISH_LABEL.finditer(text):
        tail = text[m.end() : m.end() + window]
        hits = iter_dates(tail)
        if hits and hits[0].start <= 2:
            h = hits[0]
            return DateHit(h.date, m.end() + h.start, m.end() + h.end)
    return None
