"""Blocks of dated items: column lists, sidebars, "latest" boxes, tab panels, thread lists.

A block is a parent element whose children of one tag repeat as items; an item has a
title (its main link's text, or its own text when the row has no link), a URL and the
date it shows.  Dates are found once over the rendered page text and looked up by
position, so a block costs a few bisections, not a new walk.

Dates come in five forms (see :func:`qualitycheck.extract.dates.classify_item_date`);
only full ``Y-M-D`` dates are calendar dates unless the year can be recovered safely:
from the item's own URL (``…/202306/t20230608_….html`` says 2023-06-08 for an item shown
as ``06-08``) or from ``as_of`` (the day of the snapshot: ``12-30`` seen on 2025-01-05 is
2024-12-30).  ``newest`` is left ``None`` when an item without a recoverable date could be
newer than every full date (month-day or relative items), as the labels define it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from .dates import _CLOCK, _MONTH_DAY, _RELATIVE, _YEAR_MONTH, _make, _relative_date, infer_year, iter_dates, url_date
from .render import Rendered, render

if TYPE_CHECKING:  # pragma: no cover
    from .view import PageView

_MORE = re.compile(r"^[\s\[【(（<]*(?:更多|查看更多|more|MORE|More|>>|》》|＞＞|\+)[\s.…>》＞\]】)）]*$")
_MORE_IN = re.compile(r"(?:查看)?更多\s*(?:[>》＞]+|\.{2,}|…+)?|more\s*[>》＞]*|MORE\s*[>》＞]*|[>》＞]{2,}|\[\s*\]")
_LISTISH = frozenset({"ul", "ol", "table", "tbody", "dl", "thead"})
_ITEM_TAGS = frozenset({"li", "tr", "dd", "dt", "p", "div", "tbody", "section", "article", "span", "a", "h3", "h4", "h5"})
_CALENDAR = frozenset({"full", "month-day", "year-month"})
_PREV_NEXT = re.compile(r"上一篇|下一篇|上一条|下一条|前一篇|后一篇|上篇|下篇|上一页|下一页")


@dataclass
class ListItem:
    title: str
    url: str | None          # absolute when the page URL is known
    date: date | None        # full calendar date (year inferred from context for [09-12] forms only when safe)
    date_text: str | None    # the date as shown
    date_kind: str | None = None   # full | month-day | year-month | relative | clock

    def to_dict(self) -> dict:
        return {"title": self.title, "url": self.url, "date": self.date.isoformat() if self.date else None,
                "date_text": self.date_text}


@dataclass
class DatedList:
    heading: str | None      # the block's visible title (column name), None if none
    items: list[ListItem]
    newest: date | None      # from full dates only; None when unknowable
    n_dated: int
    more_url: str | None     # the block's "更多/more" link if any (column page URL)
    hidden: bool             # tab/hover panel or display:none
    oldest: date | None = None     # from full dates; None when a year-month item could be older
    element: object = field(default=None, repr=False, compare=False)

    @property
    def n_items(self) -> int:
        return len(self.items)

    def to_dict(self) -> dict:
        return {
            "heading": self.heading,
            "items": [i.to_dict() for i in self.items],
            "newest": self.newest.isoformat() if self.newest else None,
            "oldest": self.oldest.isoformat() if self.oldest else None,
            "n_items": len(self.items),
            "n_dated": self.n_dated,
            "more_url": self.more_url,
            "hidden": self.hidden,
        }


# --------------------------------------------------------------------------------------------

@dataclass
class _Hit:
    start: int
    end: int
    kind: str
    text: str
    date: date | None
    month: int | None = None
    day: int | None = None


def _date_hits(text: str, as_of: date | None) -> list[_Hit]:
    """Every date-like token of the text, non-overlapping, most precise form first."""
    hits: list[_Hit] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return not any(a < e and s < b for a, b in taken)

    for h in iter_dates(text):
        hits.append(_Hit(h.start, h.end, "full", text[h.start : h.end], h.date, h.date.month, h.date.day))
        taken.append((h.start, h.end))
    taken.sort()
    for m in _RELATIVE.finditer(text):
        if free(m.start(), m.end()):
            hits.append(_Hit(m.start(), m.end(), "relative", m.group(0), _relative_date(m, as_of)))
            taken.append((m.start(), m.end()))
    for m in _YEAR_MONTH.finditer(text):
        if free(m.start(), m.end()):
            hits.append(_Hit(m.start(), m.end(), "year-month", m.group(0), None, int(m.group(2))))
            taken.append((m.start(), m.end()))
    for m in _MONTH_DAY.finditer(text):
        s, e = m.start(), m.end()
        if not free(s, e):
            continue
        before = text[s - 1] if s else " "
        after = text[e] if e < len(text) else " "
        # Only a standalone token: "[09-12]", "(7-31)", " 06-30", or closing a line ("标题09-12" where the
        # date is its own element) – not "第1-2名" or "3.5倍".
        opens = before in " \n[(（【〔|/·>:：" or before.isspace()
        closes = after in " \n])）】〕|<" or after.isspace()
        if not (closes and (opens or after == "\n" or e == len(text))):
            continue
        mo, dd = int(m.group("m")), int(m.group("d"))
        if _make(2000, mo, dd) is None:
            continue
        hits.append(_Hit(s, e, "month-day", m.group(0), None, mo, dd))
        taken.append((s, e))
    for m in _CLOCK.finditer(text):
        if free(m.start(), m.end()):
            hits.append(_Hit(m.start(), m.end(), "clock", m.group(0), as_of))
            taken.append((m.start(), m.end()))
    hits.sort(key=lambda h: h.start)
    return hits


def _compact(s: str) -> str:
    return "".join(s.split())


@dataclass
class _Item:
    el: object
    title: str
    url: str | None
    hit: _Hit | None
    n_hits: int
    has_link: bool


class _Scanner:
    def __init__(self, view: "PageView", r: Rendered, hidden: bool, as_of: date | None) -> None:
        self.view = view
        self.r = r
        self.hidden = hidden
        self.as_of = as_of
        self.text = r.text
        self.hits = _date_hits(r.text, as_of)
        self.hit_starts = [h.start for h in self.hits]
        if r is view.rendered:
            links = view.link_spans
        else:
            links = sorted(((s, e, el) for el, (s, e) in r.spans.items() if e > s and el.tag == "a"), key=lambda t: t[0])
        self.links = links
        self.link_starts = [l[0] for l in links]

    def hits_in(self, s: int, e: int) -> list[_Hit]:
        i = bisect.bisect_left(self.hit_starts, s)
        j = bisect.bisect_left(self.hit_starts, e)
        return [h for h in self.hits[i:j] if h.end <= e]

    def links_in(self, s: int, e: int):
        i = bisect.bisect_left(self.link_starts, s)
        j = bisect.bisect_left(self.link_starts, e)
        return [l for l in self.links[i:j] if l[1] <= e]

    def item(self, el) -> _Item | None:
        span = self.r.spans.get(el)
        if span is None or span[1] <= span[0]:
            return None
        s, e = span
        if e - s > 600:
            return _BIG
        hits = self.hits_in(s, e)
        if sum(1 for h in hits if h.kind in _CALENDAR) > 3:
            return _BIG
        if _PREV_NEXT.search(self.text, s, min(e, s + 12)):
            return None
        links = self.links_in(s, e)
        main = None
        best = 0
        for ls, le, a in links:
            t = self.text[ls:le]
            n = len(_compact(t))
            if _MORE.match(t.strip()):
                continue
            if n > best:
                best, main = n, (ls, le, a)
        if main is not None and best >= 2:
            ls, le, a = main
            if (e - s) - (le - ls) > 400:
                return None
            title = self.text[ls:le].strip()
            outside = [h for h in hits if h.end <= ls or h.start >= le]
            inside = [h for h in hits if ls <= h.start and h.end <= le]
            hit = _best_hit(outside)
            if hit is None and inside:
                # a date written into the link text: only at its very start or end
                for h in (inside[0], inside[-1]):
                    if h.start - ls <= 2 or le - h.end <= 2:
                        hit = h
                        title = (self.text[ls : h.start] + self.text[h.end : le]).strip(" []()（）【】")
                        break
            if hit is not None and (hit.start - le > 80 or ls - hit.end > 80):
                return None  # title and date far apart: a section, not an item
            if hit is not None and _has_sections(el, self.r.spans, hit):
                return None
            href = a.get("href")
            url = self.view.absolute(href) if href and not href.lower().startswith("javascript") else None
            return _Item(el, re.sub(r"\s+", " ", title), url, hit, len(hits), True)
        # no link: a row whose text carries a date at its start or end (comments, 信息公开 tables, messages)
        body = self.text[s:e].strip()
        if not hits or len(body) > 400:
            return None
        hit = _best_hit(hits)
        if hit is None:
            return None
        if hit.start - s > 3 and e - hit.end > 30:
            return None
        if re.search(r"[:：]\s*$", self.text[max(s, hit.start - 6) : hit.start]):
            return None  # "生成日期：2017-04-12" – a metadata field, not a list row
        title = (self.text[s : hit.start] + " " + self.text[hit.end : e]).strip(" \n[]()（）【】|")
        title = re.sub(r"\s+", " ", title)
        if len(_compact(title)) < 2:
            return None
        return _Item(el, title[:200], None, hit, len(hits), False)


_BIG = _Item(None, "", None, None, 99, False)  # a child too large to be an item: ends a run of items


def _has_sections(el, spans: dict, hit: "_Hit") -> bool:
    """A heading, and the date inside a list of its own: a page section, not a list item."""
    heading = False
    listing = False
    for d in el.iterdescendants("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table"):
        if d.tag in ("ul", "ol", "table"):
            sp = spans.get(d)
            if sp and sp[0] <= hit.start and hit.end <= sp[1]:
                listing = True
        else:
            heading = True
        if heading and listing:
            return True
    return False


def _best_hit(hits: list[_Hit]) -> _Hit | None:
    if not hits:
        return None
    for kind in ("full", "month-day", "year-month", "relative", "clock"):
        for h in hits:
            if h.kind == kind:
                return h
    return None


def _resolve(item: _Item, as_of: date | None) -> tuple[date | None, str | None]:
    h = item.hit
    if h is None:
        return None, None
    if h.kind == "full":
        return h.date, h.kind
    if h.kind == "month-day":
        ud = url_date(item.url)
        if ud and ud[1] == h.month and (ud[2] is None or ud[2] == h.day):
            return _make(ud[0], h.month, h.day), h.kind  # type: ignore[arg-type]
        if as_of is not None:
            return infer_year(h.month, h.day, as_of), h.kind  # type: ignore[arg-type]
        return None, h.kind
    if h.kind in ("relative", "clock"):
        return h.date, h.kind
    return None, h.kind


def _element_text(view: "PageView", r: Rendered, el) -> str:
    span = r.spans.get(el)
    if span is not None:
        return r.text[span[0] : span[1]].strip()
    return re.sub(r"\s+", " ", el.text_content() or "").strip()


def _heading_text(t: str) -> str | None:
    t = _MORE_IN.sub(" ", t)
    t = re.sub(r"\s+", " ", t).strip(" |·•>》")
    if not t:
        return None
    n = len(_compact(t))
    if n < 2 or n > 24 or not re.search(r"[A-Za-z\u4e00-\u9fff]", t):
        return None
    if iter_dates(t):
        return None
    return t


def _find_heading(view: "PageView", r: Rendered, container, first_item) -> tuple[str | None, str | None]:
    """(heading, more_url) from what precedes the block: inside it, then its ancestors' earlier siblings.

    The nearest one-line text before the first item is the heading; a link block in between
    (a slider, a tab bar) is stepped over; other content ends the search.
    """
    more_url = None
    node = first_item
    steps = 0
    while node is not None and steps < 5:
        sib = node.getprevious()
        looked = 0
        while sib is not None and looked < 5:
            if isinstance(sib.tag, str) and sib.tag not in ("script", "style"):
                text = _element_text(view, r, sib)
                if text:
                    links = list(sib.iter("a"))
                    for a in links:
                        if _MORE.match((a.text_content() or "").strip()) or "more" in (a.get("class") or "").lower():
                            href = a.get("href")
                            if href and not href.lower().startswith("javascript") and more_url is None:
                                more_url = view.absolute(href)
                    lines = [l for l in text.split("\n") if l.strip() and not _MORE.match(l.strip())]
                    if sib.tag == "tr" and sib.find("th") is not None:
                        lines = []  # a table's header row
                    if len(lines) > 1:
                        for h_el in sib.iter("h1", "h2", "h3", "h4", "h5", "h6"):
                            h = _heading_text(_element_text(view, r, h_el))
                            if h:
                                return h, more_url
                    if len(lines) == 1:
                        h = _heading_text(lines[0])
                        if h:
                            return h, more_url
                        if len(_compact(lines[0])) > 24:
                            return None, more_url
                    elif len(lines) > 1:
                        link_chars = sum(len(_compact(a.text_content() or "")) for a in links)
                        if link_chars < 0.7 * len(_compact(text)):
                            return None, more_url
                looked += 1
            sib = sib.getprevious()
        node = node.getparent()
        steps += 1
        if node is None or node.tag in ("body", "html"):
            break
    return None, more_url


def _tab_heading(view: "PageView", r: Rendered, container) -> str | None:
    """For one of several sibling panels, the label of the tab at the same position."""
    parent = container.getparent()
    if parent is None:
        return None
    cls = container.get("class")
    panels = [c for c in parent if c.tag == container.tag and c.get("class") == cls]
    if len(panels) < 2:
        return None
    index = panels.index(container)
    first = panels[0]
    sib = first.getprevious()
    while sib is not None:
        if isinstance(sib.tag, str):
            labels = []
            for a in sib.iter("a", "li", "span"):
                t = re.sub(r"\s+", " ", a.text_content() or "").strip()
                if t and not _MORE.match(t) and len(_compact(t)) <= 16 and (a.tag != "span" or not list(a)):
                    if a.tag == "li" and list(a.iter("a")):
                        continue
                    labels.append(t)
            if len(labels) == len(panels):
                return labels[index]
            if len(labels) > len(panels) and len(labels) <= len(panels) + 1:
                return labels[index]
            break
        sib = sib.getprevious()
    return None


def _blocks_in(view: "PageView", r: Rendered, hidden: bool, as_of: date | None, avoid: tuple[int, int] | None) -> list[DatedList]:
    sc = _Scanner(view, r, hidden, as_of)
    if not sc.hits:
        return []
    found: list[tuple[object, list[_Item]]] = []
    candidates: list = []
    for parent, (ps, pe) in r.spans.items():
        if pe - ps < 6 or not isinstance(parent.tag, str):
            continue
        i = bisect.bisect_left(sc.hit_starts, ps)
        if i >= len(sc.hits) or sc.hits[i].start >= pe:
            continue
        groups: dict = {}
        for child in parent:
            tag = child.tag
            if isinstance(tag, str) and tag in _ITEM_TAGS:
                groups.setdefault(tag, []).append(child)
        for tag, kids in groups.items():
            runs: list[list[_Item]] = [[]]
            gap = 0
            for kid in kids:
                it = sc.item(kid)
                if it is _BIG:
                    if runs[-1]:
                        runs.append([])
                    gap = 0
                    continue
                if it is None:
                    sp = r.spans.get(kid)
                    if sp and sp[1] > sp[0] and r.text[sp[0] : sp[1]].strip():
                        gap += 1
                        if gap >= 2 and runs[-1]:
                            runs.append([])
                    continue
                gap = 0
                runs[-1].append(it)
            for items in runs:
                if items:
                    candidates.append((parent, tag, kids, items))
    for parent, tag, kids, items in candidates:
        ps, pe = r.spans[parent]
        # trim undated items at both ends (heading rows, "more" rows)
        while items and items[0].hit is None:
            items.pop(0)
        while items and items[-1].hit is None:
            items.pop()
        dated = [it for it in items if it.hit is not None]
        if not dated:
            continue
        n_cal = sum(1 for it in dated if it.hit.kind in _CALENDAR)  # type: ignore[union-attr]
        n_rel = sum(1 for it in dated if it.hit.kind in ("relative", "clock"))  # type: ignore[union-attr]
        single = len(items) == 1 and parent.tag in _LISTISH and n_cal == 1
        if not (n_cal >= 2 or n_rel >= 3 or (n_cal >= 1 and n_cal + n_rel >= 3) or single):
            continue
        linked = sum(1 for it in items if it.has_link)
        if linked == 0 and avoid is not None and avoid[0] <= ps < avoid[1]:
            continue  # dated paragraphs of the article text
        if linked < len(items) / 2 and tag == "p":
            continue
        found.append((parent, items))
    if not found:
        return []
    # a block whose item holds another block (a tbody around its rows, a folder of sticky
    # threads): that item is a wrapper, not an item; the block keeps its other items
    spans = r.spans
    # a one-item block inside an item of a bigger block is that item (a thread's own <tbody>)
    multi = [(p, its) for p, its in found if len(its) >= 2]
    item_spans = sorted(spans[it.el] for _, its in multi for it in its)
    starts = [sp[0] for sp in item_spans]

    def within_item(el) -> bool:
        s0, e0 = spans[el]
        k = bisect.bisect_right(starts, s0) - 1
        while k >= 0 and k >= bisect.bisect_right(starts, s0) - 3:
            a, b = item_spans[k]
            if a <= s0 and e0 <= b:
                return True
            k -= 1
        return False

    found = [(p, its) for p, its in found if len(its) >= 2 or not within_item(p)]
    keep = []
    for parent, items in found:
        wrappers = set()
        for other, _ in found:
            if other is parent:
                continue
            os_, oe = spans[other]
            for it in items:
                s, e = spans[it.el]
                if s <= os_ and oe <= e:
                    wrappers.add(id(it))
        if wrappers:
            items = [it for it in items if id(it) not in wrappers]
            if sum(1 for it in items if it.hit is not None and it.hit.kind in _CALENDAR) < 2 and len(items) < 3:
                continue
        if items:
            keep.append((parent, items))
    keep.sort(key=lambda t: spans[t[1][0].el][0])
    # merge sibling groups of the same shape with nothing in between (one feed in several <ul>)
    merged: list[list] = []  # [first container, items, last container]
    for parent, items in keep:
        if merged:
            first, last_items, last = merged[-1]
            if (
                last.tag == parent.tag
                and last.get("class") == parent.get("class")
                and last is not parent
                and not r.text[spans[last][1] : spans[parent][0]].strip()
                and not last.get("id") and not parent.get("id")
            ):
                merged[-1] = [first, last_items + items, parent]
                continue
        merged.append([parent, items, parent])

    out: list[DatedList] = []
    for parent, items, _last in merged:
        heading = _tab_heading(view, r, parent)
        head2, more = _find_heading(view, r, parent, items[0].el)
        if heading is None:
            heading = head2
        list_items = []
        n_dated = 0
        fulls: list[date] = []
        unknown_newer = False
        for it in items:
            d, kind = _resolve(it, as_of)
            list_items.append(ListItem(it.title, it.url, d, it.hit.text if it.hit else None, kind))
            if kind in _CALENDAR:
                n_dated += 1
            if d is not None:
                fulls.append(d)
            elif kind is not None:
                unknown_newer = True
        newest = max(fulls) if fulls and not unknown_newer else None
        # sites write month-day for this year's items (newer than the full dates) and a year-month
        # for old ones: only the latter can be older than every full date
        unknown_older = any(li.date is None and li.date_kind == "year-month" for li in list_items)
        oldest = min(fulls) if fulls and not unknown_older else None
        out.append(DatedList(heading, list_items, newest, n_dated, more, hidden, oldest, element=parent))
    return out


def find_lists(view: "PageView", as_of: date | None = None, *, hidden_panels: bool = True) -> list[DatedList]:
    """Every block of dated items, visible ones first in page order, then hidden panels."""
    blocks = _blocks_in(view, view.rendered, False, as_of, view.body_range)
    if not hidden_panels:
        return blocks
    for root in view.rendered.hidden_roots:
        if root.tag in ("script", "style"):
            continue
        raw = root.text_content() or ""
        if len(raw) < 8 or not any(ch.isdigit() for ch in raw):
            continue
        sub = render(root, include_hidden=True)
        blocks.extend(_blocks_in(view, sub, True, as_of, None))
    return blocks
