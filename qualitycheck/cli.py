"""The command line: thin wrappers that parse options, call the API and pick a reporter.

Exit codes, like a linter: 0 clean, 1 findings at or above --fail-on, 2 usage or input error.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from . import __version__
from .document import SEVERITY_LABELS, SEVERITY_RANK
from .errors import QualityCheckError, os_reason
from .text.width import display_width

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _pad(text: str, width: int) -> str:
    """Pad to a display width (a Chinese character takes two columns)."""
    return text + " " * max(0, width - display_width(text))


def _fail(message: str) -> None:
    click.echo(f"qualitycheck：错误：{message}", err=True)
    sys.exit(EXIT_ERROR)


def _parse_date(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期应写作 YYYY-MM-DD（如 2024-06-30），收到 {value!r}") from None


def _codes(values: tuple[str, ...]) -> list[str] | None:
    if not values:
        return None
    return [c.strip().upper() if c.strip().upper().startswith("QC") or c.strip().upper() == "ALL" else c.strip()
            for v in values for c in v.split(",") if c.strip()]


NO_LM = {"language_model": False}


def _load_config(config_path: str | None, *, no_lm: bool = False, **overrides):
    from .config import Config

    cfg = Config.load(config_path) if config_path else Config.load(search_from=Path.cwd())
    return cfg.with_overrides(typo=NO_LM if no_lm else None, **overrides)


class _Group(click.Group):
    """Turns our own errors into one line and exit 2, never a traceback. `serve` is imported
    only when asked for, so other commands do not pay for the HTTP server's imports."""

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), "serve"})

    def get_command(self, ctx, name):
        if name == "serve" and name not in self.commands:
            from .integrations.server import serve_command

            self.add_command(serve_command, name="serve")
        return super().get_command(ctx, name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except QualityCheckError as exc:
            _fail(str(exc))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qualitycheck")
def main() -> None:
    """qualitycheck: find what government-website inspectors find, before they do."""


_config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                              help="qualitycheck.toml or pyproject.toml to use (default: discovered upwards).")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "sarif", "github"]), default="text",
              show_default=True, help="Output format.")
@click.option("--fail-on", type=click.Choice(["info", "warning", "error"]), default=None,
              help="Exit 1 when a finding at or above this severity is reported (default from config: warning).")
@click.option("--select", multiple=True, help="Only these codes or prefixes (QC1, QC201); comma-separated.")
@click.option("--ignore", multiple=True, help="Skip these codes or prefixes; comma-separated.")
@click.option("--extend-select", multiple=True, help="Also run these (including rules off by default).")
@click.option("--published", callback=_parse_date, help="Publish date of the text, YYYY-MM-DD (date-aware rules).")
@click.option("--url", default=None, help="URL of the page, for reports.")
@click.option("--no-lm", is_flag=True, help="Do not run the language-model typo engine (QC103).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
@_config_option
def check(paths, fmt, fail_on, select, ignore, extend_select, published, url, no_lm, output, config_path):
    """Check articles: text (UTF-8, GB18030, UTF-16), HTML pages or .docx files; '-' reads stdin."""
    from .api import check_document
    from .extract.loader import document_from_bytes, load_document
    from .report import FileResult, get_reporter

    cfg = _load_config(config_path, no_lm=no_lm, select=_codes(select), ignore=_codes(ignore),
                       extend_select=_codes(extend_select), fail_on=fail_on)
    max_bytes = int(cfg["limits"]["max_file_mb"] * 1024 * 1024)
    results: list[FileResult] = []
    for path in _expand(paths):
        try:
            if path == "-":
                data = sys.stdin.buffer.read(max_bytes + 1)
                if len(data) > max_bytes:
                    raise QualityCheckError(f"<stdin>：输入超过 {cfg['limits']['max_file_mb']} MB 上限（limits.max_file_mb）")
                doc = document_from_bytes(data, "<stdin>", url=url, published=published)
            else:
                doc = load_document(path, max_bytes=max_bytes, url=url, published=published)
            results.append(FileResult(doc.source, doc, check_document(doc, cfg)))
        except QualityCheckError as exc:
            message = str(exc)
            prefix = f"{path}: "
            results.append(FileResult(path, error=message[len(prefix):] if message.startswith(prefix) else message))
            click.echo(f"qualitycheck：错误：{message}", err=True)
    report = get_reporter(fmt)(results)
    if output:
        try:
            Path(output).write_text(report, encoding="utf-8")
        except OSError as exc:
            _fail(f"{output}：无法写入报告（{os_reason(exc)}）")
    else:
        click.echo(report, nl=False)
    if any(r.error for r in results):
        sys.exit(EXIT_ERROR)
    threshold = SEVERITY_RANK[cfg["fail_on"]]
    if any(SEVERITY_RANK[f.severity] >= threshold for r in results for f in r.findings):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


CHECKABLE_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".shtml", ".xhtml", ".docx"}


def _expand(paths: tuple[str, ...]) -> list[str]:
    """Files as given; folders become the checkable files below them (sorted), like a linter."""
    out: list[str] = []
    for path in paths:
        p = Path(path)
        if path != "-" and p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in CHECKABLE_SUFFIXES
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not found:
                click.echo(f"qualitycheck：提示：{path}：此目录中没有文本、HTML 或 .docx 文件", err=True)
            out.extend(found)
        else:
            out.append(path)
    return out


@main.command()
@click.argument("path", default="-")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None,
              help="只应用置信度不低于此值的模型改正（默认取配置 [typo] min_confidence，与 QC103 相同）。")
@_config_option
def correct(path, min_confidence, config_path):
    """Correct typos, one sentence per line in, JSON Lines out ({source, target, edits})."""
    from .extract.encoding import decode
    from .extract.loader import read_input

    cfg = _load_config(config_path)
    threshold = cfg["typo"]["min_confidence"] if min_confidence is None else min_confidence
    data = sys.stdin.buffer.read() if path == "-" else read_input(path)
    text, _ = decode(data, name=path)
    from .typo import correct_batch

    sentences = [line.rstrip("\r") for line in text.split("\n")]
    if sentences and sentences[-1] == "":
        sentences.pop()
    for row in correct_batch(sentences, min_confidence=threshold):
        click.echo(json.dumps(row, ensure_ascii=False))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Also list every dictionary entry.")
@_config_option
def rules(fmt, show_all, config_path):
    """List every rule: code, name, default severity and what it catches."""
    from .checks.registry import all_checks
    from .checks.wording import WordingCheck

    cfg = _load_config(config_path)
    rows = []
    for check in all_checks(cfg):
        row = {"code": check.code, "name": check.name, "title": check.title, "severity": check.severity,
               "summary": check.summary, "rule_source": check.rule_source, "level": check.level}
        if isinstance(check, WordingCheck):
            row["entries"] = [{"id": r.id, "wrong": r.wrong or [r.pattern.pattern], "right": r.right,
                               "enabled": r.enabled, "source": r.source} for r in check.rules]
        rows.append(row)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        extra = f"（{len(row['entries'])} 条）" if "entries" in row else ""
        click.echo(f"{row['code']}  {_pad(row['title'], 22)} {row['name']:<28} "
                   f"{_pad(SEVERITY_LABELS.get(row['severity'], row['severity']), 4)}  {row['summary']}{extra}")
        if show_all:
            for e in row.get("entries", []):
                flag = "" if e["enabled"] else "［默认关闭］"
                click.echo(f"        {e['id']:<14} {'/'.join(e['wrong'])} → {'/'.join(e['right']) or '-'}{flag}")


@main.command()
@click.argument("code")
@_config_option
def rule(code, config_path):
    """Explain one rule (QC201) or dictionary entry (ORG-2018-001), with its source."""
    from .checks.registry import all_checks
    from .checks.wording import WordingCheck

    cfg = _load_config(config_path)
    for check in all_checks(cfg):
        if check.code == code.upper():
            click.echo(f"{check.code} {check.title}（{check.name}），默认级别：{SEVERITY_LABELS.get(check.severity, check.severity)}\n")
            click.echo(check.description)
            if check.rule_source:
                click.echo(f"\n依据：{check.rule_source}")
            return
        if isinstance(check, WordingCheck):
            entry = check.rule(code)
            if entry:
                click.echo(f"{entry.id} ({check.code} {check.name})")
                click.echo(f"  错误形式: {', '.join(entry.wrong) if entry.wrong else entry.pattern.pattern}")
                click.echo(f"  建议: {', '.join(entry.right) or '-'}")
                click.echo(f"  说明: {entry.message}")
                click.echo(f"  依据: {entry.source}")
                if entry.since:
                    click.echo(f"  生效: {entry.since.isoformat()}（此前发布的内容不报）")
                click.echo(f"  默认启用: {'是' if entry.enabled else '否'}")
                return
    _fail(f"没有规则 {code!r}；`qualitycheck rules` 列出全部规则")


@main.command()
@click.argument("findings", type=click.Path(exists=True, dir_okay=False))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="Baseline file to write.")
def baseline(findings, output):
    """Write the fingerprints of FINDINGS (lint-site's findings.jsonl, or check's json/jsonl) as a
    baseline: set `baseline = "FILE"` in the configuration and those findings are not reported again."""
    rows: list[dict] = []
    try:
        text = Path(findings).read_text(encoding="utf-8")
        if text.lstrip().startswith("{") and '"files"' in text[:2000]:
            rows = [f for entry in json.loads(text)["files"] for f in entry["findings"]]
        else:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        _fail(f"{findings}：不是 qualitycheck 的问题清单（JSON 或 JSON Lines）：{exc}")
    lines = sorted({f"{r['fingerprint']}  {r['code']} {r.get('url') or r.get('source') or ''} {r.get('match', '')[:40]}"
                    for r in rows if r.get("fingerprint")})
    try:
        Path(output).write_text("# qualitycheck baseline: fingerprint, then code, place and match for people\n"
                                + "".join(line + "\n" for line in lines), encoding="utf-8")
    except OSError as exc:
        _fail(f"{output}：无法写入（{os_reason(exc)}）")
    click.echo(f"已将 {len(lines)} 个问题的指纹写入 {output}")


@main.command("registry")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def registry_command(path, fmt):
    """Read and validate a site registry (CSV or XLSX: 网站名称, 网站标识码, 首页网址, 主办单位, 地区, 级别).

    Prints every problem with its line. Exit 1 when a row had a problem, 0 when all rows are usable.
    """
    from .site_registry import load_registry

    reg = load_registry(path)
    if fmt == "json":
        click.echo(json.dumps(reg.to_dict(), ensure_ascii=False, indent=2))
    else:
        for problem in reg.problems:
            click.echo(f"{path}:{problem}")
        dropped = sum(not p.kept for p in reg.problems)
        click.echo(f"{len(reg)} 个网站可用；{len(reg.problems)} 处问题（{dropped} 行未采用）")
    sys.exit(EXIT_FINDINGS if reg.problems else EXIT_CLEAN)


@main.command("show-config")
@_config_option
def show_config(config_path):
    """Print the merged configuration (defaults + file) as TOML-like JSON."""
    cfg = _load_config(config_path)
    click.echo(f"# from: {cfg.path or 'built-in defaults'}")
    click.echo(json.dumps(cfg.data, ensure_ascii=False, indent=2))


@main.command("lint-site")
@click.argument("target")
@click.option("--as-of", callback=_parse_date, help="Reference date for staleness, YYYY-MM-DD (default: config or today).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the reports.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
@click.option("--no-lm", is_flag=True, help="Do not run the language-model typo engine (QC103).")
@click.option("--select", multiple=True, help="Only these codes or prefixes; comma-separated.")
@click.option("--ignore", multiple=True, help="Skip these codes or prefixes; comma-separated.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option("--registry", "registry_path", type=click.Path(exists=True, dir_okay=False), help="Site registry (CSV/XLSX) for the province report.")
@click.option("--previous", multiple=True, type=click.Path(exists=True), help="An earlier run's output folder (repeat, most recent first).")
@click.option("--notice-issuer", help="发文机关 of the 通报 draft (版头 and 落款; default 省政府办公厅).")
@click.option("--notice-number", help="发文字号 of the draft, e.g. 川办函〔2026〕12号 (default: a blank to fill).")
@click.option("--notice-date", callback=_parse_date, help="成文日期 of the draft, YYYY-MM-DD (default: today).")
@click.option("--resume", is_flag=True, help="Go on with a killed run in the same --out: skip the shards it finished.")
@click.option("--shard-pages", type=click.IntRange(1, 1_000_000), default=None,
              help="Saved pages per shard (default: limits.shard_pages, 500); each WARC file is one shard.")
@click.option("--cluster", metavar="tcp://HOST:8786", help="Run the shards on a Dask cluster (its scheduler's address).")
@_config_option
def lint_site_command(target, as_of, out_dir, jobs, no_lm, select, ignore, progress, registry_path, previous,
                      notice_issuer, notice_number, notice_date, resume, shard_pages, cluster, config_path):
    """Inspect crawled sites (a folder of pages and/or WARC files, one WARC, or an fsspec URL) and write the report.

    Writes report.html, summary.json, findings.jsonl, findings.csv and findings.xlsx to --out, plus the
    quarter's 通报 draft: notice.docx, annex.xlsx and province.json (its figures; by region and level
    with --registry, compared with earlier runs with --previous).
    Exit 1 when a site fails a single-veto item, 0 when every site passes.
    """
    if "://" not in target and not Path(target).exists():
        raise click.BadParameter(f"{target} 不存在", param_hint="TARGET")
    cfg = _load_config(config_path, no_lm=no_lm, select=_codes(select), ignore=_codes(ignore))
    if progress is None:
        progress = sys.stderr.isatty()
    registry, earlier = _notice_inputs(registry_path, previous)
    _lint_and_report(target, out_dir, cfg, as_of=as_of, jobs=jobs, progress=progress, registry=registry,
                     earlier=earlier, notice=(notice_issuer, notice_number, notice_date), resume=resume,
                     shard_pages=shard_pages, cluster=cluster)


def _lint_and_report(target, out_dir, cfg, *, as_of, jobs, progress, registry, earlier, notice=(None, None, None),
                     resume=False, shard_pages=None, cluster=None) -> None:
    """lint-site's batch run, the 通报 draft and the per-site lines; exits with the run's code."""
    from .batch import lint_site

    notice_issuer, notice_number, notice_date = notice
    summary = lint_site(target, out_dir, config=cfg, as_of=as_of, jobs=jobs, progress=progress, registry=registry,
                        resume=resume, shard_pages=shard_pages, cluster=cluster)
    if not summary["pages"]:
        _fail(f"{target}：没有找到页面（lint-site 读取 .html/.htm/.shtml 等网页文件或 WARC 文件）")
    from .report.notice import write_notice

    province = write_notice(Path(out_dir), summary, registry=registry, previous=earlier, issuer=notice_issuer,
                            doc_number=notice_number,
                            signed=f"{notice_date.year}年{notice_date.month}月{notice_date.day}日" if notice_date else None)
    unreachable = (f"，其中 {province['unreachable_sites']} 个在名录中但没有页面，计为站点无法访问"
                   if province.get("unreachable_sites") else "")
    click.echo(f"通报草稿：{Path(out_dir) / 'notice.docx'}（网站 {province['sites']} 个{unreachable}；"
               f"问题网站 {province['failed']} 个，总体合格率 "
               f"{province['pass_rate'] if province['pass_rate'] is not None else '-'}%）")
    if "comparison" in province:
        c = province["comparison"]
        click.echo(f"与上次相比：新增问题 {len(c['new'])} 项，已整改 {len(c['fixed'])} 项，仍存在 {len(c['persisting'])} 项；"
                   f"合格率变化 {c['pass_rate_change_pp'] if c['pass_rate_change_pp'] is not None else '-'} 个百分点。")
    totals = summary["totals"]
    for site in summary["sites"]:
        failed = "；".join(i["item"] for i in site["veto_items"] if i["failed"] and i.get("veto", True))
        hidden = sum((site.get("hidden_by_baseline") or {}).values())
        click.echo(f"{site['site']}: {site['verdict']}（页面 {site['pages']}，问题 {site['findings']}"
                   + (f"，无法读取 {site['failed_pages']}" if site.get("failed_pages") else "")
                   + (f"，其中基线隐藏 {hidden}" if hidden else "") + "）"
                   + (f" 未通过：{failed}" if failed else ""))
    rate = totals["pass_rate"]
    click.echo(f"站点 {totals['sites']} 个，合格 {totals['passed']} 个，总体合格率 {rate if rate is not None else '-'}%；"
               f"{summary['pages']} 个页面，{summary['pages_per_second']} 页/秒。")
    for damaged in summary.get("incomplete_inputs") or ():
        click.echo(f"输入不完整：{damaged['error']}（{damaged['at']}）", err=True)
    click.echo(f"报告：{Path(out_dir) / 'report.html'}")
    _exit_if_reports_failed(summary)
    # a registered site with no pages fails too (站点无法访问)
    sys.exit(EXIT_FINDINGS if totals["failed"] or province["failed"] else EXIT_CLEAN)


def _exit_if_reports_failed(summary: dict) -> None:
    """A report file that could not be written makes the run a failure (exit 2), never "findings"."""
    from .report.guard import failure_lines

    lines = failure_lines(summary)
    for line in lines:
        click.echo(line, err=True)
    if lines:
        sys.exit(EXIT_ERROR)


def _notice_inputs(registry_path, previous):
    """The registry and earlier summaries for the 通报, read before the run so a bad one fails fast."""
    from .report.province import load_summary

    registry = None
    if registry_path:
        from .site_registry import load_registry

        try:
            registry = load_registry(registry_path)
        except (OSError, ValueError) as exc:
            _fail(f"无法读取网站名录 {registry_path}：{exc}")
    try:
        earlier = [load_summary(p) for p in previous]
    except ValueError as exc:
        _fail(str(exc))
    return registry, earlier


@main.command()
@click.argument("start_url", required=False)
@click.option("--sites", "sites_path", type=click.Path(exists=True, dir_okay=False),
              help="Crawl every site of this registry (CSV/XLSX) instead of one START_URL.")
@click.option("--max-pages", type=click.IntRange(1, 1000000), default=None,
              help="Stop after this many pages (per site with --sites).  [default: 200; 500 with --sites]")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the reports and the WARC.")
@click.option("--as-of", callback=_parse_date, help="Reference date for staleness, YYYY-MM-DD.")
@click.option("--delay", type=float, default=0.5, show_default=True, help="Seconds between requests to a site.")
@click.option("--concurrency", type=click.IntRange(1, 16), default=2, show_default=True, help="Requests at a time per site.")
@click.option("--ignore-robots", is_flag=True, help="Do not obey robots.txt (only for your own sites).")
@click.option("--site-minutes", type=click.FloatRange(0), default=30.0, show_default=True,
              help="With --sites: wall-clock budget per site (0: none).")
@click.option("--shard-mb", type=click.FloatRange(0.01), default=100.0, show_default=True,
              help="With --sites: start a new WARC shard when one reaches this size.")
@click.option("--resume", is_flag=True, help="With --sites: go on with a killed crawl in the same --out.")
@click.option("--max-depth", type=click.IntRange(1, 1000), default=12, show_default=True,
              help="Follow links at most this many clicks from the start page.")
@click.option("--download-timeout", type=click.FloatRange(1), default=30.0, show_default=True,
              help="With --sites: seconds one response may take.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="With --sites: worker processes for checking the crawled pages.")
@click.option("--no-lm", is_flag=True, help="Do not run the language-model typo engine (QC103).")
@click.option("--verbose", is_flag=True, help="Show Scrapy's log.")
@_config_option
def crawl(start_url, sites_path, max_pages, out_dir, as_of, delay, concurrency, ignore_robots, site_minutes, shard_mb,
          resume, max_depth, download_timeout, jobs, no_lm, verbose, config_path):
    """Crawl a site (START_URL) or every site of a registry (--sites) with Scrapy, then write the reports.

    With --sites the pages go into WARC shards under OUT/warc and a journal (OUT/crawl-journal.jsonl)
    records each fetched URL, so a crawl killed at any point goes on with --resume, fetching nothing
    twice; the shards are then checked like `lint-site OUT/warc --registry registry.csv`.
    """
    from urllib.parse import urlsplit

    if bool(start_url) == bool(sites_path):
        raise click.UsageError("请给出一个 START_URL，或用 --sites 给出网站名册（二者取一）")
    if sites_path:
        _crawl_registry(sites_path, out_dir, max_pages=max_pages or 500, as_of=as_of, delay=delay,
                        concurrency=concurrency, obey_robots=not ignore_robots, site_minutes=site_minutes,
                        shard_mb=shard_mb, resume=resume, max_depth=max_depth, download_timeout=download_timeout,
                        jobs=jobs, no_lm=no_lm, verbose=verbose, config_path=config_path)
        return
    if resume:
        raise click.UsageError("--resume 只用于 --sites 的多站抓取")
    from .integrations.crawl import crawl as run_crawl

    if urlsplit(start_url).scheme not in ("http", "https"):
        raise click.BadParameter("START_URL 必须是 http(s) 网址", param_hint="START_URL")
    cfg = _load_config(config_path)  # fail early on a bad configuration
    summary = run_crawl(start_url, out_dir, max_pages=max_pages or 200, as_of=as_of.isoformat() if as_of else None,
                        config_path=config_path, delay=delay, concurrency=concurrency,
                        obey_robots=not ignore_robots, language_model=not no_lm,
                        log_level="INFO" if verbose else "WARNING", max_page_mb=float(cfg["limits"]["max_file_mb"]),
                        max_depth=max_depth)
    if summary is None:
        _fail("抓取没有产生报告（可能一个页面也没有取到）")
    from .report.notice import write_notice

    write_notice(Path(out_dir), summary)
    for site in summary["sites"]:
        click.echo(f"{site['site']}: {site['verdict']}（页面 {site['pages']}，问题 {site['findings']}，死链 {site.get('dead_links', 0)}）")
    if summary.get("crawl_limits"):
        click.echo("触及的抓取限制：" + "；".join(f"{k} {v}" for k, v in sorted(summary["crawl_limits"].items())))
    click.echo(f"报告：{Path(out_dir) / 'report.html'}　抓取存档：{Path(out_dir) / 'crawl.warc.gz'}")
    _exit_if_reports_failed(summary)
    sys.exit(EXIT_FINDINGS if summary["totals"]["failed"] else EXIT_CLEAN)


def _crawl_registry(sites_path, out_dir, *, max_pages, as_of, delay, concurrency, obey_robots, site_minutes,
                    shard_mb, resume, max_depth, download_timeout, jobs, no_lm, verbose, config_path) -> None:
    from .integrations.crawl_sites import WARC_FOLDER, crawl_sites

    cfg = _load_config(config_path, no_lm=no_lm)  # fail early on a bad configuration
    registry, _ = _notice_inputs(sites_path, ())
    for problem in registry.problems:
        click.echo(f"{sites_path}:{problem}", err=True)
    if not len(registry):
        _fail(f"{sites_path}：名册中没有可用的网站")
    result = crawl_sites(registry, out_dir, max_pages=max_pages, site_seconds=site_minutes * 60, delay=delay,
                         concurrency=concurrency, obey_robots=obey_robots, shard_mb=shard_mb,
                         max_page_mb=float(cfg["limits"]["max_file_mb"]), resume=resume, max_depth=max_depth,
                         download_timeout=download_timeout, log_level="INFO" if verbose else "WARNING")
    before = f"（续跑：此前已完成 {result.fetched_before} 个）" if result.fetched_before else ""
    skipped = "；".join(f"{why} {n} 个" for why, n in sorted(result.skipped.items()))
    click.echo(f"抓取：{len(registry)} 个网站，本次取得 {result.fetched_now} 个网址{before}"
               + (f"；未抓取：{skipped}" if skipped else ""))
    limits: dict[str, int] = {}
    for figures in result.sites.values():
        for limit in figures["limits"]:
            limits[limit] = limits.get(limit, 0) + 1
    if limits:
        click.echo("触及的抓取限制（网站数）：" + "；".join(f"{k} {v}" for k, v in sorted(limits.items()))
                   + f"，详见 {Path(out_dir) / 'crawl.json'}")
    warc = Path(out_dir) / WARC_FOLDER
    if not warc.is_dir() or not any(warc.iterdir()):
        _fail("抓取没有取到任何页面")
    _lint_and_report(str(warc), out_dir, cfg, as_of=as_of, jobs=jobs, progress=sys.stderr.isatty(),
                     registry=registry, earlier=[], resume=resume)


@main.command()
@click.argument("page", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", default=None, help="The page's URL (resolves links, names the site).")
@click.option("--as-of", callback=_parse_date, help="Reference date, YYYY-MM-DD (default: today).")
@click.option("--no-lm", is_flag=True, help="Do not run the language-model typo engine (QC103).")
@_config_option
def inspect(page, url, as_of, no_lm, config_path):
    """Read one page: kind, headline, date, source, body, identity marks, dated lists, suspicious links."""
    from .extract.loader import read_input
    from .inspect import inspect_html

    cfg = _load_config(config_path, no_lm=no_lm)
    data = read_input(page, max_bytes=int(cfg["limits"]["max_file_mb"] * 1024 * 1024))
    result = inspect_html(data, url=url, as_of=as_of or cfg.as_of, source=page, config=cfg)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))


@main.group()
def bench() -> None:
    """Benchmarks that print accuracy and speed numbers."""


@bench.command("csc")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--engine", type=click.Choice(["qualitycheck", "pycorrector"]), multiple=True,
              default=("qualitycheck",), show_default=True, help="Engine(s) to run; repeat for both.")
@click.option("--limit", type=int, default=None, help="Only the first N rows.")
@click.option("--json", "as_json", is_flag=True, help="Print the raw numbers as JSON.")
def bench_csc(path, engine, limit, as_json):
    """Spelling correction: lenient/strict P/R/F1, clean sentences changed, speed, memory."""
    from .bench.csc import format_csc_report, run_csc_bench

    for name in engine:
        result = run_csc_bench(path, engine=name, limit=limit)
        click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else format_csc_report(result))


@bench.command("fuzz")
@click.option("--pages", "n_pages", type=click.IntRange(13, 1_000_000), default=10_000, show_default=True,
              help="Mangled pages to make (the classes take turns).")
@click.option("--work", type=click.Path(file_okay=False), default=None, help="Folder for the corpus and the runs (default: a temporary one).")
@click.option("--seed", type=int, default=20261206, show_default=True)
@click.option("--quick", is_flag=True, help="Smaller heavy pages (2 MB line, 100k elements) for a short run.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the raw numbers as JSON.")
def bench_fuzz(n_pages, work, seed, quick, jobs, as_json):
    """Hostile input: mangled pages and broken WARCs through lint-site; tracebacks, pages lost, time, memory."""
    import tempfile

    from .bench.fuzz import Scale, format_fuzz_report, run_fuzz

    with tempfile.TemporaryDirectory(prefix="qc-fuzz-") as tmp:
        folder = Path(work) if work else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        result = run_fuzz(folder, n_pages, seed=seed, scale=Scale.quick() if quick else Scale(), jobs=jobs)
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else format_fuzz_report(result))


@bench.command("scale")
@click.option("--pages", "n_pages", type=click.IntRange(10, 10_000_000), default=2000, show_default=True,
              help="Pages in the run (real pages repeated under distinct hosts).")
@click.option("--lm-pages", type=click.IntRange(10, 1_000_000), default=200, show_default=True,
              help="Pages for the run with the typo language model.")
@click.option("--pages-per-warc", type=click.IntRange(1, 100_000), default=200, show_default=True)
@click.option("--host-copies", type=click.IntRange(1, 1_000_000), default=None,
              help="Copies of each host at most (default: a new host for every repeat, so every site is small).")
@click.option("--no-cluster", is_flag=True, help="Skip the Dask runs.")
@click.option("--json", "as_json", is_flag=True, help="Print the raw numbers as JSON.")
def bench_scale(n_pages, lm_pages, pages_per_warc, host_copies, no_cluster, as_json):
    """Province scale: pages/s per core, --jobs 2 against a 2-worker Dask cluster, parent memory, a projection."""
    from .bench.scale import format_scale_report, run_scale

    result = run_scale(n_pages, pages_per_warc=pages_per_warc, lm_pages=lm_pages, cluster=not no_cluster,
                       host_copies=host_copies)
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else format_scale_report(result))


@bench.command("registry")
@click.option("--sites", "n_sites", type=click.IntRange(10, 1_000_000), default=1080, show_default=True)
@click.option("--bad", "n_bad", type=click.IntRange(0, 10_000), default=20, show_default=True, help="Bad rows among them.")
@click.option("--json", "as_json", is_flag=True, help="Print the raw numbers as JSON.")
def bench_registry(n_sites, n_bad, as_json):
    """A province-sized site registry (CSV and XLSX) with bad rows: read time, every bad row named."""
    from .bench.registry import format_registry_report, run_registry_bench

    result = run_registry_bench(n_sites, n_bad)
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else format_registry_report(result))


if __name__ == "__main__":  # pragma: no cover
    main()
