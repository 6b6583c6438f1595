"""Rebuild corpora/idioms/idioms.txt from the raw source kept in corpora/idioms/raw/.

    python corpora/idioms/build_lexicon.py            # writes idioms.txt
    python corpora/idioms/build_lexicon.py --check    # exit 1 if idioms.txt is out of date

Standard library only.

Input
  raw/idiom.json.gz         gzip of pwxcoo/chinese-xinhua data/idiom.json (MIT), byte-identical
                            after gunzip to git blob c285f951f9aeba6303cb23821e96e9b62ed343f9
                            (the file at commit fe6d6c2e8baa82187f4c96bbe042e43f96c05666).
  raw/opencc_TSCharacters.txt  OpenCC traditional->simplified character table (Apache-2.0),
                            used only to recognise traditional-only characters.

Rules
  * take the "word" field of every entry;
  * keep it only if it is 3-8 characters, all in CJK Unified Ideographs U+4E00-U+9FFF
    (drops the ~550 proverb-style entries with a comma, and anything with Extension-A or
    other non-basic characters);
  * drop it if any character is traditional-only by OpenCC (a key of TSCharacters whose
    simplified forms do not include itself, e.g. 閒 習 洩 彫 皁 齧);
  * deduplicate, sort by code point, one per line, UTF-8, trailing newline, no header.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RAW_IDIOMS = HERE / "raw" / "idiom.json.gz"
RAW_TS = HERE / "raw" / "opencc_TSCharacters.txt"
OUT = HERE / "idioms.txt"

# sha256 of the decompressed idiom.json (same bytes as chinese-xinhua data/idiom.json)
IDIOM_JSON_SHA256 = "1d4b4f454ce1c416d6a1ab2369d6e66c0ff99e04390172eef70790499e21ce19"

MIN_LEN, MAX_LEN = 3, 8
HAN_RE = re.compile(r"[\u4e00-\u9fff]{%d,%d}" % (MIN_LEN, MAX_LEN))


def traditional_only(path: Path = RAW_TS) -> set[str]:
    """Characters OpenCC converts to something else and never keeps as they are."""
    trad: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, values = line.split("\t", 1)
        if key not in values.split():
            trad.add(key)
    return trad


def load_words(path: Path = RAW_IDIOMS) -> list[str]:
    data = gzip.decompress(path.read_bytes())
    digest = hashlib.sha256(data).hexdigest()
    if digest != IDIOM_JSON_SHA256:
        sys.exit(f"{path}: sha256 {digest} is not the recorded chinese-xinhua idiom.json")
    return [entry["word"].strip() for entry in json.loads(data.decode("utf-8"))]


def build() -> tuple[list[str], dict[str, int]]:
    words = load_words()
    trad = traditional_only()
    stats = {"entries": len(words), "not_3_8_han": 0, "traditional": 0}
    kept: set[str] = set()
    for word in words:
        if not HAN_RE.fullmatch(word):
            stats["not_3_8_han"] += 1
        elif any(ch in trad for ch in word):
            stats["traditional"] += 1
        else:
            kept.add(word)
    lexicon = sorted(kept)
    stats["kept"] = len(lexicon)
    return lexicon, stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check idioms.txt is current")
    args = parser.parse_args()
    lexicon, stats = build()
    text = "\n".join(lexicon) + "\n"
    print(" ".join(f"{k}={v}" for k, v in stats.items()), file=sys.stderr)
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(lexicon)} idioms)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
