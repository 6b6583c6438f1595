"""HTML pages and fragments to Documents: one parse, the page reader's headline and main text.

A full page goes through the page reader (:mod:`.page`): the displayed headline
becomes the title segment, the main text the body segment, with the publish
date and 来源 line.  A fragment (no ``<html>``/``<body>``, e.g. a CMS article
body) is checked whole, block by block.

Inline suppression survives extraction by riding along in the text:
``<!-- qc: disable=QC201 -->`` comments and ``data-qc-ignore`` elements are
replaced by private-use marker characters before the text is rendered, and the
markers are turned back into suppressed ranges of the extracted text.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from ..document import Document, Segment, Span
from .attrs import attribute_texts
from .dates import find_publish_date
from .page import _extract_main, _Lines, _read_view, _title_refs
from .view import PageView, meta_published, parse_tree
from .render import render

# Plane-15 private-use characters: never in real pages (icon fonts use the BMP area).
_MARK_BASE = 0xF0000
_MARK_RE = re.compile("[\U000F0000-\U000FFFFD]")
_SUPPRESS_COMMENT = re.compile(r"^\s*qc:\s*(disable|enable)(?:\s*=\s*([A-Za-z0-9_,\s-]+))?\s*$")

_SOURCE_LINE = re.compile(
    r"(?:信息来源|文章来源|稿件来源|来源)\s*[:：]\s*([^\s|｜:：]{1,40})"
)


@dataclass
class _MarkerEvent:
    action: str  # disable | enable | ignore-start | ignore-end
    codes: frozenset[str] | None


@dataclass
class ParsedPage:
    tree: lxml.html.HtmlElement
    events: list[_MarkerEvent] = field(default_factory=list)


def _is_fragment(text: str) -> bool:
    head = text[:4000].lower()
    return "<html" not in head and "<body" not in head


def parse_html(text: str, name: str = "input") -> ParsedPage:
    """Parse once, with suppression comments and data-qc-ignore turned into markers."""
    tree = parse_tree(text, name, keep_comments=True)
    page = ParsedPage(tree)
    _plant_markers(page)
    return page


def _marker(page: ParsedPage, action: str, codes: frozenset[str] | None) -> str:
    page.events.append(_MarkerEvent(action, codes))
    return chr(_MARK_BASE + len(page.events) - 1)


def _insert_text_before(node: etree._Element, text: str) -> None:
    prev = node.getprevious()
    parent = node.getparent()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    elif parent is not None:
        parent.text = (parent.text or "") + text


def _plant_markers(page: ParsedPage) -> None:
    tree = page.tree
    for comment in list(tree.iter(etree.Comment)):
        m = _SUPPRESS_COMMENT.match(comment.text or "")
        parent = comment.getparent()
        if m and parent is not None:
            codes = frozenset(c.strip().upper() for c in (m.group(2) or "").split(",") if c.strip()) or None
            mark = _marker(page, m.group(1), codes)
            # The marker takes the comment's place in the text flow.
            _insert_text_before(comment, mark + (comment.tail or ""))
            parent.remove(comment)
    for el in tree.xpath("//*[@data-qc-ignore]"):
        raw = (el.get("data-qc-ignore") or "").strip()
        codes = frozenset(c.strip().upper() for c in raw.split(",") if c.strip() and c.strip().lower() not in ("true", "all")) or None
        start = _marker(page, "ignore-start", codes)
        end = _marker(page, "ignore-end", codes)
        el.text = start + (el.text or "")
        # The end marker goes after the last descendant's text.
        last = el
        while len(last):
            last = last[-1]
        if last is el:
            el.text = el.text + end
        else:
            last.tail = (last.tail or "") + end


def strip_markers(text: str, page: ParsedPage) -> tuple[str, list[tuple[Span, frozenset[str] | None]]]:
    """Remove markers from extracted text; return the clean text and suppressed ranges."""
    out: list[str] = []
    ranges: list[tuple[Span, frozenset[str] | None]] = []
    open_disables: list[tuple[int, frozenset[str] | None]] = []
    open_ignores: list[tuple[int, frozenset[str] | None]] = []
    pos = 0
    length = 0
    for m in _MARK_RE.finditer(text):
        chunk = text[pos : m.start()]
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        idx = ord(m.group()) - _MARK_BASE
        if idx >= len(page.events):
            continue
        ev = page.events[idx]
        if ev.action == "disable":
            open_disables.append((length, ev.codes))
        elif ev.action == "enable":
            keep = []
            for start, codes in open_disables:
                if ev.codes is None or codes is None or codes <= ev.codes:
                    ranges.append((Span(start, length), codes))
                else:
                    keep.append((start, codes))
            open_disables = keep
        elif ev.action == "ignore-start":
            open_ignores.append((length, ev.codes))
        elif ev.action == "ignore-end" and open_ignores:
            start, codes = open_ignores.pop()
            ranges.append((Span(start, length), codes))
    out.append(text[pos:])
    length += len(text) - pos
    for start, codes in open_disables + open_ignores:
        ranges.append((Span(start, length), codes))
    return "".join(out), ranges


def visible_text(root: etree._Element) -> str:
    """Rendered text of an element, as the page reader renders pages (qualitycheck.extract.render)."""
    return render(root).text.strip()


def html_to_document(text: str, source: str = "<html>", url: str | None = None, encoding: str = "") -> Document:
    """Extract title, publish date, source line and body text from an HTML page or fragment.

    A full page also gets the page reader's facts (links, marks, lists: ``meta["page"]``) from the
    same parse, so `check page.html` runs the link and page checks lint-site runs on it."""
    started = time.perf_counter()
    page = parse_html(text, source)
    tree = page.tree
    title: str | None = None
    published = None
    source_line = None
    body = ""
    meta: dict = {}
    fragment = _is_fragment(text)
    if not fragment:
        view = PageView(tree, url, text)
        lines = _Lines(view, _title_refs(view))
        main = _extract_main(view, lines, True)
        meta["page"] = _read_view(view, source, url, encoding, as_of=None, with_body=True, started=started,
                                  extracted=(lines, main))
        title = _MARK_RE.sub("", main.title).strip() if main.title else None
        # a page without article text (a column list, a home page): check all of its visible text
        body = main.body if main.body_weight >= 60 or main.published is not None else ""
        published = main.published
        source_line = main.source_line
        if published is not None:
            meta["published_from"] = "page"
        page_text = view.text
    else:
        page_text = visible_text(tree.body if tree.body is not None else tree)
    if not _MARK_RE.sub("", body).strip():
        body = page_text
    body, suppressed = strip_markers(body, page)
    if published is None and fragment:
        # A CMS fragment has no page around it: a labelled date anywhere in it is its date.
        hit = find_publish_date(_MARK_RE.sub("", page_text))
        published = hit.date if hit is not None else None
    if published is None:
        # Same fallback as lint-site's pages (qualitycheck.inspect.page_document).
        published = meta_published({m.get("name") or m.get("property") or "": m.get("content") or ""
                                    for m in tree.iter("meta")})
        if published is not None:
            meta["published_from"] = "meta"
    if source_line is None and fragment:
        src = _SOURCE_LINE.search(_MARK_RE.sub("", page_text))
        source_line = src.group(1).strip() if src else None

    # alt and title attributes, for QC505 (a full page's reader has collected them already)
    meta["attr_texts"] = meta["page"].attr_texts if "page" in meta else attribute_texts(tree)
    segments: list[Segment] = []
    parts: list[str] = []
    offset = 0
    shift = 0
    if title:
        parts.append(title + "\n\n")
        segments.append(Segment("title", 0, len(title)))
        offset = len(title) + 2
        shift = offset
    parts.append(body)
    segments.append(Segment("body", offset, offset + len(body)))
    doc = Document(
        text="".join(parts),
        source=source,
        kind="html",
        title=title,
        published=published,
        source_line=source_line,
        url=url,
        segments=segments,
        suppressed=[(Span(s.start + shift, s.end + shift), codes) for s, codes in suppressed],
        meta=meta,
    )
    return doc
