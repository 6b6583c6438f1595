"""Every command block of the README runs as written, in a fresh folder with the files it names.

The blocks are read from README.md itself, so an edited README is tested as edited. Names a reader
substitutes (article.txt, CRAWL_DIR, sites.csv ...) are made from the bundled examples; the one
public URL is replaced by the demo site served on 127.0.0.1 and port 8080 by a free port. What is
not run, and why, is listed in NOT_RUN; the Scrapy settings block runs in tests/test_crawl.py.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent

NOT_RUN = {
    "bash scripts/test.sh": "this is the test suite itself (.ci/run runs it)",
    "bash scripts/demo.sh": "creates .venv in the clone; its lint-site and check commands run below",
    ". .venv/bin/activate": "the test runs with the venv's bin/ first on PATH",
}


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def commands(block: str) -> list[str]:
    """The block's command lines: continuations joined, comments dropped."""
    out, pending = [], ""
    for line in block.splitlines():
        line = pending + line
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        code = line.split("  #", 1)[0].split(" # ", 1)[0].strip()
        if code:
            out.append(code)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _warc(path: Path) -> None:
    """crawl.warc.gz: the demo sites' pages as a crawler would have stored them."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for page in sorted((ROOT / "examples" / "site").glob("www.*/**/*.html")):
            host = page.relative_to(ROOT / "examples" / "site").parts[0]
            rel = page.relative_to(ROOT / "examples" / "site" / host).as_posix()
            url = f"http://{host}/" + ("" if rel == "index.html" else rel)
            resp = w.create_warc_record(url, "response", payload=io.BytesIO(page.read_bytes()), http_headers=
                                        StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                                         protocol="HTTP/1.1"))
            w.write_record(resp)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A folder holding every file the README's commands name."""
    from docx import Document as Docx

    work = tmp_path_factory.mktemp("readme")
    (work / "article.txt").write_text("关于做好年度工作的通知\n\n我们的的工作截止2024年底已完成。请登陆网站查看。\n",
                                      encoding="utf-8")
    shutil.copy(ROOT / "examples" / "notice.html", work / "page.html")
    doc = Docx()
    doc.add_paragraph("关于做好年度工作的通知")
    doc.add_paragraph("各单位：我们的的工作截止2024年底已完成，请及时登陆网站填报。")
    doc.save(work / "draft.docx")
    (work / "drafts").mkdir()
    shutil.copy(work / "article.txt", work / "drafts" / "a.txt")
    shutil.copytree(ROOT / "examples", work / "examples")
    shutil.copytree(ROOT / "examples" / "site", work / "CRAWL_DIR")
    shutil.copytree(ROOT / "examples" / "site", work / "q3" / "pages")
    shutil.copy(ROOT / "examples" / "registry.csv", work / "sites.csv")
    _warc(work / "crawl.warc.gz")
    return work


@pytest.fixture(scope="module")
def demo_site():
    root = ROOT / "examples" / "site" / "www.demo-a.gov.cn"
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def run(cmd: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(cmd, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def assert_ran(cmd: str, done: subprocess.CompletedProcess) -> None:
    # 0 clean, 1 findings; 2 would be a usage or input error, anything else a crash
    assert done.returncode in (0, 1), f"{cmd}\nexit {done.returncode}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr, f"{cmd}\n{done.stderr[-2000:]}"


def test_the_readme_has_the_blocks_this_test_knows():
    sh = [c for b in blocks("sh") for c in commands(b)]
    assert any(c.startswith("qualitycheck lint-site") for c in sh)
    assert any(c.startswith("qualitycheck serve") for c in sh)
    assert blocks("toml") and blocks("python")


def test_site_and_article_commands_run_as_written(workspace, demo_site):
    # --previous q2-report names an earlier run's output: make it the way the README says it is made
    assert_ran("lint-site (earlier quarter)", run("qualitycheck lint-site q3/pages --out q2-report", workspace))
    ran = 0
    for block in blocks("sh"):
        for cmd in commands(block):
            if cmd in NOT_RUN or cmd.startswith(("curl ", "python benchmarks/", "qualitycheck bench ")) or "serve" in cmd.split()[:2]:
                continue
            cmd = cmd.replace("https://www.example.gov.cn/ ", f"{demo_site} ")
            done = run(cmd, workspace)
            assert_ran(cmd, done)
            ran += 1
    assert ran >= 15
    # what the commands promised is there
    for out in ("report", "q3-report"):
        for name in ("report.html", "summary.json", "findings.jsonl", "findings.xlsx", "notice.docx", "annex.xlsx"):
            assert (workspace / out / name).is_file(), (out, name)
    assert (workspace / "qc.sarif").is_file()


def test_the_demo_script_runs_what_the_readme_says():
    demo = (ROOT / "scripts" / "demo.sh").read_text(encoding="utf-8")
    said = re.search(r"The demo runs `qualitycheck (lint-site [^`]+)`", README).group(1)
    assert said in " ".join(demo.split())  # and that command runs above, in the lint-site block's words


def test_serve_and_curl_run_as_written(workspace):
    port = _free_port()
    block = next(b for b in blocks("sh") if "qualitycheck serve" in b)
    serve_cmd, *curls = [c.replace("8080", str(port)) for c in commands(block)]
    serve_cmd = serve_cmd.replace("qualitycheck serve", f"qualitycheck serve --port {port}", 1) \
        if "--port" not in serve_cmd else serve_cmd
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    server = subprocess.Popen(shlex.split(serve_cmd), cwd=workspace, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            if run(f"curl -sf http://127.0.0.1:{port}/healthz", workspace).returncode == 0:
                break
            assert server.poll() is None, server.stderr.read()
            time.sleep(0.5)
        for cmd in curls:
            done = run(cmd + " -sS --fail-with-body", workspace)
            assert done.returncode == 0, (cmd, done.stdout, done.stderr)
            assert '"schema":"qualitycheck/findings@1"' in done.stdout and '"QC102"' in done.stdout, done.stdout
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_configuration_block_is_a_valid_configuration(workspace):
    cfg_dir = workspace / "configured"
    cfg_dir.mkdir()
    (cfg_dir / "qualitycheck.toml").write_text(blocks("toml")[0], encoding="utf-8")
    (cfg_dir / "accept.txt").write_text("登陆网站\n", encoding="utf-8")
    (cfg_dir / "our-rules.yaml").write_text(
        "family: local\ncode: QC290\nname: wording.local\nseverity: warning\ndescription: 本单位自定规则\n"
        "rules:\n  - id: LOCAL-001\n    wrong: [某某县政府办]\n    right: [某某县人民政府办公室]\n"
        "    message: 使用规范全称。\n    source: 本单位办公室规定\n"
        "    examples:\n      flag: [某某县政府办发布通知。]\n      pass: [某某县人民政府办公室发布通知。]\n",
        encoding="utf-8")
    (cfg_dir / "a.txt").write_text("某某县政府办发布通知，请登陆网站查看。\n", encoding="utf-8")
    shown = run("qualitycheck show-config", cfg_dir)
    assert_ran("show-config", shown)
    assert "QC203" in shown.stdout and "柳萍" in shown.stdout
    checked = run("qualitycheck check a.txt --format jsonl", cfg_dir)
    assert checked.returncode == 0, checked.stderr  # fail_on = "error": a warning does not fail
    assert '"LOCAL-001"' in checked.stdout  # the extra dictionary is read
    assert '"登陆"' not in checked.stdout  # the accept file is read


def test_the_python_block_runs(workspace):
    for block in blocks("python"):
        if "ITEM_PIPELINES" in block:  # the Scrapy settings: run in a real crawl by tests/test_crawl.py
            continue
        done = subprocess.run([sys.executable, "-c", block], cwd=workspace, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        assert "QC201" in done.stdout and "QC205" in done.stdout
