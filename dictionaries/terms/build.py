"""Rebuild official_terms.txt (jieba user dictionary) from the ECSpell word lists.

    python dictionaries/terms/build.py [WORDLISTS_DIR] [WORD_FREQ_TXT]

Defaults: ../shared/data/wordlists and ../shared/data/pycorrector-data/word_freq.txt next to the
repository. Sources and licences: README.md in this folder and ../SOURCES.md (S-ECSPELL,
S-PYCORRECTOR). Candidates flagged by QC101 or any QC2xx rule on their own are left out, so run
this after changing the wording dictionaries.
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHARED = ROOT.parent / "shared" / "data"
CJK = re.compile(r"^[\u4e00-\u9fa5]+$")
STATUTE = re.compile(r"[\u4e00-\u9fa5]{4,14}(?:条例|法|规定|办法)")


def candidates(wordlists: Path) -> dict[str, str]:
    """term -> origin (gw: 公文写作, title: 政策法规标题, org: current agency name)."""
    import yaml

    out: dict[str, str] = {}
    for line in (wordlists / "公文写作.txt.clean").read_text(encoding="utf-8").splitlines():
        word = line.split("\t")[0].strip()
        if CJK.match(word) and 2 <= len(word) <= 10:
            out.setdefault(word, "gw")
    for line in (wordlists / "政策法规标题.txt").read_text(encoding="utf-8").splitlines():
        title = line.strip()
        if STATUTE.fullmatch(title) and not re.search("关于|通知|批复|决定", title):
            out.setdefault(title, "title")
    rules = yaml.safe_load((ROOT / "dictionaries" / "wording" / "outdated_agency.yaml").read_text(encoding="utf-8"))
    for rule in rules["rules"]:
        for word in rule.get("right") or []:
            if CJK.match(word) and 3 <= len(word) <= 16:
                out.setdefault(word, "org")
    return out


def main(argv: list[str]) -> int:
    wordlists = Path(argv[0]) if argv else SHARED / "wordlists"
    word_freq = Path(argv[1]) if len(argv) > 1 else SHARED / "pycorrector-data" / "word_freq.txt"
    sys.path.insert(0, str(ROOT))
    import jieba

    from qualitycheck import check_text

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()  # the default dictionary only, without our user dictionaries
    tok.initialize()
    tags: dict[str, str] = {}
    for line in word_freq.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1].isdigit():
            tags.setdefault(parts[0], parts[2])
    lines = []
    dropped = []
    for word, origin in candidates(wordlists).items():
        if check_text(word, select=["QC101", "QC2"]):
            dropped.append(word)
            continue
        freq = max(tok.FREQ.get(word, 0), tok.suggest_freq(word, tune=False), 3)
        tag = {"title": "nz", "org": "nt"}.get(origin) or tags.get(word, "nz")
        lines.append(f"{word} {freq} {tag}")
    (HERE / "official_terms.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} terms written; left out as flagged: {' '.join(dropped)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
