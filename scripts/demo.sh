#!/usr/bin/env bash
# Install qualitycheck into .venv, inspect the bundled example crawl (two sites), check the example notice.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
# Exit code 1 means "a site failed" / "findings reported", which is what the examples are for.
.venv/bin/qualitycheck lint-site examples/site --as-of 2025-06-30 --out report || [ $? -eq 1 ]
echo
echo "== one article, as an editor checks it =="
.venv/bin/qualitycheck check examples/notice.html || [ $? -eq 1 ]
echo
echo "Open report/report.html in a browser for the inspector's report."
