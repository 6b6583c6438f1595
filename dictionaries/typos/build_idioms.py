"""Rebuild idioms.txt (QC105's lexicon) and idiom_lookalikes.txt (real words one edit from it).

    python dictionaries/typos/build_idioms.py

idioms.txt: the idioms of corpora/idioms/idioms.txt (成语词典 data, source and licence in
corpora/idioms/README.md), plus jieba's dictionary entries tagged ``i`` (idiom) of 4-8 Han
characters counted at least JIEBA_MIN_FREQ times, less the ``not_idioms`` of idioms.yaml, entries
ending in a particle and less entries that are a far rarer one-edit
variant of another entry (both sources list some misspellings: 按步就班, 谈笑风声).

idiom_lookalikes.txt: words of jieba's full dictionary (349k words, more than the 100k the
segmenter loads) and of the word lists that are one same-sound / similar-shape substitution or
one swap away from an idiom and frequent enough to be real (为人处事 beside 为人处世). QC105 never
flags them, so it needs no 349k-word list at run time.

idiom_confusables.txt: for each character of the lexicon, the characters written in its place:
same sound, similar shape, and the same layout around the same second part (cjk-decomp).

Needs pypinyin at build time only (``pip install -e ".[build]"``); nothing here runs at check time.

The misspelling lists in corpora/idioms/ are not read here: QC105 is measured on them by
benchmarks/idioms.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from qualitycheck.typo.confusables import confusable_chars  # noqa: E402
from qualitycheck.typo.nearmiss import NearMissIndex, is_han  # noqa: E402
from qualitycheck.typo.vocabulary import words  # noqa: E402

MIN_LEN, MAX_LEN = 4, 8
# A lookalike this many times rarer than the idiom it resembles is taken for a misspelling.
RATIO = 5
# jieba also tags ordinary phrases ``i`` (能被通过, 非常适合); the counted ones are mostly idioms.
JIEBA_MIN_FREQ = 20
# An entry ending in a particle (不正当地) is a phrase, not an idiom, and 的/地 is not a misspelling here.
PARTICLE_ENDINGS = "的地得了着"
# jieba gives words it lists without a count the frequency 3.
JIEBA_FLOOR = 3
# Characters built the same way around the same second part (芋/竽 on 于, 霭/蔼 on 谒, 烩/脍 on 会)
# are written for each other; a part shared by more characters than this is a radical-like part
# (氵, 鸟) whose characters are no longer lookalikes.
SHARED_PART_MAX = 12
DECOMPOSITION = ROOT / "corpora" / "shapes" / "cjk-decomp.txt.gz"
# Glyph bitmaps (corpora/shapes/render_glyphs.py): each character's GLYPH_NEIGHBOURS likeliest
# lookalikes by pixel overlap (intersection over union), where the overlap is at least GLYPH_MIN_IOU,
# join the loose tier (面/而, 己/已, 颐/顾). Set on the dev list and corpora/lm: in-sample there.
GLYPHS = ROOT / "corpora" / "shapes" / "glyphs-32.npz"
GLYPH_NEIGHBOURS, GLYPH_MIN_IOU = 2, 0.5
# cjk-decomp's two-part layouts: left-right, top-bottom, and the surrounds (厉 = 厂 around 万).
TWO_PART_LAYOUTS = ("a", "d", "stl", "sbl", "str", "st", "w")


def _han(word: str) -> bool:
    return MIN_LEN <= len(word) <= MAX_LEN and all(map(is_han, word))


def main() -> None:
    import jieba
    import yaml

    jieba_rows = [line.split(" ") for line in jieba.get_dict_file().read().decode("utf-8").splitlines() if line.strip()]
    data = yaml.safe_load((HERE / "idioms.yaml").read_text(encoding="utf-8"))
    entries: set[str] = set()
    sources: list[str] = []
    corpus = ROOT / "corpora" / "idioms" / "idioms.txt"
    if corpus.is_file():
        found = {w.strip() for w in corpus.read_text(encoding="utf-8").splitlines() if _han(w.strip())}
        entries |= found
        sources.append(f"corpora/idioms/idioms.txt: {len(found)} entries (see corpora/idioms/README.md)")
    from_jieba = {r[0] for r in jieba_rows if len(r) == 3 and r[2] == "i" and int(r[1]) >= JIEBA_MIN_FREQ and _han(r[0])}
    sources.append(f"jieba 0.42.1 dict.txt, tag i, frequency >= {JIEBA_MIN_FREQ}: {len(from_jieba)} entries (MIT)")
    entries |= from_jieba
    entries -= set(data.get("not_idioms") or ())
    entries = {e for e in entries if e[-1] not in PARTICLE_ENDINGS}
    accepted = set(data.get("accepted") or ())

    from qualitycheck.typo.engine import TypoEngine

    engine = TypoEngine.load()
    confusable, loose, primary = _confusables(entries, engine)
    freq = _frequencies(jieba_rows)

    # Dictionaries of idioms list some misspellings as entries (按步就班 beside 按部就班): an entry
    # one edit from another that is RATIO times more frequent goes.
    # Dropping takes the strict sets only: the idioms a loose alternative spells are as often both
    # right (趁人之危, 乘人之危).
    index = NearMissIndex(entries, confusable)
    misspelt = set()
    for entry in sorted(entries):
        if entry in accepted:
            continue
        for variant in _one_edit_entries(entry, index):
            if freq.get(variant, 0) >= RATIO * max(freq.get(entry, 0), 1):
                misspelt.add(entry)
                break
    entries -= misspelt
    sources.append(f"less {len(misspelt)} entries one edit from a far likelier entry (misspellings kept by the sources)")
    index = NearMissIndex(entries, confusable, loose=loose)

    # Real words one edit from an idiom are never flagged, unless the word lists carry a misspelling:
    # a word at jieba's floor frequency (3: listed, never counted) or RATIO times rarer than the
    # idiom it resembles is not kept (谈笑风声 3 beside 谈笑风生 71; 为人处事 31 beside 为人处世 3 stays).
    known = {r[0] for r in jieba_rows if r and _han(r[0])} | {w for w in words() if _han(w)}
    lookalikes = set(accepted)
    # Forms a wording rule already reports with its own message and severity (出谋画策 QC203,
    # 不孚众望 QC204) are left to it.
    for path in sorted((ROOT / "dictionaries" / "wording").glob("*.yaml")):
        rules = yaml.safe_load(path.read_text(encoding="utf-8")).get("rules") or ()
        lookalikes |= {w for rule in rules for w in rule.get("wrong") or () if _han(w)}
    for word in sorted(known - index.entries):
        miss = index.lookup(word)
        if miss is None:
            continue
        f = freq.get(word, 0)
        if f > JIEBA_FLOOR and f * RATIO >= freq.get(miss.right, 0):
            lookalikes.add(word)

    header = ["# QC105 idiom lexicon, built by dictionaries/typos/build_idioms.py; do not edit by hand."]
    header += [f"# source: {s}" for s in sources]
    (HERE / "idioms.txt").write_text("\n".join(header + sorted(index.entries)) + "\n", encoding="utf-8")
    (HERE / "idiom_lookalikes.txt").write_text(
        "\n".join([
            "# Real words one edit away from a QC105 idiom (never flagged); built by build_idioms.py from",
            "# jieba 0.42.1 dict.txt (MIT) and the word lists of qualitycheck/typo/vocabulary.py, less the",
            f"# words listed at the floor frequency or {RATIO} times rarer than the idiom they resemble.",
        ] + sorted(lookalikes)) + "\n", encoding="utf-8")
    used = sorted(set("".join(index.entries)))
    (HERE / "idiom_confusables.txt").write_text(
        "\n".join([
            "# For each character of idioms.txt: the characters written in its place by sound or shape.",
            "# Built by build_idioms.py from pycorrector's same_pinyin/same_stroke lists, the typo tables",
            "# (models/typo/tables.npz: one-stroke shape edits), pypinyin's readings (same syllable) and",
            f"# cjk-decomp's layouts (same layout around the same second part, at most {SHARED_PART_MAX} such characters).",
            "# Third column: those of them read with the same syllable as the character (first readings",
            "# only), for the split-guard rescue of checks/idioms.py (一览无疑 for 一览无遗).",
            "# Fourth column: near homophones by first reading as accents merge zh/z, ch/c, sh/s and -ng/-n",
            "# (谨/敬) and the nearest glyphs (corpora/shapes/glyphs-32.npz: 面/而), not in the second column:",
            "# the index's loose tier, tried when no entry matches otherwise.",
        ] + [f"{ch}\t{''.join(sorted(confusable[ch]))}\t{''.join(sorted(a for a in confusable[ch] if _same_first_reading(a, ch, primary)))}"
             f"\t{''.join(sorted(loose.get(ch, ())))}"
             for ch in used if confusable.get(ch)]) + "\n",
        encoding="utf-8")
    print(f"idioms.txt: {len(index.entries)} entries ({len(misspelt)} misspelt entries dropped); "
          f"idiom_lookalikes.txt: {len(lookalikes)} words; idiom_confusables.txt: {len(used)} characters")


def _frequencies(jieba_rows) -> dict[str, int]:
    """Word -> the larger of its jieba and pycorrector word-frequency counts."""
    freq: dict[str, int] = {}
    for row in jieba_rows:
        if len(row) >= 2 and row[1].isdigit():
            freq[row[0]] = int(row[1])
    path = ROOT / "dictionaries" / "typo" / "word_freq.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        word, count = line.split("\t")[:2]
        if count.isdigit():
            freq[word] = max(freq.get(word, 0), int(count))
    return freq


def _one_edit_entries(entry: str, index: NearMissIndex) -> list[str]:
    """Other lexicon entries that ``entry`` is one confusable substitution from."""
    out = []
    for i, ch in enumerate(entry):
        for alt in index.confusable.get(ch, ()):
            variant = entry[:i] + alt + entry[i + 1:]
            if variant != entry and variant in index.entries and ch in index.confusable.get(alt, ()):
                out.append(variant)
    return out


def _same_first_reading(a: str, b: str, primary: dict[str, str]) -> bool:
    return bool(primary.get(a)) and primary.get(a) == primary.get(b)


def _accent_syllable(syllable: str) -> str:
    """The syllable as the accents that merge zh/z, ch/c, sh/s and -ng/-n hear it (zhi = zi,
    jing = jin): the near homophones writers put for each other (敬/谨, 怎/枕 ...)."""
    for retroflex in ("zh", "ch", "sh"):
        if syllable.startswith(retroflex):
            syllable = syllable[0] + syllable[2:]
    return syllable[:-1] if syllable.endswith("ng") and len(syllable) > 2 else syllable


def _confusables(entries: set[str], engine) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, str]]:
    """Right character -> characters written for it (pycorrector's sets plus the typo tables',
    same syllable, same layout); right character -> the index's loose tier (near homophones as an
    accent hears them, _accent_syllable, and the nearest glyphs); and each character's first
    reading without tone (pypinyin)."""
    from qualitycheck.typo.dictdata import T_PYC_PINYIN, T_PYC_SHAPE, T_SAME_SYL, T_SAME_TONE, T_SHAPE

    wanted = T_SAME_TONE | T_SAME_SYL | T_SHAPE | T_PYC_PINYIN | T_PYC_SHAPE
    from pypinyin import Style, pinyin

    base = confusable_chars()
    tokens = engine.lm.tokens
    # Same syllable, any tone and any reading (瑕/暇, 弩/驽, 晨/辰), among the characters of the
    # language model's vocabulary and of the lexicon: the typo tables keep only the likeliest few.
    pool = {t for t in tokens if len(t) == 1 and is_han(t)} | set("".join(entries))
    syllables: dict[str, set[str]] = {}
    by_syllable: dict[str, set[str]] = {}
    for ch in pool:
        found = {p for p in pinyin(ch, style=Style.NORMAL, heteronym=True)[0] if p.isalpha()}
        syllables[ch] = found
        for syl in found:
            by_syllable.setdefault(syl, set()).add(ch)
    siblings = _component_siblings(pool)
    out: dict[str, set[str]] = {}
    for ch in set("".join(entries)):
        alts = set(base.get(ch, ())) | siblings.get(ch, set())
        for syl in syllables.get(ch, ()):
            alts |= by_syllable[syl]
        ids, types = engine.tables.candidates(ch)
        alts.update(tokens[i] for i, t in zip(ids.tolist(), types.tolist()) if t & wanted)
        alts.discard(ch)
        out[ch] = {a for a in alts if is_han(a)}
    # first readings: heteronyms give 奋 a reading kang and 拔 bei, too loose for the rescue
    wanted_chars = set(out) | {a for alts in out.values() for a in alts}
    primary = {ch: pinyin(ch, style=Style.NORMAL)[0][0] for ch in wanted_chars | pool}
    primary = {ch: p for ch, p in primary.items() if p.isalpha()}
    # near homophones by first readings only (heteronyms would make 事 a zi)
    by_accent: dict[str, set[str]] = {}
    for ch in pool:
        if ch in primary:
            by_accent.setdefault(_accent_syllable(primary[ch]), set()).add(ch)
    glyphs = _glyph_neighbours(sorted(out), sorted(pool))
    loose: dict[str, set[str]] = {}
    for ch in out:
        near = by_accent.get(_accent_syllable(primary.get(ch, "")), set()) | glyphs.get(ch, set())
        loose[ch] = {a for a in near if a != ch and a not in out[ch] and is_han(a)}
    return out, loose, primary


def _glyph_neighbours(chars: list[str], pool: list[str]) -> dict[str, set[str]]:
    """Character -> the characters of ``pool`` whose glyphs overlap its own most (GLYPH_*)."""
    import numpy as np

    data = np.load(GLYPHS)
    first, size, bits = int(data["first"]), int(data["size"]), data["bits"]

    def bitmaps(cs: list[str]) -> tuple[list[str], np.ndarray]:
        kept = [c for c in cs if 0 <= ord(c) - first < len(bits)]
        rows = np.unpackbits(bits[[ord(c) - first for c in kept]], axis=1)[:, :size * size]
        return kept, rows.astype(np.float32)

    chars, a = bitmaps(chars)
    pool, b = bitmaps(pool)
    out: dict[str, set[str]] = {}
    for lo in range(0, len(chars), 1024):
        part = a[lo:lo + 1024]
        inter = part @ b.T
        iou = inter / np.maximum(part.sum(1)[:, None] + b.sum(1)[None, :] - inter, 1)
        for row, ch in zip(iou, chars[lo:lo + 1024]):
            order = [j for j in np.argsort(-row)[:GLYPH_NEIGHBOURS + 1] if pool[j] != ch][:GLYPH_NEIGHBOURS]
            out[ch] = {pool[j] for j in order if row[j] >= GLYPH_MIN_IOU}
    return out


def _component_siblings(pool: set[str]) -> dict[str, set[str]]:
    """Character -> the characters of ``pool`` laid out as it is around the same second part
    (霭 ⿱雨谒 and 蔼 ⿱艹谒), from cjk-decomp (corpora/shapes/, source in corpora/SOURCES.md)."""
    import gzip
    import re

    layout = re.compile(r"^([^:]+):([a-z]+)\(([^,()]+),([^,()]+)\)$")
    groups: dict[tuple[str, str], set[str]] = {}
    with gzip.open(DECOMPOSITION, "rt", encoding="utf-8") as handle:
        for line in handle:
            m = layout.match(line.strip())
            if m and m.group(1) in pool and m.group(2) in TWO_PART_LAYOUTS:
                groups.setdefault((m.group(2), m.group(4)), set()).add(m.group(1))
    out: dict[str, set[str]] = {}
    for group in groups.values():
        if 1 < len(group) <= SHARED_PART_MAX:
            for ch in group:
                out.setdefault(ch, set()).update(group - {ch})
    return out


if __name__ == "__main__":
    main()
