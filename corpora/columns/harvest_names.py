"""Harvest candidate column names from the real pages in ../shared/data/pages/raw.

Prints TSV rows ``name<TAB>source`` for every distinct short link text, list heading
(labels.jsonl) and <meta name="ColumnName"> value found on the government and
public-institution pages (NON-GOV extractor fixtures are skipped).  The output is a
candidate list only: every row in real.tsv was labelled by hand afterwards.

    python corpora/columns/harvest_names.py ../shared/data/pages > /tmp/candidates.tsv
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import lxml.html

HAN = re.compile(r"[\u4e00-\u9fff]")
YEAR = re.compile(r"\d{4}")


def decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030", "utf-16"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def main(pages: Path) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for path in sorted((pages / "raw").iterdir()):
        if "NONGOV" in path.name:
            continue
        page_id = path.name[:3]
        tree = lxml.html.document_fromstring(decode(path.read_bytes()))
        for a in tree.iter("a"):
            text = re.sub(r"\s+", "", a.text_content())
            text = text.strip("·•【】[]|｜:：>》«»")
            if 2 <= len(text) <= 12 and HAN.search(text) and not YEAR.search(text):
                seen[text].add(page_id)
        for meta in tree.iter("meta"):
            if (meta.get("name") or "").lower() == "columnname" and meta.get("content"):
                seen[meta.get("content").strip()].add(page_id + "-meta")
    for line in (pages / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if "NONGOV" in row["file"]:
            continue
        for block in row["lists"]:
            if block.get("heading"):
                seen[block["heading"].strip("：:")].add(row["file"][:3] + "-heading")
    for name in sorted(seen):
        print(f"{name}\tpages:{','.join(sorted(seen[name]))}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/pages"))
