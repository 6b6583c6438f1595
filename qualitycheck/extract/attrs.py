"""Text a page shows outside its text flow: image alt text and title attributes.

Injected spam also hides there (an ``<img alt="澳门新葡京娱乐">`` or a ``title`` tooltip on a
paragraph): search engines index it, a visitor sees it on hover, and the rendered page text
never holds it. Both page readers (``check page.html`` and lint-site's ``read_page``) attach
what this returns to what they extract, so QC505 reads one list in both.
"""

from __future__ import annotations

from lxml import etree

MAX_ATTRS = 500          # a page with more is a gallery or a generated list: the first ones suffice
MAX_CHARS = 300


def attribute_texts(root: etree._Element) -> list[tuple[str, str]]:
    """(``tag@attr``, text) for every distinct non-empty alt or title attribute, in document order."""
    out: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    try:
        values = root.xpath("//@alt | //@title")
    except Exception:  # noqa: BLE001 - an odd tree costs this page its attribute texts, never the page
        return out
    for value in values:
        text = " ".join(str(value).split())[:MAX_CHARS]
        if not text:
            continue
        parent = value.getparent()
        tag = parent.tag if parent is not None and isinstance(parent.tag, str) else "?"
        where = f"{tag}@{value.attrname}"
        if (where, text) in seen:
            continue
        seen.add((where, text))
        out.append((where, text))
        if len(out) >= MAX_ATTRS:
            break
    return out
