"""QC4xx identity marks: 网站标识码, ICP备案, 公安机关备案, 党政机关网站标识, 我为政府网站找错.

《政府网站发展指引》(国办发〔2017〕47号) requires every page's footer to show the
党政机关网站标识, 网站标识码, ICP备案编号 and 公安机关备案标识; the quarterly
notices name sites that miss any of them or the 找错 entry. Marks are judged per
site, on the homepage when the crawl has one (else on most pages), with the
count of pages that miss each mark as evidence.
"""

from __future__ import annotations

import bisect

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..document import Finding
from ..extract.marks import regions
from .base import Check
from .registry import register

SOURCE_FOOTER = "国办发〔2017〕47号《政府网站发展指引》页面底部功能区（党政机关网站标识、网站标识码、ICP备案编号、公安机关备案标识）"
SOURCE_JIUCUO = "国办秘函〔2019〕19号及各省抽查通报：首页显著位置添加“我为政府网站找错”监督举报平台入口"

_SITE_CODE = re.compile(r"^(?:\d{10}|bm\d{8})$", re.I)
_ICP = re.compile(r"^(?P<abbr>[\u4e00-\u9fa5])ICP备(?P<num>\d{6,10})号(?:-\d{1,3})?$")
_PSB = re.compile(r"^(?P<abbr>[\u4e00-\u9fa5])公网安备\s*(?P<num>\d{14})号?$")


def _compact(value: str | None) -> str:
    return re.sub(r"\s+", "", value or "")


def _url_order(url: str) -> tuple[int, str]:
    return (len(url), url)


@dataclass
class _MarkTally:
    missing_pages: int = 0
    sample_missing: list[str] = field(default_factory=list)


class _IdentityCheck(Check):
    level = "site"
    scopes = ("footer",)
    rule_source = SOURCE_FOOTER

    def run(self, ctx) -> Iterable[Finding]:  # site-level: findings come from IdentityAccumulator
        return ()


@register
class SiteCodeMissing(_IdentityCheck):
    """The footer shows no 政府网站标识码 (the 10-digit code every government site is issued)."""

    code, name, severity = "QC401", "identity.site-code-missing", "warning"


@register
class SiteCodeFormat(_IdentityCheck):
    """The 网站标识码 is malformed: not 10 digits, or its first two digits are no province's division code
    (central departments use bm + 8 digits)."""

    code, name, severity = "QC402", "identity.site-code-format", "error"


@register
class IcpMissing(_IdentityCheck):
    """The footer shows no ICP备案编号."""

    code, name, severity = "QC403", "identity.icp-missing", "warning"


@register
class IcpFormat(_IdentityCheck):
    """The ICP备案编号 is malformed (e.g. 蜀ICP备：19007388号, a missing 号) or uses no province abbreviation."""

    code, name, severity = "QC404", "identity.icp-format", "warning"


@register
class PsbMissing(_IdentityCheck):
    """The footer shows no 公安机关备案标识 (X公网安备 + 14 digits)."""

    code, name, severity = "QC405", "identity.psb-missing", "warning"


@register
class PsbFormat(_IdentityCheck):
    """The 公安机关备案号 is malformed: not X公网安备 followed by 14 digits and 号."""

    code, name, severity = "QC406", "identity.psb-format", "warning"


@register
class ConacMissing(_IdentityCheck):
    """The 党政机关网站标识 (the red badge issued by 中央编办, bszs.conac.cn) is not shown."""

    code, name, severity = "QC407", "identity.conac-missing", "warning"


@register
class JiucuoMissing(_IdentityCheck):
    """The “我为政府网站找错” entry (national error-report platform) is missing."""

    code, name, severity = "QC408", "identity.jiucuo-missing", "warning"
    rule_source = SOURCE_JIUCUO


@register
class MarksInconsistent(_IdentityCheck):
    """Identity marks disagree: the meta SiteIDCode or the 找错 script's code differs from the footer's
    网站标识码, or the code's province differs from the ICP or 公网安备 province."""

    code, name, severity = "QC409", "identity.inconsistent", "error"


_CHECKS = {c.code: c() for c in (SiteCodeMissing, SiteCodeFormat, IcpMissing, IcpFormat, PsbMissing, PsbFormat,
                                  ConacMissing, JiucuoMissing, MarksInconsistent)}
_PRESENCE = (("site_code", "QC401", "网站标识码"), ("icp", "QC403", "ICP备案编号"), ("psb", "QC405", "公安机关备案标识"),
             ("conac", "QC407", "党政机关网站标识"), ("jiucuo", "QC408", "“我为政府网站找错”入口"))


def site_code_problem(code: str) -> str | None:
    """Why a 网站标识码 is malformed, or None."""
    code = _compact(code)
    if not _SITE_CODE.match(code):
        return f"网站标识码“{code}”格式不正确（应为10位数字，国务院部门为bm加8位数字）"
    by_prefix = regions()["by_prefix"]
    if code.isdigit() and by_prefix and code[:2] not in by_prefix:
        return f"网站标识码“{code}”的前两位不是省级行政区划代码"
    return None


def icp_problem(value: str) -> str | None:
    m = _ICP.match(_compact(value))
    if not m:
        return f"ICP备案编号“{value}”格式不规范（应为“省简称ICP备+数字+号”，如“京ICP备19014909号”）"
    if regions()["by_abbr"] and m.group("abbr") not in regions()["by_abbr"]:
        return f"ICP备案编号“{value}”的省份简称“{m.group('abbr')}”无法识别"
    return None


def psb_problem(value: str) -> str | None:
    if not _PSB.match(_compact(value)):
        return f"公安机关备案号“{value}”格式不规范（应为“省简称公网安备+14位数字+号”）"
    return None


class IdentityAccumulator:
    """Collects each page's marks for one site; judges the site on its homepage (or most pages)."""

    def __init__(self, site: str, config=None, *, single_page: bool = False, registered_code: str = ""):
        self.site = site
        self.single_page = single_page  # `inspect` of one page: judge that page, whatever its kind
        # 网站标识码 as the province's site registry has it: the footer must show this one.
        self.registered_code = _compact(registered_code) if registered_code else ""
        self.config = config
        self.pages = 0
        self.home: tuple[str, Any] | None = None
        self.tally = {key: _MarkTally() for key, _, _ in _PRESENCE}
        self.values: dict[str, Counter] = {k: Counter() for k in ("site_code", "icp", "psb", "meta_site_code",
                                                                    "jiucuo_site_code")}
        self.first_url: str | None = None

    def add(self, url: str, kind: str, marks: Any) -> None:
        # Whatever order the pages come in (a crawl's fetch order varies), the same pages give the
        # same verdict and evidence: every choice below takes the shortest, then smallest, URL.
        url = url or ""
        self.pages += 1
        if self.first_url is None or _url_order(url) < _url_order(self.first_url):
            self.first_url = url
        if kind == "home" and (self.home is None or _url_order(url) < _url_order(self.home[0])):
            self.home = (url, marks)
        for key, _, _ in _PRESENCE:
            if not getattr(marks, key, None):
                t = self.tally[key]
                t.missing_pages += 1
                if len(t.sample_missing) < 5 or _url_order(url) < _url_order(t.sample_missing[-1]):
                    bisect.insort(t.sample_missing, url, key=_url_order)
                    del t.sample_missing[5:]
        for key in self.values:
            value = getattr(marks, key, None)
            if value:
                self.values[key][_compact(str(value))] += 1

    def _finding(self, code: str, message: str, url: str | None, evidence: dict, match: str = "") -> Finding:
        check = _CHECKS[code]
        sev = self.config.severity_for(code, check.severity) if self.config else check.severity
        return check.spanless_finding(message, scope="site", match=match, url=url, source=url or self.site,
                                      evidence=evidence, rule_id=code, severity=sev)

    def findings(self) -> list[Finding]:
        if not self.pages:
            return []
        out: list[Finding] = []
        basis_url = self.home[0] if self.home else self.first_url
        basis = "本页" if self.single_page else ("首页" if self.home else "多数页面")
        for key, code, label in _PRESENCE:
            t = self.tally[key]
            if self.home is not None:
                value = getattr(self.home[1], key)
                # jiucuo None = undecidable (a site-own iframe): do not accuse.
                missing = not value and not (key == "jiucuo" and value is None)
            else:
                missing = t.missing_pages * 2 > self.pages
            if missing:
                counts = "" if self.single_page else f"（{t.missing_pages}/{self.pages} 个页面缺失）"
                out.append(self._finding(code, f"{basis}未显示{label}{counts}。",
                                         basis_url, {"pages_missing": t.missing_pages, "pages": self.pages,
                                                     "examples": t.sample_missing}))
        code_value = self._main("site_code")
        if code_value and (problem := site_code_problem(code_value)):
            out.append(self._finding("QC402", problem + "。", basis_url, {"value": code_value}, code_value))
        icp = self._main("icp")
        if icp and (problem := icp_problem(icp)):
            out.append(self._finding("QC404", problem + "。", basis_url, {"value": icp}, icp))
        psb = self._main("psb")
        if psb and (problem := psb_problem(psb)):
            out.append(self._finding("QC406", problem + "。", basis_url, {"value": psb}, psb))
        out.extend(self._consistency(basis_url, code_value, icp, psb))
        if self.registered_code and code_value and code_value != self.registered_code:
            out.append(self._finding(
                "QC409", f"{basis}页脚网站标识码“{code_value}”与网站名册登记的“{self.registered_code}”不一致。",
                basis_url, {"footer": code_value, "registered": self.registered_code}, code_value))
        return out

    def _main(self, key: str) -> str | None:
        if self.home is not None:
            value = getattr(self.home[1], key, None)
            return _compact(str(value)) if value else None
        counts = self.values[key]
        return min(counts, key=lambda v: (-counts[v], v)) if counts else None

    def _consistency(self, url: str | None, code: str | None, icp: str | None, psb: str | None) -> list[Finding]:
        out = []
        for key, label in (("meta_site_code", "页面元数据 SiteIDCode"), ("jiucuo_site_code", "找错入口脚本中的标识码")):
            other = self._main(key)
            if code and other and other != code:
                out.append(self._finding("QC409", f"{label}“{other}”与页脚网站标识码“{code}”不一致。", url,
                                         {"footer": code, key: other}, other))
        reg = regions()
        province = reg["by_prefix"].get(code[:2]) if code and code[:2].isdigit() else None
        if province is None and not code:
            meta = self._main("meta_site_code")
            province = reg["by_prefix"].get(meta[:2]) if meta and meta[:2].isdigit() else None
        if province:
            name = province.get("name", "")
            abbrs = {province.get("abbr"), *province.get("abbr_alt", [])}
            m = _ICP.match(icp or "")
            if m and m.group("abbr") not in abbrs:
                out.append(self._finding("QC409", f"ICP备案“{icp}”的省份简称与网站标识码所属地区（{name}）不一致。", url,
                                         {"site_code": code, "icp": icp}, icp or ""))
            m = _PSB.match(psb or "")
            if m and not m.group("num").startswith(str(province["code"])[:2]):
                out.append(self._finding("QC409", f"公安机关备案号“{psb}”的地区代码与网站标识码所属地区（{name}）不一致。",
                                         url, {"site_code": code, "psb": psb}, psb or ""))
        return out

    def verdict_items(self) -> list[dict]:
        found = self.findings()
        return [{
            "item": "网站标识（扣分项，非单项否决）",
            "veto": False,
            "failed": bool(found),
            "count": len(found),
            "threshold": "—",
            "rule_source": SOURCE_FOOTER,
            "evidence": [{"问题": f.message, "url": f.url} for f in found],
        }]
