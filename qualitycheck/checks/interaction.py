"""QC304: public messages (留言) left unanswered for more than three months.

A site-level check over the per-site model; ``run`` takes a ``qualitycheck.site.SiteContext``.
The messages come from the message lists the page reader found (``Page.messages``: 留言时间,
回复时间, 状态), gathered by ``SiteAccumulator``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..document import Finding
from ..site import SRC_INTERACTION
from .columns import SiteCheck
from .registry import register

if TYPE_CHECKING:  # pragma: no cover
    from ..site import SiteContext


@register
class UnansweredMessageCheck(SiteCheck):
    """A public message unanswered for more than 90 days, asked within the last 365 days.

    Why: 国办秘函〔2019〕19号 单项否决 "互动回应差": within the last year, a valid message in a
    政务咨询 column unanswered for more than 3 months fails the site (one is enough).  The
    seed notice: "互动交流留言超过3个月未回复".  Limits come from ``[interaction]``:
    ``max_unanswered_days`` (90; 90 days is fine, 91 is not) and ``lookback_days`` (365:
    messages asked earlier are not judged).

    A message counts when (a) it is still open at ``--as-of`` (status 未回复 / 办理中 …, or no
    reply date and no status on a list that shows them for other messages) and was asked more
    than 90 days before; or (b) its reply came more than 90 days after it was asked (it was
    left unanswered that long within the year; ``interaction.count_late_replies`` = false
    turns this off).  Lists that show no reply date or status at all are not judged.  Columns
    the 2019 criteria exclude are skipped: 在线访谈, 调查征集, 网上信访, 纪检举报.
    """

    code = "QC304"
    name = "interaction.unanswered"
    severity = "error"
    rule_source = SRC_INTERACTION

    def run(self, ctx: "SiteContext") -> Iterable[Finding]:
        late = ctx.site.unanswered(ctx.as_of)
        limit = int(ctx.config["interaction"]["max_unanswered_days"])
        for u in late:
            m = u.message
            asked = m.asked.isoformat() if m.asked else "?"
            if u.open:
                detail = f"留言时间 {asked}，至 {ctx.as_of.isoformat()} 已 {u.days} 天未回复"
            else:
                detail = f"留言时间 {asked}，回复时间 {m.answered.isoformat() if m.answered else '?'}，{u.days} 天后才回复"
            yield self.site_finding(
                ctx,
                f"留言「{m.title}」超过 {limit} 天未回复：{detail}。",
                match=m.title,
                url=m.url or m.page_url,
                rule_id="open" if u.open else "late",
                evidence={**u.evidence(), "as_of": ctx.as_of.isoformat(), "limit_days": limit,
                          "lookback_days": int(ctx.config["interaction"]["lookback_days"])},
            )
