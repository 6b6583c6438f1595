"""Identity marks in a page footer: 网站标识码, ICP备案, 公安机关备案, 党政机关网站标识, 找错 entry.

What counts is what a visitor sees (research notes §5, rules ID-001…ID-006):

- text marks are read from the rendered text (inline-hidden elements, comments and
  scripts excluded; markup written by inline ``document.write`` included), and reported
  *as displayed*, whitespace collapsed, malformed variants included, so the identity
  checks can judge the format;
- the 党政机关 badge is a visible link to ``conac.cn``, the official ``dcs.conac.cn`` embed
  script (also when written by ``document.write(unescape(...))``) or a badge image;
  empty JS placeholders (``<div class="dzjg j-gov" data-setting=…>``) are not a badge;
- the 找错 entry is the national platform's script (``<script id="_jiucuo_">``, ``…/exposure/
  jiucuo.js``), a link or onclick to ``…/exposure/jiucuo.html`` (also through an IP relay),
  ``pucha.kaipuyun.cn``, the badge with ``Link('site_code')``, or www.gov.cn's own 纠错
  page; ``None`` when the entry may live in an iframe we cannot see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any


from ..paths import DICTIONARIES_DIR
from ..yamlfile import safe_load

if TYPE_CHECKING:  # pragma: no cover
    from .view import PageView

@lru_cache(maxsize=1)
def regions() -> dict[str, Any]:
    """Province abbreviations and division-code prefixes (dictionaries/identity/regions.yaml)."""
    path = DICTIONARIES_DIR / "identity" / "regions.yaml"
    if not path.is_file():
        return {"by_prefix": {}, "by_abbr": {}}
    data = safe_load(path.read_text(encoding="utf-8")) or {}
    by_prefix: dict[str, dict] = {}
    by_abbr: dict[str, dict] = {}
    for row in data.get("provinces", []):
        prefix = str(row["code"])[:2]
        by_prefix[prefix] = row
        for abbr in [row.get("abbr"), *row.get("abbr_alt", [])]:
            if abbr:
                by_abbr[abbr] = row
    return {"by_prefix": by_prefix, "by_abbr": by_abbr}


# Every abbreviation an ICP or 公网安备 number may start with (regions.yaml is the one list).
PROVINCES = "".join(sorted(regions()["by_abbr"]))

_SITE_CODE = re.compile(r"(?:网站标识码|网站识别码|网站标志码|标识码)\s*[:：]?\s*((?:bm|BM)\s*\d{6,12}|\d{6,14})(?![\d])")
_ICP = re.compile(
    rf"(?:[{PROVINCES}]\s*ICP\s*备\s*(?:案\s*)?(?:号\s*)?[:：\-]?\s*|[{PROVINCES}]备\s*(?=\d{{6}}))"
    r"\d[\d]*(?:\s*-\s*\d+)?(?:\s*号)?(?:\s*-\s*\d+)?"
)
# ICP filing shown without a province: "ICP备案号：12345678号" (malformed, still what is displayed).
_ICP_BARE = re.compile(r"(?<![A-Za-z\u4e00-\u9fff])ICP\s*备\s*(?:案\s*)?(?:号\s*)?[:：]?\s*\d{6,}(?:\s*号)?(?:\s*-\s*\d+)?")
_PSB_NAMED = re.compile(
    rf"(?:[{PROVINCES}]\s*)?(?:公\s*网\s*安\s*备|公\s*安\s*网\s*备)\s*(?:案\s*)?(?:号\s*)?[:：]?\s*\d[\d\-]*\d(?:\s*号)?"
)
_PSB_GENERIC = re.compile(
    rf"(?:[{PROVINCES}]\s*)?公安(?:机关)?备案?(?:号|编号)?\s*[:：]?\s*(\d{{14}})(?![\d\-])(?:\s*号)?"
)

_CONAC_IMG = re.compile(r"(?:^|/)[^/]*(?:dzjg|conac)[^/]*\.(?:png|gif|jpe?g|svg)(?:$|\?)", re.I)
_JIUCUO_HREF = re.compile(r"/exposure/jiucuo|pucha\.kaipuyun\.cn|(?:^|//|\.)www\.gov\.cn/[^\"']*jiucuo", re.I)
_LINK_CALL = re.compile(r"\bLink\(\s*['\"](\d{10}|bm\d{8})['\"]\s*\)")
_SITE_CODE_PARAM = re.compile(r"site_?code=(\d{10}|bm\d{8})", re.I)


@dataclass
class Marks:
    site_code: str | None = None    # visible 网站标识码 text value
    icp: str | None = None          # visible ICP filing as displayed
    psb: str | None = None          # visible 公网安备 as displayed
    conac: bool = False             # 党政机关网站标识 rendered (incl. the dcs.conac.cn script)
    jiucuo: bool | None = False     # 我为政府网站找错 entry present; None = undecidable
    meta_site_code: str | None = None
    jiucuo_site_code: str | None = None   # the code carried by the _jiucuo_ script / jiucuo URL

    def to_dict(self) -> dict:
        return {
            "site_code": self.site_code, "icp": self.icp, "psb": self.psb, "conac": self.conac,
            "jiucuo": self.jiucuo, "meta_site_code": self.meta_site_code,
            "jiucuo_site_code": self.jiucuo_site_code,
        }


def _collapse(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _pick(matches: list[tuple[int, str]], avoid: tuple[int, int] | None) -> str | None:
    """The last match outside the main text (the footer), else the last one."""
    if not matches:
        return None
    if avoid is not None:
        outside = [m for m in matches if not (avoid[0] <= m[0] < avoid[1])]
        if outside:
            return outside[-1][1]
    return matches[-1][1]


def _windows(text: str, keys: tuple[str, ...], before: int, after: int):
    """(offset, window) around every occurrence of the keys: the regexes then read only these."""
    seen = set()
    for key in keys:
        start = text.find(key)
        while start != -1:
            a = max(0, start - before)
            if a not in seen:
                seen.add(a)
                yield a, text[a : start + len(key) + after]
            start = text.find(key, start + 1)


def _find_all(pattern: re.Pattern, text: str, keys: tuple[str, ...], before: int, after: int, value) -> list[tuple[int, str]]:
    found: dict[int, str] = {}
    n = len(text)
    for a, window in _windows(text, keys, before, after):
        for m in pattern.finditer(window):
            if m.end() == len(window) and a + len(window) < n:
                continue  # cut by the window: a window further on reads it whole
            found.setdefault(a + m.start(), value(m))
    return sorted(found.items())


def text_marks(text: str, avoid: tuple[int, int] | None = None) -> tuple[str | None, str | None, str | None]:
    """(site_code, icp, psb) as displayed in a rendered text."""
    site = _find_all(_SITE_CODE, text, ("标识码", "识别码", "标志码"), 4, 30, lambda m: re.sub(r"\s+", "", m.group(1)))
    icp = _find_all(_ICP, text, ("ICP", "备"), 6, 40, lambda m: _collapse(m.group(0)))
    if not icp:
        icp = _find_all(_ICP_BARE, text, ("ICP",), 2, 40, lambda m: _collapse(m.group(0)))
    psb = _find_all(_PSB_NAMED, text, ("网安备", "安网备", "网 安 备"), 8, 40, lambda m: _collapse(m.group(0)))
    if not psb:
        psb = _find_all(_PSB_GENERIC, text, ("公安",), 2, 40, lambda m: _collapse(m.group(0)))
    return _pick(site, avoid), _pick(icp, avoid), _pick(psb, avoid)


def _attrs(el) -> str:
    return " ".join(v for v in el.attrib.values() if v)


def find_marks(view: "PageView") -> Marks:
    marks = Marks()
    body_range = view.body_range
    marks.site_code, marks.icp, marks.psb = text_marks(view.text, body_range)
    code = view.meta_get("SiteIDCode")
    marks.meta_site_code = code.strip() or None if code is not None else None

    visible = view.is_visible
    jiucuo: bool | None = False
    site_codes: list[str] = []
    iframes = []
    # one pass over the elements that can carry a badge or an entry, in the tree and in
    # script-written markup
    for el in view.iter_tag("a", "script", "img", "iframe"):
        tag = el.tag
        if tag == "a":
            href = el.get("href") or ""
            onclick = el.get("onclick") or ""
            if not marks.conac and "conac.cn" in href.lower() and visible(el):
                marks.conac = True
            if "jiucuo" in href or "jiucuo" in onclick or "kaipuyun" in href or "kaipuyun" in onclick or "Link(" in onclick:
                target = href + " " + onclick
                call = _LINK_CALL.search(onclick)
                if _JIUCUO_HREF.search(target) or call:
                    m = _SITE_CODE_PARAM.search(target)
                    if m:
                        site_codes.append(m.group(1))
                    elif call:
                        site_codes.append(call.group(1))
                    if visible(el):
                        jiucuo = True
        elif tag == "script":
            src = el.get("src") or ""
            if not marks.conac and "dcs.conac.cn" in src.lower() and visible(el):
                marks.conac = True
            if el.get("id") == "_jiucuo_" or "/exposure/jiucuo" in src:
                if el.get("sitecode"):
                    site_codes.append(el.get("sitecode").strip())
                if visible(el):
                    jiucuo = True
        elif tag == "img":
            if not marks.conac:
                src = el.get("src") or ""
                if _CONAC_IMG.search(src) and visible(el):
                    alt = (el.get("alt") or "") + (el.get("title") or "")
                    parent_a = next((p for p in el.iterancestors("a")), None)
                    if "党政机关" in alt or parent_a is not None or el.get("id") == "imgConac":
                        marks.conac = True
        else:
            iframes.append(el)
    if not jiucuo:
        for fr in iframes:
            blob = _attrs(fr).lower()
            if "jiucuo" in blob or "纠错" in blob or "找错" in blob:
                jiucuo = None
                break
    if view.script_writes:
        _from_script_writes(view.script_writes, marks, jiucuo, site_codes)
        if marks.jiucuo is True:
            jiucuo = True
    marks.jiucuo = jiucuo
    marks.jiucuo_site_code = site_codes[0] if site_codes else None
    return marks


def _from_script_writes(writes: list[str], marks: Marks, jiucuo, site_codes: list[str]) -> None:
    """Marks that an inline script puts into the page (``el.innerHTML = …``, ``$(…).html(…)``):
    they count when the page shows none of its own (the issue: script-injected marks count when the
    script carries them)."""
    import lxml.html

    texts = []
    for w in writes:
        if "<" in w:
            try:
                frag = lxml.html.fragment_fromstring(w, create_parent="div")
            except Exception:  # noqa: BLE001 - a broken snippet is just text
                texts.append(w)
                continue
            texts.append(" ".join(frag.itertext()))
            for a in frag.iter("a"):
                href = a.get("href") or ""
                if "conac.cn" in href.lower():
                    marks.conac = True
                if _JIUCUO_HREF.search(href):
                    marks.jiucuo = True
                    m = _SITE_CODE_PARAM.search(href)
                    if m:
                        site_codes.append(m.group(1))
            for sc in frag.iter("script"):
                src = sc.get("src") or ""
                if "dcs.conac.cn" in src.lower():
                    marks.conac = True
                if sc.get("id") == "_jiucuo_" or "/exposure/jiucuo" in src:
                    marks.jiucuo = True
        else:
            texts.append(w)
    site, icp, psb = text_marks("\n".join(" ".join(t.split()) for t in texts))
    marks.site_code = marks.site_code or site
    marks.icp = marks.icp or icp
    marks.psb = marks.psb or psb


