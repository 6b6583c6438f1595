#!/usr/bin/env bash
# Install qualitycheck into .venv and run it on the bundled example notice.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
# Exit code 1 means "findings reported", which is what the example is for.
.venv/bin/qualitycheck check examples/notice.html || [ $? -eq 1 ]
