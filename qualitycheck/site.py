"""The per-site model: pages → compact facts → columns, findings and single-veto verdict facts.

How a runner uses it (one site)::

    acc = SiteAccumulator(site="www.hd.gov.cn", config=config)
    for page in pages:                      # in worker processes: facts = page_facts(page)
        acc.add(page_facts(page))           # PageFacts pickle small; no body text
    acc.columns(as_of)                      # list[Column] with type and status
    acc.findings(as_of)                     # QC301-QC304, QC306 site findings (selected codes only)
    acc.verdict(as_of)                      # list of 单项否决 item dicts (首页不更新 … 服务不实用)
    acc.summary(as_of)                      # the items plus column counts, for reports

Memory grows with the number of distinct columns, messages and blank-guide pages, never with
the number of pages: an article page adds nothing but a counter.

Column identity.  A column is keyed by its URL, canonicalised (scheme-less, ``index.html`` and
pagination such as ``index_2.html`` / ``?page=3`` folded away), so a homepage block whose 更多
link points at a list page and that list page are one column.  Homepage blocks without a 更多
link are matched to a navigation entry of the same name, or kept as their own column.

A column's dates come from its list pages and from homepage (or sidebar) blocks that link to
it; an article page does not date its column (the page does not say which column it is in).

Column status (at ``as_of``):

- ``empty``: the column's list page shows no items, or only placeholders (暂无信息, 正在建设中);
  or a block / page shows a placeholder and no items.  (空白栏目, 国办秘函〔2019〕19号)
- ``stale``: a timed column type (news 14 d, notice 183 d, plan 365 d; config ``[columns]``)
  whose newest item is ``period`` days old or older, i.e. nothing new within the last
  ``period`` days counting ``as_of`` as day 1 (13 days old: fine; 14 days old: stale).
  Items without a visible date count as not updated (国办发〔2015〕15号 普查答疑).
- ``substantive``: has items and is within its period, or has no period (互动, other).
- ``unknown``: only seen in navigation, or a block with no items and no placeholder (often a
  list filled in by JavaScript): no verdict either way.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from .columns.guide import read_guide
from .columns.placeholders import find_placeholder, is_placeholder
from .columns.types import TYPE_LABELS, classify, is_junk_name, normalize_name, period_days
from .document import Finding, finalize
from .extract.dates import iter_dates
from .sources import url_host
from .text.leaders import harvest_leaders, title_mentions

if TYPE_CHECKING:  # pragma: no cover
    from .config import Config
    from .extract.page import Page

# -- rule sources (cited in findings and verdicts) --------------------------------------------

SRC_BLANK = "国办秘函〔2019〕19号 单项否决·空白栏目: 空白栏目数量≥5个 (SITE-005); 空白 = 栏目自建立起无内容 (国办发〔2015〕15号 普查答疑)"
SRC_STALE = (
    "国办秘函〔2019〕19号 单项否决·栏目不更新: 动态要闻类2周内无更新、通知公告政策文件类6个月内无更新的栏目累计≥5个 (SITE-003); "
    "应更新而长期未更新的栏目≥10个 (SITE-004)"
)
SRC_UNDATED = "国办发〔2015〕15号 普查答疑: 无发布时间的信息视为未更新; 《网页设计规范》发布时间可见 (FMT-007)"
SRC_HOME = "国办秘函〔2019〕19号 单项否决·首页不更新: 监测时间点前2周内首页无新增信息 (SITE-002)"
SRC_INTERACTION = "国办秘函〔2019〕19号 单项否决·互动回应差: 近1年内政务咨询类栏目存在超过3个月未回应的有效留言 (SITE-006)"
SRC_GUIDE = (
    "国办秘函〔2019〕19号 单项否决·服务不实用: 办事指南缺少要素 (SITE-007); 核实的要素: 事项名称、设定依据、申请条件、办理材料; "
    "其余要素及数量阈值未核实 [U]"
)

# 2019 excludes these column kinds from 互动回应差 (2015 excluded 举报投诉 instead).
_EXCLUDED_INTERACTION = re.compile(r"访谈|调查|征集|信访|纪检|纪委|监委")
_ANSWERED_STATUS = re.compile(r"已(?:回复|答复|办结|处理|反馈|回应|解答|公开)|办结|完成|回复完毕")
_OPEN_STATUS = re.compile(r"未(?:回复|答复|办结|处理|反馈|回应)|待(?:回复|答复|处理|办理)|(?:处理|办理|受理|转办|审核)中|已受理|已转办")

# -- URLs -------------------------------------------------------------------------------------

_INDEX_PAGE = re.compile(r"/(?:index|default|main)(?:_\d+)?\.(?:s?html?|jhtml|jsp|php|aspx?)$", re.I)
_PAGED_FILE = re.compile(r"(?<=/)(\w+?)_\d+(\.(?:s?html?|jhtml|jsp|php|aspx?))$", re.I)
_PAGE_PARAMS = {"page", "pageno", "pagenum", "pageindex", "pagenumber", "currentpage", "curpage", "cur_page",
                "pn", "p", "start", "offset", "pagesize", "page_no", "page_num", "_"}


def canonical_url(url: str | None) -> str | None:
    """A column's identity: no scheme, lower-case host, no index page, no pagination, no fragment.

    ``https://www.x.gov.cn/tzgg/index_2.html`` and ``http://www.x.gov.cn/tzgg/`` → ``//www.x.gov.cn/tzgg/``.
    """
    if not url:
        return None
    url = url.strip()
    if url.startswith(("javascript:", "mailto:", "#", "tel:")):
        return None
    try:
        parts = urlsplit(url if "://" in url or url.startswith("//") else "//" + url)
        port = parts.port if parts.port not in (None, 80, 443) else None  # .port raises on junk ports
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    path = parts.path or "/"
    path = _INDEX_PAGE.sub("/", path)
    path = _PAGED_FILE.sub(r"\1\2", path)
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _PAGE_PARAMS)
    out = f"//{host}{':' + str(port) if port else ''}{path}"
    if query:
        out += "?" + urlencode(query)
    return out


def _path_depth(url: str | None) -> int:
    if not url:
        return 99
    c = canonical_url(url) or ""
    path = c.split("/", 3)[3] if c.count("/") >= 3 else ""
    return len([p for p in path.split("?")[0].split("/") if p]) + (1 if "?" in c else 0)


# -- facts ------------------------------------------------------------------------------------

MonthDay = tuple[int, int]


@dataclass(slots=True)
class ListFact:
    """One dated list as a column sees it: counts, the newest date, a few titles."""

    heading: str | None
    more_url: str | None
    n_items: int  # real items (placeholders excluded)
    n_dated: int  # items showing a date (full or month-day)
    newest: date | None  # newest full date
    month_days: tuple[MonthDay, ...] = ()  # dates shown without a year (resolved at as_of)
    placeholder: str | None = None  # placeholder text seen instead of items
    hidden: bool = False
    titles: tuple[str, ...] = ()  # up to 3 item titles, for the column type


@dataclass(slots=True)
class MessageFact:
    title: str
    asked: date | None
    answered: date | None
    status: str | None
    url: str | None
    page_url: str | None
    column: str | None  # the name of the column listing the message
    reply_info: bool  # the list shows reply dates or statuses at all


@dataclass(slots=True)
class GuideFact:
    problems: tuple[str, ...]  # verified elements missing or blank
    unverified_blank: tuple[str, ...]
    title: str | None


@dataclass(slots=True)
class PageFacts:
    """What the site model keeps of one page (picklable; no body text)."""

    url: str | None
    source: str
    kind: str  # article | list | home | other
    title: str | None
    published: date | None
    own: ListFact | None = None  # the page's own column (a list page, or a placeholder page)
    own_names: tuple[tuple[int, str], ...] = ()  # (priority, name) candidates for the own column
    column_like: bool = True  # own is a placeholder page that looks like a column page by itself
    blocks: tuple[ListFact, ...] = ()  # lists on the page that stand for columns (homepage blocks, 更多 links)
    messages: tuple[MessageFact, ...] = ()
    nav: tuple[tuple[str, str], ...] = ()
    guide: GuideFact | None = None
    #: names a 领导信息 page lists, and the text around leaders' titles on any page (QC107)
    leaders: tuple[str, ...] = ()
    leader_mentions: tuple[str, ...] = ()


# Name priorities for a column: navigation text and the list's own heading (both seen by users) >
# <meta name="ColumnName"> (on some CMSs the whole channel, 邯郸市政府信息公开) > the page's <title>.
PRIO_NAV, PRIO_HEADING, PRIO_META, PRIO_TITLE = 4, 3, 2, 1
_TITLE_SPLIT = re.compile(r"(?<!\s)\s*(?:[_|｜]|--|—|-\s|\s-)\s*")


def _meta(page: Any, key: str) -> str | None:
    meta = getattr(page, "meta", None) or {}
    for k, v in meta.items():
        if k.lower() == key and v and v.strip() and v.strip().lower() != "null":
            return v.strip()
    return None


def _month_day(text: str | None) -> MonthDay | None:
    if not text:
        return None
    hits = iter_dates(text, default_year=2000)  # a leap year, so 02-29 survives
    for h in hits:
        if not h.has_year:
            return (h.date.month, h.date.day)
    return None


def list_fact(lst: Any, *, more_url: str | None = None) -> ListFact:
    """Compact facts of one DatedList."""
    n_items = n_dated = 0
    newest: date | None = None
    mds: set[MonthDay] = set()
    titles: list[str] = []
    placeholder: str | None = None
    for item in getattr(lst, "items", None) or ():
        title = (getattr(item, "title", "") or "").strip()
        if is_placeholder(title):
            placeholder = placeholder or title
            continue
        n_items += 1
        d = getattr(item, "date", None)
        kind = getattr(item, "date_kind", None)
        if kind in ("relative", "clock"):
            # "3小时前", "16:02": shown, but relative to a fetch time we do not know; such an
            # item is dated (not "undated") yet gives no calendar date.
            n_dated += 1
        elif kind == "month-day":
            # [05-20]: the year is the site model's to infer at as-of (one rule for every list),
            # whatever year the page reader guessed.
            md = (d.month, d.day) if d is not None else _month_day(getattr(item, "date_text", None))
            if md is not None:
                n_dated += 1
                mds.add(md)
        elif d is not None:
            n_dated += 1
            if newest is None or d > newest:
                newest = d
        else:
            md = _month_day(getattr(item, "date_text", None))
            if md is not None:
                n_dated += 1
                mds.add(md)
        if len(titles) < 3 and title:
            titles.append(title[:60])
    return ListFact(
        heading=(getattr(lst, "heading", None) or None),
        more_url=more_url if more_url is not None else getattr(lst, "more_url", None),
        n_items=n_items,
        n_dated=n_dated,
        newest=newest,
        month_days=tuple(sorted(mds)),
        placeholder=placeholder,
        hidden=bool(getattr(lst, "hidden", False)),
        titles=tuple(titles),
    )


def _join(base: str | None, link: str | None) -> str | None:
    if not link:
        return None
    if base and "://" not in link and not link.startswith("//"):
        try:
            return urljoin(base, link)
        except ValueError:
            return link
    return link


_BREADCRUMB = re.compile(r"(?:当前位置|您的位置|你的位置|您现在的位置|所在位置)\s*[:：]|首页\s*[>＞»›]")
_LISTY_PATH = re.compile(r"(?:/|/(?:index|list|default)(?:_\d+)?\.(?:s?html?|jhtml|jsp|php|aspx?))$", re.I)


def _listy_url(url: str | None) -> bool:
    """A URL shaped like a column's list page (…/tzgg/, …/index_2.html)."""
    if not url:
        return False
    try:
        path = urlsplit(url).path or "/"
    except ValueError:
        return False
    return path != "/" and _LISTY_PATH.search(path) is not None


def page_facts(page: "Page", *, body_limit: int = 300) -> PageFacts:
    """The compact facts of one extracted page (run it where the page was read).

    The page's own column: a list page's main (largest visible) list; or, for a page without
    dated items, a placeholder (暂无信息, 正在建设中) in its visible text.  Non-article pages
    carry no ``body``, so their visible ``text`` is searched; an article page counts only when
    its body is at most ``body_limit`` characters.
    A placeholder page is a column when its URL looks like a list page or it shows a
    breadcrumb; otherwise only when the site's navigation links to it (decided later).
    """
    url = getattr(page, "url", None)
    source = getattr(page, "source", "") or url or ""
    kind = getattr(page, "kind", "other") or "other"
    body = getattr(page, "body", "") or ""
    page_text = getattr(page, "text", "") or ""
    visible_text = (body if body.strip() else page_text)[:4000]
    lists = list(getattr(page, "lists", None) or ())
    column_meta = _meta(page, "columnname")

    own: ListFact | None = None
    column_like = True
    names: list[tuple[int, str]] = []
    blocks: list[ListFact] = []
    main_index = -1
    if kind == "list":
        visible = [(i, l) for i, l in enumerate(lists) if not getattr(l, "hidden", False)] or list(enumerate(lists))
        if visible:
            main_index = max(visible, key=lambda il: (len(getattr(il[1], "items", None) or ()), -il[0]))[0]
            own = list_fact(lists[main_index], more_url=None)
        else:
            own = ListFact(None, None, 0, 0, None)
        if own.n_items == 0 and own.placeholder is None:
            own.placeholder = find_placeholder(visible_text)
    elif kind != "home":
        has_items = any(getattr(l, "items", None) for l in lists)
        short = kind != "article" or len(body) <= body_limit
        placeholder = find_placeholder(visible_text) if (short and not has_items) else None
        if placeholder:
            own = ListFact(None, None, 0, 0, None, placeholder=placeholder)
            column_like = _listy_url(url) or bool(_BREADCRUMB.search(visible_text))
    if own is not None:
        if column_meta:
            names.append((PRIO_META, column_meta))
        if own.heading and not is_junk_name(own.heading):
            names.append((PRIO_HEADING, own.heading))
        for t in (getattr(page, "html_title", None), getattr(page, "title", None)):
            if t:
                first = _TITLE_SPLIT.split(t.strip())[0]
                if first and not is_junk_name(first):
                    names.append((PRIO_TITLE, first))
                    break
    for i, lst in enumerate(lists):
        if i == main_index:
            continue
        more = getattr(lst, "more_url", None)
        if kind == "home" or more:
            blocks.append(list_fact(lst, more_url=_join(url, more)))

    messages: list[MessageFact] = []
    raw_messages = list(getattr(page, "messages", None) or ())
    if raw_messages:
        reply_info = any(getattr(m, "answered", None) or getattr(m, "status", None) for m in raw_messages)
        heading = own.heading if own else None
        html_title = getattr(page, "html_title", None)
        col = (column_meta or (normalize_name(heading) if heading else None)
               or (_TITLE_SPLIT.split(html_title.strip())[0] if html_title else None))
        for m in raw_messages:
            messages.append(MessageFact(
                title=(getattr(m, "title", "") or "")[:80],
                asked=getattr(m, "asked", None),
                answered=getattr(m, "answered", None),
                status=getattr(m, "status", None),
                url=_join(url, getattr(m, "url", None)),
                page_url=url,
                column=col,
                reply_info=reply_info,
            ))

    guide: GuideFact | None = None
    title = getattr(page, "title", None) or getattr(page, "html_title", None)
    guide_text = body if body.strip() else (page_text if kind != "article" else "")
    if guide_text and any(k in guide_text for k in ("设定依据", "申请条件", "办理材料", "申请材料", "事项名称")):
        g = read_guide(guide_text, title)
        if g.is_guide and (g.problems or g.unverified_blank):
            guide = GuideFact(tuple(g.problems), tuple(g.unverified_blank), (title or "")[:80] or None)

    # Navigation is the site's column inventory; every page repeats it, so only homepages, list
    # pages and blank-column pages send it (their menus and sidebars name the columns).
    nav: tuple[tuple[str, str], ...] = ()
    if kind in ("home", "list") or own is not None:
        nav = tuple((n.strip(), _join(url, u) or u) for n, u in (getattr(page, "nav", None) or ()) if n and u)
    return PageFacts(
        url=url,
        source=source,
        kind=kind,
        title=getattr(page, "title", None),
        published=getattr(page, "published", None),
        own=own,
        own_names=tuple(names),
        column_like=column_like,
        blocks=tuple(blocks),
        messages=tuple(messages),
        nav=nav,
        guide=guide,
        leaders=harvest_leaders(title, body if body.strip() else page_text),
        leader_mentions=title_mentions(((title or "") + "\n" + body) if body.strip() else page_text),
    )


# -- the accumulator --------------------------------------------------------------------------


@dataclass
class Column:
    """A column of the site as the inspectors see it."""

    name: str
    url: str | None  # the column's own URL (its list page or 更多 link), if known
    type: str  # news | notice | plan | interaction | other
    status: str  # empty | stale | substantive | unknown
    newest: date | None
    age_days: int | None
    max_age_days: int | None  # the update period of its type; None if it has none
    n_items: int
    n_dated: int
    evidence_url: str | None  # the page the status was read from
    placeholder: str | None = None
    sources: tuple[str, ...] = ()  # list | block | nav | placeholder
    year_inferred: bool = False  # newest came from a month-day date (year taken as the latest ≤ as_of)

    @property
    def undated(self) -> bool:
        return self.n_items > 0 and self.n_dated == 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["newest"] = self.newest.isoformat() if self.newest else None
        d["sources"] = list(self.sources)
        d["type_label"] = TYPE_LABELS.get(self.type, self.type)
        return d


class _Col:
    __slots__ = ("key", "url", "evidence_url", "name", "name_prio", "names", "list_pages", "list_items", "list_dated",
                 "block_items", "block_dated", "newest", "newest_url", "month_days", "placeholder", "titles",
                 "sources", "provisional", "weak")

    def __init__(self, key: str, url: str | None, provisional: bool = False):
        self.key = key
        self.url = url
        self.evidence_url: str | None = None
        self.name: str | None = None
        self.name_prio = 0
        self.names: dict[int, str] = {}  # best name per priority, for the column type
        self.list_pages = 0
        self.list_items = 0
        self.list_dated = 0
        self.block_items = 0
        self.block_dated = 0
        self.newest: date | None = None
        self.newest_url: str | None = None
        self.month_days: set[MonthDay] = set()
        self.placeholder: str | None = None
        self.titles: list[str] = []
        self.sources: set[str] = set()
        self.provisional = provisional
        self.weak = False  # only a placeholder page not shaped like a column page: needs a nav link

    def offer_name(self, prio: int, name: str | None) -> None:
        if not name or is_junk_name(name):
            return
        norm = normalize_name(name) or name
        self.names.setdefault(prio, norm)
        if prio > self.name_prio:
            self.name = norm
            self.name_prio = prio

    def ranked_names(self) -> list[str]:
        return [self.names[p] for p in sorted(self.names, reverse=True)]

    def take(self, fact: ListFact, page_url: str | None, as_list: bool) -> None:
        if as_list:
            self.list_pages += 1
            self.list_items += fact.n_items
            self.list_dated += fact.n_dated
            self.sources.add("list")
            if self.evidence_url is None or (self.list_pages == 1):
                self.evidence_url = page_url or self.evidence_url
        else:
            self.block_items = max(self.block_items, fact.n_items)
            self.block_dated = max(self.block_dated, fact.n_dated)
            self.sources.add("block")
            if self.evidence_url is None:
                self.evidence_url = page_url
        if fact.newest is not None and (self.newest is None or fact.newest > self.newest):
            self.newest = fact.newest
            self.newest_url = page_url
        if fact.month_days and len(self.month_days) < 400:
            self.month_days.update(fact.month_days)
        if fact.placeholder and not self.placeholder:
            self.placeholder = fact.placeholder
        for t in fact.titles:
            if len(self.titles) < 5 and t not in self.titles:
                self.titles.append(t)

    def clone(self) -> "_Col":
        c = _Col(self.key, self.url, self.provisional)
        for slot in self.__slots__:
            value = getattr(self, slot)
            setattr(c, slot, value.copy() if isinstance(value, (set, list, dict)) else value)
        return c

    def merge(self, other: "_Col") -> None:
        self.list_pages += other.list_pages
        self.list_items += other.list_items
        self.list_dated += other.list_dated
        self.block_items = max(self.block_items, other.block_items)
        self.block_dated = max(self.block_dated, other.block_dated)
        if other.newest is not None and (self.newest is None or other.newest > self.newest):
            self.newest, self.newest_url = other.newest, other.newest_url
        self.month_days |= other.month_days
        self.placeholder = self.placeholder or other.placeholder
        for t in other.titles:
            if len(self.titles) < 5 and t not in self.titles:
                self.titles.append(t)
        self.sources |= other.sources
        self.evidence_url = self.evidence_url or other.evidence_url
        for prio, name in other.names.items():
            self.offer_name(prio, name)


def _resolve_month_day(md: MonthDay, as_of: date) -> date | None:
    """The latest date with this month and day that is not after as_of."""
    for year in (as_of.year, as_of.year - 1, as_of.year - 2, as_of.year - 3, as_of.year - 4):
        try:
            d = date(year, md[0], md[1])
        except ValueError:
            continue
        if d <= as_of:
            return d
    return None


def is_stale(age_days: int, period: int) -> bool:
    """The one staleness rule: nothing new within the last ``period`` days, counting the as-of
    day as day 1, i.e. the newest item is ``period`` days old or older (14-day rule: 13 days
    old is fine, 14 days old is stale)."""
    return age_days >= period


def column_status(col: _Col, as_of: date, config: "Config") -> Column:
    """Type and status of one column's gathered evidence at ``as_of``."""
    name = col.name or (col.url or col.key)
    ctype = "other"
    for candidate in col.ranked_names():  # the most visible name that says something
        ctype = classify(candidate)
        if ctype != "other":
            break
    if ctype == "other" and col.titles:
        ctype = classify(None, col.titles)
    period = period_days(ctype, config)
    n_items = col.list_items if col.list_items > 0 else col.block_items
    n_dated = col.list_dated if col.list_items > 0 else col.block_dated
    newest = col.newest
    year_inferred = False
    for md in col.month_days:
        d = _resolve_month_day(md, as_of)
        if d is not None and (newest is None or d > newest):
            newest, year_inferred = d, True
    has_evidence = bool(col.list_pages or col.block_items or col.placeholder or "block" in col.sources)
    if not has_evidence:
        status = "unknown"
    elif n_items == 0:
        status = "empty" if (col.list_pages or col.placeholder) else "unknown"
    elif period is None:
        status = "substantive"
    elif newest is None:
        status = "stale" if n_dated == 0 else "unknown"
    else:
        status = "stale" if is_stale((as_of - newest).days, period) else "substantive"
    return Column(
        name=name,
        url=col.url,
        type=ctype,
        status=status,
        newest=newest,
        age_days=(as_of - newest).days if newest else None,
        max_age_days=period,
        n_items=n_items,
        n_dated=n_dated,
        evidence_url=(col.newest_url if status != "empty" and col.newest_url else col.evidence_url) or col.url,
        placeholder=col.placeholder,
        sources=tuple(sorted(col.sources)) or ("nav",),
        year_inferred=year_inferred,
    )


def list_status(lst: Any, as_of: date, config: "Config", *, page_url: str | None = None,
                as_list_page: bool = True) -> Column:
    """The status one DatedList gives its column on its own (for ``inspect`` of a single page).

    Same rules as the site model: placeholders are not items, undated items are not updated,
    month-day dates take the latest year not after ``as_of``, relative times give no date.
    ``as_list_page``: the list is a list page's own list (empty → blank) rather than a block.
    """
    fact = list_fact(lst)
    col = _Col("list", getattr(lst, "more_url", None) or page_url)
    col.take(fact, page_url, as_list=as_list_page)
    col.offer_name(PRIO_HEADING, fact.heading)
    return column_status(col, as_of, config)


@dataclass
class Unanswered:
    """A message that waited more than the limit for an answer."""

    message: MessageFact
    days: int  # days without an answer (to as_of if still open, to the answer if answered late)
    open: bool  # still unanswered at as_of

    def evidence(self) -> dict[str, Any]:
        m = self.message
        return {
            "title": m.title,
            "asked": m.asked.isoformat() if m.asked else None,
            "answered": m.answered.isoformat() if m.answered else None,
            "status": m.status,
            "days_unanswered": self.days,
            "still_open": self.open,
            "column": m.column,
            "url": m.url or m.page_url,
        }


@dataclass
class SiteContext:
    """What a site-level check's ``run`` receives (``Check.level == "site"``).

    ``site`` holds the facts of every page of the site; ``data`` is free for the runner's other
    site-level facts (identity marks, links ...), keyed by whatever its checks agree on.
    """

    config: "Config"
    as_of: date
    site: "SiteAccumulator"
    data: dict[str, Any] = field(default_factory=dict)


class SiteAccumulator:
    """Aggregates PageFacts of one site into columns, findings and single-veto verdict facts."""

    def __init__(self, site: str, config: "Config"):
        self.site = site
        self.config = config
        self.host = url_host(site) if ("." in site or "/" in site) else ""
        self.pages = 0
        self.kinds: dict[str, int] = {}
        self._cols: dict[str, _Col] = {}
        self._nav: dict[str, str] = {}  # canonical url → name
        self._nav_url: dict[str, str] = {}  # canonical url → url as linked
        self._nav_links: set[str] = set()  # nav links already read
        self._home: tuple[tuple, PageFacts] | None = None
        self._messages: dict[tuple, MessageFact] = {}  # messages that could be late, de-duplicated
        self._messages_total = 0  # message rows seen (with repeats)
        self._guides: dict[str, GuideFact] = {}
        self._guide_pages = 0
        #: the site's own leaders (name → the 领导信息 page naming them) and the text around
        #: leaders' titles on its pages (window → the first page showing it), for QC107
        self.leaders: dict[str, str] = {}
        self.leader_mentions: dict[str, str] = {}
        self._columns_cache: tuple[tuple[int, date], list[Column]] | None = None

    # -- adding --------------------------------------------------------------------------------

    def add(self, facts: PageFacts) -> None:
        self.pages += 1
        self.kinds[facts.kind] = self.kinds.get(facts.kind, 0) + 1
        page_url = facts.url or facts.source
        if not self.host and facts.url:
            self.host = url_host(facts.url)
        for name, link in facts.nav:
            if link in self._nav_links:  # every list page repeats the menu
                continue
            if len(self._nav_links) < 20_000:
                self._nav_links.add(link)
            key = canonical_url(link)
            if key and key not in self._nav and not is_junk_name(name) and len(self._nav) < 20_000:
                self._nav[key] = name
                self._nav_url[key] = link
        if facts.own is not None:
            key = canonical_url(facts.url) or f"page:{facts.source}"
            is_new = key not in self._cols
            col = self._col(key, facts.url)
            if is_new:
                col.weak = not facts.column_like
            elif facts.column_like:
                col.weak = False
            col.take(facts.own, page_url, as_list=facts.own.n_items > 0 or facts.kind == "list")
            if facts.kind != "list":
                col.sources.add("placeholder")
            for prio, name in facts.own_names:
                col.offer_name(prio, name)
        for block in facts.blocks:
            key = canonical_url(block.more_url)
            provisional = False
            if key is None:
                if facts.kind != "home" or not block.heading or is_junk_name(block.heading):
                    continue  # a block we cannot name stands for no column
                key = f"block:{normalize_name(block.heading)}"
                provisional = True
            col = self._col(key, block.more_url, provisional)
            col.weak = False
            col.take(block, page_url, as_list=False)
            col.offer_name(PRIO_HEADING, block.heading)
        if facts.kind == "home" or (facts.url and _path_depth(facts.url) == 0 and facts.blocks):
            rank = (0 if facts.kind == "home" else 1, _path_depth(facts.url), len(facts.url or facts.source))
            if self._home is None or rank < self._home[0]:
                self._home = (rank, facts)
        limit = int(self.config["interaction"]["max_unanswered_days"])
        for m in facts.messages:
            self._messages_total += 1
            # Keep only messages that could ever be late: a message answered within the limit,
            # or shown as answered without a date, can never be (whatever the as-of date).
            if m.asked is None:
                continue
            if m.answered is not None and (m.answered - m.asked).days <= limit:
                continue
            if m.answered is None and m.status and _ANSWERED_STATUS.search(m.status) and not _OPEN_STATUS.search(m.status):
                continue
            key = ("u", canonical_url(m.url)) if m.url else ("t", m.title, m.asked)
            if key not in self._messages:
                self._messages[key] = m
        if facts.guide is not None:
            self._guide_pages += 1
            if len(self._guides) < 100_000:
                self._guides[page_url] = facts.guide
        for name in facts.leaders:
            self.leaders.setdefault(name, page_url)
        for mention in facts.leader_mentions:
            if len(self.leader_mentions) < 200_000:
                self.leader_mentions.setdefault(mention, page_url)

    def _col(self, key: str, url: str | None, provisional: bool = False) -> _Col:
        col = self._cols.get(key)
        if col is None:
            col = self._cols[key] = _Col(key, url, provisional)
        elif col.url is None and url:
            col.url = url
        return col

    # -- columns -------------------------------------------------------------------------------

    def _merged(self) -> list[_Col]:
        """Columns after naming from navigation and folding name-only blocks into them."""
        by_name: dict[str, _Col] = {}
        out: list[_Col] = []
        cols = {key: col.clone() for key, col in self._cols.items()}
        for key, col in cols.items():
            if col.provisional or (col.weak and key not in self._nav):
                continue
            nav_name = self._nav.get(key)
            if nav_name:
                col.offer_name(PRIO_NAV, nav_name)
            out.append(col)
        nav_by_name: dict[str, str] = {}
        for key, name in self._nav.items():
            nav_by_name.setdefault(normalize_name(name), key)
        for col in out:
            if col.name:
                by_name.setdefault(col.name, col)
        merged_out = list(out)
        for key, col in cols.items():
            if not col.provisional:
                continue
            name = key.split(":", 1)[1]
            target = by_name.get(name)
            if target is None and name in nav_by_name:
                nav_key = nav_by_name[name]
                target = _Col(nav_key, self._nav_url.get(nav_key))
                target.offer_name(PRIO_NAV, self._nav[nav_key])
                by_name[name] = target
                merged_out.append(target)
            if target is not None:
                target.merge(col)
            else:
                copy = _Col(key, None)
                copy.merge(col)
                by_name[name] = copy
                merged_out.append(copy)
        # Navigation entries of this site with no page or block seen: status unknown, listed
        # only for the timed and interaction types (not every 首页 / 联系我们 link).
        seen = {c.key for c in merged_out}
        for key, name in self._nav.items():
            if key in seen or (self.host and url_host(self._nav_url[key]) != self.host):
                continue
            col = _Col(key, self._nav_url[key])
            col.offer_name(PRIO_NAV, name)
            col.sources.add("nav")
            merged_out.append(col)
        return merged_out

    def columns(self, as_of: date | None = None) -> list[Column]:
        """Every column, de-duplicated, with type and status at ``as_of`` (config as_of by default)."""
        as_of = as_of or self.config.as_of
        if self._columns_cache is not None and self._columns_cache[0] == (self.pages, as_of):
            return list(self._columns_cache[1])
        out: list[Column] = []
        for col in self._merged():
            column = self._status(col, as_of)
            if column.sources == ("nav",) and column.type == "other":
                continue
            out.append(column)
        out.sort(key=lambda c: (c.status != "empty", c.status != "stale", c.name))
        self._columns_cache = ((self.pages, as_of), out)
        return list(out)

    def _status(self, col: _Col, as_of: date) -> Column:
        return column_status(col, as_of, self.config)

    # -- homepage ------------------------------------------------------------------------------

    def homepage(self, as_of: date | None = None) -> dict[str, Any] | None:
        """The homepage's freshness: url, newest, age, period, status (stale | fresh | unknown)."""
        as_of = as_of or self.config.as_of
        period = int(self.config["columns"]["homepage_days"])
        if self._home is None:
            return None
        facts = self._home[1]
        newest: date | None = None
        n_items = n_dated = 0
        year_inferred = False
        for b in facts.blocks:
            n_items += b.n_items
            n_dated += b.n_dated
            if b.newest is not None and (newest is None or b.newest > newest):
                newest = b.newest
            for md in b.month_days:
                d = _resolve_month_day(md, as_of)
                if d is not None and (newest is None or d > newest):
                    newest, year_inferred = d, True
        basis = "homepage"
        if n_items == 0:
            # A navigation-only homepage: the rule applies when every second-level page is stale.
            basis = "columns"
            timed = [c for c in self.columns(as_of) if c.max_age_days is not None and c.status != "unknown"]
            dated = [c.newest for c in timed if c.newest is not None]
            newest = max(dated) if dated else None
            n_items = sum(c.n_items for c in timed)
            n_dated = sum(c.n_dated for c in timed)
            if not timed:
                status = "unknown"
            else:
                status = "stale" if all(c.status in ("stale", "empty") for c in timed) else "fresh"
        elif newest is None:
            status = "stale" if n_dated == 0 else "unknown"
        else:
            status = "stale" if is_stale((as_of - newest).days, period) else "fresh"
        return {
            "url": facts.url or facts.source,
            "newest": newest,
            "age_days": (as_of - newest).days if newest else None,
            "period_days": period,
            "n_items": n_items,
            "n_dated": n_dated,
            "status": status,
            "basis": basis,
            "year_inferred": year_inferred,
        }

    # -- interaction ---------------------------------------------------------------------------

    def unanswered(self, as_of: date | None = None) -> list[Unanswered]:
        """Messages asked within the lookback that waited more than the limit for an answer.

        A message is open when its status says so (未回复, 办理中 …), or when it shows neither a
        reply date nor a status on a list that shows them for other messages.  A message whose
        list shows no reply information at all is not judged.  Messages answered after more
        than the limit count too unless ``interaction.count_late_replies`` is false: within
        the last year they were left unanswered for more than three months.
        """
        as_of = as_of or self.config.as_of
        cfg = self.config["interaction"]
        limit = int(cfg["max_unanswered_days"])
        lookback = int(cfg["lookback_days"])
        count_late = bool(cfg.get("count_late_replies", True))
        out: list[Unanswered] = []
        for m in self._messages.values():
            if m.asked is None or (m.column and _EXCLUDED_INTERACTION.search(m.column)):
                continue
            age = (as_of - m.asked).days
            if age < 0 or age > lookback:
                continue
            status = m.status or ""
            if m.answered is not None:
                if m.answered > as_of:  # answered after the as-of date: open at as_of
                    if age > limit:
                        out.append(Unanswered(m, age, True))
                    continue
                wait = (m.answered - m.asked).days
                if count_late and wait > limit:
                    out.append(Unanswered(m, wait, False))
                continue
            if _ANSWERED_STATUS.search(status) and not _OPEN_STATUS.search(status):
                continue  # answered, date not shown
            is_open = bool(_OPEN_STATUS.search(status)) or (not status and m.reply_info)
            if is_open and age > limit:
                out.append(Unanswered(m, age, True))
        out.sort(key=lambda u: (-u.days, u.message.title))
        return out

    def messages_seen(self) -> int:
        """Message rows seen on the site's pages (repeats across pages included)."""
        return self._messages_total

    # -- guides --------------------------------------------------------------------------------

    def guide_problems(self) -> list[tuple[str, GuideFact]]:
        """(page url, facts) for every 办事指南 page with a verified element missing or blank."""
        return [(u, g) for u, g in self._guides.items() if g.problems]

    # -- findings and verdict --------------------------------------------------------------------

    def context(self, as_of: date | None = None) -> SiteContext:
        return SiteContext(self.config, as_of or self.config.as_of, self)

    def findings(self, as_of: date | None = None) -> list[Finding]:
        """The site-level findings of this module's checks (QC301-QC304, QC306), selected ones only."""
        from .checks.registry import all_checks

        ctx = self.context(as_of)
        out: list[Finding] = []
        for check in all_checks(self.config):
            if check.level != "site" or not getattr(check, "uses_site_model", False):
                continue
            if not self.config.is_selected(check.code, enabled_by_default=check.enabled_by_default):
                continue
            for f in check.run(ctx):
                f.severity = self.config.severity_for(f.code, f.severity)
                out.append(f)
        return finalize(out)

    def verdict(self, as_of: date | None = None) -> list[dict[str, Any]]:
        """One dict per single-veto item this model can judge (the runner adds its own items).

        Items: 首页不更新, 栏目不更新, 空白栏目, 互动回应差, 服务不实用.  Each has ``item``,
        ``failed`` (the count reached ``threshold``), ``count``, ``threshold``, ``rule_source``,
        ``evidence`` (columns / messages / pages with their dates), ``checked`` (false when
        the crawl did not show what the item needs: no homepage, no message list, no guide),
        and ``veto`` (false for 服务不实用: its element list beyond the four verified elements
        and its threshold are unverified, so it is reported without failing the site unless
        ``services.guide_veto`` is set).
        """
        as_of = as_of or self.config.as_of
        ccfg = self.config["columns"]
        cols = self.columns(as_of)
        items: list[dict[str, Any]] = []

        home = self.homepage(as_of)
        items.append({
            "item": "首页不更新",
            "failed": bool(home and home["status"] == "stale"),
            "checked": bool(home and home["status"] != "unknown"),
            "count": 1 if home and home["status"] == "stale" else 0,
            "threshold": 1,
            "period_days": int(ccfg["homepage_days"]),
            "rule_source": SRC_HOME,
            "evidence": [_iso(home)] if home else [],
        })

        stale = [c for c in cols if c.status == "stale"]
        stale_short = [c for c in stale if c.type in ("news", "notice")]
        stale_veto = int(ccfg["stale_veto"])
        long_veto = int(ccfg.get("stale_long_veto", 10))
        items.append({
            "item": "栏目不更新",
            "failed": len(stale_short) >= stale_veto or len(stale) >= long_veto,
            "checked": any(c.status != "unknown" and c.max_age_days is not None for c in cols),
            "count": len(stale_short),
            "count_all_types": len(stale),
            "threshold": stale_veto,
            "threshold_all_types": long_veto,
            "warn": len(stale_short) >= int(ccfg["stale_warn"]),
            "rule_source": SRC_STALE,
            "evidence": [_column_evidence(c, as_of) for c in stale],
        })

        blank = [c for c in cols if c.status == "empty"]
        blank_veto = int(ccfg["blank_veto"])
        items.append({
            "item": "空白栏目",
            "failed": len(blank) >= blank_veto,
            "checked": any(c.status != "unknown" for c in cols),
            "count": len(blank),
            "threshold": blank_veto,
            "warn": len(blank) >= int(ccfg["blank_warn"]),
            "rule_source": SRC_BLANK,
            "evidence": [_column_evidence(c, as_of) for c in blank],
        })

        late = self.unanswered(as_of)
        items.append({
            "item": "互动回应差",
            "failed": len(late) >= 1,
            "checked": self._messages_total > 0,
            "count": len(late),
            "threshold": 1,
            "max_unanswered_days": int(self.config["interaction"]["max_unanswered_days"]),
            "lookback_days": int(self.config["interaction"]["lookback_days"]),
            "messages_seen": self._messages_total,
            "rule_source": SRC_INTERACTION,
            "evidence": [u.evidence() for u in late],
        })

        guides = self.guide_problems()
        services = self.config.data.get("services", {})
        guide_veto = int(services.get("guide_blank_veto", 1))
        items.append({
            "item": "服务不实用",
            "failed": len(guides) >= guide_veto,
            "veto": bool(services.get("guide_veto", False)),
            "checked": self._guide_pages > 0,
            "count": len(guides),
            "threshold": guide_veto,
            "threshold_verified": False,
            "rule_source": SRC_GUIDE,
            "evidence": [{"url": u, "title": g.title, "elements": list(g.problems)} for u, g in guides[:200]],
        })

        return items

    def summary(self, as_of: date | None = None) -> dict[str, Any]:
        """The site's verdict items with column counts, for reports."""
        as_of = as_of or self.config.as_of
        items = self.verdict(as_of)
        cols = self.columns(as_of)
        return {
            "site": self.site,
            "as_of": as_of.isoformat(),
            "pages": self.pages,
            "failed": any(i["failed"] and i.get("veto", True) for i in items),
            "items": items,
            "columns": {
                "total": len(cols),
                "by_status": _count(c.status for c in cols),
                "by_type": _count(c.type for c in cols),
            },
        }


def _count(values: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def _iso(d: dict[str, Any] | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in d.items()}


def _column_evidence(c: Column, as_of: date) -> dict[str, Any]:
    return {
        "column": c.name,
        "type": c.type,
        "status": c.status,
        "url": c.evidence_url,
        "newest": c.newest.isoformat() if c.newest else None,
        "as_of": as_of.isoformat(),
        "age_days": c.age_days,
        "period_days": c.max_age_days,
        "n_items": c.n_items,
        "n_dated": c.n_dated,
        "placeholder": c.placeholder,
    }




# -- pages that could not be read --------------------------------------------------------
UNDETERMINED = "无法判定"
UNREADABLE_ITEM = "无法判定（页面无法读取）"
UNREACHABLE_ITEM = "站点无法访问"
SRC_UNREAD = ("国办秘函〔2019〕19号 检查须覆盖网站全部页面：无法读取的页面不能按合格计；"
              "超过 limits.max_unread_share 的页面无法读取时不作结论")
SRC_UNREACHABLE = "国办秘函〔2019〕19号 单项否决·站点无法访问"


def unread_share_limit(config: "Config") -> float:
    """``[limits] max_unread_share`` (0 to 1): the share of unread pages above which a site has no verdict."""
    from .errors import ConfigError

    value = config["limits"].get("max_unread_share", 0.2)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ConfigError(f"配置项 limits.max_unread_share 必须是 0 到 1 之间的数字，实际为 {value!r}")
    return float(value)


def readability_item(pages: int, unread: int, dead_links: int, config: "Config") -> dict[str, Any]:
    """The verdict item for pages that could not be checked.

    A page that cannot be read is never a pass: with every page unread, or more than the
    configured share, the site gets no verdict (无法判定); a site of which the crawl got no page
    at all, only failed fetches, is 站点无法访问 (a single-veto item)."""
    if pages == 0 and dead_links > 0:
        return {
            "item": UNREACHABLE_ITEM,
            "failed": True,
            "checked": True,
            "count": dead_links,
            "threshold": 1,
            "unread_pages": 0,
            "rule_source": SRC_UNREACHABLE,
            "evidence": [],
        }
    share = unread_share_limit(config)
    undetermined = unread > 0 and (unread >= pages or unread > share * pages)
    return {
        "item": UNREADABLE_ITEM,
        "failed": undetermined,
        "undetermined": undetermined,
        "checked": pages > 0,
        "count": unread,
        "threshold": f"{share:.0%}",
        "unread_pages": unread,
        "pages": pages,
        "rule_source": SRC_UNREAD,
        "evidence": [],
    }


def site_verdict(items: Iterable[dict[str, Any]]) -> str:
    """不合格 when a single-veto item fails on what was read; else 无法判定 when too much was unread; else 合格."""
    items = list(items)
    if any(i["failed"] and i.get("veto", True) and not i.get("undetermined") for i in items):
        return "不合格"
    if any(i["failed"] and i.get("undetermined") for i in items):
        return UNDETERMINED
    return "合格"
