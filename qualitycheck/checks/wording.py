"""QC2xx wording rules, driven by the YAML files in dictionaries/wording/.

Each file is one check (its code, name and severity); each entry is a rule
with its own id, message, suggestions and cited source. Text inside 《》 and
quotation marks is exempt: a quoted title is what it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..document import Finding
from ..text.matcher import PhraseMatcher
from .base import Check, Context
from .dictionary import RuleFile, WordingRule

if TYPE_CHECKING:
    from ..config import Config

_CONTEXT_CHARS = 8


class WordingCheck(Check):
    """A family of wording rules loaded from a dictionary file."""

    def __init__(self, rule_file: RuleFile):
        self.code = rule_file.code  # type: ignore[misc]
        self.name = rule_file.name  # type: ignore[misc]
        self.severity = rule_file.severity  # type: ignore[misc]
        self.family = rule_file.family
        self.rule_files = [rule_file]
        self._doc = rule_file.description
        self._build()

    def merge(self, rule_file: RuleFile) -> None:
        """Add the rules of another file with the same code (an extra dictionary)."""
        self.rule_files.append(rule_file)
        self._build()

    def _build(self) -> None:
        self.rules: list[WordingRule] = [r for f in self.rule_files for r in f.rules]
        self._by_id = {r.id: r for r in self.rules}
        # selection -> (literal matcher, regex rules); values are never changed once stored, so
        # threads checking with different selections can share the cache.
        self._by_selection: dict[tuple, tuple[PhraseMatcher[WordingRule], tuple[WordingRule, ...]]] = {}

    def _matchers(self, config: "Config") -> tuple[PhraseMatcher[WordingRule], tuple[WordingRule, ...]]:
        """Literal matcher and regex rules for the rules this configuration selects (cached)."""
        key = (tuple(config["select"]), tuple(config["ignore"]), tuple(config["extend_select"]))
        cached = self._by_selection.get(key)
        if cached is None:
            active = [r for r in self.rules if config.is_selected(self.code, r.id, r.enabled)]
            phrases: dict[str, WordingRule] = {}
            for rule in active:
                for form in rule.wrong:
                    phrases.setdefault(form, rule)
            cached = (PhraseMatcher(phrases), tuple(r for r in active if r.pattern is not None))
            if len(self._by_selection) > 64:  # bound the cache for long-running services
                self._by_selection.clear()
            self._by_selection[key] = cached
        return cached

    def is_active(self, config: "Config") -> bool:
        # A bare entry id (select = ["GF-015"]) runs this check for that entry alone.
        literal, regex_rules = self._matchers(config)
        return bool(len(literal) or regex_rules)

    @property
    def description(self) -> str:
        sources = sorted({r.source.split()[0] for r in self.rules if r.source})
        return (
            f"{self._doc or self.name}\n\n"
            f"数据：{'、'.join(str(f.path.name) for f in self.rule_files)}"
            f"（{len(self.rules)} 条，默认启用 {sum(r.enabled for r in self.rules)} 条）。\n"
            f"来源：{'、'.join(sources)}"
        )

    def rule(self, rule_id: str) -> WordingRule | None:
        return self._by_id.get(rule_id)

    def run(self, ctx: Context) -> Iterable[Finding]:
        literal, regex_rules = self._matchers(ctx.config)
        text = ctx.doc.text
        hits: list[tuple[int, int, WordingRule, list[str]]] = []
        for offset, segment in ctx.scope_ranges(self.scopes):
            for start, end, _, rule in literal.finditer(segment):
                hits.append((offset + start, offset + end, rule, rule.right))
            for rule in regex_rules:
                for m in rule.pattern.finditer(segment):  # type: ignore[union-attr]
                    if m.end() > m.start():
                        fixes = [m.expand(rule.fix)] if rule.fix else rule.right
                        hits.append((offset + m.start(), offset + m.end(), rule, fixes))
        # Overlapping hits: the longest wins. A hit that its context clears (quoted, 原…,
        # published before the reform) still covers its span, so a shorter rule inside it
        # cannot fire instead.
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        last_end = -1
        for start, end, rule, fixes in hits:
            if start < last_end:
                continue
            last_end = end
            if ctx.quoted.touches(start, end):
                continue
            if rule.not_before is not None and rule.not_before.search(text[max(0, start - _CONTEXT_CHARS) : start]):
                continue
            if rule.not_after is not None and rule.not_after.search(text[end : end + _CONTEXT_CHARS]):
                continue
            if rule.since is not None and ctx.doc.published is not None and ctx.doc.published < rule.since:
                continue  # written before the reform: the old name was right then
            evidence = None
            if rule.since:
                # Which date the document was judged as of, and where it came from.
                published = ctx.doc.published
                evidence = {"since": rule.since.isoformat(),
                            "document_date": published.isoformat() if published else None,
                            "document_date_from": ctx.doc.meta.get("published_from") if published else "none"}
            yield self.finding(
                start,
                end,
                ctx,
                rule.message,
                fixes,
                rule_id=rule.id,
                rule_source=rule.source,
                severity=rule.severity,
                evidence=evidence,
            )
