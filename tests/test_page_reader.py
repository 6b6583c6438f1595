"""The page reader against the hand-labelled real pages in tests/fixtures/pages (labels.jsonl).

The labels are fixtures (LABELS.md says how they were made); the code has no per-page or
per-site rules, so these tests pin accuracy floors and the per-page identity marks.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest

from qualitycheck.errors import InputError
from qualitycheck.extract.page import read_page

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
LABELS = [json.loads(l) for l in (FIXTURES / "labels.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
MARK_FIELDS = ("site_code", "icp", "psb", "conac", "jiucuo", "meta_site_code")


def compact(s):
    return re.sub(r"\s+", "", s or "")


@lru_cache(maxsize=None)
def page_for(name: str):
    return read_page((FIXTURES / name).read_bytes(), name)


@pytest.mark.parametrize("label", LABELS, ids=[l["file"][:3] for l in LABELS])
def test_marks_exact(label):
    page = page_for(label["file"])
    got = {f: getattr(page.marks, f) for f in MARK_FIELDS}
    assert got == label["marks"]


@pytest.mark.parametrize("label", LABELS, ids=[l["file"][:3] for l in LABELS])
def test_no_suspicious_links_on_clean_pages(label):
    page = page_for(label["file"])
    assert [l for l in page.links if l.why] == []
    assert page.suspicions == []


def _share(field_ok) -> float:
    return sum(1 for l in LABELS if field_ok(l, page_for(l["file"]))) / len(LABELS)


def test_headline_accuracy():
    assert _share(lambda l, p: compact(p.title) == compact(l["title"])) >= 0.95


def test_publish_date_accuracy():
    assert _share(lambda l, p: (p.published.isoformat() if p.published else None) == l["published"]) >= 0.95
