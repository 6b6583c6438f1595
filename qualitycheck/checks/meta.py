"""QC9xx: problems with the check itself, reported so that nothing is silently lost."""

from __future__ import annotations

from typing import Iterable

from ..document import Finding
from .base import Check
from .registry import register


@register
class PageFailed(Check):
    """A page could not be checked (undecodable, over the size limit, over the time limit, or a
    parser failure). The batch run records it here and goes on with the other pages."""

    code = "QC900"
    name = "meta.page-failed"
    severity = "warning"
    level = "site"
    scopes = ("page",)
    rule_source = "qualitycheck: a batch run never dies on one bad page"

    def run(self, ctx) -> Iterable[Finding]:  # produced by the runner, not by reading text
        return ()
