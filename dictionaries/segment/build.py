"""Rebuild core.txt (the 100,000 most frequent words of jieba's own dictionary) and
prefix_dict.npz (the prefix dictionary jieba makes of core.txt and ../terms/*.txt).

    python dictionaries/segment/build.py                 # both
    python dictionaries/segment/build.py --prefix-only   # after editing ../terms/*.txt

jieba's full dictionary (349k words) takes about 0.6 s to load, more than the whole rest of a
cold `qualitycheck check`; its 100k most frequent words load in about 0.13 s and segment
official text the same way for what the checks ask of it (is a character its own token?).
Source: jieba 0.42.1 (PyPI), jieba/dict.txt, MIT licence (Copyright (c) 2013 Sun Junyi).
"""

from __future__ import annotations

import sys
from pathlib import Path

KEEP = 100_000


def main() -> None:
    if "--prefix-only" not in sys.argv[1:]:
        write_core()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from qualitycheck.text.segment import PREFIX_DICT, compile_prefix_dict

    print(f"wrote {PREFIX_DICT} ({compile_prefix_dict():,} words and prefixes)")


def write_core() -> None:
    import jieba

    rows = [line.split(" ") for line in jieba.get_dict_file().read().decode("utf-8").splitlines() if line.strip()]
    rows.sort(key=lambda r: (-int(r[1]), r[0]))
    out = Path(__file__).with_name("core.txt")
    out.write_text("".join(" ".join(r) + "\n" for r in rows[:KEEP]), encoding="utf-8")
    print(f"wrote {out} ({KEEP} of {len(rows)} words)")


if __name__ == "__main__":
    main()
