"""``qualitycheck inspect``: one page read and checked, as one JSON object.

The object (``schema: qualitycheck/page@1``) holds what the page reader found
(:func:`qualitycheck.extract.page.read_page`) and the page checks' findings on the
headline and main text:

    kind, title, html_title, published, published_text, source, body, encoding,
    marks {site_code, icp, psb, conac, jiucuo, meta_site_code, jiucuo_site_code},
    lists [{heading, items [{title, date, url, date_text}], newest, oldest, n_items,
            n_dated, more_url, hidden, status, column_type, age_days}],
    links_suspicious [{text, href, hidden, external, why}],
    suspicious_content [{where, text, why}],   (hijacked <title>/meta, hidden text, junk tags)
    nav [{name, url}], messages [...], n_links, timings, findings [...]

``status`` of a list, against ``as_of`` (default today), by the same rules lint-site applies
(qualitycheck.site.list_status): ``empty`` (no items, or only placeholders), ``undated`` (no
item shows a date: counts as not updated), ``unknown`` (the newest date cannot be known),
``stale`` (nothing new within the update period of the column's type, config ``[columns]``),
else ``fresh`` (also for column types without a period).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .document import Document, Segment
from .extract.page import Page, meta_published, read_page
from .sources import site_of

SCHEMA = "qualitycheck/page@1"


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def page_document(page: Page) -> Document:
    """The checked text of a page: the headline (title segment), then the main text (body)."""
    title = page.title or ""
    body = page.body or ""
    parts: list[str] = []
    segments: list[Segment] = []
    offset = 0
    if title:
        parts.append(title + "\n\n")
        segments.append(Segment("title", 0, len(title)))
        offset = len(title) + 2
    parts.append(body)
    segments.append(Segment("body", offset, offset + len(body)))
    # Date-aware rules use the shown date, else the <meta> date (as `check page.html` does).
    published = page.published or meta_published(page.meta)
    return Document(
        text="".join(parts), source=page.source, kind="html", title=page.title, published=published,
        source_line=page.source_line, url=page.url, segments=segments,
        meta={"page": page, "attr_texts": page.attr_texts},
    )


# The site model's column statuses, in the words of the inspect contract.
_STATUS = {"empty": "empty", "stale": "stale", "substantive": "fresh", "unknown": "unknown"}


def _list_status(lst, as_of: date, config, page: Page) -> dict[str, Any]:
    """The status this list gives its column, by the same rules lint-site applies to the site."""
    from .config import Config
    from .site import list_status

    col = list_status(lst, as_of, config or Config.default(), page_url=page.url, as_list_page=page.kind == "list")
    status = _STATUS.get(col.status, col.status)
    if status == "stale" and col.n_items and col.n_dated == 0:
        status = "undated"  # stale because no item shows a date (counts as not updated)
    return {"status": status, "column_type": col.type, "age_days": col.age_days, "period_days": col.max_age_days}


def page_to_dict(page: Page, as_of: date, config=None) -> dict[str, Any]:
    lists = []
    for lst in page.lists:
        d = lst.to_dict()
        d.update(_list_status(lst, as_of, config, page))
        lists.append(d)
    return {
        "schema": SCHEMA,
        "input": page.source,
        "url": page.url,
        "as_of": as_of.isoformat(),
        "kind": page.kind,
        "title": page.title,
        "html_title": page.html_title,
        "published": _iso(page.published),
        "published_text": page.published_text,
        "source": page.source_line,
        "body": page.body,
        "encoding": page.encoding,
        "marks": page.marks.to_dict(),
        "lists": lists,
        "links_suspicious": [l.to_dict() for l in page.links if l.why],
        "suspicious_content": [s.to_dict() for s in page.suspicions],
        "nav": [{"name": n, "url": u} for n, u in page.nav],
        "messages": [m.to_dict() for m in page.messages],
        "n_links": len(page.links),
        "timings": {k: round(v, 5) for k, v in page.timings.items()},
    }


def inspect_html(
    html: str | bytes,
    url: str | None = None,
    as_of: date | str | None = None,
    *,
    source: str = "<page>",
    config=None,
    with_findings: bool = True,
) -> dict[str, Any]:
    """Read one page and check its headline and main text; a JSON-ready dict (see module doc).

    Raises :class:`qualitycheck.errors.InputError` for empty, binary or undecodable input.
    """
    from .api import _as_date

    day = _as_date(as_of)
    if config is None and with_findings:
        from .config import Config

        config = Config.default()
    if day is None:
        day = config.as_of if config is not None else date.today()
    page = read_page(html, str(source), url, as_of=day)
    out = page_to_dict(page, day, config)
    findings: list[dict] = []
    if with_findings:
        from .api import check_document

        from .checks.identity import IdentityAccumulator

        doc = page_document(page)
        findings = [f.to_dict() for f in check_document(doc, config)]
        # Identity marks judged on this page alone (lint-site judges them per site).
        marks = IdentityAccumulator(site_of(url) or "page", config, single_page=True)
        marks.add(url or str(source), "home", page.marks)
        findings += [f.to_dict() for f in marks.findings() if config.is_selected(f.code)]
    out["findings"] = findings
    return out
