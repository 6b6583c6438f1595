"""Debian's headless Chromium for the browser tests: nothing but 127.0.0.1 resolves in it.

Importing this module skips the test module, with the reason, when chromium, chromedriver or
selenium is missing (CI installs them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("QC_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("QC_CHROMEDRIVER", "/usr/bin/chromedriver")

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    pytest.skip(f"browser tests need {CHROMIUM} and {CHROMEDRIVER} "
                "(apt-get install -y chromium chromium-driver)", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="browser tests need selenium (pip install -e '.[test]')")
from selenium.webdriver.chrome.service import Service  # noqa: E402

ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
        "--disable-default-apps", "--metrics-recording-only", "--no-default-browser-check",
        "--disable-dev-shm-usage", "--window-size=1440,900",
        "--force-device-scale-factor=1", "--lang=zh-CN", "--no-proxy-server", "--no-pings",
        "--disable-domain-reliability", "--disable-client-side-phishing-detection",
        "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
        # Nothing but 127.0.0.1 resolves inside this browser.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1")


def start_chromium(profile: Path):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ARGS + (f"--user-data-dir={profile}",):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    return driver
