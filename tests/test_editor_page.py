"""The editors' page in a real headless Chromium (Debian's /usr/bin/chromium + chromedriver, via selenium).

Everything stays on 127.0.0.1: the page is served by a test server started here, and the
browser runs with background networking, sync and component updates off. Skipped, with the
reason, only when chromium, chromedriver or selenium is missing (CI installs them).

``QC_SCREENSHOT=docs/editor-page.png pytest tests/test_editor_page.py -k screenshot`` saves
the screenshot used in the docs.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from qualitycheck.config import Config
from qualitycheck.integrations.server import make_server

from browser import start_chromium  # noqa: E402  (skips this module without a browser)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TITLE = "关于做好2024年度政府网站内容保障工作的通知"
ARTICLE = (
    f"{TITLE}\n\n"
    "𠮷𡈽村民委员会、各乡镇人民政府：\n"  # two characters outside the BMP: offsets are code points
    "我们的的工作截止2024年底已全部完成。\n"
    "请各单位及时登陆网站填报，并参照国家工商行政管理总局的有关规定执行。\n"
)
POSITIONS_JS = """
const doc = document.getElementById('qc-doc');
return Array.from(doc.querySelectorAll('mark.qc-hl')).map(m => {
  const r = document.createRange(); r.setStart(doc, 0); r.setEndBefore(m);
  return {code: m.dataset.code, text: m.textContent, start: Array.from(r.toString()).length, fid: m.dataset.fid};
});
"""


def cp_index(text: str, needle: str, start: int = 0) -> int:
    """Offset in code points (Python str indices), as the API reports spans."""
    i = text.index(needle, start)
    assert i >= 0
    return i


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    accept = tmp_path_factory.mktemp("accept") / "accept.txt"
    srv = make_server("127.0.0.1", 0, Config.default(), accept, quiet=True)
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    driver = start_chromium(profile)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def check_over_http(server, text):
    """What another user (no browser state) gets for the same text."""
    import http.client
    import json

    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    conn.request("POST", "/v1/check", body=json.dumps({"text": text}).encode("utf-8"),
                 headers={"Content-Type": "application/json"})
    data = json.loads(conn.getresponse().read().decode("utf-8"))
    conn.close()
    return data


def wait(driver, predicate, timeout=20):
    return WebDriverWait(driver, timeout).until(lambda d: predicate(d))


def open_page(driver, server):
    driver.get(server.url)
    wait(driver, lambda d: "服务就绪" in d.find_element(By.ID, "qc-status").text)


def paste_and_check(driver, text, *, keyboard=True):
    box = driver.find_element(By.ID, "qc-input")
    # chromedriver cannot type characters outside the BMP, so the paste itself goes through JS.
    driver.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));", box, text)
    if keyboard:
        box.send_keys(Keys.CONTROL, Keys.ENTER)
    else:
        driver.find_element(By.ID, "qc-check").click()
    wait(driver, lambda d: d.find_element(By.ID, "qc-doc").is_displayed())


def marks(driver, code=None):
    found = driver.execute_script(POSITIONS_JS)
    return [m for m in found if code is None or m["code"] == code]


def card(driver, code, match):
    for c in driver.find_elements(By.CSS_SELECTOR, f'#qc-list .finding[data-code="{code}"]:not(.done)'):
        ctx = c.find_elements(By.CSS_SELECTOR, ".ctx em")
        if ctx and ctx[0].text == match:
            return c
    raise AssertionError(f"no open {code} card for {match!r}")


def title_text(driver) -> str:
    """The headline as rendered (highlights split it into several pieces)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#qc-doc .qc-title')).map(n => n.textContent).join('');")


def editor_text(driver) -> str:
    return driver.execute_script("return window.qualitycheckEditor.text();")


def clear_toast(driver) -> None:
    driver.execute_script("document.getElementById('qc-toast').textContent = '';")


def toast(driver) -> str:
    """The message of the toast shown after the last clear_toast()."""
    return wait(driver, lambda d: d.find_element(By.ID, "qc-toast").get_attribute("textContent") or False)


def test_highlights_accept_ignore_copy(browser, server):
    d = browser
    open_page(d, server)
    paste_and_check(d, ARTICLE)

    # The rendered text is the checked text, and each finding sits on the right characters.
    assert d.find_element(By.ID, "qc-doc").get_attribute("textContent") == ARTICLE
    rep = [m for m in marks(d, "QC102") if m["text"] == "的"]
    assert [m["start"] for m in rep] == [cp_index(ARTICLE, "的的") + 1]
    wording = {(m["text"], m["start"]) for m in marks(d, "QC205")}
    assert ("截止", cp_index(ARTICLE, "截止")) in wording
    assert ("登陆", cp_index(ARTICLE, "登陆")) in wording
    agency = [m for m in marks(d, "QC201")]
    assert [(m["text"], m["start"]) for m in agency] == [("国家工商行政管理总局", cp_index(ARTICLE, "国家工商"))]
    counts = d.find_element(By.ID, "qc-counts").text
    assert "错误" in counts and "警告" in counts
    errors = int(d.find_element(By.CSS_SELECTOR, '#qc-counts .count[data-sev="error"] b').text)
    assert errors >= 1
    # Each card says what, why (依据) and offers the fix.
    c = card(d, "QC205", "截止")
    assert "依据" in c.text and "截至" in c.text

    # 接受 on the doubled 的 deletes it; the later highlights move with the text.
    clear_toast(d)
    card(d, "QC102", "的").find_element(By.CSS_SELECTOR, "button.qc-accept").click()
    text = ARTICLE.replace("的的", "的", 1)
    assert editor_text(d) == text
    assert "已删除" in toast(d)
    assert [(m["text"], m["start"]) for m in marks(d, "QC201")] == [("国家工商行政管理总局", cp_index(text, "国家工商"))]
    assert ("截止", cp_index(text, "截止")) in {(m["text"], m["start"]) for m in marks(d, "QC205")}
    assert d.find_element(By.ID, "qc-doc").get_attribute("textContent") == text

    # 接受 with the mouse on 截止 → 截至.
    card(d, "QC205", "截止").find_element(By.CSS_SELECTOR, "button.qc-accept").click()
    text = text.replace("截止2024", "截至2024")
    assert editor_text(d) == text
    assert d.find_elements(By.CSS_SELECTOR, "#qc-doc span.qc-fixed")

    # Keyboard: focus the 登陆 card and press Enter.
    target = card(d, "QC205", "登陆")
    target.click()
    target.send_keys(Keys.ENTER)
    text = text.replace("登陆网站", "登录网站")
    wait(d, lambda _: editor_text(d) == text)

    # 忽略 is this browser's own: kept in localStorage and sent with its checks; the server's
    # accept file is not touched, so other users still see the finding.
    clear_toast(d)
    card(d, "QC201", "国家工商行政管理总局").find_element(By.CSS_SELECTOR, "button.qc-ignore").click()
    assert "本浏览器" in toast(d)
    wait(d, lambda _: not marks(d, "QC201"))
    assert not server.accept.path.exists()
    assert d.execute_script("return JSON.parse(localStorage.getItem('qualitycheck.accept.v1'))") == ["国家工商行政管理总局"]
    assert "已忽略 1 个短语" in d.find_element(By.ID, "qc-accept-note").text
    assert editor_text(d) == text  # ignoring changes nothing in the text
    other_user = check_over_http(server, text)
    assert "QC201" in {f["code"] for f in other_user["files"][0]["findings"]}

    # 重新检查 sends the corrected text: the fixed and ignored findings are gone.
    before = d.find_element(By.ID, "qc-timing").text
    d.execute_script("document.getElementById('qc-timing').textContent = '';")
    d.find_element(By.ID, "qc-recheck").click()
    wait(d, lambda _: d.find_element(By.ID, "qc-timing").text)
    assert before
    codes_now = {m["code"] for m in marks(d)}
    assert not codes_now & {"QC102", "QC201", "QC205"}, marks(d)
    assert d.find_element(By.ID, "qc-doc").get_attribute("textContent") == text

    # 复制全文
    clear_toast(d)
    d.find_element(By.ID, "qc-copy").click()
    assert "已复制全文" in toast(d)
    d.execute_cdp_cmd("Browser.grantPermissions", {"origin": server.url.rstrip("/"),
                                                   "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    clipboard = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done, e => done('ERROR ' + e));")
    assert clipboard == text

    # 返回修改 puts the corrected text back in the box.
    d.find_element(By.ID, "qc-edit").click()
    assert d.find_element(By.ID, "qc-input").get_attribute("value") == text

    # The page loaded nothing from anywhere but this server.
    resources = d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    origin = server.url.rstrip("/")
    assert resources and all(r.startswith(origin) for r in resources), resources
    d.execute_script("localStorage.clear()")  # the next tests start as a new user


def test_ignore_on_a_shared_accept_server_writes_the_accept_file(browser, tmp_path):
    shared = make_server("127.0.0.1", 0, Config.default(), tmp_path / "shared.txt", quiet=True, shared_accept=True)
    threading.Thread(target=shared.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        d = browser
        d.get(shared.url)
        d.execute_script("localStorage.clear()")
        open_page(d, shared)
        wait(d, lambda _: "对所有用户生效" in d.find_element(By.ID, "qc-accept-note").text)
        paste_and_check(d, ARTICLE)
        clear_toast(d)
        card(d, "QC201", "国家工商行政管理总局").find_element(By.CSS_SELECTOR, "button.qc-ignore").click()
        assert "共用接受列表" in toast(d)
        wait(d, lambda _: not marks(d, "QC201"))
        assert "国家工商行政管理总局" in (tmp_path / "shared.txt").read_text(encoding="utf-8").splitlines()
        everyone = check_over_http(shared, ARTICLE)
        assert "QC201" not in {f["code"] for f in everyone["files"][0]["findings"]}
    finally:
        shared.shutdown()
        shared.server_close()


def test_a_server_with_a_token_works_from_the_page_opened_with_it(browser, tmp_path):
    token = "editor-token-0123456789"
    guarded = make_server("127.0.0.1", 0, Config.default(), tmp_path / "a.txt", quiet=True, token=token)
    threading.Thread(target=guarded.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        d = browser
        d.get(guarded.url + "#token=" + token)
        wait(d, lambda _: "服务就绪" in d.find_element(By.ID, "qc-status").text)
        paste_and_check(d, ARTICLE)
        wait(d, lambda _: marks(d, "QC201"))
        d.get("about:blank")
        d.get(guarded.url)  # without the token: the page says so instead of checking
        paste_and_check_fails = d.find_element(By.ID, "qc-input")
        d.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));",
                         paste_and_check_fails, ARTICLE)
        d.find_element(By.ID, "qc-check").click()
        wait(d, lambda _: "令牌" in d.find_element(By.ID, "qc-error").text)
    finally:
        guarded.shutdown()
        guarded.server_close()


def test_keyboard_navigation(browser, server):
    d = browser
    open_page(d, server)
    paste_and_check(d, "我们的的工作截止2024年底已完成，请登陆网站查看。", keyboard=False)
    body = d.find_element(By.TAG_NAME, "body")
    first = d.execute_script("return window.qualitycheckEditor.state.selected")
    assert first is not None
    body.send_keys("j")
    second = d.execute_script("return window.qualitycheckEditor.state.selected")
    assert second != first
    body.send_keys("k")
    assert d.execute_script("return window.qualitycheckEditor.state.selected") == first
    body.send_keys("e")
    assert d.find_element(By.ID, "qc-input").is_displayed()


def test_upload_docx(browser, server, tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph(TITLE, style="Title")
    document.add_paragraph("我们的的工作截止2024年底已全部完成。")
    path = tmp_path / "通知.docx"
    document.save(path)
    d = browser
    open_page(d, server)
    d.find_element(By.ID, "qc-file").send_keys(str(path))
    wait(d, lambda _: d.find_element(By.ID, "qc-doc").is_displayed())
    assert "通知.docx" in d.find_element(By.ID, "qc-docmeta").text
    assert title_text(d) == TITLE
    assert {"QC102", "QC205"} <= {m["code"] for m in marks(d)}


def test_upload_html_keeps_its_publish_date(browser, server):
    d = browser
    open_page(d, server)
    d.execute_script("document.getElementById('qc-published').value = '';")
    d.find_element(By.ID, "qc-file").send_keys(str(ROOT / "examples" / "notice.html"))
    wait(d, lambda _: d.find_element(By.ID, "qc-doc").is_displayed())
    assert title_text(d) == "四川省人民政府办公厅关于2018年第三季度全省政府网站抽查情况的通报"
    # The page's date is kept for re-checks, so date-aware rules judge the text as of its publication.
    assert d.find_element(By.ID, "qc-published").get_attribute("value") == "2018-09-19"
    assert "2018-09-19" in d.find_element(By.ID, "qc-docmeta").text


def test_errors_are_shown(browser, server, tmp_path):
    d = browser
    open_page(d, server)
    d.find_element(By.ID, "qc-check").click()
    banner = d.find_element(By.ID, "qc-error")
    assert banner.is_displayed() and "粘贴" in banner.text
    junk = tmp_path / "qc-junk.txt"
    junk.write_bytes(bytes(range(256)) * 20)
    d.find_element(By.ID, "qc-file").send_keys(str(junk))
    wait(d, lambda _: "检查失败" in banner.text)
    assert "qc-junk.txt" in banner.text


@pytest.mark.skipif(not os.environ.get("QC_SCREENSHOT"), reason="set QC_SCREENSHOT=PATH to save the docs screenshot")
def test_screenshot(browser, server, tmp_path):
    d = browser
    d.set_window_size(1440, 900)
    open_page(d, server)
    d.find_element(By.ID, "qc-file").send_keys(str(ROOT / "examples" / "notice.html"))
    wait(d, lambda _: marks(d))
    d.execute_script("document.getElementById('qc-doc').focus()")
    out = Path(os.environ["QC_SCREENSHOT"])
    out.parent.mkdir(parents=True, exist_ok=True)
    d.save_screenshot(str(out))
    assert out.stat().st_size > 10_000
