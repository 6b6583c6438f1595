"""Chinese date forms: 2024-09-12, 2024/9/12, 2024年9月12日, 二〇二四年九月十二日, [09-12].

trafilatura reads ``发布时间：2018年09月19日`` as 2018-01-01, so publish dates
on Chinese pages come from here.

Besides full dates, list items show partial and relative forms: a month and
day without a year (``[09-12]``, ``7-31``), a year and month (``2019-12``),
a relative time (``3小时前``, ``前天 21:51``) or only a clock time (``16:02``,
meaning today).  :func:`classify_item_date` tells them apart; only full dates
give a calendar date unless the caller knows the year or the day of the
snapshot (``as_of``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}

_Y = r"((?:19|20)\d{2})"
_M = r"(1[0-2]|0?[1-9])"
_D = r"(3[01]|[12]\d|0?[1-9])"

# Full dates with a year. The lookarounds keep us out of longer digit runs
# (phone numbers, document numbers).
_FULL = re.compile(
    rf"(?<![\d.\-/]){_Y}\s*(?:年\s*{_M}\s*月\s*{_D}\s*日?|([-/.]){_M}\4{_D})(?![\d])"
)
_CN_FULL = re.compile(
    r"(?P<y>[一二〇○零OＯ]{1}[〇○零一二三四五六七八九OＯ]{3})年(?P<m>十[一二]?|[一二三四五六七八九])月"
    r"(?P<d>三十[一]?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])日"
)
# Compact 20240912 only where a label says it is a date (see find_publish_date).
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(1[0-2]|0[1-9])(3[01]|[12]\d|0[1-9])(?!\d)")
# Month-day without a year, as list items show them: [09-12], (9-12), 09/12, 9月12日.
_MONTH_DAY = re.compile(r"(?<![\d年/.:-])(?P<m>1[0-2]|0?[1-9])(?:[-/.]|月)(?P<d>3[01]|[12]\d|0?[1-9])日?(?![\d/.:-])")
_YEAR_MONTH = re.compile(r"(?<![\d.\-/])((?:19|20)\d{2})(?:[-/.]|年)(1[0-2]|0?[1-9])月?(?![\d月/.-]|\s*[-/.]\s*\d)")
_RELATIVE = re.compile(
    r"(?P<n>\d{1,3}|半|一|两|几)\s*(?P<u>秒|分钟|分鐘|小时|小時|个?钟头|天|日|周|星期|个月|月|年)\s*前"
    r"|(?P<w>刚刚|今天|昨天|前天|今日|昨日)(?:\s*(?P<h>[01]?\d|2[0-3]):(?P<mi>[0-5]\d))?"
)
_CLOCK = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?(?![\d:])")
# Labels that introduce the document date on an article page.
_PUBLISH_LABEL = re.compile(
    # Without a prefix word a match never starts inside a whitespace run: each start would
    # rescan the run (quadratic on a page of spaces).
    r"(?:(?<![今当前网站])(?:发布|发表|发稿|发文|成文|更新|公开|印发|生成|创建|录入|上传|撰稿|出版|信息|文章|刊发|稿件)|(?<![\s今当前网站]))"
    r"\s*(?:时间|日期)\s*[:：]\s*"
)


_ANY_DIGIT = re.compile(r"\d")


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
    if _ANY_DIGIT.search(text):
        for m in _FULL.finditer(text):
            y = int(m.group(1))
            if m.group(2):
                mo, dd = int(m.group(2)), int(m.group(3))
            else:
                mo, dd = int(m.group(5)), int(m.group(6))
            d = _make(y, mo, dd)
            if d:
                hits.append(DateHit(d, m.start(), m.end()))
                taken.append((m.start(), m.end()))
    if "年" in text:
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
        cm = _COMPACT.match(tail)
        if cm:
            d = _make(int(cm.group(1)), int(cm.group(2)), int(cm.group(3)))
            if d:
                return DateHit(d, m.end(), m.end() + cm.end())
    return None


def publish_labels(text: str):
    """Positions (start, end) of publish-date labels in text."""
    return [(m.start(), m.end()) for m in _PUBLISH_LABEL.finditer(text)]


# ---------------------------------------------------------------------------------------------
# Dates on list items.

@dataclass(frozen=True)
class ItemDate:
    """A date as a list item shows it.

    ``kind``: ``full`` (Y-M-D), ``month-day``, ``year-month``, ``relative`` (3小时前, 昨天 12:00)
    or ``clock`` (16:02, meaning the day of the snapshot).  ``date`` is set for full dates, and for
    the others when it can be worked out (``as_of`` known, or a year from context).
    """

    kind: str
    text: str
    start: int
    end: int
    date: date | None = None
    month: int | None = None
    day: int | None = None
    year: int | None = None


def infer_year(month: int, day: int, as_of: date) -> date | None:
    """The latest date with this month and day that is not after ``as_of`` (12-30 seen 2025-01-05 → 2024-12-30)."""
    for y in (as_of.year, as_of.year - 1):
        d = _make(y, month, day)
        if d is not None and d <= as_of + timedelta(days=1):
            return d
    return _make(as_of.year - 1, month, day)


def _relative_date(m: re.Match, as_of: date | None) -> date | None:
    if as_of is None:
        return None
    word = m.group("w")
    if word:
        back = {"刚刚": 0, "今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}[word]
        return as_of - timedelta(days=back)
    n_text = m.group("n")
    n = {"半": 0, "一": 1, "两": 2, "几": 3}.get(n_text)
    if n is None:
        n = int(n_text)
    unit = m.group("u")
    if unit in ("秒", "分钟", "分鐘"):
        return as_of
    if unit in ("小时", "小時") or "钟头" in unit:
        return as_of - timedelta(days=n // 24)
    if unit in ("天", "日"):
        return as_of - timedelta(days=n)
    if unit in ("周", "星期"):
        return as_of - timedelta(days=7 * n)
    if unit in ("个月", "月"):
        return as_of - timedelta(days=30 * n)
    return as_of - timedelta(days=365 * n)


def classify_item_date(text: str, as_of: date | None = None, year_hint: int | None = None) -> ItemDate | None:
    """The date an item line shows, the most precise form first; None if it shows none."""
    if not text or not _ANY_DIGIT.search(text) and not any(w in text for w in ("刚刚", "今天", "昨天", "前天", "今日", "昨日")):
        return None
    hits = iter_dates(text)
    if hits:
        h = hits[-1]
        return ItemDate("full", text[h.start : h.end], h.start, h.end, h.date, h.date.month, h.date.day, h.date.year)
    m = _RELATIVE.search(text)
    if m:
        return ItemDate("relative", m.group(0), m.start(), m.end(), _relative_date(m, as_of))
    m = _YEAR_MONTH.search(text)
    if m:
        return ItemDate("year-month", m.group(0), m.start(), m.end(), None, int(m.group(2)), None, int(m.group(1)))
    for m in _MONTH_DAY.finditer(text):
        mo, dd = int(m.group("m")), int(m.group("d"))
        if _make(2000, mo, dd) is None:
            continue
        d = None
        if year_hint is not None:
            d = _make(year_hint, mo, dd)
        elif as_of is not None:
            d = infer_year(mo, dd, as_of)
        return ItemDate("month-day", m.group(0), m.start(), m.end(), d, mo, dd, year_hint)
    m = _CLOCK.search(text)
    if m:
        return ItemDate("clock", m.group(0), m.start(), m.end(), as_of)
    return None


_URL_DAY = re.compile(
    r"(?<!\d)((?:19|20)\d{2})[-_]?(1[0-2]|0[1-9])[-_]?(3[01]|[12]\d|0[1-9])(?!\d)"
    r"|/((?:19|20)\d{2})/(1[0-2]|0?[1-9])/(3[01]|[12]\d|0?[1-9])/"
)
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})(1[0-2]|0[1-9])/")


def url_date(url: str | None) -> tuple[int, int, int | None] | None:
    """(year, month, day or None) that CMS URLs carry: t20230608_…, /2024/10/14/, /202306/."""
    if not url:
        return None
    m = _URL_DAY.search(url)
    if m:
        g = m.groups()
        if g[0]:
            return int(g[0]), int(g[1]), int(g[2])
        return int(g[3]), int(g[4]), int(g[5])
    m = _URL_MONTH.search(url)
    if m:
        return int(m.group(1)), int(m.group(2)), None
    return None


# A line that is nothing but a date, optionally in brackets: an official document's 成文日期 under
# its 落款 (2018年9月19日, 二〇一八年九月十九日, （2018年9月19日）).
_SIGNING_LINE = re.compile(r"^[\s（(]*(\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*([\d一二三四五六七八九十]{1,3})\s*月"
                           r"\s*([\d一二三四五六七八九十]{1,3})\s*日[\s）)]*$")
_CN_YEAR_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}


def signing_date(text: str) -> date | None:
    """The 成文日期 of an official document: the last line that is only a date.

    Pages copied from elsewhere carry trailing junk after the 落款 (the seed notice has a hacked
    site's footer), so this takes the last date-only line anywhere rather than the very last line.
    """
    found = None
    for line in text.splitlines():
        if len(line) > 40 or "日" not in line:
            continue
        m = _SIGNING_LINE.match(line)
        if not m:
            continue
        year_text, month_text, day_text = m.groups()
        year = int(year_text) if year_text.isdigit() else int("".join(str(_CN_YEAR_DIGITS[c]) for c in year_text))
        month = int(month_text) if month_text.isdigit() else _cn_number(month_text)
        day = int(day_text) if day_text.isdigit() else _cn_number(day_text)
        found = _make(year, month, day) or found
    return found
