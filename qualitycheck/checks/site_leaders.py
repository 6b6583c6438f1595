"""QC107 typo.site-leader-name: the site's own leader's name misspelled on one of its pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..document import Finding
from ..text.leaders import TITLES
from ..typo.confusables import wide_confusable_chars
from ..typo.variants import VariantTable, edited_edges, joined_to_neighbour, one_edit_variants
from ..typo.vocabulary import words
from .columns import SiteCheck
from .registry import register

if TYPE_CHECKING:
    from ..site import SiteContext


@register
class SiteLeaderNameCheck(SiteCheck):
    """A name one edit from one of the site's own leaders, written beside a leader's title on
    one of its pages (the 领导信息 page lists 张伟 as 县长; a news page says 县长张为): a same-sound
    or similar-shape character, a character typed twice, an inner one dropped, or two swapped.

    The names come from the site's own 领导之窗 / 领导信息 pages (张伟，男，汉族……; 县长：张伟;
    姓名：张伟; surnames of dictionaries/typos/surnames.txt), read during `lint-site`, crawls and
    the cluster run alike. A name of the list is never a misspelling of another (two leaders 王芳
    and 王方 both pass). The surname is never replaced: 张伟 and 章伟 are more likely two people.
    Only the text around titles is compared (a name after 、 in a list of leaders is not).
    Reported as an error; the national criteria make only the Party's and state's leaders' names
    a single veto (QC104), so this finding does not fail the site by itself.
    """

    code = "QC107"
    name = "typo.site-leader-name"
    severity = "error"
    rule_source = "国办发〔2015〕15号 严重错别字；本站领导姓名取自本站领导信息页面"

    def run(self, ctx: "SiteContext") -> Iterable[Finding]:
        leaders = ctx.site.leaders
        if not leaders:
            return
        similar = wide_confusable_chars()
        names = sorted(leaders)
        table = VariantTable(
            ((wrong, variant) for name in names
             for wrong, variant in one_edit_variants(name, similar, word_substitutions=False)
             if not (variant.kind == "substitution" and variant.position == 0)),
            names)
        vocabulary = words()
        titles = tuple(sorted(TITLES, key=len, reverse=True))
        reported: set[tuple[str, str]] = set()
        for window, page_url in ctx.site.leader_mentions.items():
            for start, end, wrong, variant in table.finditer(window):
                before, after = window[:start].rstrip(), window[end:].lstrip()
                if after.startswith("同志"):
                    after = after[2:]
                if not (before.endswith(titles) or after.startswith(titles)):
                    continue  # not beside a title: another word that happens to look alike
                if wrong in vocabulary or joined_to_neighbour(window, start, end, edited_edges(variant, end - start), vocabulary):
                    continue
                if (wrong, page_url) in reported:
                    continue
                reported.add((wrong, page_url))
                finding = self.site_finding(
                    ctx,
                    f"本站领导姓名疑似写错：“{wrong}”应为“{variant.right}”（见本站领导信息页面）。",
                    match=wrong,
                    url=page_url,
                    evidence={"edit": variant.kind, "context": window, "name_source": leaders[variant.right]},
                    rule_id=f"site-leader:{variant.right}",
                )
                finding.suggestions = [variant.right]
                yield finding
