"""The HTTP service against 127.0.0.1 only: good requests, bad requests, the accept list."""

from __future__ import annotations

import http.client
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from qualitycheck.config import Config
from qualitycheck.integrations.server import make_server, serve_command

ARTICLE = "我们的的工作截止2024年底已完成。请登陆网站查看。"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    accept = tmp_path_factory.mktemp("accept") / "accept.txt"
    srv = make_server("127.0.0.1", 0, Config.default(), accept, quiet=True)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def fresh_server(tmp_path):
    """A server of its own (models are already warm in this process), for tests that change state."""
    servers = []

    def start(**kwargs):
        kwargs.setdefault("accept_file", tmp_path / "accept.txt")
        kwargs.setdefault("shared_accept", True)  # the tests below exercise the shared accept file
        kwargs.setdefault("config", Config.default())
        srv = make_server("127.0.0.1", 0, quiet=True, **kwargs)
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def request(srv, method, path, body=None, headers=None, conn=None):
    """(status, headers, parsed JSON or raw bytes)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", srv.server_address[1], timeout=30)
    if isinstance(body, (dict, list)):
        body = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json", **(headers or {})}
    elif isinstance(body, str):
        body = body.encode("utf-8")
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    if own:
        conn.close()
    if resp.getheader("Content-Type", "").startswith("application/json"):
        return resp.status, resp, json.loads(data.decode("utf-8"))
    return resp.status, resp, data


def check_json(srv, payload):
    status, _, data = request(srv, "POST", "/v1/check", payload)
    assert status == 200, data
    return data


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]):
    boundary = "----qcTestBoundary7MA4YWxkTrZu0gW"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode("utf-8") + b"\r\n")
    for name, (filename, data, ctype) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  f"Content-Type: {ctype}\r\n\r\n".encode("utf-8"))
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def codes(data) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in data["files"][0]["findings"]:
        out.setdefault(f["code"], []).append(f)
    return out


def assert_spans_match(data):
    """Every span is an offset into document.text and covers the finding's match."""
    text = data["files"][0]["text"]
    for f in data["files"][0]["findings"]:
        if f["span"]:
            assert text[f["span"]["start"]:f["span"]["end"]] == f["match"], f


def assert_error(status, data, expected_status, code=None):
    assert status == expected_status, data
    assert set(data) == {"error"} and data["error"]["message"], data
    assert "Traceback" not in data["error"]["message"]
    if code:
        assert data["error"]["code"] == code, data


# -- good requests -----------------------------------------------------------------------------


def test_healthz_reports_warm_models(server):
    status, _, data = request(server, "GET", "/healthz")
    assert status == 200
    assert data["status"] == "ok" and data["ready"] is True
    assert data["models"]["dictionaries"] is True
    assert data["models"]["segmenter"] is True
    assert data["models"]["typo_model"] is True  # the shipped model loads


def test_check_json_text(server):
    data = check_json(server, {"text": ARTICLE})
    assert data["schema"] == "qualitycheck/findings@1"
    entry = data["files"][0]
    assert {k: entry[k] for k in ("kind", "title", "published", "url", "error", "text")} == {
        "kind": "text", "title": None, "published": None, "url": None, "error": None, "text": ARTICLE}
    found = codes(data)
    repeated = found["QC102"][0]
    assert repeated["span"] == {"start": 3, "end": 4} and repeated["match"] == "的"
    assert repeated["severity"] == "error" and repeated["rule_source"]
    assert [f["match"] for f in found["QC205"]] == ["截止", "登陆"]
    assert found["QC205"][0]["suggestions"] == ["截至"]
    assert isinstance(data["timing_ms"], (int, float)) and data["timing_ms"] >= 0
    assert data["summary"]["findings"] == len(data["files"][0]["findings"])
    assert_spans_match(data)


def test_check_json_html_published_select(server):
    html = ("<html><head><title>关于开展检查的通知_某市人民政府</title></head><body>"
            "<h1>关于开展检查的通知</h1><div class='content'><p>发布时间：2019-03-01</p>"
            "<p>请各单位登陆系统填报。国家工商行政管理总局的文件继续有效的的。</p></div></body></html>")
    data = check_json(server, {"html": html, "url": "http://example.gov.cn/a.html", "select": ["QC2"]})
    doc = data["files"][0]
    assert doc["kind"] == "html" and doc["title"] == "关于开展检查的通知"
    assert doc["published"] == "2019-03-01" and doc["url"] == "http://example.gov.cn/a.html"
    found = codes(data)
    assert set(found) <= {"QC201", "QC202", "QC203", "QC204", "QC205", "QC206"}
    assert "QC201" in found and "QC205" in found
    assert_spans_match(data)
    # The same page published before the 2018 reform: the old agency name was right then.
    older = check_json(server, {"html": html, "published": "2017-06-01", "select": "QC201"})
    assert older["files"][0]["published"] == "2017-06-01"
    assert "QC201" not in codes(older)


def test_check_ignore_and_as_of(server):
    data = check_json(server, {"text": ARTICLE, "ignore": ["QC102"], "as_of": "2024-06-30"})
    assert "QC102" not in codes(data) and "QC205" in codes(data)


def test_check_multipart_docx(server, tmp_path):
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("关于做好年度工作的通知", style="Title")
    d.add_paragraph("各单位：")
    d.add_paragraph(ARTICLE)
    path = tmp_path / "通知.docx"
    d.save(path)
    body, headers = multipart({"published": "2024-12-01"},
                              {"file": ("通知.docx", path.read_bytes(),
                                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")})
    status, _, data = request(server, "POST", "/v1/check", body, headers)
    assert status == 200, data
    assert data["files"][0]["kind"] == "docx"
    assert data["files"][0]["title"] == "关于做好年度工作的通知"
    assert data["files"][0]["published"] == "2024-12-01"
    assert "QC102" in codes(data) and "QC205" in codes(data)
    assert all(f["source"] == "通知.docx" for f in data["files"][0]["findings"])
    assert_spans_match(data)


def test_check_multipart_gbk_text_file_and_text_field(server):
    body, headers = multipart({}, {"file": ("article.txt", ARTICLE.encode("gbk"), "text/plain")})
    status, _, data = request(server, "POST", "/v1/check", body, headers)
    assert status == 200, data
    assert data["files"][0]["text"] == ARTICLE
    body, headers = multipart({"text": ARTICLE, "select": "QC1"}, {})
    status, _, data = request(server, "POST", "/v1/check", body, headers)
    assert status == 200 and set(codes(data)) <= {"QC101", "QC102", "QC103"} and "QC102" in codes(data)


def test_check_raw_bodies(server):
    status, _, data = request(server, "POST", "/v1/check", ARTICLE.encode("utf-8"),
                              {"Content-Type": "text/plain; charset=utf-8"})
    assert status == 200 and data["files"][0]["text"] == ARTICLE
    # GBK bytes with no charset: detected, not assumed.
    status, _, data = request(server, "POST", "/v1/check?published=2024-01-02", ARTICLE.encode("gbk"),
                              {"Content-Type": "text/plain"})
    assert status == 200 and data["files"][0]["text"] == ARTICLE
    assert data["files"][0]["published"] == "2024-01-02"
    status, _, data = request(server, "POST", "/v1/check", ARTICLE.encode("gb18030"),
                              {"Content-Type": "text/plain; charset=GB18030"})
    assert status == 200 and data["files"][0]["text"] == ARTICLE
    html = f"<html><body><div class='content'><p>{ARTICLE}</p></div></body></html>"
    status, _, data = request(server, "POST", "/v1/check", html.encode("utf-8"), {"Content-Type": "text/html"})
    assert status == 200 and data["files"][0]["kind"] == "html" and "QC102" in codes(data)


def test_check_form_and_untyped_bodies(server):
    from urllib.parse import urlencode

    form = urlencode({"text": ARTICLE, "select": "QC1"}).encode()
    status, _, data = request(server, "POST", "/v1/check", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and data["files"][0]["text"] == ARTICLE and set(codes(data)) <= {"QC101", "QC102", "QC103"}
    # curl --data-binary @article.txt sends the form type: a clear hint, not a crash.
    status, _, data = request(server, "POST", "/v1/check", ARTICLE, {"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(status, data, 400, "missing_text")
    assert "text/plain" in data["error"]["message"]
    status, _, data = request(server, "POST", "/v1/check", ARTICLE.encode("gbk"))  # no Content-Type: sniffed
    assert status == 200 and data["files"][0]["text"] == ARTICLE


def test_offsets_count_code_points(server):
    text = "𠮷𡈽山村我们的的工作"  # two characters outside the BMP before the finding
    data = check_json(server, {"text": text, "select": ["QC102"]})
    f = codes(data)["QC102"][0]
    assert f["span"] == {"start": 7, "end": 8}
    assert_spans_match(data)


def test_rules_endpoint(server):
    status, _, data = request(server, "GET", "/v1/rules")
    assert status == 200
    by_code = {r["code"]: r for r in data["rules"]}
    assert {"QC101", "QC102", "QC205"} <= set(by_code)
    assert by_code["QC102"]["severity"] == "error"
    assert any(e["right"] == ["截至"] for e in by_code["QC205"]["entries"])


def test_editor_page_is_self_contained(server):
    status, resp, page = request(server, "GET", "/")
    assert status == 200 and resp.getheader("Content-Type").startswith("text/html")
    csp = resp.getheader("Content-Security-Policy")
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp
    html = page.decode("utf-8")
    assert "检查" in html and "复制全文" in html and "忽略" in html
    lowered = html.lower()
    for external in ('src="http', "src='http", 'href="http', "href='http", "@import", "url(http", "//cdn"):
        assert external not in lowered
    status, _, _ = request(server, "HEAD", "/")
    assert status == 200


def test_keep_alive_survives_a_bad_request(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    try:
        status, _, _ = request(server, "POST", "/v1/check", b"{not json", {"Content-Type": "application/json"}, conn)
        assert status == 400
        status, _, data = request(server, "POST", "/v1/check", {"text": ARTICLE}, conn=conn)
        assert status == 200 and "QC102" in codes(data)
        status, _, _ = request(server, "GET", "/healthz", conn=conn)
        assert status == 200
    finally:
        conn.close()


def test_concurrent_requests(server):
    texts = [f"第{i}条：我们的的工作截止2024年底已完成。" for i in range(12)]

    def one(text):
        return check_json(server, {"text": text, "select": ["QC1", "QC2"]})

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(one, texts))
    for text, data in zip(texts, results):
        assert data["files"][0]["text"] == text
        assert "QC102" in codes(data) and "QC205" in codes(data)
        assert_spans_match(data)


# -- bad requests --------------------------------------------------------------------------------


@pytest.mark.parametrize("body, code", [
    (b"{not json", "bad_json"),
    (b"[1, 2]", "bad_json"),
    (b"\xff\xfe\x00junk", "bad_json"),
    (b"", "empty"),
    (b'{"url": "http://x.gov.cn/"}', "missing_text"),
    (b'{"text": "   \\n  "}', "empty"),
    (b'{"text": 42}', "bad_field"),
    (b'{"text": "a", "html": "<p>a</p>"}', "ambiguous"),
    ('{"text": "截止2024年", "published": "2024-13-01"}'.encode(), "bad_date"),
    ('{"text": "截止2024年", "as_of": "yesterday"}'.encode(), "bad_date"),
    ('{"text": "截止2024年", "select": [1, 2]}'.encode(), "bad_field"),
    (b"[" * 100_000 + b"]" * 100_000, "bad_json"),  # past the JSON parser's recursion limit
])
def test_bad_json_requests(server, body, code):
    status, _, data = request(server, "POST", "/v1/check", body, {"Content-Type": "application/json"})
    assert_error(status, data, 400, code)


def test_bad_inputs_give_the_input_error(server):
    junk = bytes(range(256)) * 40
    status, _, data = request(server, "POST", "/v1/check", junk, {"Content-Type": "text/plain"})
    assert_error(status, data, 400, "bad_input")
    body, headers = multipart({}, {"file": ("scan.txt", junk, "text/plain")})
    status, _, data = request(server, "POST", "/v1/check", body, headers)
    assert_error(status, data, 400, "bad_input")
    assert "scan.txt" in data["error"]["message"]
    body, headers = multipart({}, {"file": ("broken.docx", b"PK\x03\x04" + junk, "application/octet-stream")})
    status, _, data = request(server, "POST", "/v1/check", body, headers)
    assert_error(status, data, 400, "bad_input")
    assert ".docx" in data["error"]["message"]
    body, headers = multipart({}, {"file": ("empty.txt", b"  \n ", "text/plain")})
    status, _, data = request(server, "POST", "/v1/check", body, headers)
    assert_error(status, data, 400, "bad_input")
    body, headers = multipart({"published": "2024-01-01"}, {})
    status, _, data = request(server, "POST", "/v1/check", body, headers)
    assert_error(status, data, 400, "missing_text")
    status, _, data = request(server, "POST", "/v1/check", b"--x\r\nno end",
                              {"Content-Type": "multipart/form-data; boundary=x"})
    assert_error(status, data, 400, "bad_multipart")
    status, _, data = request(server, "POST", "/v1/check", b"abc", {"Content-Type": "multipart/form-data"})
    assert_error(status, data, 400, "bad_multipart")


def test_unsupported_types(server):
    status, _, data = request(server, "POST", "/v1/check", b"\x89PNG\r\n", {"Content-Type": "image/png"})
    assert_error(status, data, 415, "unsupported_media_type")
    status, _, data = request(server, "POST", "/v1/check", "截止2024年", {"Content-Type": "application/xml"})
    assert_error(status, data, 415)
    body, headers = multipart({}, {"file": ("old.doc", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "application/msword")})
    status, _, data = request(server, "POST", "/v1/check", body, headers)
    assert_error(status, data, 415, "unsupported_file")
    assert ".docx" in data["error"]["message"]


def test_size_limit(server):
    limit = server.max_bytes
    big = ("截止2024年底" * (limit // 10)).encode("utf-8")[: limit + 10]
    status, _, data = request(server, "POST", "/v1/check", big, {"Content-Type": "text/plain"})
    assert_error(status, data, 413, "too_large")
    assert "MB" in data["error"]["message"]
    # With Expect: 100-continue the answer comes before the body is sent.
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as sock:
        sock.sendall(f"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                     f"Content-Length: {limit * 100}\r\nExpect: 100-continue\r\n\r\n".encode())
        reply = b""
        while chunk := sock.recv(65536):  # the server answers and closes without reading the body
            reply += chunk
    reply = reply.decode("utf-8", "replace")
    assert reply.startswith("HTTP/1.1 413") and "too_large" in reply
    # Chunked bodies are read, up to the same limit.
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    conn.request("POST", "/v1/check", body=iter([ARTICLE[:10].encode(), ARTICLE[10:].encode()]),
                 headers={"Content-Type": "text/plain"}, encode_chunked=True)
    resp = conn.getresponse()
    data = json.loads(resp.read())
    assert resp.status == 200 and data["files"][0]["text"] == ARTICLE
    conn.request("POST", "/v1/check", body=iter([big[: limit // 2], big[limit // 2:]]),
                 headers={"Content-Type": "text/plain"}, encode_chunked=True)
    resp = conn.getresponse()
    assert_error(resp.status, json.loads(resp.read()), 413, "too_large")
    conn.close()
    # Neither Content-Length nor chunked: 411.
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as sock:
        sock.sendall(b"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 411") and json.loads(body)["error"]["code"] == "length_required"


def test_small_configurable_limit(fresh_server):
    srv = fresh_server(max_mb=0.001)
    status, _, data = request(srv, "POST", "/v1/check", {"text": "截止2024年" * 200})
    assert_error(status, data, 413, "too_large")
    status, _, data = request(srv, "POST", "/v1/check", {"text": "截止2024年"})
    assert status == 200


def test_wrong_method_and_unknown_path(server):
    status, resp, data = request(server, "GET", "/v1/check")
    assert_error(status, data, 405, "method_not_allowed")
    assert resp.getheader("Allow") == "POST"
    status, _, data = request(server, "DELETE", "/")
    assert_error(status, data, 405)
    status, _, data = request(server, "PUT", "/v1/rules", b"x", {"Content-Type": "text/plain"})
    assert_error(status, data, 405)
    status, _, data = request(server, "GET", "/v2/check")
    assert_error(status, data, 404, "not_found")
    status, _, data = request(server, "POST", "/admin", b"{}", {"Content-Type": "application/json"})
    assert_error(status, data, 404)


def test_protocol_garbage_gets_json_and_server_lives(server):
    for raw in (b"NONSENSE\r\n\r\n", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00"):
        with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as sock:
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        if reply:
            head, _, body = reply.partition(b"\r\n\r\n")
            assert head.split()[1][:1] == b"4", head
            assert json.loads(body)["error"]["message"]
    status, _, data = request(server, "GET", "/healthz")
    assert status == 200 and data["ready"]


# -- the accept list --------------------------------------------------------------------------


def test_ignore_is_per_browser_unless_the_server_shares_its_accept_file(fresh_server, tmp_path):
    srv = fresh_server(shared_accept=False)
    assert request(srv, "GET", "/healthz")[2]["accept_mode"] == "browser"
    status, _, data = request(srv, "POST", "/v1/accept", {"phrase": "登陆网站"})
    assert_error(status, data, 403, "accept_not_shared")
    assert "--shared-accept" in data["error"]["message"]
    assert not (tmp_path / "accept.txt").exists()
    # A browser's own accepted phrases apply to its request only.
    mine = check_json(srv, {"text": ARTICLE, "accept": ["登陆网站"]})
    assert [f["match"] for f in codes(mine)["QC205"]] == ["截止"]
    others = check_json(srv, {"text": ARTICLE})
    assert [f["match"] for f in codes(others)["QC205"]] == ["截止", "登陆"]
    body, headers = multipart({"text": ARTICLE, "accept": "登陆网站"}, {})
    status, _, form = request(srv, "POST", "/v1/check", body, headers)
    assert status == 200 and [f["match"] for f in codes(form)["QC205"]] == ["截止"]


@pytest.mark.parametrize("accept", [["的"], ["登陆\n网站"], "登", [1], {"a": 1}, ["甲乙"] * 2001])
def test_browser_accept_lists_are_validated(server, accept):
    status, _, data = request(server, "POST", "/v1/check", {"text": ARTICLE, "accept": accept})
    assert_error(status, data, 400)


def test_accept_list_round_trip(fresh_server, tmp_path):
    accept_file = tmp_path / "lists" / "accept.txt"
    srv = fresh_server(accept_file=accept_file)
    text = "请登陆网站查看。截止2024年底已完成。"
    assert "QC205" in codes(check_json(srv, {"text": text}))
    status, _, data = request(srv, "POST", "/v1/accept", {"phrase": " 登陆网站 "})
    assert status == 200 and data == {"phrase": "登陆网站", "added": True, "accept_file": str(accept_file)}
    status, _, data = request(srv, "POST", "/v1/accept", {"phrase": "登陆网站"})
    assert status == 200 and data["added"] is False
    assert accept_file.read_text(encoding="utf-8") == "登陆网站\n"
    matches = [f["match"] for f in codes(check_json(srv, {"text": text}))["QC205"]]
    assert matches == ["截止"]  # 登陆 is inside an accepted phrase now
    status, _, data = request(srv, "GET", "/v1/accept")
    assert status == 200 and "登陆网站" in data["phrases"]
    # Hand edits to the file are picked up too.
    with accept_file.open("a", encoding="utf-8") as fh:
        fh.write("# a comment\n截止2024年底\n")
    assert "QC205" not in codes(check_json(srv, {"text": text}))


@pytest.mark.parametrize("payload", [
    {"phrase": ""}, {"phrase": "   "}, {"phrase": "的"}, {"phrase": "两行\n文字"}, {"phrase": "长" * 51},
    {"phrase": "#注释"}, {"phrase": 12}, {}, {"word": "登陆网站"},
])
def test_accept_rejects_bad_phrases(fresh_server, tmp_path, payload):
    srv = fresh_server()
    status, _, data = request(srv, "POST", "/v1/accept", payload)
    assert_error(status, data, 400, "bad_phrase")
    assert not (tmp_path / "accept.txt").exists()


def test_accept_needs_json(fresh_server):
    srv = fresh_server()
    status, _, data = request(srv, "POST", "/v1/accept", "phrase=登陆网站",
                              {"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(status, data, 415)


def test_concurrent_accepts_write_every_phrase_once(fresh_server, tmp_path):
    srv = fresh_server()
    phrases = [f"地名{i:02d}号" for i in range(20)] * 2

    def add(p):
        return request(srv, "POST", "/v1/accept", {"phrase": p})[0]

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(add, phrases)) == {200}
    lines = (tmp_path / "accept.txt").read_text(encoding="utf-8").splitlines()
    assert sorted(lines) == sorted(set(phrases))


def test_configured_accept_file_is_used(fresh_server, tmp_path):
    (tmp_path / "words.txt").write_text("登陆网站\n", encoding="utf-8")
    cfg_path = tmp_path / "qualitycheck.toml"
    cfg_path.write_text('accept_file = "words.txt"\n', encoding="utf-8")
    srv = fresh_server(config=Config.load(cfg_path), accept_file=None)
    assert srv.accept.path == (tmp_path / "words.txt").resolve()
    assert [f["match"] for f in codes(check_json(srv, {"text": "请登陆网站查看。截止2024年底。"}))["QC205"]] == ["截止"]
    request(srv, "POST", "/v1/accept", {"phrase": "截止2024年底"})
    assert (tmp_path / "words.txt").read_text(encoding="utf-8") == "登陆网站\n截止2024年底\n"


# -- the command -------------------------------------------------------------------------------


def test_serve_command_help():
    from click.testing import CliRunner

    result = CliRunner().invoke(serve_command, ["--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--config", "--accept-file", "--max-mb"):
        assert option in result.output


def test_serve_command_reports_a_busy_port(tmp_path):
    from click.testing import CliRunner

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(serve_command, ["--port", str(port), "--no-lm", "--accept-file",
                                                    str(tmp_path / "a.txt")])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(serve_command, ["--config", str(tmp_path / "missing.toml")])
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_serve_in_a_subprocess(tmp_path):
    """What the README does: start the service, wait for ready, check, stop."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "qualitycheck.integrations.server", "--port", "0", "--quiet",
         "--accept-file", str(tmp_path / "accept.txt")],
        cwd=tmp_path, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, text=True,
    )
    try:
        url = None
        deadline = time.time() + 120
        while time.time() < deadline and url is None:
            line = proc.stderr.readline()
            if not line:
                break
            if "http://127.0.0.1:" in line and "editor page" in line:
                url = line.split()[-1]
        assert url, "the server did not print its address"
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/healthz")
        assert json.loads(conn.getresponse().read())["ready"] is True
        conn.request("POST", "/v1/check", body=json.dumps({"text": ARTICLE}), headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        assert resp.status == 200 and "QC102" in codes(json.loads(resp.read()))
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# -- who may ask: Host, Origin, token (DNS rebinding, cross-site POSTs) ------------------------


def test_a_foreign_host_name_is_refused_and_allowed_names_answer(fresh_server):
    srv = fresh_server(config=Config.default().with_overrides(serve={"allowed_hosts": ["qc.example.gov.cn"]}))
    port = srv.server_address[1]
    for host in ("attacker.example", f"attacker.example:{port}", "127.0.0.1.attacker.example"):
        status, _, data = request(srv, "GET", "/v1/rules", headers={"Host": host})
        assert_error(status, data, 421, "host_not_allowed")
        status, _, data = request(srv, "POST", "/v1/accept", {"phrase": "登陆网站"}, headers={"Host": host})
        assert_error(status, data, 421, "host_not_allowed")
    assert not srv.accept.path.exists()
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "qc.example.gov.cn", f"[::1]:{port}"):
        status, _, _ = request(srv, "GET", "/v1/rules", headers={"Host": host})
        assert status == 200, host


def test_cross_origin_posts_are_refused(fresh_server):
    srv = fresh_server(config=Config.default().with_overrides(serve={"allowed_origins": ["https://cms.example.gov.cn"]}))
    own = f"http://127.0.0.1:{srv.server_address[1]}"
    for origin in ("http://attacker.example", "null", own.replace("127.0.0.1", "localhost")):
        status, _, data = request(srv, "POST", "/v1/accept", {"phrase": "登陆网站"}, headers={"Origin": origin})
        assert_error(status, data, 403, "origin_not_allowed")
        status, _, data = request(srv, "POST", "/v1/check", {"text": ARTICLE}, headers={"Origin": origin})
        assert_error(status, data, 403, "origin_not_allowed")
    assert not srv.accept.path.exists()
    for origin in (own, "https://cms.example.gov.cn"):
        status, _, _ = request(srv, "POST", "/v1/check", {"text": ARTICLE}, headers={"Origin": origin})
        assert status == 200, origin
    status, _, _ = request(srv, "POST", "/v1/accept", {"phrase": "登陆网站"}, headers={"Origin": own})
    assert status == 200 and srv.accept.path.read_text(encoding="utf-8") == "登陆网站\n"


def test_a_token_when_configured_is_required_on_the_api(fresh_server):
    token = "s3cret-token-0123456789"
    srv = fresh_server(token=token)
    status, _, data = request(srv, "POST", "/v1/check", {"text": ARTICLE})
    assert_error(status, data, 401, "token_required")
    status, _, data = request(srv, "POST", "/v1/check", {"text": ARTICLE}, headers={"Authorization": "Bearer wrong"})
    assert_error(status, data, 401, "token_required")
    for headers in ({"Authorization": f"Bearer {token}"}, {"X-Qualitycheck-Token": token}):
        status, _, _ = request(srv, "POST", "/v1/check", {"text": ARTICLE}, headers=headers)
        assert status == 200
    assert request(srv, "GET", "/")[0] == 200 and request(srv, "GET", "/healthz")[0] == 200


@pytest.mark.parametrize("phrase", ["的\u2028了", "登陆\u2029网站", "登陆\x85网站", "登陆\u200b网站", "登陆\x0b网站"])
def test_accept_refuses_separators_and_invisible_characters(fresh_server, phrase):
    srv = fresh_server()
    status, _, data = request(srv, "POST", "/v1/accept", {"phrase": phrase})
    assert_error(status, data, 400, "bad_phrase")
    status, _, data = request(srv, "POST", "/v1/check", {"text": ARTICLE, "accept": [phrase]})
    assert_error(status, data, 400)
    assert not srv.accept.path.exists()


def test_accept_file_lines_split_on_newlines_only_and_phrases_are_nfc(fresh_server, tmp_path):
    accept_file = tmp_path / "hand-edited.txt"
    accept_file.write_text("的\u2028了\u2028登陆网站\n截止\r\n了\nCafe\u0301 menu\n", encoding="utf-8")
    srv = fresh_server(accept_file=accept_file)
    status, _, data = request(srv, "GET", "/v1/accept")
    assert status == 200
    assert set(data["phrases"]) == {"截止", "Café menu"}  # no one-character entries; the U+2028 line refused
    found = codes(check_json(srv, {"text": "我们的的工作截止2024年底已完成。"}))
    assert "QC102" in found  # 的 was not silenced by the line U+2028 would have split off


def test_stalled_connections_do_not_stop_the_service(fresh_server):
    """Slowloris: connections that send half a request and stall; a burst of new connections
    arriving at once is still answered."""
    import socket

    srv = fresh_server()
    port = srv.server_address[1]
    stalled = []
    try:
        for _ in range(60):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"POST /v1/check HTT")
            stalled.append(s)
        results = []

        def one():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", "/healthz")
                results.append(conn.getresponse().status)
            except OSError as exc:
                results.append(type(exc).__name__)
            finally:
                conn.close()

        burst = [threading.Thread(target=one) for _ in range(40)]
        for t in burst:
            t.start()
        for t in burst:
            t.join()
        assert results == [200] * 40  # (their latency is in benchmarks/server_load.py)
        assert check_json(srv, {"text": ARTICLE})["files"][0]["findings"]
    finally:
        for s in stalled:
            s.close()
