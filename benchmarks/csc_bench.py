#!/usr/bin/env python3
"""Reproduce the CSC numbers without the CLI.

    python benchmarks/csc_bench.py ../shared/data/csc/sighan15/train.jsonl [--engine pycorrector --limit 300]

Same code as `qualitycheck bench csc` (qualitycheck.bench.csc.run_csc_bench).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qualitycheck.bench.csc import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
