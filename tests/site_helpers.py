"""Builders for Page objects (the page reader's contract) used by the column and site tests."""

from __future__ import annotations

from datetime import date, timedelta

from qualitycheck.config import Config
from qualitycheck.extract.page import DatedList, ListItem, Marks, Message, Page
from qualitycheck.site import SiteAccumulator, page_facts

AS_OF = date(2024, 6, 1)
SITE = "http://www.example.gov.cn"


def ago(days: int, as_of: date = AS_OF) -> date:
    return as_of - timedelta(days=days)


def item(title: str, d: date | None = None, *, url: str | None = None, date_text: str | None = None,
         date_kind: str | None = None) -> ListItem:
    if d is not None and date_text is None:
        date_text = d.isoformat()
        date_kind = date_kind or "full"
    return ListItem(title=title, url=url, date=d, date_text=date_text, date_kind=date_kind)


def dated_list(heading: str | None, items: list[ListItem], *, more_url: str | None = None,
               hidden: bool = False) -> DatedList:
    full = [i.date for i in items if i.date is not None and i.date_kind in (None, "full")]
    return DatedList(
        heading=heading,
        items=items,
        newest=max(full) if full else None,
        n_dated=sum(1 for i in items if i.date_text),
        more_url=more_url,
        hidden=hidden,
        oldest=min(full) if full else None,
    )


def page(url: str | None, kind: str, *, lists=(), nav=(), messages=(), title=None, html_title=None,
         body: str = "", footer: str = "", text: str = "", meta: dict | None = None) -> Page:
    return Page(
        source=url or "<test>", url=url, kind=kind, title=title, html_title=html_title, published=None,
        source_line=None, body=body, footer=footer, marks=Marks(), lists=list(lists), links=[],
        nav=list(nav), messages=list(messages), meta=dict(meta or {}), encoding="utf-8", timings={},
        text=text or "\n".join(t for t in (title, body, footer) if t),
    )


def news_items(newest: date, n: int = 3, step: int = 3) -> list[ListItem]:
    return [item(f"县政府召开第{k + 1}次常务会议", newest - timedelta(days=k * step)) for k in range(n)]


def list_page(path: str, name: str, items: list[ListItem], **kw) -> Page:
    """A column's list page: heading = name, <title> = name_某县人民政府."""
    return page(SITE + path, "list", lists=[dated_list(name, items)], html_title=f"{name}_某县人民政府", **kw)


def message(title: str, asked: date | None, answered: date | None = None, status: str | None = None,
            url: str | None = None) -> Message:
    return Message(title=title, asked=asked, answered=answered, status=status, url=url)


def config(**overrides) -> Config:
    return Config.from_dict(overrides) if overrides else Config.default()


def site_of(*pages: Page, cfg: Config | None = None, site: str = "www.example.gov.cn") -> SiteAccumulator:
    acc = SiteAccumulator(site, cfg or Config.default())
    for p in pages:
        acc.add(page_facts(p))
    return acc


def item_named(items: list[dict], name: str) -> dict:
    return next(i for i in items if i["item"] == name)
