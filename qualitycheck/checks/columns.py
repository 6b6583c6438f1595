"""QC3xx column checks: blank, stale and undated columns, a stale homepage, service-guide blanks.

Site-level checks (``level = "site"``) read the per-site model: their ``run`` takes a
``qualitycheck.site.SiteContext`` (config, as_of, the site's ``SiteAccumulator``), never a
page's ``Context``.  ``SiteAccumulator.findings(as_of)`` runs them for a runner; a runner that
loops over the registry itself passes ``acc.context(as_of)`` to every check whose
``uses_site_model`` is true.

QC305 is a page check (``level = "page"``): it runs inside ``check_document`` on a 办事指南
page's text.

Severity of blank / stale column findings follows the site's count against the thresholds in
``[columns]``: below ``*_warn`` → info, from ``*_warn`` → warning, from ``*_veto`` → error (the
site fails the 单项否决 item).  A ``[severity]`` override in the configuration replaces this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..columns.guide import read_guide
from ..columns.types import PERIOD_SOURCES, TYPE_LABELS
from ..document import Finding, Span
from ..site import SRC_BLANK, SRC_GUIDE, SRC_HOME, SRC_STALE, SRC_UNDATED, Column, _column_evidence
from .base import Check, Context
from .registry import register

if TYPE_CHECKING:  # pragma: no cover
    from ..site import SiteContext

GUIDE_RULE_IDS = {
    "事项名称": "guide-name",
    "设定依据": "guide-basis",
    "申请条件": "guide-conditions",
    "办理材料": "guide-materials",
    "办理地点": "guide-place",
    "办理机构": "guide-agency",
    "收费标准": "guide-fees",
    "办理时间": "guide-hours",
    "联系电话": "guide-phone",
    "办理流程": "guide-process",
}


def _graded(count: int, warn: int, veto: int) -> str:
    if count >= veto:
        return "error"
    if count >= warn:
        return "warning"
    return "info"


class SiteCheck(Check):
    """A check over the per-site model (``run(SiteContext)``)."""

    level = "site"
    scopes = ("site",)
    uses_site_model = True

    def site_finding(
        self,
        ctx: "SiteContext",
        message: str,
        *,
        match: str,
        url: str | None,
        evidence: dict,
        severity: str | None = None,
        rule_source: str | None = None,
        rule_id: str = "",
    ) -> Finding:
        return self.spanless_finding(message, scope="site", match=match, url=url, source=ctx.site.site,
                                     evidence=evidence, rule_id=rule_id, rule_source=rule_source, severity=severity)


def _type_text(c: Column) -> str:
    return TYPE_LABELS.get(c.type, c.type)


@register
class BlankColumnCheck(SiteCheck):
    """A blank column (空白栏目): a column with no items, or only a placeholder such as 暂无信息.

    Why: 国办秘函〔2019〕19号 单项否决 "空白栏目": a site with 5 or more blank columns fails the
    spot check (``columns.blank_veto``); vendors warn from 2 (``columns.blank_warn``).  A blank
    column is one that has never held content (国办发〔2015〕15号 普查答疑); on the page it is an
    empty list or a placeholder: 暂无信息, 暂无数据, 栏目正在建设中, 敬请期待, 共0条.

    One finding per blank column, on the page that shows it, with the count so far.  Columns
    only seen in navigation (never crawled) are not counted.
    """

    code = "QC301"
    name = "column.blank"
    severity = "warning"
    rule_source = SRC_BLANK

    def run(self, ctx: "SiteContext") -> Iterable[Finding]:
        cfg = ctx.config["columns"]
        blank = [c for c in ctx.site.columns(ctx.as_of) if c.status == "empty"]
        severity = _graded(len(blank), int(cfg["blank_warn"]), int(cfg["blank_veto"]))
        for c in blank:
            shown = f"，页面显示「{c.placeholder}」" if c.placeholder else "，没有任何信息"
            yield self.site_finding(
                ctx,
                f"空白栏目「{c.name}」{shown}。本站空白栏目共 {len(blank)} 个"
                f"（≥{cfg['blank_veto']} 个即单项否决）。",
                match=c.name,
                url=c.evidence_url,
                severity=severity,
                evidence={**_column_evidence(c, ctx.as_of), "site_count": len(blank),
                          "threshold": int(cfg["blank_veto"])},
            )


@register
class StaleColumnCheck(SiteCheck):
    """A stale column (栏目不更新): nothing new within its type's update period at ``--as-of``.

    Why: 国办秘函〔2019〕19号 单项否决 "栏目不更新": 动态、要闻类 columns with no update in
    2 weeks (``columns.news_days`` = 14) and 通知公告、政策文件类 columns with none in 6 months
    (``columns.notice_days`` = 183) fail a site when there are 5 or more
    (``columns.stale_veto``); 人事、规划计划类 columns should be updated within a year
    (``columns.plan_days`` = 365; 普查答疑, 开普云) and count towards the "≥10 long-stale
    columns" prong.  A column is stale when its newest item is ``period`` days old or older
    (no new item within the last ``period`` days, counting the as-of day): 13 days old is
    fine, 14 days old is stale for a news column.  Items without a visible date count as not
    updated (国办发〔2015〕15号 普查答疑); a column whose items show no date at all is stale.

    The column type comes from its name (``qualitycheck.columns.types``); 互动 and other
    columns have no period and are never stale.
    """

    code = "QC302"
    name = "column.stale"
    severity = "warning"
    rule_source = SRC_STALE

    def run(self, ctx: "SiteContext") -> Iterable[Finding]:
        cfg = ctx.config["columns"]
        cols = ctx.site.columns(ctx.as_of)
        stale = [c for c in cols if c.status == "stale"]
        short = [c for c in stale if c.type in ("news", "notice")]
        veto = int(cfg["stale_veto"])
        long_veto = int(cfg.get("stale_long_veto", 10))
        if len(short) >= veto or len(stale) >= long_veto:
            severity = "error"
        else:
            severity = _graded(len(short), int(cfg["stale_warn"]), veto)
        for c in stale:
            if c.newest is None:
                detail = f"共 {c.n_items} 条信息均无可见发布日期，按未更新计"
            else:
                detail = f"最新信息日期 {c.newest.isoformat()}，至 {ctx.as_of.isoformat()} 已 {c.age_days} 天"
            yield self.site_finding(
                ctx,
                f"栏目「{c.name}」（{_type_text(c)}，要求 {c.max_age_days} 天内有更新）未按时更新：{detail}。"
                f"本站不更新栏目 {len(stale)} 个。",
                match=c.name,
                url=c.evidence_url,
                severity=severity,
                rule_source=f"{PERIOD_SOURCES.get(c.type, '')}; {SRC_STALE}",
                rule_id=f"stale-{c.type}",
                evidence={**_column_evidence(c, ctx.as_of), "site_count": len(short),
                          "site_count_all_types": len(stale), "threshold": veto,
                          "year_inferred": c.year_inferred},
            )


@register
class StaleHomepageCheck(SiteCheck):
    """The homepage has no new item within ``columns.homepage_days`` (14) days of ``--as-of``.

    Why: 国办秘函〔2019〕19号 单项否决 "首页不更新": no new information on the homepage in the
    2 weeks before the check fails the site.  The newest dated item of any homepage block
    counts; 14 days old is stale, 13 is not.  A homepage whose blocks show items but no dates
    is stale (an item without a publish time counts as not updated, 2015).  A homepage that is
    only navigation is stale when every dated second-level column is stale or blank.
    """

    code = "QC303"
    name = "homepage.stale"
    severity = "error"
    rule_source = SRC_HOME

    def run(self, ctx: "SiteContext") -> Iterable[Finding]:
        home = ctx.site.homepage(ctx.as_of)
        if home is None or home["status"] != "stale":
            return
        if home["newest"] is None:
            detail = "首页信息均无可见发布日期，按未更新计"
        else:
            detail = f"首页最新信息日期 {home['newest'].isoformat()}，至 {ctx.as_of.isoformat()} 已 {home['age_days']} 天"
        if home["basis"] == "columns":
            detail += "（首页为导航页，按全部二级栏目判断）"
        yield self.site_finding(
            ctx,
            f"首页 {home['period_days']} 天内无更新：{detail}。",
            match=home["url"],
            url=home["url"],
            evidence={
                "homepage": home["url"],
                "newest": home["newest"].isoformat() if home["newest"] else None,
                "as_of": ctx.as_of.isoformat(),
                "age_days": home["age_days"],
                "period_days": home["period_days"],
                "n_items": home["n_items"],
                "n_dated": home["n_dated"],
                "basis": home["basis"],
                "year_inferred": home["year_inferred"],
            },
        )


@register
class UndatedItemsCheck(SiteCheck):
    """Items of a dated column (news, notice, plan) show no publish date.

    Why: the 《网页设计规范》 (国办发〔2017〕47号) asks for a visible publish time, and an
    item without one counts as not updated (国办发〔2015〕15号 普查答疑).  A column whose items
    all lack a date is also reported stale (QC302); this finding says why, and flags columns
    where only some items lack a date.
    """

    code = "QC306"
    name = "column.undated-items"
    severity = "info"
    rule_source = SRC_UNDATED

    def run(self, ctx: "SiteContext") -> Iterable[Finding]:
        for c in ctx.site.columns(ctx.as_of):
            if c.max_age_days is None or c.n_items == 0 or c.n_dated >= c.n_items:
                continue
            missing = c.n_items - c.n_dated
            yield self.site_finding(
                ctx,
                f"栏目「{c.name}」有 {missing}/{c.n_items} 条信息未显示发布日期（无发布时间视为未更新）。",
                match=c.name,
                url=c.evidence_url,
                evidence={**_column_evidence(c, ctx.as_of), "n_undated": missing},
            )


@register
class ServiceGuideBlankCheck(Check):
    """A 办事指南 (service guide) whose key element is missing, empty, "无" or "暂无".

    Why: 国办秘函〔2019〕19号 单项否决 "服务不实用": 办事指南 lacking key-element categories;
    the seed notice lists "办事指南空白要素" among the problems to fix.  **Verified elements**
    (seen in a reprint of the criteria): 事项名称, 设定依据, 申请条件, 办理材料: missing, empty,
    无 or 暂无 is a warning.  **Unverified elements** (the reprint is cut off; the rest of the list
    and the veto's numeric threshold are [U] in the research notes): 办理地点, 办理机构, 收费标准,
    办理时间, 联系电话, 办理流程: only an empty value is reported, as info ("无" is a real answer
    for 收费标准).

    A page is a guide when it shows at least four element labels (事项名称：…, 申请材料 …), or its
    title says 办事指南 and it shows two; only the first kind is asked for missing elements.
    Rule ids: guide-name, guide-basis, guide-conditions, guide-materials (verified); guide-place,
    guide-agency, guide-fees, guide-hours, guide-phone, guide-process (unverified).
    """

    code = "QC305"
    name = "service-guide.blank-field"
    severity = "warning"
    scopes = ("title", "body")
    rule_source = SRC_GUIDE

    def run(self, ctx: Context) -> Iterable[Finding]:
        doc = ctx.doc
        body_start = min((s.start for s in doc.segments if s.scope == "body"), default=0)
        text = doc.text[body_start:]
        located = True
        page = doc.meta.get("page")
        if not text.strip() and page is not None and getattr(page, "kind", "") != "article":
            # The page reader gives non-article pages (a guide laid out as a bare table) no
            # body; their visible text is in `text`.  Findings then carry no span.
            text = getattr(page, "text", "") or ""
            located = False
        if not any(k in text for k in ("设定依据", "申请条件", "办理材料", "申请材料", "事项名称")):
            return
        title = doc.title or (getattr(page, "html_title", None) if page is not None else None)
        result = read_guide(text, title)
        if not result.is_guide:
            return
        for element in result.missing:
            yield Finding(
                code=self.code,
                name=self.name,
                severity=self.severity,
                message=f"办事指南缺少要素「{element}」。",
                span=None,
                match=element,
                scope="body",
                rule_source=self.rule_source,
                rule_id=GUIDE_RULE_IDS[element],
                evidence={"element": element, "verified": True, "problem": "missing"},
            )
        for element in result.blank:
            el = result.elements[element]
            value = el.value or "空"
            start, end = (body_start + el.start, body_start + el.end) if located else (-1, -1)
            yield self._at(ctx, start, end, f"办事指南要素「{element}」为空白（{value}）。",
                           GUIDE_RULE_IDS[element], "warning", {"element": element, "label": el.label,
                                                                 "value": el.value, "verified": True,
                                                                 "problem": "blank"})
        for element in result.unverified_blank:
            el = result.elements[element]
            start, end = (body_start + el.start, body_start + el.end) if located else (-1, -1)
            yield self._at(ctx, start, end, f"办事指南要素「{element}」为空白（该要素是否属否决要素未核实）。",
                           GUIDE_RULE_IDS[element], "info", {"element": element, "label": el.label,
                                                              "value": el.value, "verified": False,
                                                              "problem": "blank"})

    def _at(self, ctx: Context, start: int, end: int, message: str, rule_id: str, severity: str,
            evidence: dict) -> Finding:
        if start < 0:  # read from the rendered page text, not from the checked text
            return Finding(code=self.code, name=self.name, severity=severity, message=message, span=None,
                           match=evidence.get("label", ""), scope="body", rule_source=self.rule_source,
                           rule_id=rule_id, evidence=evidence)
        end = max(end, start + 1)
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity,
            message=message,
            span=Span(start, end),
            match=ctx.doc.text[start:end].rstrip(":： \t\n"),
            rule_source=self.rule_source,
            rule_id=rule_id,
            evidence=evidence,
        )


