"""The HTTP service and the editors' page: ``qualitycheck serve``.

Standard library only (``http.server.ThreadingHTTPServer``): the service calls the
Python API in-process, so the dictionaries, the segmenter and the typo model load
once, at start-up, before the server says it is ready, and stay warm.

Endpoints::

    GET  /            the editors' page (static/editor.html, self-contained)
    GET  /healthz     {"status": "ok", "ready": true, "models": {...}}
    GET  /v1/rules    every rule: code, name, severity, summary, source
    POST /v1/check    text, HTML or a .docx -> the report of `check --format json`
                      (qualitycheck/schemas/findings.schema.json), with the checked text
    GET  /v1/accept   the accept list
    POST /v1/accept   {"phrase": "..."} -> appended to the shared accept file (serve --shared-accept only)

忽略 on the page is per user by default: the browser keeps its accepted phrases and sends them
with each check (``accept``: a list of phrases, applied to that request only), so one editor's
忽略 never hides a phrase from everybody else. A server started with ``--shared-accept`` writes
忽略 to its accept file for every user, on purpose; the configured accept_file is read in both modes.

``POST /v1/check`` takes ``application/json`` (``text`` or ``html``, optional ``url``,
``published``, ``as_of``, ``select``, ``ignore``), ``multipart/form-data`` with a
``file`` field (.docx, .txt, .html) or a ``text``/``html`` field plus the same optional
fields, or a raw ``text/plain``, ``text/html`` or .docx body (optional fields in the
query string). Every error is a JSON body ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import sys
import threading
import time
import traceback
from datetime import date
from email import policy
from email.parser import HeaderParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import click

from .. import __version__
from ..api import warm_up
from ..config import Config, accept_lines, normalize_phrase, phrase_problem
from ..document import Document
from ..errors import ConfigError, QualityCheckError
from ..report import FileResult
from ..report.json_report import report_payload

DEFAULT_MAX_MB = 5.0
DEFAULT_ACCEPT_FILE = "qualitycheck-accept.txt"
MAX_PHRASE_CHARS = 50
STATIC_DIR = Path(__file__).with_name("static")
EDITOR_PAGE = STATIC_DIR / "editor.html"
# A body this much over the limit is drained (so the client can read the 413) rather than cut off.
_DRAIN_LIMIT = 64 * 1024 * 1024

_DOCX_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_UNSUPPORTED_SUFFIXES = {
    ".doc": "旧版 Word (.doc) 无法读取，请另存为 .docx / Legacy .doc is not supported; save it as .docx",
    ".wps": "WPS 文档无法读取，请另存为 .docx / .wps is not supported; save it as .docx",
    ".pdf": "PDF 无法读取，请复制正文粘贴 / PDF is not supported; paste the text instead",
}
_PAGE_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class ApiError(Exception):
    """An error answered to the client as ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


# -- the accept list ------------------------------------------------------------------------


class AcceptFile:
    """A file of accepted phrases, one a line; re-read when it changes, appended under a lock."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._phrases: frozenset[str] = frozenset()

    def _read(self) -> frozenset[str]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._phrases = None, frozenset()
            return self._phrases
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            text = self.path.read_text(encoding="utf-8", errors="replace")
            self._phrases = frozenset(accept_lines(text))
            self._stamp = stamp
        return self._phrases

    def phrases(self) -> frozenset[str]:
        with self._lock:
            return self._read()

    def add(self, phrase: str) -> bool:
        """Append a phrase; False if it was already there."""
        with self._lock:
            if phrase in self._read():
                return False
            self.path.parent.mkdir(parents=True, exist_ok=True)
            needs_newline = False
            if self.path.exists() and self.path.stat().st_size:
                with self.path.open("rb") as fh:
                    fh.seek(-1, os.SEEK_END)
                    needs_newline = fh.read(1) != b"\n"
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(("\n" if needs_newline else "") + phrase + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            self._stamp = None
            self._read()
            return True


def validate_phrase(value: Any) -> str:
    if not isinstance(value, str):
        raise ApiError(400, "bad_phrase", "phrase 必须是字符串 / 'phrase' must be a string")
    phrase = normalize_phrase(value)
    if not phrase:
        raise ApiError(400, "bad_phrase", "短语不能为空 / The phrase is empty")
    if any(ch in "\n\r" for ch in phrase) or (phrase_problem(phrase) or "").startswith("短语只能是一行"):
        raise ApiError(400, "bad_phrase", "短语只能是一行文字 / The phrase must be a single line "
                       "(no line or paragraph separators)")
    if (phrase_problem(phrase) or "").startswith("短语含控制字符"):
        raise ApiError(400, "bad_phrase", "短语含控制字符或不可见字符 / The phrase has control or invisible characters")
    if len(phrase) > MAX_PHRASE_CHARS:
        raise ApiError(400, "bad_phrase",
                       f"短语最长 {MAX_PHRASE_CHARS} 个字 / The phrase is over {MAX_PHRASE_CHARS} characters")
    if len(phrase) < 2:
        # A one-character entry would silence every finding on that character everywhere.
        raise ApiError(400, "bad_phrase",
                       "短语至少两个字（单字会屏蔽所有同字问题）/ The phrase needs at least 2 characters")
    if phrase.startswith("#"):
        raise ApiError(400, "bad_phrase", "短语不能以 # 开头 / The phrase cannot start with '#'")
    return phrase


_LIST_FIELDS = ("select", "ignore", "accept")
MAX_BROWSER_PHRASES = 2000


def _browser_accept(value: Any) -> frozenset[str]:
    """The phrases a browser accepted (忽略), for this request only; each checked like a shared one."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ApiError(400, "bad_accept", "accept 必须是短语列表 / 'accept' must be a list of phrases")
    if len(value) > MAX_BROWSER_PHRASES:
        raise ApiError(400, "bad_accept", f"accept 最多 {MAX_BROWSER_PHRASES} 条 / 'accept' has too many phrases")
    return frozenset(validate_phrase(v) for v in value)


# -- rules -----------------------------------------------------------------------------------


def rules_payload(config: Config) -> list[dict[str, Any]]:
    from ..checks.registry import all_checks
    from ..checks.wording import WordingCheck

    rows = []
    for check in all_checks(config):
        row: dict[str, Any] = {
            "code": check.code, "name": check.name, "title": check.title, "severity": check.severity,
            "summary": check.summary,
            "rule_source": check.rule_source, "level": check.level,
            "enabled": config.is_selected(check.code, enabled_by_default=check.enabled_by_default),
        }
        if isinstance(check, WordingCheck):
            row["entries"] = [
                {"id": r.id, "wrong": r.wrong or ([r.pattern.pattern] if r.pattern else []), "right": r.right,
                 "enabled": r.enabled, "source": r.source, "since": r.since.isoformat() if r.since else None}
                for r in check.rules
            ]
        rows.append(row)
    return rows


# -- request parsing ------------------------------------------------------------------------


def _parse_date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ApiError(400, "bad_date", f"{field} 必须是 YYYY-MM-DD 格式的日期 / '{field}' must be a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ApiError(400, "bad_date",
                       f"{field} 不是有效日期：{value!r}，应为 YYYY-MM-DD / '{field}' is not a date YYYY-MM-DD") from None


def _codes(value: Any, field: str) -> list[str] | None:
    if value in (None, "", []):
        return None
    items: list[str] = []
    values = value if isinstance(value, list) else [value]
    for v in values:
        if not isinstance(v, str):
            raise ApiError(400, "bad_field", f"{field} 必须是规则代码列表 / '{field}' must be a list of rule codes")
        items.extend(c.strip() for c in v.split(",") if c.strip())
    return [c.upper() if c.upper().startswith("QC") or c.upper() == "ALL" else c for c in items]


def _str_field(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, "bad_field", f"{field} 必须是字符串 / '{field}' must be a string")
    return value


def parse_multipart(body: bytes, content_type_header: str) -> dict[str, list[tuple[str | None, bytes]]]:
    """Fields of a multipart/form-data body: name -> [(filename, bytes), ...]."""
    header = HeaderParser(policy=policy.HTTP).parsestr(f"Content-Type: {content_type_header}\r\n\r\n")
    boundary = header.get_param("boundary")
    if not boundary or not isinstance(boundary, str):
        raise ApiError(400, "bad_multipart", "multipart 请求缺少 boundary / multipart body without a boundary")
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    chunks = (b"\r\n" + body).split(delimiter)
    if len(chunks) < 2:
        raise ApiError(400, "bad_multipart", "无法解析上传内容 / Cannot parse the multipart body")
    fields: dict[str, list[tuple[str | None, bytes]]] = {}
    closed = False
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            closed = True
            break
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise ApiError(400, "bad_multipart", "上传内容格式不正确 / Malformed multipart part")
        part = HeaderParser(policy=policy.HTTP).parsestr(head.lstrip(b" \t").lstrip(b"\r\n").decode("utf-8", "replace"))
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        filename = part.get_param("filename", header="content-disposition")
        fields.setdefault(str(name), []).append((str(filename) if filename is not None else None, data))
    if not closed:
        raise ApiError(400, "bad_multipart", "上传内容不完整 / The multipart body is truncated")
    return fields


# -- the server -----------------------------------------------------------------------------


class QualityCheckServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that holds the warm configuration, the accept list and the page."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 makes the 6th simultaneous connect wait for a SYN retry
    # (a 1 s stall) or fail; a CMS behind a pool of workers connects many at once.
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], config: Config, accept_path: Path,
                 max_bytes: int, quiet: bool = False, shared_accept: bool = False, token: str | None = None):
        self.config = config
        serve_cfg = config["serve"]
        self.guard = RequestGuard(list(serve_cfg["allowed_hosts"]), list(serve_cfg["allowed_origins"]), token)
        self.shared_accept = shared_accept
        self.max_bytes = max_bytes
        self.quiet = quiet
        self.accept = AcceptFile(accept_path)
        # The configured accept_file, read only, when --accept-file names another one.
        self.extra_accept: list[AcceptFile] = []
        if config["accept_file"]:
            configured = config.resolve_path(config["accept_file"])
            if configured != accept_path:
                self.extra_accept.append(AcceptFile(configured))
        self.ready = False
        self.models: dict[str, Any] = {}
        self.started = time.time()
        self._check_lock = threading.Lock()
        self._rules: bytes | None = None
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"

    def warm(self) -> None:
        self.models = warm_up(self.config, tolerate_missing_model=True)
        self.ready = True

    def accepted(self) -> frozenset[str]:
        phrases = set(self.config["accept"]) | self.accept.phrases()
        for extra in self.extra_accept:
            phrases |= extra.phrases()
        return frozenset(phrases)

    def rules_json(self) -> bytes:
        if self._rules is None:
            self._rules = _json({"rules": rules_payload(self.config)})
        return self._rules

    @property
    def accept_mode(self) -> str:
        return "shared" if self.shared_accept else "browser"

    def run_check(self, doc: Document, select: list[str] | None, ignore: list[str] | None,
                  as_of: date | None, accept: frozenset[str] = frozenset()) -> list:
        from ..api import check_document

        cfg = self.config
        overrides: dict[str, Any] = {}
        if select is not None:
            overrides["select"] = select
        if ignore is not None:
            overrides["ignore"] = ignore
        if as_of is not None:
            overrides["as_of"] = as_of.isoformat()
        if overrides:
            cfg = cfg.with_overrides(**overrides)
        cfg = dataclasses.replace(cfg, accepted=self.accepted() | accept)
        # Checks keep lazily built caches that are not all thread-safe; the work is CPU-bound
        # under the GIL anyway, so one check at a time costs no throughput.
        with self._check_lock:
            return check_document(doc, cfg)


# -- who may ask -------------------------------------------------------------------------------


def _hostname(host_header: str) -> str:
    """The host name of a Host header or an origin's authority, lower-case, without port or brackets."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_ip(name: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class RequestGuard:
    """Host, Origin and token checks: a web page the editor happens to visit must not be able to use
    the service through the browser (DNS rebinding, cross-site POSTs), and a deployment can require
    a token."""

    def __init__(self, allowed_hosts: list[str], allowed_origins: list[str], token: str | None):
        import socket

        names = {"localhost", socket.gethostname().lower(), socket.getfqdn().lower()}
        self.hosts = names | {h.strip().lower() for h in allowed_hosts if h.strip()}
        self.origins = {o.strip().rstrip("/").lower() for o in allowed_origins if o.strip()}
        self.token = token or None

    def host_allowed(self, host_header: str | None) -> bool:
        if not host_header:
            return True  # HTTP/1.0 clients send none; a browser always does
        name = _hostname(host_header)
        return _is_ip(name) or name in self.hosts or name.endswith(".localhost")

    def origin_allowed(self, origin: str | None, host_header: str | None) -> bool:
        if origin is None:
            return True  # not a browser's cross-origin request (curl, a CMS's server)
        origin = origin.strip().rstrip("/").lower()
        if origin in self.origins:
            return True
        if not host_header or origin == "null":
            return False
        return origin in (f"http://{host_header.strip().lower()}", f"https://{host_header.strip().lower()}")

    def token_ok(self, headers: Any) -> bool:
        if self.token is None:
            return True
        import hmac

        given = headers.get("X-Qualitycheck-Token") or ""
        auth = headers.get("Authorization") or ""
        if auth[:7].lower() == "bearer ":
            given = given or auth[7:].strip()
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode("utf-8"))


def _json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    server: QualityCheckServer
    server_version = f"qualitycheck/{__version__}"
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a client may stall mid-request
    # Small responses go out at once: with Nagle on, a keep-alive client's delayed ACK adds ~40 ms.
    disable_nagle_algorithm = True

    ROUTES = {
        "/": ("GET",),
        "/index.html": ("GET",),
        "/healthz": ("GET",),
        "/v1/rules": ("GET",),
        "/v1/check": ("POST",),
        "/v1/accept": ("GET", "POST"),
        "/favicon.ico": ("GET",),
    }

    # -- plumbing ---------------------------------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if not self.server.quiet:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    def _send(self, status: int, body: bytes, content_type: str = "application/json; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_error_json(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, _json({"error": {"code": code, "message": message}}), headers=headers)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol errors raised by http.server itself (bad request line, huge headers): JSON too."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # an unparsable request line: answer with a status line anyway
            self.request_version = "HTTP/1.0"
        try:
            short = self.responses[code][0]
        except KeyError:
            short = "error"
        self.log_error("code %d, message %s", code, message or short)
        text = f"{message or short}" + (f": {explain}" if explain else "")
        try:
            self._send_error_json(code, f"http_{code}", f"请求无效 / {text}")
        except OSError:
            pass

    def handle_expect_100(self) -> bool:
        length = self.headers.get("Content-Length")
        if length and length.strip().isdigit() and int(length) > self.server.max_bytes:
            self.close_connection = True
            self._too_large(int(length))
            return False
        return super().handle_expect_100()

    def _too_large(self, length: int) -> None:
        limit_mb = self.server.max_bytes / 1048576
        self._send_error_json(
            413, "too_large",
            f"请求内容 {length / 1048576:.1f} MB，超过 {limit_mb:g} MB 的上限 / "
            f"Request body of {length / 1048576:.1f} MB is over the {limit_mb:g} MB limit (--max-mb)",
        )

    def _read_chunked(self) -> bytes:
        """A Transfer-Encoding: chunked body, up to the size limit (over it: drained, then 413)."""
        out = bytearray()
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size < 0:
                    raise ValueError
            except ValueError:
                self.close_connection = True
                raise ApiError(400, "bad_chunked", "分块编码格式不正确 / Malformed chunked body") from None
            if size == 0:
                while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            total += size
            if total > _DRAIN_LIMIT:
                self.close_connection = True
                self._too_large(total)
                raise _Answered
            data = self.rfile.read(size)
            self.rfile.readline(8)  # the CRLF after the chunk
            if len(data) < size:
                self.close_connection = True
                raise ApiError(400, "truncated", "请求内容不完整 / The request body ended early")
            if total <= self.server.max_bytes:
                out += data
        if total > self.server.max_bytes:
            self._too_large(total)
            raise _Answered
        return bytes(out)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self.close_connection = True
            raise ApiError(411, "length_required",
                           "请求缺少 Content-Length / Content-Length (or chunked encoding) is required")
        try:
            length = int(length_header)
            if length < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            raise ApiError(400, "bad_length", "Content-Length 无效 / Invalid Content-Length") from None
        if length > self.server.max_bytes:
            self.close_connection = True
            if length <= _DRAIN_LIMIT:  # read and drop it, so the client gets to read our answer
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 16))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            self._too_large(length)
            raise _Answered
        data = self.rfile.read(length)
        if len(data) < length:
            self.close_connection = True
            raise ApiError(400, "truncated", "请求内容不完整 / The request body ended early")
        return data

    def _dispatch(self) -> None:
        started = time.perf_counter()
        path = urlsplit(self.path).path
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/")
        try:
            methods = self.ROUTES.get(path)
            if methods is None:
                raise ApiError(404, "not_found", f"没有这个地址：{path} / Not found: {path}")
            method = "GET" if self.command == "HEAD" else self.command
            if method not in methods:
                # A body we will not read would be taken for the next request.
                if self.headers.get("Content-Length", "0") != "0" or self.headers.get("Transfer-Encoding"):
                    self.close_connection = True
                raise ApiError(405, "method_not_allowed",
                               f"{path} 不支持 {self.command} / {self.command} is not allowed on {path}",
                               {"Allow": ", ".join(methods + (("HEAD",) if "GET" in methods else ()))})
            self._guard(path, method)
            handler = getattr(self, "_" + method.lower() + "_" + (path.strip("/").replace("/", "_").replace(".", "_") or "index"))
            handler(started)
        except _Answered:
            pass
        except ApiError as err:
            self._send_error_json(err.status, err.code, err.message, err.headers)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception:  # never a traceback to the client; the server goes on
            self.close_connection = True
            traceback.print_exc(file=sys.stderr)
            try:
                self._send_error_json(500, "internal",
                                      "服务器内部错误，请联系管理员 / Internal error; see the server log")
            except OSError:
                pass

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _dispatch

    def _guard(self, path: str, method: str) -> None:
        guard = self.server.guard
        host = self.headers.get("Host")
        if not guard.host_allowed(host):
            self.close_connection = True
            raise ApiError(421, "host_not_allowed",
                           f"主机名 {host!r} 不在允许列表中（[serve] allowed_hosts）/ Host {host!r} is not allowed; "
                           "add it to [serve] allowed_hosts")
        if method != "GET" and not guard.origin_allowed(self.headers.get("Origin"), host):
            self.close_connection = True
            raise ApiError(403, "origin_not_allowed",
                           "跨站请求被拒绝（[serve] allowed_origins）/ Cross-origin request refused; "
                           "add the origin to [serve] allowed_origins")
        if path.startswith("/v1/") and not guard.token_ok(self.headers):
            raise ApiError(401, "token_required", "需要有效的访问令牌 / A valid token is required "
                           "(Authorization: Bearer TOKEN or X-Qualitycheck-Token)",
                           {"WWW-Authenticate": 'Bearer realm="qualitycheck"'})

    # -- routes ------------------------------------------------------------------------------
    def _get_index(self, started: float) -> None:
        try:
            page = EDITOR_PAGE.read_bytes()
        except OSError:
            raise ApiError(500, "page_missing", "编辑页面文件缺失 / The editor page is missing from the install")
        self._send(200, page, "text/html; charset=utf-8", {"Content-Security-Policy": _PAGE_CSP,
                                                            "Referrer-Policy": "no-referrer"})

    _get_index_html = _get_index

    def _get_favicon_ico(self, started: float) -> None:
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _get_healthz(self, started: float) -> None:
        srv = self.server
        payload = {
            "status": "ok" if srv.ready else "warming",
            "ready": srv.ready,
            "version": __version__,
            "models": srv.models,
            "uptime_s": round(time.time() - srv.started, 1),
            "max_mb": round(srv.max_bytes / 1048576, 3),
            "accept_file": str(srv.accept.path),
            "accept_mode": srv.accept_mode,
        }
        self._send(200 if srv.ready else 503, _json(payload))

    def _get_v1_rules(self, started: float) -> None:
        self._send(200, self.server.rules_json())

    def _get_v1_accept(self, started: float) -> None:
        srv = self.server
        self._send(200, _json({"accept_file": str(srv.accept.path), "accept_mode": srv.accept_mode,
                               "phrases": sorted(srv.accepted())}))

    def _post_v1_accept(self, started: float) -> None:
        body = self._read_body()
        if not self.server.shared_accept:
            raise ApiError(403, "accept_not_shared",
                           "此服务的“忽略”只对当前浏览器有效，不写入共用的接受列表；要让所有用户共用，请以 "
                           "qualitycheck serve --shared-accept 启动 / 忽略 is per browser on this server; start it "
                           "with --shared-accept to share an accept list")
        payload = self._json_body(body)
        phrase = validate_phrase(payload.get("phrase"))
        try:
            added = self.server.accept.add(phrase)
        except OSError as exc:
            raise ApiError(500, "accept_write_failed",
                           f"无法写入接受列表 {self.server.accept.path}：{exc.strerror} / "
                           f"Cannot write the accept file") from None
        self._send(200, _json({"phrase": phrase, "added": added, "accept_file": str(self.server.accept.path)}))

    def _json_body(self, body: bytes) -> dict[str, Any]:
        ctype = self.headers.get_content_type()
        if ctype != "application/json":
            raise ApiError(415, "unsupported_media_type",
                           f"请以 application/json 提交，收到 {ctype} / Send application/json, got {ctype}")
        if not body.strip():
            raise ApiError(400, "empty", "请求内容为空 / The request body is empty")
        try:
            payload = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(400, "bad_json", f"请求内容不是有效的 JSON / The body is not valid JSON: {exc}") from None
        except RecursionError:  # [[[[… nested past the parser's depth
            raise ApiError(400, "bad_json", "JSON 嵌套过深 / The JSON body is nested too deeply") from None
        if not isinstance(payload, dict):
            raise ApiError(400, "bad_json", "JSON 请求体应为对象 / The JSON body must be an object")
        return payload

    def _post_v1_check(self, started: float) -> None:
        from ..extract.loader import document_from_bytes

        srv = self.server
        if not srv.ready:
            raise ApiError(503, "warming", "模型加载中，请稍候 / Models are still loading", {"Retry-After": "2"})
        body = self._read_body()
        # No Content-Type at all: the bytes decide (text, HTML or .docx), as for octet-stream.
        ctype = self.headers.get_content_type() if self.headers.get("Content-Type") else "application/octet-stream"
        query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
        fields: dict[str, Any] = {}
        doc: Document | None = None
        try:
            if ctype == "application/json":
                fields = self._json_body(body)
                text, html = _str_field(fields.get("text"), "text"), _str_field(fields.get("html"), "html")
                if text is not None and html is not None:
                    raise ApiError(400, "ambiguous", "text 与 html 只能提供一个 / Send either 'text' or 'html', not both")
                if text is None and html is None:
                    raise ApiError(400, "missing_text", "缺少 text 或 html 字段 / The body needs 'text' or 'html'")
                url = _str_field(fields.get("url"), "url")
                if html is not None:
                    doc = document_from_bytes(html.encode("utf-8"), "<html>", kind="html", url=url)
                else:
                    doc = _text_document(text or "", url)
            elif ctype == "application/x-www-form-urlencoded":
                try:
                    form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body.strip()))
                except (UnicodeDecodeError, ValueError):
                    form = {}
                for name in ("url", "published", "as_of", "select", "ignore", "accept", "text", "html"):
                    if name in form:
                        fields[name] = form[name] if name in _LIST_FIELDS else form[name][-1]
                url = fields.get("url") or None
                if fields.get("html"):
                    doc = document_from_bytes(fields["html"].encode("utf-8"), "<html>", kind="html", url=url)
                elif fields.get("text") is not None:
                    doc = _text_document(fields["text"], url)
                else:
                    raise ApiError(400, "missing_text",
                                   "表单缺少 text 字段；直接提交正文请设置 Content-Type: text/plain / The form has no "
                                   "'text' field; to send the article itself use Content-Type: text/plain")
            elif ctype == "multipart/form-data":
                parts = parse_multipart(body, self.headers.get("Content-Type", ""))
                for name in ("url", "published", "as_of", "select", "ignore", "accept", "text", "html"):
                    if name in parts:
                        values = [v.decode("utf-8", "replace") for _, v in parts[name]]
                        fields[name] = values if name in _LIST_FIELDS else values[-1]
                url = fields.get("url") or None
                if "file" in parts and parts["file"][-1][1]:
                    filename, data = parts["file"][-1]
                    name = Path((filename or "upload").replace("\\", "/")).name or "upload"
                    suffix = Path(name).suffix.lower()
                    if suffix in _UNSUPPORTED_SUFFIXES:
                        raise ApiError(415, "unsupported_file", _UNSUPPORTED_SUFFIXES[suffix])
                    doc = document_from_bytes(data, name, url=url)
                elif fields.get("html"):
                    doc = document_from_bytes(fields["html"].encode("utf-8"), "<html>", kind="html", url=url)
                elif fields.get("text") is not None:
                    doc = _text_document(fields["text"], url)
                else:
                    raise ApiError(400, "missing_text",
                                   "请上传文件（file 字段）或提供 text / Upload a 'file' field or send 'text'")
            elif ctype in ("text/plain", "text/html", "application/octet-stream") or ctype in _DOCX_TYPES:
                fields = dict(query)
                url = fields.get("url") or None
                kind = {"text/plain": "text", "text/html": "html"}.get(ctype)
                if ctype in _DOCX_TYPES:
                    kind = "docx"
                charset = self.headers.get_content_charset()
                if kind == "text" and charset and charset.lower() not in ("utf-8", "utf8"):
                    try:
                        doc = _text_document(body.decode(charset), url)
                    except (LookupError, UnicodeDecodeError):
                        doc = document_from_bytes(body, "<text>", kind="text", url=url)
                else:
                    doc = document_from_bytes(body, {"html": "<html>", "docx": "<upload.docx>"}.get(kind or "", "<text>"),
                                              kind=kind, url=url)
            else:
                raise ApiError(415, "unsupported_media_type",
                               f"不支持的内容类型 {ctype}；请用 application/json、multipart/form-data、text/plain、"
                               f"text/html 或 .docx / Unsupported Content-Type {ctype}")
        except QualityCheckError as exc:
            raise ApiError(400, "bad_input", f"无法读取输入：{exc} / Cannot read the input: {exc}") from None
        for name in ("url", "published", "as_of"):
            if name not in fields and name in query:
                fields[name] = query[name]
        published = _parse_date(fields.get("published"), "published")
        as_of = _parse_date(fields.get("as_of"), "as_of")
        select = _codes(fields.get("select", query.get("select")), "select")
        ignore = _codes(fields.get("ignore", query.get("ignore")), "ignore")
        accept = _browser_accept(fields.get("accept"))
        assert doc is not None
        if published is not None:
            doc.published = published
        if doc.url is None and fields.get("url"):
            doc.url = str(fields["url"])
        t_check = time.perf_counter()
        try:
            findings = srv.run_check(doc, select, ignore, as_of, accept)
        except ConfigError as exc:
            raise ApiError(400, "bad_option", f"选项无效：{exc} / Invalid option: {exc}") from None
        check_ms = (time.perf_counter() - t_check) * 1000
        # The same object as `check --format json` (qualitycheck/schemas/findings.schema.json),
        # with the checked text in the file entry so the spans can be placed.
        result = FileResult(source=doc.source, document=doc, findings=findings)
        payload = report_payload([result], include_text=True)
        payload["timing_ms"] = round((time.perf_counter() - started) * 1000, 1)
        payload["check_ms"] = round(check_ms, 1)
        self._send(200, _json(payload))


class _Answered(Exception):
    """The response was already sent."""


def _text_document(text: str, url: str | None) -> Document:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ApiError(400, "empty", "没有要检查的文字 / The text is empty")
    return Document(text=text, source="<text>", kind="text", url=url)


# -- entry points ----------------------------------------------------------------------------


def _resolve_config(config: Config | str | Path | None) -> Config:
    if isinstance(config, Config):
        return config
    if config is None:
        return Config.load(search_from=Path.cwd())
    return Config.load(config)


def _accept_path(config: Config, accept_file: str | Path | None) -> Path:
    """--accept-file if given, else the configured accept_file, else ./qualitycheck-accept.txt."""
    if accept_file:
        return Path(accept_file).expanduser().resolve()
    if config["accept_file"]:
        return config.resolve_path(config["accept_file"])
    return (Path.cwd() / DEFAULT_ACCEPT_FILE).resolve()


def make_server(host: str = "127.0.0.1", port: int = 8080, config: Config | str | Path | None = None,
                accept_file: str | Path | None = None, *, max_mb: float = DEFAULT_MAX_MB, warm: bool = True,
                quiet: bool = False, shared_accept: bool = False, token: str | None = None) -> QualityCheckServer:
    """Bind (port 0 picks a free one) and, unless ``warm=False``, load everything before returning.

    ``shared_accept=True`` lets the page's 忽略 write to the accept file for every user; otherwise
    each browser keeps its own accepted phrases and sends them with its checks.

    Run it with ``server.serve_forever()`` (in a thread if you like); ``server.url`` is its address.
    """
    cfg = _resolve_config(config)
    if max_mb <= 0:
        raise ConfigError("--max-mb 必须大于 0")
    server = QualityCheckServer((host, port), cfg, _accept_path(cfg, accept_file),
                                int(max_mb * 1024 * 1024), quiet=quiet, shared_accept=shared_accept, token=token)
    if warm:
        try:
            server.warm()
        except BaseException:
            server.server_close()
            raise
    return server


def serve(host: str = "127.0.0.1", port: int = 8080, config: Config | str | Path | None = None,
          accept_file: str | Path | None = None, *, max_mb: float = DEFAULT_MAX_MB, quiet: bool = False,
          shared_accept: bool = False, token: str | None = None) -> None:
    """Load the models, then answer requests until interrupted (Ctrl+C)."""
    t0 = time.perf_counter()
    server = make_server(host, port, config, accept_file, max_mb=max_mb, quiet=quiet, shared_accept=shared_accept,
                         token=token)
    typo = server.models.get("typo_model")
    typo_note = {True: "已加载", "disabled": "已关闭"}.get(typo) or ("未安装" if str(typo).startswith("missing") else str(typo))
    click.echo(f"qualitycheck {__version__}: 词典与模型已加载 ({time.perf_counter() - t0:.1f} s)；错别字模型：{typo_note}", err=True)
    click.echo(f"编辑页面 / editor page:  {server.url}", err=True)
    click.echo(f"接口 / API:              POST {server.url}v1/check   GET {server.url}v1/rules   GET {server.url}healthz", err=True)
    if server.shared_accept:
        click.echo(f"接受列表 / accept file:  {server.accept.path}（“忽略”写入此文件，对所有用户生效）", err=True)
    else:
        click.echo(f"接受列表 / accept file:  {server.accept.path}（只读；“忽略”只对各自的浏览器生效）", err=True)
    if token:
        click.echo(f"访问令牌 / token:       已启用；编辑页面请打开 {server.url}#token=…", err=True)
    click.echo("按 Ctrl+C 停止 / press Ctrl+C to stop", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 exposes the service to the network).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port (0 picks a free one).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="qualitycheck.toml or pyproject.toml to use (default: discovered upwards).")
@click.option("--accept-file", type=click.Path(dir_okay=False),
              help=f"Accept list read for every check, and written by 忽略 with --shared-accept (default: the "
                   f"configured accept_file, else ./{DEFAULT_ACCEPT_FILE}).")
@click.option("--shared-accept", is_flag=True,
              help="忽略 on the page adds the phrase to the accept file for every user of this server "
                   "(default: each browser keeps its own).")
@click.option("--max-mb", default=DEFAULT_MAX_MB, show_default=True, type=click.FloatRange(min=0.001),
              help="Largest request body accepted, in megabytes.")
@click.option("--no-lm", is_flag=True, help="Do not load or run the language-model typo engine (QC103).")
@click.option("--quiet", is_flag=True, help="Do not log each request.")
@click.option("--token-file", type=click.Path(exists=True, dir_okay=False),
              help="Require this token (the file's first line) on /v1/ requests; also $QUALITYCHECK_TOKEN.")
def serve_command(host: str, port: int, config_path: str | None, accept_file: str | None, shared_accept: bool,
                  max_mb: float, no_lm: bool, quiet: bool, token_file: str | None) -> None:
    """HTTP API (POST /v1/check) and the editors' page at http://HOST:PORT/."""
    try:
        config = Config.load(config_path) if config_path else Config.load(search_from=Path.cwd())
        if no_lm:
            config = config.with_overrides(typo={"language_model": False})
        token = os.environ.get("QUALITYCHECK_TOKEN") or None
        if token_file:
            lines = Path(token_file).read_text(encoding="utf-8").splitlines()
            token = lines[0].strip() if lines else ""
            if len(token) < 16:
                raise click.ClickException(f"{token_file}：令牌至少 16 个字符 / the token needs at least 16 characters")
        serve(host, port, config, accept_file, max_mb=max_mb, quiet=quiet, shared_accept=shared_accept, token=token)
    except QualityCheckError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        raise


if __name__ == "__main__":  # pragma: no cover - `python -m qualitycheck.integrations.server`
    serve_command()
