"""Reading a real government page: what it is, what it says, and what its footer shows.

``read_page`` parses a page once with lxml, renders its visible text once (see
:mod:`.render`) and reads everything from that: the page kind, the headline as
displayed, the publish date and source line, the main text, the footer's identity
marks, every block of dated items, all links (suspicious ones flagged), the
navigation columns and 留言 rows.

How the main parts are found, in general terms (no per-site rules):

- **headline**: the visible element that best matches the page's own statements of its
  title (``<title>`` segments, ``meta ArticleTitle``/``og:title``), weighted by being a
  heading (h1–h3, a ``title`` class) and by sitting just above the text; date and source
  pieces nested inside the heading are cut off; a 信息公开 table's 名称 field is the
  fallback;
- **main text**: the element whose subtree holds the most sentence text and the least
  link text and other text, counting a paragraph that repeats an earlier one (an elder-
  mode or mobile copy of the article) as noise; widget lines (print, share, QR code,
  font size, 相关附件) are trimmed from its ends;
- **publish date and source**: the labelled date (发布时间/日期/…：) between the headline
  and the text, else a bare date on a short meta line there, else the 信息公开 table's
  生成日期/发文日期; never a page clock, a date inside the text or prev/next links.

The main-text finder itself is cheap and always runs (the page kind, the headline and
the publish date depend on where the text is); ``with_body=False`` only leaves the body
text out and never asks trafilatura, which is otherwise consulted only for an article
whose text our finder missed although the page has sentence text (bounded size).
Stages after the main text are guarded: a failure or a page past the time budget is
reported in ``Page.problems`` instead of raising.
"""

from __future__ import annotations

import bisect
import re
import time
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from .attrs import attribute_texts
from .dates import find_publish_date, iter_dates
from .links import PageLink, Suspicion, find_links
from .lists import DatedList, ListItem, find_lists
from .marks import Marks, find_marks
from .view import PageView, decode_page, meta_published, parse_tree

__all__ = [
    "ListItem", "DatedList", "Marks", "PageLink", "Message", "Page", "Suspicion", "read_page",
    "parse_tree", "PageView", "meta_published",
]

TIME_BUDGET = 2.0              # seconds: past this, optional stages are skipped

_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜]|--|—+|–|\s-\s|-(?=[^\d])|::|»|·|\s{2,})\s*")
_TITLE_CLASS = re.compile(r"title|tit\b|tit_|_tit|headline|biaoti|bt\b|artic.*h|xl_?tit|news_?tit|detail.*tit|tm\b", re.I)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SENT_PUNCT = re.compile(r"[。！？；，”]")
_SOURCE_LABEL = re.compile(r"(?:信息来源|文章来源|稿件来源|新闻来源|内容来源|来源单位|来\s*源)\s*[:：]")
_AGENCY_LABEL = re.compile(r"(?:发布机构|发文机关|发文单位|发布单位|责任部门|信息提供|公开责任部门)\s*[:：]")
_NEXT_LABEL = re.compile(
    r"(?:作\s*者|编\s*辑|责任编辑|责编|记\s*者|通讯员|发布(?:时间|日期)|发表(?:时间|日期)|更新时间|时间|日期|浏览|阅读|点击|访问量|字[号体]|"
    r"分享|打印|关闭|【|\[|\||｜|供稿|摄影|审核|校对|编审|信息发布|发布人|撰稿)"
)
_TABLE_NAME = re.compile(r"^(?:名\s*称|标\s*题|文件名称|信息名称)\s*[:：]\s*(.{4,200})$")
_TABLE_DATE = re.compile(r"(?:生成日期|发文日期|成文日期|发布日期|公开日期|印发日期)\s*[:：]")
_WIDGET_WORD = (
    r"(?:打印|关闭|返回|收藏|分享|纠错|顶部|本页|窗口|文章|此页|当前页面?|全文|页面|正文|列表|首页|保存|"
    r"复制链接|我要纠错|内容纠错|视力保护色|字号|字体|朗读|听全文|大|中|小|默认|超大|\+|-|A\+?|A-)"
)
_WIDGET = re.compile(
    r"^(?:【?\s*(?:字[号体]\s*[:：]?\s*)?[\[【]?[大中小][\]】]?(?:\s*[\[【]?[大中小][\]】]?){1,2}\s*】?|"
    r"扫一扫.*|.*在手机(?:上)?打开.*|.*手机扫描.*|分享到?[:：]?.*|相关附件.*|附件[:：]?|相关链接.*|相关新闻.*|相关稿件.*|"
    r"关联稿件.*|相关文档.*|文件下载[:：]?.*|关联文件[:：]?|[▪·•]?\s*上一篇.*|[▪·•]?\s*下一篇.*|(?:\d+|-)次|"
    r"浏览次数.*|阅读次数.*|"
    # atomic: "------" used to be split every possible way (catastrophic backtracking)
    r"(?>[【\[〔(（]?\s*" + _WIDGET_WORD + r"{1,3}\s*[:：]?\s*[】\]〕)）]?\s*[|｜/]?\s*)+|"
    r"(?:\s*【[^【】]{0,30}】\s*){2,})$"
)
_WIDGET_MAX = 300  # a toolbar line is short; longer lines are text, never matched


def _widget(line: str) -> re.Match | None:
    """A share / print / font-size toolbar line (bounded input: see _WIDGET)."""
    return _WIDGET.match(line) if len(line) <= _WIDGET_MAX else None


_META_WORDS = re.compile(
    r"(?:信息来源|文章来源|来源|作者|编辑|责任编辑|记者|通讯员|发布时间|发布日期|发表时间|更新时间|时间|日期|浏览次数|浏览量|"
    r"访问量|阅读量|阅读|点击数|点击|次|字号|打印|关闭|分享|[大中小])"
)
_BADGE = re.compile(r"^(?:\d{1,2}|(?:19|20)\d{2}\s*(?:年|[-/.])\s*\d{1,2}\s*月?|[A-Za-z]{3,9}\.?)$")
_FIELD_LINE = re.compile(
    r"^(?:索\s*引\s*号|发布机构|发文机关|名\s*称|标\s*题|文\s*号|发文字号|主题分类|主\s*题\s*词|分\s*类|发布日期|生成日期|发文日期|成文日期|"
    r"公开方式|公开范围|公开时限|有\s*效\s*性|关\s*键\s*词|责任部门|信息分类|体裁分类|组配分类|服务对象|所属机构|效力状况|"
    r"废止日期|施行日期|实施日期)\s*[:：]"
)
_PAGER = re.compile(r"下一页|尾\s*页|末\s*页|共\s*\d+\s*页|第\s*\d+\s*页|(?<!\d)\d+\s*/\s*\d+\s*页|上一页")
_BREADCRUMB = re.compile(r"(?:当前位置|您的位置|你的位置|您现在的位置|所在位置|当前页)\s*[:：]|首页\s*[>＞»›/]|首页\s*-\s*>")
_STATUS = re.compile(r"已回复|未回复|待回复|已办结|办理中|处理中|已受理|未办结|已答复|未答复|已处理")


@dataclass
class Message:               # interaction (留言) rows, when the page lists them
    title: str
    asked: date | None       # 留言时间
    answered: date | None    # 回复时间
    status: str | None       # 已回复 / 未回复 / 办理中 as shown
    url: str | None

    def to_dict(self) -> dict:
        return {"title": self.title, "asked": self.asked.isoformat() if self.asked else None,
                "answered": self.answered.isoformat() if self.answered else None,
                "status": self.status, "url": self.url}


@dataclass
class Page:
    source: str              # file path or URL for reports
    url: str | None
    kind: str                # article | list | home | other
    title: str | None        # the headline as displayed (not <title> with site suffix)
    html_title: str | None   # the <title> text
    published: date | None
    source_line: str | None
    body: str                # main text
    footer: str              # footer text (where marks live); for non-article pages their last 40 lines
    marks: Marks
    lists: list[DatedList]
    links: list[PageLink]    # all links; suspicious ones have `why`
    nav: list[tuple[str, str]]   # (column name, url) from navigation menus: the site's column inventory
    messages: list[Message]
    meta: dict[str, str]     # keywords, description, SiteIDCode, etc.
    encoding: str
    timings: dict[str, float]   # seconds per stage (parse, extract, ...), for the benchmark
    suspicions: list[Suspicion] = field(default_factory=list)   # injected non-link content (title, meta, hidden text)
    published_text: str | None = None    # the date as displayed, with its label when in the same line
    problems: list[str] = field(default_factory=list)   # stages that failed or were skipped (time budget)
    text: str = ""           # all visible text of the page, one block per line (what a visitor can read)
    attr_texts: list[tuple[str, str]] = field(default_factory=list)   # (tag@alt|tag@title, text): extract/attrs.py

    @property
    def links_suspicious(self) -> list[PageLink]:
        return [l for l in self.links if l.why]


# --------------------------------------------------------------------------------------------
# Lines and paragraph statistics

def _compact(s: str) -> str:
    return "".join(s.split())


class _Lines:
    """The rendered text as lines, with per-line Han, link-Han and paragraph weights (prefix sums)."""

    def __init__(self, view: PageView, title_refs: list[str] = ()) -> None:
        text = view.text
        self.text = text
        starts = view.rendered.line_starts()
        self.starts = starts
        n = len(starts)
        ends = [s - 1 for s in starts[1:]] + [len(text)]
        self.ends = ends
        lines = [text[s:e] for s, e in zip(starts, ends)]
        self.lines = lines
        han = [len(_HAN.findall(l)) for l in lines]
        link_han = [0] * n
        for s, e, _ in view.link_spans:
            i = bisect.bisect_right(starts, s) - 1
            link_han[i] += len(_HAN.findall(text[s:e]))
        para = [0.0] * n
        noise = [0.0] * n
        dup = [0.0] * n
        seen: set[str] = set()
        refs = set(title_refs)
        for i, l in enumerate(lines):
            h = han[i]
            if h < 1:
                continue
            own = h - min(link_han[i], h)
            if own < 0.6 * h:
                noise[i] = own
                continue
            key = _compact(l)
            if len(key) >= 12:
                if key in seen:
                    dup[i] = h
                    continue
                seen.add(key)
            stripped = l.strip()
            if key in refs or _widget(stripped) or _is_meta_line(stripped) or _FIELD_LINE.match(stripped):
                noise[i] = own
                continue
            if _FOOTER_MARK.search(stripped):
                noise[i] = own + 30.0  # a footer line: the text block does not reach into the footer
                continue
            punct = len(_SENT_PUNCT.findall(l))
            if punct and own >= 8:
                para[i] = own + 2.0 * punct
            elif own >= 15:
                para[i] = own * 0.6
                noise[i] = own * 0.4
            else:
                para[i] = own * 0.4
                noise[i] = own * 0.3
        self.han = han
        self.link_han = link_han
        self.para = para

        def prefix(values):
            out = [0.0]
            acc = 0.0
            for v in values:
                acc += v
                out.append(acc)
            return out

        self.p_han = prefix(han)
        self.p_link = prefix(link_han)
        self.p_para = prefix(para)
        self.p_dup = prefix(dup)
        self.p_noise = prefix(noise)

    def index(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def range_of(self, span: tuple[int, int]) -> tuple[int, int]:
        s, e = span
        i = self.index(s)
        j = self.index(max(s, e - 1)) + 1 if e > s else i
        return i, j


# --------------------------------------------------------------------------------------------
# Main text

def _footer_start(L: _Lines) -> int:
    """First line of the footer block: a footer mark (版权所有, ICP备, 标识码…) in the last 40% of lines."""
    n = len(L.lines)
    for k in range(int(n * 0.6), n):
        if _FOOTER_MARK.search(L.lines[k]):
            return k
    return n


def _find_body(view: PageView, L: _Lines):
    """(element, first line, end line) of the main text, or None."""
    best = None
    best_score = 0.0
    spans = view.rendered.spans
    footer = _footer_start(L)
    for el, (s, e) in spans.items():
        if e - s < 20:
            continue
        tag = el.tag
        if tag in ("a", "li", "tr", "td", "th", "ul", "ol", "table", "tbody", "html", "h1", "h2", "h3", "h4", "h5", "h6", "b", "strong", "em", "i"):
            if tag not in ("td", "table", "tbody"):
                continue
        i, j = L.range_of((s, e))
        if j - i < 1 or i >= footer:
            continue
        p = L.p_para[j] - L.p_para[i]
        if p < 8:
            continue
        link = L.p_link[j] - L.p_link[i]
        dup = L.p_dup[j] - L.p_dup[i]
        noise = L.p_noise[j] - L.p_noise[i]
        score = p - 1.2 * link - 0.5 * noise - 1.5 * dup
        if score > best_score:
            best_score, best = score, (el, i, j)
    return best


def _trim_body(view: PageView, L: _Lines, i: int, j: int, skip: set[int]) -> tuple[int, int, list[int]]:
    keep = [k for k in range(i, j) if k not in skip and L.lines[k].strip()]
    # widget lines at the ends
    while keep and (_widget(L.lines[keep[0]].strip()) or _BADGE.match(L.lines[keep[0]].strip())):
        keep.pop(0)
    while keep and _widget(L.lines[keep[-1]].strip()):
        keep.pop()
    return i, j, keep


_META_LABEL = re.compile(r"(?:来\s*源|作\s*者|编\s*辑|记\s*者|浏览|点击|阅读|访问量|发布人|发布|时间|日期|字[号体])\s*[:：]")


_META_LINE_LABEL = re.compile(r"(?:作者|编辑|记者|浏览|点击|阅读|访问量|发布人|发布时间|发布日期|日期|时间)\s*[:：]")
_CLOCK_TEXT = re.compile(r"\d{1,2}[:：时]\d{1,2}(?:[:：分]\d{1,2}秒?)?分?")
_META_PUNCT = re.compile(r"[\s:：|｜/\[\]【】()（）\d,，.、-]+")


def _has_meta_label(line: str) -> bool:
    return bool(_META_LABEL.search(line))


def _is_meta_line(line: str) -> bool:
    """A short line of date / source / author / counters (the 'meta line' under a headline)."""
    s = line.strip()
    if not s or len(s) > 120:
        return False
    has_date = bool(iter_dates(s))
    has_label = bool(_SOURCE_LABEL.search(s) or _META_LINE_LABEL.search(s))
    if not (has_date or has_label):
        return False
    rest = s
    for h in reversed(iter_dates(s)):
        rest = rest[: h.start] + rest[h.end :]
    rest = _CLOCK_TEXT.sub("", rest)
    rest = _META_WORDS.sub("", rest)
    rest = _META_PUNCT.sub("", rest)
    # what is left are the values of the labels (a source name, an author): short
    return len(rest) <= 40 if has_label else len(rest) <= 6


# --------------------------------------------------------------------------------------------
# Headline

def _title_refs(view: PageView) -> list[str]:
    cached = getattr(view, "_title_refs_cache", None)
    if cached is not None:
        return cached
    refs = []
    for name in ("ArticleTitle", "og:title", "title", "headline", "contentTitle", "twitter:title", "Title", "dc.title"):
        v = view.meta_get(name)
        if v and 2 <= len(v) <= 300:
            refs.append(_compact(re.sub(r"<[^>]{0,200}>", "", v)))
    if view.html_title:
        refs.append(_compact(view.html_title))
        for part in _TITLE_SPLIT.split(view.html_title):
            c = _compact(part)
            if len(c) >= 4:
                refs.append(c)
    out = []
    for r in refs:
        if r and r not in out:
            out.append(r)
    view._title_refs_cache = out
    return out


def _weighted_refs(view: PageView) -> list[tuple[str, float]]:
    """Title references with a weight: the page's title statements, then keywords/description."""
    refs = [(r, 1.0) for r in _title_refs(view)]
    for name in ("keywords", "description"):
        v = view.meta_get(name)
        if v:
            first = re.split(r"[，,。；;\s]", v.strip())[0]
            if len(first) >= 4:
                refs.append((_compact(first), 0.6))
    return refs


def _strip_nested_meta(view: PageView, el) -> str:
    """Headline text without nested date / source pieces (h2 > small.date + span 来源：…)."""
    spans = view.rendered.spans
    s, e = spans[el]
    cut: list[tuple[int, int]] = []
    for child in el.iterdescendants():
        sp = spans.get(child)
        if not sp or sp[1] <= sp[0]:
            continue
        t = view.text[sp[0] : sp[1]]
        if len(t) <= 60 and (_SOURCE_LABEL.search(t) or (iter_dates(t) and len(_compact(t)) <= 24) or _widget(t.strip())
                             or re.match(r"\s*字[号体]\s*[:：]", t)):
            cut.append(sp)
    if not cut:
        return view.text[s:e]
    out = []
    pos = s
    for a, b in sorted(cut):
        if a < pos:
            continue
        out.append(view.text[pos:a])
        pos = b
    out.append(view.text[pos:e])
    return "".join(out)


_NOT_HEADLINE = frozenset({"a", "li", "option", "body", "html", "ul", "ol", "table", "tbody", "tr", "form", "label",
                           "button", "img", "input", "i", "em", "script", "iframe", "style", "br", "select"})


def _find_headline(view: PageView, L: _Lines, body_start: int | None):
    """(text, element, span) of the displayed headline, or None."""
    refs = _weighted_refs(view)
    spans = view.rendered.spans
    candidates = []
    lo, hi = (body_start - 4000, body_start + 800) if body_start is not None else (0, len(view.text))
    for el, (s, e) in spans.items():
        if e - s < 2 or e - s > 400 or e < lo or s > hi:
            continue
        tag = el.tag
        if tag in _NOT_HEADLINE:
            continue
        # must be the whole text of its line(s)
        ls = L.index(s)
        le = L.index(max(s, e - 1))
        if le - ls > 4:
            continue
        if _compact(view.text[L.starts[ls] : s]) or _compact(view.text[e : L.ends[le]]):
            continue
        raw = view.text[s:e]
        comp = _compact(raw)
        if not (2 <= len(comp) <= 200):
            continue
        cls = (el.get("class") or "") + " " + (el.get("id") or "")
        heading = tag in ("h1", "h2", "h3", "h4", "h5", "h6")
        titled = bool(_TITLE_CLASS.search(cls))
        match = _ref_match(comp, refs)
        plain = False
        if match == 0 and not (heading or titled):
            # an unmarked line (<p><strong>…) right above a labelled date line can still be the headline
            if not (6 <= len(comp) <= 80) or le + 1 >= len(L.lines) or comp[-1] in "。：:；，" or any(c in comp for c in ">»›＞"):
                continue
            if L.link_han[ls] > 0.3 * max(L.han[ls], 1):
                continue
            if not any(find_publish_date(L.lines[k]) for k in range(le + 1, min(le + 3, len(L.lines)))):
                continue
            plain = True
        if len(el):
            stripped = _strip_nested_meta(view, el)
            c2 = _compact(stripped)
            if c2 != comp:
                raw, comp = stripped, c2
                match = _ref_match(comp, refs)
        if not (2 <= len(comp) <= 160):
            continue
        score = 0.0
        # a short exact match is a column name as often as a headline
        match *= min(1.0, len(comp) / 10.0)
        score += match
        if tag == "h1":
            score += 3.0
        elif tag == "h2":
            score += 2.5
        elif tag == "h3":
            score += 2.0
        elif heading:
            score += 1.2
        if titled:
            score += 2.0
        if tag in ("strong", "b", "font"):
            score += 0.3
        if any(p.tag == "a" for p in el.iterancestors()):
            score -= 4.0
        if len(comp) > 80:
            score -= 2.0
        if _is_meta_line(raw):
            score -= 6.0
        if body_start is not None:
            dist = body_start - e
            top_of_text = s >= body_start and ls - L.index(body_start) <= 2
            if 0 <= dist < 400 or top_of_text:
                score += 2.5
                if (heading or titled) and (dist < 250 or top_of_text):
                    score += 1.5
            elif dist < 0 and s > body_start + 200:
                score -= 3.0
        # a heading directly above the meta line (date / source) of an article
        if heading or titled or match or plain:
            nxt = le + 1
            for k in range(nxt, min(nxt + 3, len(L.lines))):
                if _is_meta_line(L.lines[k]):
                    score += 4.0 if find_publish_date(L.lines[k]) else 2.5
                    break
        candidates.append((score, -s, el, (s, e), match))
    if not candidates:
        return None
    candidates.sort(key=lambda t: (t[0], t[1]), reverse=True)
    view._headline_candidates = candidates[:6]
    score, _, el, span, match = candidates[0]
    if score < 6.0:
        return None
    text = _strip_nested_meta(view, el)
    text = re.sub(r"\s+", " ", text).strip()
    m = _TABLE_NAME.match(text)
    if m:
        text = m.group(1).strip()
    # a headline set in two elements (title + "——subtitle" line): join while the page's own
    # title statements say so
    plain = [r for r, w in refs if w == 1.0]
    le = L.index(max(span[0], span[1] - 1))
    for k in range(le + 1, min(le + 3, len(L.lines))):
        joined = _compact(text + L.lines[k])
        if any(r == joined or (r.startswith(joined) and len(r) - len(joined) <= 30) for r in plain) and len(_compact(L.lines[k])) >= 2:
            text = text + " " + L.lines[k].strip()
            span = (span[0], L.ends[k])
        else:
            break
    return text, el, span, match


def _ref_match(comp: str, refs: list[tuple[str, float]]) -> float:
    """How well a candidate's text agrees with the page's own title statements (0–10)."""
    match = 0.0
    for ref, weight in refs:
        m = 0.0
        if comp == ref:
            m = 10.0
        elif len(comp) >= 4 and ref.startswith(comp):
            m = 5.0 + 4.0 * len(comp) / len(ref)
        elif len(comp) >= 6 and comp in ref:
            m = 3.0 + 4.0 * len(comp) / len(ref)
        elif len(ref) >= 6 and ref in comp and len(comp) <= len(ref) + 12:
            m = 4.0
        elif len(ref) >= 6 and ref in comp and len(comp) <= len(ref) * 1.8 + 20:
            m = 2.0
        match = max(match, m * weight)
    return match


def _table_title(L: _Lines, limit: int) -> tuple[str, int] | None:
    for k in range(min(limit, len(L.lines))):
        m = _TABLE_NAME.match(L.lines[k].strip())
        if m:
            return m.group(1).strip(), k
        s = L.lines[k].strip()
        if re.fullmatch(r"(?:名\s*称|标\s*题|文件名称)\s*[:：]?", s) and k + 1 < len(L.lines):
            nxt = L.lines[k + 1].strip()
            if 4 <= len(nxt) <= 200:
                return nxt, k + 1
    return None


# --------------------------------------------------------------------------------------------
# Date and source

def _region_text(L: _Lines, i: int, j: int) -> tuple[str, list[int]]:
    """Lines i..j joined, a label ending a line joined to the value on the next; with line offsets."""
    parts = []
    offs = []
    pos = 0
    for k in range(i, min(j, len(L.lines))):
        line = L.lines[k]
        offs.append(pos)
        if re.search(r"[:：]\s*$", line):
            parts.append(line + " ")
        else:
            parts.append(line + "\n")
        pos += len(parts[-1])
    return "".join(parts), offs


def _find_date(L: _Lines, i: int, j: int) -> tuple[date, str] | None:
    text, _ = _region_text(L, i, j)
    hit = find_publish_date(text)
    if hit is not None:
        line_start = text.rfind("\n", 0, hit.start) + 1
        line_end = text.find("\n", hit.end)
        return hit.date, re.sub(r"\s+", " ", text[line_start : line_end if line_end != -1 else len(text)]).strip()
    # a bare date on a short meta line, or a calendar badge ("21" over "2024年02月")
    for k in range(i, min(j, len(L.lines))):
        line = L.lines[k].strip()
        if _is_meta_line(line):
            hits = iter_dates(line)
            if hits:
                return hits[0].date, line
        m = re.fullmatch(r"(\d{1,2})", line)
        if m and k + 1 < len(L.lines):
            ym = re.fullmatch(r"((?:19|20)\d{2})\s*(?:年|[-/.])\s*(\d{1,2})\s*月?", L.lines[k + 1].strip())
            if ym:
                try:
                    return date(int(ym.group(1)), int(ym.group(2)), int(m.group(1))), f"{line} {L.lines[k + 1].strip()}"
                except ValueError:
                    pass
    return None


def _table_date(L: _Lines, i: int, j: int) -> tuple[date, str] | None:
    text, _ = _region_text(L, i, j)
    for m in _TABLE_DATE.finditer(text):
        hits = iter_dates(text[m.end() : m.end() + 40])
        if hits and hits[0].start <= 2:
            line_start = text.rfind("\n", 0, m.start()) + 1
            return hits[0].date, re.sub(r"\s+", " ", text[line_start : m.end() + hits[0].end]).strip()
    return None


def _value_after(view: PageView, L: _Lines, pos: int, label_end: int) -> str | None:
    """The value of a 来源: label at text offset ``label_end``: to the next label, link or line end."""
    text = view.text
    line_end = text.find("\n", label_end)
    if line_end == -1:
        line_end = len(text)
    value = text[label_end:line_end]
    if not value.strip():
        # value on the next line (来源:\n四川省卫生健康委员会网站)
        nxt_end = text.find("\n", line_end + 1)
        nxt = text[line_end + 1 : nxt_end if nxt_end != -1 else len(text)]
        if nxt.strip() and len(nxt.strip()) <= 40 and not _NEXT_LABEL.match(nxt.strip()) and not iter_dates(nxt):
            value = nxt
            label_end = line_end + 1
        else:
            return None
    m = _NEXT_LABEL.search(value)
    lead = len(value) - len(value.lstrip())
    if m and m.start() > lead:
        value = value[: m.start()]
    elif m and m.start() <= lead:
        return None
    # a link after the value is UI (参与互动, 举报), not part of it
    for s, e, _ in view.link_spans:
        if label_end + lead < s < label_end + len(value):
            value = value[: s - label_end]
            break
        if s >= label_end + len(value):
            break
    value = re.sub(r"\s+", " ", value).strip(" |｜/【】[]()（）,，;；")
    if not value or len(value) > 60:
        return None
    return value


def _find_source(view: PageView, L: _Lines, i: int, j: int) -> str | None:
    a, b = L.starts[min(i, len(L.starts) - 1)], L.ends[min(j, len(L.ends)) - 1] if j > 0 else 0
    for pattern in (_SOURCE_LABEL, _AGENCY_LABEL):
        for m in pattern.finditer(view.text, a, b):
            value = _value_after(view, L, m.start(), m.end())
            if value:
                return value
            if pattern is _SOURCE_LABEL:
                return None  # an empty 来源 label: the page shows no source
    return None


# --------------------------------------------------------------------------------------------
# Navigation and messages

_NAV_CLASS = re.compile(r"nav|menu|daohang|lanmu|column|channel|dh\b|top_?link", re.I)


def _find_nav(view: PageView, limit: int | None) -> list[tuple[str, str]]:
    """(column name, URL) pairs from navigation menus above the main text: the site's columns."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    spans = view.rendered.spans
    roots = []
    for el in view.tree.iter("nav", "ul", "div", "table"):
        if el.tag != "nav" and not _NAV_CLASS.search((el.get("class") or "") + " " + (el.get("id") or "")):
            continue
        sp = spans.get(el)
        if sp is None or (limit is not None and sp[0] > limit):
            continue
        roots.append((sp, el))
    roots.sort(key=lambda t: (t[0][0], -t[0][1]))
    last_end = -1
    for (s, e), el in roots:
        if s < last_end:
            continue  # inside a menu already read
        last_end = e
        for a in el.iter("a"):
            href = a.get("href") or ""
            sp = spans.get(a)
            if sp is None or not href or href.startswith(("javascript", "#", "mailto", "JavaScript")):
                continue
            text = "".join(view.text[sp[0] : sp[1]].split())
            if not (2 <= len(text) <= 12):
                continue
            absolute = view.absolute(href) or href
            if absolute in seen:
                continue
            seen.add(absolute)
            out.append((text, absolute))
        if len(out) > 300:
            break
    if not out:
        out = _first_menu(view, limit)
    return out


def _first_menu(view: PageView, limit: int | None) -> list[tuple[str, str]]:
    """No menu is marked as one: the first list of short column-name links above the main text."""
    spans = view.rendered.spans
    for ul in view.tree.iter("ul"):
        sp = spans.get(ul)
        if sp is None or sp[1] <= sp[0] or (limit is not None and sp[0] > limit):
            continue
        items = []
        for li in ul:
            if li.tag != "li":
                continue
            a = next(li.iter("a"), None)
            asp = spans.get(a) if a is not None else None
            if asp is None:
                continue
            text = "".join(view.text[asp[0] : asp[1]].split())
            href = a.get("href") or ""
            if 2 <= len(text) <= 8 and href and not href.startswith(("javascript", "#", "mailto")):
                items.append((text, view.absolute(href) or href))
        if len(items) >= 5 and len(items) >= 0.8 * sum(1 for li in ul if li.tag == "li"):
            return items
    return []


def _find_messages(view: PageView) -> list[Message]:
    if not _STATUS.search(view.text):
        return []
    out: list[Message] = []
    spans = view.rendered.spans
    for row in view.tree.iter("tr", "li", "dl"):
        sp = spans.get(row)
        if not sp or sp[1] - sp[0] > 600:
            continue
        t = view.text[sp[0] : sp[1]]
        st = _STATUS.search(t)
        if not st:
            continue
        hits = iter_dates(t)
        if not hits:
            continue
        main = None
        for a in row.iter("a"):
            at = re.sub(r"\s+", " ", a.text_content() or "").strip()
            if len(at) >= 4 and (main is None or len(at) > len(main[0])):
                main = (at, a.get("href"))
        title = main[0] if main else re.sub(r"\s+", " ", t[: hits[0].start]).strip()[:100]
        if len(_compact(title)) < 2:
            continue
        asked = hits[0].date
        answered = None
        if len(hits) > 1:
            answered = hits[1].date
        out.append(Message(title, asked, answered, st.group(0), view.absolute(main[1]) if main and main[1] else None))
    return out


# --------------------------------------------------------------------------------------------
# Page kind

def _url_kind(url: str | None) -> str | None:
    if not url or "//" not in url:
        return None
    try:
        path = urlsplit(url).path or "/"
    except ValueError:  # a malformed URL says nothing about the page
        return None
    if path in ("/", "") or re.fullmatch(r"/(?:index|default|main)\.(?:s?html?|jsp|php|aspx?)", path, re.I):
        return "home"
    if re.search(r"/(?:t\d{8}_\d+|art_\d+_\d+|content_\d+|post_\d+|\d{6,}|[0-9a-f]{24,})\.s?html?$", path, re.I):
        return "article"
    if path.endswith("/") or re.search(r"/(?:index|list)(?:_\d+)?\.s?html?$", path):
        return "list"
    return None


def _classify(view: PageView, headline, body_weight: float, published, lists: list[DatedList], L: _Lines) -> str:
    text = view.text
    visible_lists = [b for b in lists if not b.hidden]
    biggest = max((len(b.items) for b in visible_lists), default=0)
    has_pager = bool(_PAGER.search(text))
    has_crumb = bool(_BREADCRUMB.search(text))
    url_kind = _url_kind(view.url)
    has_password = any((i.get("type") or "").lower() == "password" for i in view.tree.iter("input"))
    if has_password and body_weight < 200 and published is None:
        return "other"  # a login screen
    # the "text" found is one entry of a long list, or the list itself: a list page
    list_dominated = False
    if view.body_range is not None:
        bs, be = view.body_range
        spans = view.rendered.spans
        for b in visible_lists:
            if len(b.items) < 8 or b.element not in spans:
                continue
            cs, ce = spans[b.element]
            overlap = max(0, min(be, ce) - max(bs, cs))
            if overlap >= 0.5 * (be - bs):
                list_dominated = True
                break
    if not list_dominated:
        if headline is not None and (body_weight >= 60 or (published is not None and headline[3] >= 5.0)):
            if not (biggest >= 8 and body_weight < 120 and has_pager):
                return "article"
        if headline is not None and body_weight >= 200:
            return "article"
    if has_password and body_weight < 200:
        return "other"
    headed = [b for b in visible_lists if b.heading]
    if url_kind == "home" and lists:
        return "home"
    searchy = bool(view.html_title and re.search(r"搜索结果|检索结果|search", view.html_title, re.I))
    if lists:
        if has_pager or (has_crumb and len(headed) <= 2) or url_kind == "list" or searchy:
            return "list"
        if len(headed) >= 3 or len(lists) >= 4:
            return "home"
        if biggest >= 5:
            return "list" if has_crumb else "home"
        return "list"
    if headline is not None and (body_weight >= 30 or published is not None):
        return "article"
    # undated lists of headlines (ranking tables, feeds without times)
    long_links = 0
    for s, e, _ in view.link_spans:
        if e - s >= 10 and len(_HAN.findall(view.text[s:e])) >= 8:
            long_links += 1
    if long_links >= 20:
        return "list" if (has_pager or has_crumb or url_kind == "list") else "home"
    return "other"


# --------------------------------------------------------------------------------------------

def read_page(
    data: bytes | str,
    source: str = "<page>",
    url: str | None = None,
    *,
    as_of: date | None = None,
    with_body: bool = True,
) -> Page:
    """Read a page: kind, headline, date, source, main text, marks, dated lists, links."""
    t0 = time.perf_counter()
    text, encoding = decode_page(data, source)
    tree = parse_tree(text, source)
    t1 = time.perf_counter()
    view = PageView(tree, url, text)
    t2 = time.perf_counter()
    page = _read_view(view, source, url, encoding, as_of=as_of, with_body=with_body, started=t0)
    page.timings["parse"] = t1 - t0
    page.timings["render"] = t2 - t1
    page.timings["total"] = time.perf_counter() - t0
    return page


@dataclass
class _Main:
    headline: tuple | None
    title: str | None
    body: str
    body_span: tuple[int, int] | None
    body_weight: float
    published: date | None
    published_text: str | None
    source_line: str | None
    body_lines: list[int]


def _extract_main(view: PageView, L: _Lines, with_body: bool) -> _Main:
    found = _find_body(view, L)
    body_el = None
    bi = bj = None
    weight = 0.0
    if found is not None:
        body_el, bi, bj = found
        weight = L.p_para[bj] - L.p_para[bi]
    body_start = L.starts[bi] if bi is not None else None
    headline = _find_headline(view, L, body_start)
    title = headline[0] if headline else None
    hl_i = hl_j = None
    if headline is not None:
        hl_i, hl_j = L.range_of(headline[2])
    else:
        tt = _table_title(L, bi if bi is not None else len(L.lines))
        if tt is not None:
            title = tt[0]
            hl_i, hl_j = tt[1], tt[1] + 1
            headline = (title, None, (L.starts[tt[1]], L.ends[tt[1]]), 4.0)
    # a body that starts above its headline (the headline is inside the text block) or a
    # headline far below the text (a related-news title) do not change the text's bounds
    n = len(L.lines)
    if hl_i is not None:
        start = hl_i
        stop = bi if bi is not None and bi > hl_i else min(n, hl_j + 12)
        stop = max(stop, min(n, hl_j + 3))
    elif bi is not None:
        start, stop = max(0, bi - 12), bi + 1
    else:
        start, stop = 0, min(n, 60)
    published = published_text = None
    d = _find_date(L, start, stop)
    if d is None and bi is not None and hl_i is not None and bi <= hl_i:
        d = _find_date(L, hl_j, min(n, hl_j + 6))
    if d is None and hl_i is not None and hl_i > 0:
        # a labelled date set above the headline (发布时间：… then the title)
        text_above, _ = _region_text(L, max(0, hl_i - 3), hl_i)
        hit = find_publish_date(text_above)
        if hit is not None:
            d = (hit.date, text_above[text_above.rfind("\n", 0, hit.start) + 1 : hit.end].strip())
    if d is None:
        lim = bi if bi is not None else (hl_j or 0) + 12
        d = _table_date(L, max(0, (hl_i or lim) - 40), min(n, lim + 1))
    if d is not None:
        published, published_text = d
    source_line = _find_source(view, L, start, stop)
    if source_line is None and hl_i is not None and hl_i > 0:
        source_line = _find_source(view, L, max(0, hl_i - 3), hl_i)
    if source_line is None and bj is not None:
        # a source printed under the text (来源：巴彦淖尔日报 编辑：苏亮)
        source_line = _find_source(view, L, max(bj - 2, 0), min(n, bj + 4))
    if source_line is None:
        lim = bi if bi is not None else (hl_j or 0) + 12
        a = max(0, (hl_i if hl_i is not None else lim) - 40)
        for m in _AGENCY_LABEL.finditer(view.text, L.starts[a] if a < n else 0, L.ends[min(lim, n - 1)] if n else 0):
            v = _value_after(view, L, m.start(), m.end())
            if v:
                source_line = v
                break
    body = ""
    body_span = None
    body_lines: list[int] = []
    if found is not None:
        skip: set[int] = set()
        if headline is not None and headline[1] is not None:
            hel = headline[1]
            heading_like = hel.tag in ("h1", "h2", "h3", "h4", "h5", "h6") or bool(_TITLE_CLASS.search((hel.get("class") or "") + " " + (hel.get("id") or "")))
            if heading_like or not (bi <= hl_i < bj):
                skip.update(range(hl_i, hl_j))
                # the headline's own small block (title + subtitle / kicker) is not text either
                par = hel.getparent()
                psp = view.rendered.spans.get(par) if par is not None and par is not body_el else None
                if psp is not None:
                    pi, pj = L.range_of(psp)
                    if bi <= pi and pj <= bj and pj - pi <= 4 and all(L.para[k] < 8 for k in range(pi, pj)):
                        skip.update(range(pi, pj))
        for k in range(bi, min(bj, bi + 6)):
            if L.para[k] >= 8 and k not in skip:
                break  # the text has begun: meta lines only lead it
            line = L.lines[k]
            if _FIELD_LINE.match(line.strip()):
                skip.add(k)
            elif _is_meta_line(line) and (_has_meta_label(line) or (hl_j is not None and hl_i is not None and bi <= hl_i and k <= hl_j + 1)):
                skip.add(k)
        _, _, keep = _trim_body(view, L, bi, bj, skip)
        body_lines = keep
        body = "\n".join(L.lines[k] for k in keep)
        if keep:
            body_span = (L.starts[keep[0]], L.ends[keep[-1]])
        view.body_range = (L.starts[bi], L.ends[bj - 1])
    elif headline is not None and headline[1] is not None:
        # no sentence text anywhere (a table of names, a picture): what follows the headline and its
        # meta line inside the headline's own block, if that is a modest amount of non-link text
        got = _after_headline(view, L, headline[1], hl_j)
        if got is not None:
            bi, bj, keep = got
            body_lines = keep
            body = "\n".join(L.lines[k] for k in keep)
            body_span = (L.starts[keep[0]], L.ends[keep[-1]])
            view.body_range = (L.starts[bi], L.ends[bj - 1])
    return _Main(headline, title, body, body_span, weight, published, published_text, source_line, body_lines)


def _after_headline(view: PageView, L: _Lines, hel, hl_j: int):
    spans = view.rendered.spans
    footer = _footer_start(L)
    anc = hel.getparent()
    for _ in range(4):
        if anc is None or anc.tag in ("body", "html"):
            return None
        sp = spans.get(anc)
        if sp is not None:
            i, j = L.range_of(sp)
            j = min(j, footer)
            rest = [k for k in range(hl_j, j) if L.lines[k].strip()]
            # skip the meta lines right under the headline
            while rest and (_is_meta_line(L.lines[rest[0]]) or _widget(L.lines[rest[0]].strip())):
                rest.pop(0)
            if rest:
                han = sum(L.han[k] for k in rest)
                link = sum(L.link_han[k] for k in rest)
                if han < 8 or han > 3000 or link > 0.5 * han:
                    return None
                _, _, keep = _trim_body(view, L, rest[0], rest[-1] + 1, set())
                return (rest[0], rest[-1] + 1, keep) if keep else None
        anc = anc.getparent()
    return None


def _read_view(view: PageView, source: str, url: str | None, encoding: str, *, as_of: date | None,
               with_body: bool, started: float, extracted: tuple[_Lines, _Main] | None = None) -> Page:
    timings: dict[str, float] = {}
    problems: list[str] = []

    def over_budget() -> bool:
        return time.perf_counter() - started > TIME_BUDGET

    def stage(name: str, fn, default):
        """Run an optional stage; a failure is reported, not raised (one odd page must not stop a crawl)."""
        t = time.perf_counter()
        try:
            return fn()
        except RecursionError:
            problems.append(f"{name}: page too deeply nested")
            return default
        except Exception as exc:  # noqa: BLE001
            problems.append(f"{name}: {exc.__class__.__name__}: {exc}")
            return default
        finally:
            timings[name] = time.perf_counter() - t

    t = time.perf_counter()
    if extracted is not None:  # html_to_document has read the headline and text already
        L, main = extracted
    else:
        L = _Lines(view, _title_refs(view))
        main = _extract_main(view, L, with_body)
    timings["extract"] = time.perf_counter() - t

    marks = stage("marks", lambda: find_marks(view), Marks())

    def lists_stage():
        saved = view.body_range
        if main.headline is None or main.body_weight < 60:
            view.body_range = None  # not an article: dated rows without links are list rows, not text
        try:
            return find_lists(view, as_of, hidden_panels=not over_budget())
        finally:
            view.body_range = saved

    lists = stage("lists", lists_stage, [])
    kind = _classify(view, main.headline, main.body_weight, main.published, lists, L)
    lists = _keep_lists(kind, lists)
    for b in lists:
        b.element = None  # the tree stays private: a Page pickles and does not pin the parsed document
    links, suspicions = stage("links", lambda: find_links(view), ([], []))
    if over_budget():
        problems.append(f"time budget ({TIME_BUDGET:.0f} s) exceeded: navigation and messages skipped")
        nav, messages = [], []
    else:
        first_main = view.body_range[0] if view.body_range else None
        nav = stage("nav", lambda: _find_nav(view, first_main), [])
        messages = stage("messages", lambda: _find_messages(view), [])

    article = kind == "article"
    footer = _footer_text(view, L, article)
    body = main.body if (article and with_body) else ""
    if article and with_body and not body.strip() and not over_budget():
        body = stage("fallback", lambda: _fallback_body(view, L), "") or ""
    return Page(
        source=source, url=url, kind=kind, title=main.title if article else None, html_title=view.html_title,
        published=main.published if article else None,
        source_line=main.source_line if article else None, body=body, footer=footer, marks=marks,
        lists=lists, links=links, nav=nav, messages=messages, meta=dict(view.meta), encoding=encoding,
        timings=timings, suspicions=suspicions, published_text=main.published_text if article else None,
        problems=problems, text=view.text, attr_texts=attribute_texts(view.tree),
    )


FALLBACK_MAX_CHARS = 1_500_000


def _fallback_body(view: PageView, L: _Lines) -> str:
    """trafilatura's main text, only for an article whose text our finder missed although the page
    has sentence text (not for a picture or attachment article), and only for pages of bounded size."""
    total = L.p_para[-1]
    if total < 200 or view.raw_html is None or len(view.raw_html) > FALLBACK_MAX_CHARS:
        return ""
    import trafilatura

    result = trafilatura.bare_extraction(view.tree, with_metadata=False, include_comments=False,
                                         include_tables=True, fast=True)
    text = (getattr(result, "text", None) or "") if result is not None else ""
    return text.strip()


def _keep_lists(kind: str, lists: list[DatedList]) -> list[DatedList]:
    """Which blocks a page of this kind reports.

    Articles: blocks with at least two calendar-dated items (related news, sidebars).
    List and home pages: also single-item blocks under a heading (a column box showing one
    item), and the page's main feed when its items show only relative times (网易 N小时前).
    """
    if kind == "article":
        return [b for b in lists if b.n_dated >= 2]
    keep = [b for b in lists if b.n_dated >= 2 or (b.n_dated == 1 and (len(b.items) >= 2 or b.heading))]
    relative = [b for b in lists if b.n_dated == 0 and not b.hidden]
    if relative:
        main = max(relative, key=lambda b: len(b.items))
        if not keep or len(main.items) > max(len(b.items) for b in keep):
            keep.append(main)
    return keep


_FOOTER_MARK = re.compile(r"版权所有|Copyright|©|ICP\s*备|公网安备|网站标识码|主办单位|承办单位|技术支持[:：]", re.I)
_FOOTER_WORDS = re.compile(
    r"版权所有|主办单位|承办单位|主办[:：]|承办[:：]|网站标识码|网站识别码|ICP\s*备|公网安备|公安备案|Copyright|©|"
    r"技术支持|运行维护|网站地图|联系我们|党政机关|找错"
)


def _footer_text(view: PageView, L: _Lines, article: bool = True) -> str:
    """The page's footer, where the identity marks live.

    Articles: from the first footer line (版权所有, 主办单位, 标识码, ICP…) among the last lines after
    the main text, to the end.  Other pages have no main text to start from: their last 40 lines
    (for a small page, e.g. a guide laid out as a bare table, that is all of its text; QC305 reads it).
    """
    n = len(L.lines)
    if not article:
        return "\n".join([l for l in L.lines if l.strip()][-40:])
    first = L.index(view.body_range[1]) + 1 if view.body_range else 0
    window = max(first, n - 60)
    start = None
    for k in range(window, n):
        if _FOOTER_WORDS.search(L.lines[k]):
            start = k
            break
    if start is None:
        start = max(first, n - 15)
    return "\n".join(l for l in L.lines[start:] if l.strip())
