"""The site registry an inspector already has: one row per government website.

A CSV (UTF-8 or GB18030/GBK, as offices export them) or XLSX sheet with the columns
网站名称, 网站标识码, 首页网址, 主办单位, 地区 and 级别 (common variants of the headers are accepted).
Rows that cannot be used are reported with their line and left out; rows with a doubtful optional
field (a malformed 网站标识码, an unknown 级别) are kept with that field blank and reported too, so
one bad cell never stops the province's run.

The registry answers one question for every page of a run: which registered site does this URL
belong to (:meth:`Registry.site_for_url`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from .errors import InputError, os_reason

# Canonical field → header spellings seen in office spreadsheets (compared without spaces, case-folded).
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("网站名称", "站点名称", "名称", "网站名", "name", "site_name"),
    "site_code": ("网站标识码", "标识码", "网站识别码", "site_code", "sitecode", "code"),
    "home_url": ("首页网址", "网址", "首页地址", "网站地址", "网站网址", "域名", "url", "home_url", "homepage"),
    "organiser": ("主办单位", "主办", "主管单位", "organiser", "organizer", "sponsor"),
    "region": ("地区", "区域", "行政区划", "所属地区", "地市", "region"),
    "level": ("级别", "层级", "网站级别", "网站类别", "level"),
}
REQUIRED = ("name", "home_url")
LEVELS = ("省", "市", "县", "部门")
_SITE_CODE = re.compile(r"^(?:\d{10}|bm\d{8})$")
_REGION_CODE = re.compile(r"^\d{6}$")
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}\.)*[a-z0-9-]{1,63}(?::\d{1,5})?$")
_INDEX_PAGE = re.compile(r"/(?:index|default|main|home)\.(?:s?html?|jsp|php|aspx?)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class SiteEntry:
    """One registered website."""

    name: str
    home_url: str
    host: str                 # lower-case host, with the port when it is not the scheme's default
    path_prefix: str = "/"    # the home page's folder: "/" for most sites
    site_code: str = ""       # 网站标识码 as registered ("" when missing or malformed)
    organiser: str = ""       # 主办单位
    region: str = ""          # 地区 as written (a name, or a division code)
    region_code: str = ""     # six-digit division code, when given
    level: str = ""           # 省 | 市 | 县 | 部门 ("" when not given or not understood)
    line: int = 0             # line (CSV) or row (XLSX) in the registry file
    key: str = ""             # the site's name in reports: the host, plus the path prefix on a shared host

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RegistryProblem:
    """A registry row that was left out (``kept`` false) or kept with a field blanked."""

    line: int
    field: str
    message: str
    kept: bool

    def __str__(self) -> str:
        what = "已保留，该项留空" if self.kept else "该行未采用"
        return f"第{self.line}行 {self.field}：{self.message}（{what}）"


@dataclass
class Registry:
    """The sites of a run, in registry order, with the problems found while reading them."""

    entries: list[SiteEntry]
    problems: list[RegistryProblem] = field(default_factory=list)
    source: str = ""

    def __post_init__(self) -> None:
        self._by_host: dict[str, list[SiteEntry]] = {}
        for entry in self.entries:
            self._by_host.setdefault(entry.host, []).append(entry)
        for entries in self._by_host.values():
            entries.sort(key=lambda e: len(e.path_prefix), reverse=True)
        self._by_key = {e.key: e for e in self.entries}

    def __iter__(self) -> Iterator[SiteEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: str) -> SiteEntry | None:
        """The entry with this report key."""
        return self._by_key.get(key)

    def site_for_url(self, url: str | None) -> SiteEntry | None:
        """The registered site a URL belongs to, or None.

        The host must match (``www.`` may be present on one side only); where several sites share a
        host, the one whose home-page folder is the longest prefix of the URL's path wins. A URL on a
        shared host under none of its sites' folders belongs to none of them: guessing would put one
        site's problems on another's record.
        """
        parts = _split(url)
        if parts is None:
            return None
        host, path = parts
        candidates = self._by_host.get(host) or self._by_host.get(_www_alias(host))
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        for entry in candidates:  # longest prefix first
            if path.startswith(entry.path_prefix):
                return entry
        return None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able): what travels with a task to another process or machine."""
        return {
            "source": self.source,
            "entries": [e.to_dict() for e in self.entries],
            "problems": [asdict(p) for p in self.problems],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Registry":
        return cls(
            entries=[SiteEntry(**e) for e in data.get("entries", [])],
            problems=[RegistryProblem(**p) for p in data.get("problems", [])],
            source=data.get("source", ""),
        )


def load_registry(path: str | Path) -> Registry:
    """Read a registry file (.csv, .tsv or .xlsx). Unusable rows become ``problems``; the rest go on.

    Raises InputError (a one-line Chinese message) when the file cannot be read at all or lacks the
    网站名称 or 首页网址 column.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: 网站名册文件不存在")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    elif suffix in (".csv", ".tsv", ".txt"):
        rows = _csv_rows(path, delimiter="\t" if suffix == ".tsv" else None)
    elif suffix == ".xls":
        raise InputError(f"{path}: 不支持旧版 .xls 格式，请另存为 .xlsx 或 .csv")
    else:
        raise InputError(f"{path}: 无法识别的网站名册格式（支持 .csv、.tsv、.xlsx）")
    return build_registry(rows, source=str(path))


def build_registry(rows: Iterator[tuple[int, list[str]]] | list[tuple[int, list[str]]], *, source: str = "") -> Registry:
    """A Registry from (line, cells) rows, the first non-blank row holding the headers."""
    rows = iter(rows)
    header_line, columns = _header(rows, source)
    problems: list[RegistryProblem] = []
    raw: list[tuple[int, dict[str, str]]] = []
    for line, cells in rows:
        values = {f: (cells[i].strip() if i < len(cells) and cells[i] is not None else "") for f, i in columns.items()}
        if not any(values.values()):
            continue
        raw.append((line, values))

    parsed: list[dict[str, Any]] = []
    seen_codes: dict[str, int] = {}
    seen_sites: dict[tuple[str, str], int] = {}
    for line, values in raw:
        entry = _entry(line, values, problems)
        if entry is None:
            continue
        site = (entry["host"], entry["path_prefix"])
        if site in seen_sites:
            problems.append(RegistryProblem(line, "首页网址", f"与第{seen_sites[site]}行的网站重复：{entry['home_url']}", False))
            continue
        seen_sites[site] = line
        code = entry["site_code"]
        if code:
            if code in seen_codes:
                problems.append(RegistryProblem(line, "网站标识码", f"{code} 与第{seen_codes[code]}行重复", True))
            else:
                seen_codes[code] = line
        parsed.append(entry)

    # A site's key is its host, unless several registered sites share that host.
    per_host: dict[str, int] = {}
    for entry in parsed:
        per_host[entry["host"]] = per_host.get(entry["host"], 0) + 1
    entries = []
    for entry in parsed:
        shared = per_host[entry["host"]] > 1 and entry["path_prefix"] != "/"
        entries.append(SiteEntry(**entry, key=entry["host"] + entry["path_prefix"].rstrip("/") if shared else entry["host"]))
    return Registry(entries=entries, problems=sorted(problems, key=lambda p: p.line), source=source)


def _header(rows: Iterator[tuple[int, list[str]]], source: str) -> tuple[int, dict[str, int]]:
    """Find the header row (title rows above it are skipped) and map fields to column indexes."""
    wanted = {_norm_header(h): f for f, names in HEADERS.items() for h in names}
    for checked, (line, cells) in enumerate(rows):
        columns: dict[str, int] = {}
        for i, cell in enumerate(cells):
            f = wanted.get(_norm_header(cell or ""))
            if f and f not in columns:
                columns[f] = i
        if all(f in columns for f in REQUIRED):
            return line, columns
        if checked >= 20:
            break
    missing = "、".join(HEADERS[f][0] for f in REQUIRED)
    raise InputError(f"{source or '网站名册'}: 未找到表头（至少需要“{missing}”两列）")


def _norm_header(text: str) -> str:
    return re.sub(r"[\s*＊（）()：:]", "", str(text)).casefold()


def _entry(line: int, values: dict[str, str], problems: list[RegistryProblem]) -> dict[str, Any] | None:
    name = values.get("name", "")
    url = values.get("home_url", "")
    if not name:
        problems.append(RegistryProblem(line, "网站名称", "为空", False))
        return None
    if not url:
        problems.append(RegistryProblem(line, "首页网址", f"“{name}”的首页网址为空", False))
        return None
    home = _home(url)
    if home is None:
        problems.append(RegistryProblem(line, "首页网址", f"不是有效的网址：{url}", False))
        return None
    home_url, host, prefix = home

    code = re.sub(r"\s+", "", values.get("site_code", ""))
    if code.upper().startswith("BM"):
        code = "bm" + code[2:]
    if code and not _SITE_CODE.match(code):
        problems.append(RegistryProblem(line, "网站标识码", f"格式不正确：{code}（应为10位数字或 bm 加8位数字）", True))
        code = ""

    region = values.get("region", "")
    region_code = region if _REGION_CODE.match(region) else ""
    if region_code and code and not code.startswith("bm") and code[:2] != region_code[:2]:
        problems.append(RegistryProblem(
            line, "网站标识码", f"{code} 的省份代码（{code[:2]}）与地区代码 {region_code} 不符", True))

    level = _level(values.get("level", ""))
    if values.get("level") and level is None:
        problems.append(RegistryProblem(line, "级别", f"无法识别：{values['level']}（应为 省、市、县 或 部门）", True))
    return {
        "name": name, "home_url": home_url, "host": host, "path_prefix": prefix, "site_code": code,
        "organiser": values.get("organiser", ""), "region": region, "region_code": region_code,
        "level": level or "", "line": line,
    }


def _level(text: str) -> str | None:
    t = text.strip()
    if not t:
        return None
    if "部门" in t or "直属" in t or "机构" in t:
        return "部门"
    for level, words in (("省", ("省", "自治区", "直辖市")), ("市", ("市", "州", "盟", "地区")), ("县", ("县", "区", "旗"))):
        if any(t.startswith(w) for w in words):
            return level
    return None


def _home(url: str) -> tuple[str, str, str] | None:
    """(home URL with scheme, host key, path prefix) of a registered address, or None when unusable."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text.lstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname or re.search(r"\s", text):
        return None
    host = _host_key(parts.scheme, parts.hostname, port)
    if not _HOST.match(host):
        return None
    path = parts.path or "/"
    folder = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
    if _INDEX_PAGE.search(path) and folder.count("/") <= 1:
        folder = "/"
    return text, host, folder


def _host_key(scheme: str, hostname: str, port: int | None) -> str:
    host = hostname.lower().rstrip(".")
    if port is not None and port != _DEFAULT_PORTS.get(scheme.lower()):
        return f"{host}:{port}"
    return host


def _split(url: str | None) -> tuple[str, str] | None:
    if not url:
        return None
    text = url if "://" in url else "http://" + url.lstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return _host_key(parts.scheme or "http", parts.hostname, port), parts.path or "/"


def _www_alias(host: str) -> str:
    return host[4:] if host.startswith("www.") else "www." + host


def _csv_rows(path: Path, delimiter: str | None) -> Iterator[tuple[int, list[str]]]:
    from .extract.encoding import decode

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: 无法读取网站名册（{os_reason(exc)}）") from exc
    if not data.strip():
        raise InputError(f"{path}: 网站名册为空")
    text, _ = decode(data, name=str(path))
    if delimiter is None:
        first = text.lstrip("\ufeff").split("\n", 1)[0]
        delimiter = max((",", "\t", ";", "，"), key=first.count)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"{path}: 第{reader.line_num}行 CSV 格式错误（{exc}）") from exc


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{path}: 无法读取 Excel 网站名册（文件损坏或不是 .xlsx）") from exc
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, ["" if v is None else _cell_text(v) for v in row]
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    # Excel turns a 10-digit 标识码 into a number; 5100000062.0 must come back as "5100000062".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
