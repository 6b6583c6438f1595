"""One parsed and rendered page: the view every extractor of the page reader reads.

Parsing (once, with lxml, with the fixes a browser makes), decoding, the <meta> tags and the
rendered visible text. The extractors (:mod:`.links`, :mod:`.lists`, :mod:`.marks`,
:mod:`.page`) read a :class:`PageView`; this module imports none of them.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Iterator
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from ..errors import InputError
from ..sources import url_host
from .dates import iter_dates
from .encoding import decode
from .hosts import host_of, registrable_domain
from .render import MiniJS, Rendered, render

MAX_CHARS = 6_000_000          # larger inputs are cut (a 6 MB page is not a page)
_STRAY_END = re.compile(r"</\s*(?:html|body)\s*>", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


# --------------------------------------------------------------------------------------------
# Parsing

def prepare_html(text: str) -> str:
    """Markup fixes a browser makes implicitly: no stray </html>, </body>, NULs or XML declaration."""
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        text = text.replace("\x00", "")
    if text.lstrip()[:5].lower() == "<?xml":
        text = _XML_DECL.sub("", text, count=1)
    # Browsers ignore </body> and </html> and keep reading; libxml2 stops the body there
    # (www.gov.cn pages have an include with its own </html> right after the header).
    return _STRAY_END.sub("", text)


# libxml2 stops reading a document nested deeper than 256 elements (2048 with huge_tree):
# everything after that point, injected links included, used to vanish. Deeper markup is
# flattened before parsing: past MAX_DEPTH, elements from the middle of the open-element
# stack lose their tags (padding, in practice), never their content; the outer layout
# (html, body, wrappers) and the innermost structure (lists, hidden blocks) stay as written.
MAX_DEPTH = 1000
_KEEP_OUTER = 100
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:_-]{0,40})")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr basefont bgsound frame keygen".split())
# Never untagged: links are what the checks look for; raw-text elements hold no tags.
_KEEP_TAG = frozenset("a script style title textarea iframe xmp noembed noframes plaintext".split())
_RAW_TEXT = frozenset("script style title textarea xmp iframe noembed noframes".split())
_RAW_END = {t: re.compile(rf"</{t}\b", re.I) for t in _RAW_TEXT}
_END_SEARCH = 64  # how far down the open-element stack an end tag may close (keeps this linear)


def flatten_deep(text: str, max_depth: int = MAX_DEPTH) -> str:
    """Markup whose open-element stack never exceeds ``max_depth``, with every character of
    content kept: when it would, the start tag of an element from the middle of the stack is
    removed, and so is its end tag when it comes.

    A linear scan with an estimate of the stack (the parser closes some elements implicitly,
    so the real depth is never larger). Only pages that hit the parser's limit go through here."""
    pieces: list[str] = []
    # [tag, index of its start tag in pieces, tags removed just above it (in opening order)]
    stack: list[list] = []
    pos = copied = 0
    find = text.find
    while True:
        lt = find("<", pos)
        if lt < 0:
            break
        if text.startswith("<!--", lt):
            end = find("-->", lt + 4)
            if end < 0:
                break
            pos = end + 3
            continue
        m = _TAG.match(text, lt)
        if m is None:
            pos = lt + 1
            continue
        gt = find(">", m.end())
        if gt < 0:
            break
        closing, tag = m.group(1), m.group(2).lower()
        pos = gt + 1
        if closing:
            if stack and stack[-1][2] and stack[-1][2][-1] == tag:
                stack[-1][2].pop()  # the end of a removed element: removed too
                pieces.append(text[copied:lt])
                copied = pos
                continue
            for k in range(len(stack) - 1, max(-1, len(stack) - 1 - _END_SEARCH), -1):
                if stack[k][0] == tag:
                    del stack[k:]
                    break
            continue
        if tag in _VOID or text[gt - 1] == "/":
            continue
        pieces.append(text[copied:lt])
        pieces.append(text[lt:pos])
        copied = pos
        if len(stack) >= max_depth:
            for k in range(_KEEP_OUTER, min(len(stack), _KEEP_OUTER + 16)):
                if stack[k][0] not in _KEEP_TAG:
                    gone = stack.pop(k)
                    pieces[gone[1]] = ""
                    stack[k - 1][2].append(gone[0])
                    stack[k - 1][2].extend(gone[2])
                    break
            else:
                pieces[-1] = ""  # nothing to remove: this one loses its tag instead
                continue
        stack.append([tag, len(pieces) - 1, []])
        if tag in _RAW_TEXT:
            m_end = _RAW_END[tag].search(text, pos)
            if m_end is None:
                break
            pos = m_end.start()
    pieces.append(text[copied:])
    return "".join(pieces)


def _too_deep(parser: lxml.html.HTMLParser) -> bool:
    return any("Excessive depth" in e.message for e in parser.error_log)


def parse_tree(text: str, name: str = "input", *, keep_comments: bool = False) -> lxml.html.HtmlElement:
    if not text.strip():
        raise InputError(f"{name}：HTML 内容为空")
    html = prepare_html(text)
    for attempt in range(2):
        parser = lxml.html.HTMLParser(remove_comments=not keep_comments, remove_pis=True, recover=True,
                                      no_network=True, default_doctype=False, huge_tree=True)
        try:
            tree = lxml.html.document_fromstring(html, parser=parser)
        except (etree.ParserError, ValueError) as exc:
            raise InputError(f"{name}：无法解析 HTML（{exc}）") from None
        if tree is None:
            raise InputError(f"{name}：无法解析 HTML")
        if not _too_deep(parser):
            return tree
        if attempt == 0:
            html = flatten_deep(html)
    # Still too deep after flattening: reading it would hide the rest of the page, so it is unread.
    raise InputError(f"{name}：HTML 嵌套超过 {MAX_DEPTH} 层，页面无法完整读取")


_META_DATE_NAMES = ("PubDate", "publishdate", "pubdate", "article:published_time")


def meta_published(meta: dict[str, str]) -> date | None:
    """The publish date a page's <meta> tags give (PubDate ...), for pages that show none.

    Only a fallback for date-aware rules: the labels and `Page.published` follow the page,
    which sometimes shows a different date than its meta tags."""
    for name in _META_DATE_NAMES:
        hits = iter_dates(meta.get(name) or "")
        if hits:
            return hits[0].date
    return None


def decode_page(data: bytes | str, name: str) -> tuple[str, str]:
    """Text and encoding of a page (:func:`qualitycheck.extract.encoding.decode`: the bytes decide
    before a declared charset, which often lies)."""
    if isinstance(data, str):
        if not data.strip():
            raise InputError(f"{name}：输入为空")
        return data, "str"
    if not data or not data.strip():
        raise InputError(f"{name}：输入为空")
    text, enc = decode(data, html=True, name=name)
    if not text.strip():
        raise InputError(f"{name}：输入为空")
    return text, enc


# --------------------------------------------------------------------------------------------
# The view every extractor reads

class PageView:
    """One parsed and rendered page, with what the extractors share."""

    def __init__(self, tree, url: str | None, raw_html: str | None = None, *, run_js: bool = True) -> None:
        self.tree = tree
        self.url = url
        self.raw_html = raw_html
        head_meta: dict[str, str] = {}
        self.meta_lower: dict[str, str] = {}
        for m in tree.iter("meta"):
            name = m.get("name") or m.get("property") or m.get("http-equiv") or m.get("itemprop")
            content = m.get("content")
            if name and content is not None:
                name = name.strip()
                if name not in head_meta:
                    head_meta[name] = content.strip()
                self.meta_lower.setdefault(name.lower(), content.strip())
        self.meta = head_meta
        title_el = tree.find(".//title")
        self.html_title = re.sub(r"\s+", " ", title_el.text_content()).strip() if title_el is not None and title_el.text_content() else None
        base = None
        base_el = tree.find(".//base")
        if base_el is not None and base_el.get("href"):
            base = base_el.get("href").strip()
        self.base_url = urljoin(url, base) if url and base else (url or (base if base and "//" in base else None))
        body = tree.body if tree.tag == "html" else tree
        if body is None:
            body = tree
        self.body = body
        js = MiniJS() if run_js else None
        self.rendered: Rendered = render(body, js=js)
        # markup that inline scripts put into the page by innerHTML / $(…).html(…): target unknown
        self.script_writes: list[str] = list(js.dom_writes) if js is not None else []
        self.text = self.rendered.text
        self.body_range: tuple[int, int] | None = None
        self._written_elements = [el for _, els in self.rendered.written for el in els]
        self._site: tuple | None = None
        self._link_spans: list | None = None

    @property
    def site_domain(self) -> str | None:
        """The page's registrable domain: from its URL, og:url or canonical link, else its most linked host."""
        if self._site is None:
            self._site = (self._site_domain(),)
        return self._site[0]

    @property
    def link_spans(self) -> list:
        """(start, end, element) of every visible link with text, in text order."""
        if self._link_spans is None:
            out = [(s, e, el) for el, (s, e) in self.rendered.spans.items() if e > s and el.tag == "a"]
            out.sort(key=lambda t: t[0])
            self._link_spans = out
        return self._link_spans

    # helpers -----------------------------------------------------------------------------
    def meta_get(self, name: str) -> str | None:
        return self.meta_lower.get(name.lower())

    def is_visible(self, el) -> bool:
        return el in self.rendered.spans

    def xpath(self, path: str) -> list:
        """Elements matching an absolute XPath (``//tag[...]``) in the tree and in script-written markup."""
        found = _compiled(path)(self.tree)
        if self._written_elements:
            rel = _compiled(path.replace("//", "descendant-or-self::"))
            for frag in self._written_elements:
                found.extend(rel(frag))
        return found

    def iter_tag(self, *tags: str) -> Iterator:
        yield from self.tree.iter(*tags)
        for frag in self._written_elements:
            yield from frag.iter(*tags)

    def absolute(self, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if self.base_url:
            try:
                return urljoin(self.base_url, href)
            except ValueError:
                return href
        return href

    def _site_domain(self) -> str | None:
        for candidate in (self.url, self.meta_get("og:url")):
            if candidate and "//" in candidate:
                host = url_host(candidate)
                if host:
                    return registrable_domain(host)
        for link in self.tree.iter("link"):
            if (link.get("rel") or "").lower() == "canonical" and "//" in (link.get("href") or ""):
                host = url_host(link.get("href"))
                if host:
                    return registrable_domain(host)
        counts: Counter = Counter()
        for a in self.tree.iter("a"):
            href = a.get("href")
            if href and href.startswith(("http://", "https://", "//")):
                host = host_of(href)
                if host:
                    counts[host] += 1
        if counts:
            domains: Counter = Counter()
            for host, n in counts.items():
                domains[registrable_domain(host)] += n
            return domains.most_common(1)[0][0]
        return None


_XPATHS: dict[str, etree.XPath] = {}


def _compiled(path: str) -> etree.XPath:
    xp = _XPATHS.get(path)
    if xp is None:
        xp = _XPATHS[path] = etree.XPath(path)
    return xp
