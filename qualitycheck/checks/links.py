"""QC501-QC504 injected content (暗链) and QC601 dead links (QC505, injected text: spam_text.py).

The page reader (qualitycheck/extract/links.py, data in dictionaries/injection/)
marks suspicious links with ``why`` and records injected non-link content as
``Page.suspicions``; these checks turn them into findings. They run on pages
read by the page reader (lint-site, inspect, crawls): ``doc.meta["page"]``.
"""

from __future__ import annotations

from typing import Iterable

from ..document import Finding
from .base import Check, Context
from .registry import register

SOURCE_VETO = "国办秘函〔2019〕19号 单项否决·安全、泄密事故等严重问题（发布或链接反动、暴力、色情等内容；页面被挂马、内容被篡改）"
_TERM_KINDS = {"gambling-term": "赌博", "porn-term": "色情", "blackhat-term": "违法广告"}


def _kind(why: str) -> tuple[str, str]:
    """('gambling-term', '365bet') from 'gambling-term:365bet'."""
    head, _, detail = why.partition(":")
    return head, detail


def _distinct_links(ctx: Context) -> list[tuple[object, int]]:
    """The page's links, identical ones (same address, text, visibility) once with their count:
    a footer block repeated in a page's template is one finding, not one per copy."""
    page = ctx.doc.meta.get("page")
    counts: dict[tuple, list] = {}
    for link in getattr(page, "links", ()) if page is not None else ():
        key = (link.href, link.text, link.hidden, link.why)
        if key in counts:
            counts[key][1] += 1
        else:
            counts[key] = [link, 1]
    return [(link, n) for link, n in counts.values()]


def _times(count: int) -> str:
    return f"（本页出现 {count} 次）" if count > 1 else ""


class _PageContentCheck(Check):
    scopes = ("link",)
    rule_source = SOURCE_VETO

    def _finding(self, ctx: Context, message: str, match: str, scope: str, evidence: dict, rule_id: str) -> Finding:
        return self.spanless_finding(message, scope=scope, match=match[:200], evidence=evidence, rule_id=rule_id)


@register
class InjectedLink(_PageContentCheck):
    """A link whose text, title or address carries gambling, porn or grey-market terms (365bet,
    万博, 凯发, 代开发票 …): the injected dark links (暗链) that notices name as 赌博网站链接.
    Generic words count only in a selling context, so news about crackdowns is not flagged."""

    code = "QC501"
    name = "security.injected-link"
    severity = "error"

    def run(self, ctx: Context) -> Iterable[Finding]:
        for link, count in _distinct_links(ctx):
            if not link.why:
                continue
            kind, detail = _kind(link.why)
            if kind not in _TERM_KINDS:
                continue
            hidden = "（隐藏）" if link.hidden else ""
            yield self._finding(
                ctx, f"疑似{_TERM_KINDS[kind]}暗链{hidden}：“{link.text or link.href}” → {link.href}（命中“{detail}”）"
                     f"{_times(count)}。",
                link.text or link.href, "hidden" if link.hidden else "link",
                {"href": link.href, "text": link.text, "why": link.why, "hidden": link.hidden, "count": count}, kind,
            )


@register
class HiddenExternalLinks(_PageContentCheck):
    """A permanently hidden block (display:none, off-screen, zero size) that links to several
    unrelated external sites: the usual shape of an SEO link farm planted in a page."""

    code = "QC502"
    name = "security.hidden-external-link"
    severity = "warning"

    def run(self, ctx: Context) -> Iterable[Finding]:
        for link, count in _distinct_links(ctx):
            if link.why == "hidden-external":
                yield self._finding(
                    ctx, f"隐藏区域中的外部链接：“{link.text or link.href}” → {link.href}{_times(count)}，请确认是否被植入暗链。",
                    link.text or link.href, "hidden", {"href": link.href, "text": link.text, "count": count},
                    "hidden-external",
                )


@register
class HijackedTitleMeta(_PageContentCheck):
    """The page's <title>, keywords or description carry gambling or porn terms: a hijacked page
    (the notices' 内容被篡改), even when the visible article looks genuine."""

    code = "QC503"
    name = "security.hijacked-title-meta"
    severity = "error"
    scopes = ("title", "meta")

    def run(self, ctx: Context) -> Iterable[Finding]:
        page = ctx.doc.meta.get("page")
        for sus in getattr(page, "suspicions", ()) if page is not None else ():
            if sus.where == "title" or sus.where.startswith("meta:"):
                where = "网页标题" if sus.where == "title" else f"元数据 {sus.where.split(':', 1)[1]}"
                yield self._finding(
                    ctx, f"{where}被篡改，含可疑词：“{sus.text[:60]}”（{sus.why}）。",
                    sus.text, "title" if sus.where == "title" else "meta", {"where": sus.where, "why": sus.why},
                    sus.why,
                )


@register
class InjectedHiddenContent(_PageContentCheck):
    """Hidden text with gambling or porn terms, or the junk-tag header of SEO parasite pages
    (runs of empty tags with random ids such as <delect id="h4sia">): signs of a tampered page."""

    code = "QC504"
    name = "security.injected-content"
    severity = "error"
    scopes = ("hidden",)

    def run(self, ctx: Context) -> Iterable[Finding]:
        page = ctx.doc.meta.get("page")
        # Hidden links with such terms are QC501's; their block's text is not reported again.
        link_texts = [link.text for link in getattr(page, "links", ()) if link.hidden and link.why and link.text
                      and _kind(link.why)[0] in _TERM_KINDS] if page is not None else []
        for sus in getattr(page, "suspicions", ()) if page is not None else ():
            if sus.where == "hidden-text":
                if any(t in sus.text for t in link_texts):
                    continue
                message = f"隐藏文字含可疑词：“{sus.text[:60]}”（{sus.why}）。"
            elif sus.where == "markup":
                message = f"页面含垃圾标签模板（SEO寄生页特征）：{sus.text[:80]}。"
            else:
                continue
            yield self._finding(ctx, message, sus.text, "hidden", {"where": sus.where, "why": sus.why}, sus.why)


@register
class DeadLink(Check):
    """A link the crawl could not follow: HTTP 404 or 5xx, or a DNS or connection failure, reported
    with the page that links to it (国办发〔2015〕15号 考察 首页及其他页面的链接可用性)."""

    code = "QC601"
    name = "links.dead-link"
    severity = "warning"
    level = "site"
    scopes = ("link",)
    rule_source = "国办发〔2015〕15号 普查评分表·可用性（首页及其他页面链接不可用）；国办秘函〔2019〕19号 检查指标"

    def run(self, ctx) -> Iterable[Finding]:  # produced from crawl responses by the runner
        return ()
