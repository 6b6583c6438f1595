"""The Python API: check a text, an HTML page, a file or a Document."""

from __future__ import annotations

from datetime import date
from pathlib import Path
import time
from typing import Any, Iterable

from .checks.base import Context
from .checks.registry import all_checks
from .config import Config
from .document import Document, Finding, finalize
from .extract.loader import document_from_bytes, load_document


def _config(config: Config | None, select: Iterable[str] | None, ignore: Iterable[str] | None) -> Config:
    cfg = config or Config.default()
    if select is not None or ignore is not None:
        cfg = cfg.with_overrides(
            select=list(select) if select is not None else None,
            ignore=list(ignore) if ignore is not None else None,
        )
    return cfg


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _accepted_ranges(doc: Document, cfg: Config) -> list[tuple[int, int]]:
    pattern = cfg.accepted_pattern
    return [(m.start(), m.end()) for m in pattern.finditer(doc.text)] if pattern is not None else []


def check_document(doc: Document, config: Config | None = None, *, hide_baseline: bool = True) -> list[Finding]:
    """Run every selected page check on a Document; findings sorted and de-duplicated.

    ``hide_baseline=False`` keeps findings the baseline knows: site runs need them for the
    verdicts and hide them only from the listing (see runner.SiteCollector).
    """
    cfg = config or Config.default()
    ctx = Context(cfg, doc)
    accepted = _accepted_ranges(doc, cfg)
    findings: list[Finding] = []
    for check in all_checks(cfg):
        if check.level != "page" or not check.is_active(cfg):
            continue
        for finding in check.run(ctx):
            if finding.rule_id and not cfg.is_selected(finding.code, finding.rule_id):
                continue
            if finding.span is not None:
                if doc.is_suppressed(finding.code, finding.span):
                    continue
                if finding.match in cfg.accepted or any(
                    s <= finding.span.start and finding.span.end <= e for s, e in accepted
                ):
                    continue
            finding.severity = cfg.severity_for(finding.code, finding.severity)
            finding.locate(doc)
            if hide_baseline and cfg.baseline and finding.fingerprint in cfg.baseline:
                continue
            findings.append(finding)
    return finalize(findings)


def check_text(
    text: str,
    *,
    published: date | str | None = None,
    source: str = "<text>",
    config: Config | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
) -> list[Finding]:
    """Check plain text. ``published`` makes date-aware rules (outdated agency names) exact."""
    doc = Document(text=text, source=source, published=_as_date(published))
    return check_document(doc, _config(config, select, ignore))


def check_html(
    html: str | bytes,
    *,
    url: str | None = None,
    published: date | str | None = None,
    source: str = "<html>",
    config: Config | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
) -> list[Finding]:
    """Check an HTML page or fragment: its headline and main text."""
    data = html.encode("utf-8") if isinstance(html, str) else html
    doc = document_from_bytes(data, source, kind="html", url=url, published=_as_date(published))
    return check_document(doc, _config(config, select, ignore))


def check_file(
    path: str | Path,
    *,
    config: Config | None = None,
    published: date | str | None = None,
) -> tuple[Document, list[Finding]]:
    """Check a text, HTML or .docx file. Raises InputError for what cannot be read."""
    cfg = config or Config.default()
    doc = load_document(path, max_bytes=int(cfg["limits"]["max_file_mb"] * 1024 * 1024), published=_as_date(published))
    return doc, check_document(doc, cfg)


_WARM_TEXT = "国务院办公厅关于进一步加强政府网站管理工作的通知。各地区、各部门要认真贯彻落实，截止年底前完成整改。"
_WARM_HTML = (
    "<html><head><title>关于开展政府网站检查的通知</title></head><body><h1>关于开展政府网站检查的通知</h1>"
    "<div class='content'><p>发布时间：2024-05-01</p><p>" + _WARM_TEXT + "</p></div></body></html>"
)


def warm_up(config: Config | None = None, *, tolerate_missing_model: bool = False) -> dict[str, Any]:
    """Load dictionaries, the segmenter, the HTML extractor and the typo model now, not on first use.

    Servers, worker processes and benchmarks call this once; returns what loaded. A missing or
    broken typo model raises ModelError, unless ``tolerate_missing_model``: then QC103 is switched
    off in ``config`` and the reason is returned (a service keeps answering QC1xx/QC2xx).
    """
    from .checks.registry import all_checks
    from .errors import ModelError

    cfg = config or Config.default()
    t0 = time.perf_counter()
    models: dict[str, Any] = {"dictionaries": True, "checks": len(all_checks(cfg))}
    if not cfg["typo"]["language_model"]:
        models["typo_model"] = "disabled"
    else:
        from .typo.engine import get_engine

        try:
            get_engine()
            models["typo_model"] = True
        except ModelError as exc:
            if not tolerate_missing_model:
                raise
            cfg.data["typo"]["language_model"] = False
            models["typo_model"] = f"missing: {exc}"
    check_document(Document(text=_WARM_TEXT, source="<warm-up>"), cfg)
    check_document(document_from_bytes(_WARM_HTML.encode("utf-8"), "<warm-up>", kind="html"), cfg)
    from .text.segment import tokens

    tokens("预热")
    models["segmenter"] = True
    models["warm_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return models
