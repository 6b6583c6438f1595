"""Engine-side dictionaries: import (from the shared data folder) and compile (into models/typo).

``import_dictionaries`` copies the public lists the engine uses into ``dictionaries/typo/``,
each with a header comment naming its source and licence.  ``build_tables`` compiles them,
together with the language-model vocabulary, into ``models/typo/tables.npz``:

* confusion candidates per character: same pinyin (pypinyin, all readings, with and without
  tone), fuzzy pinyin (z/zh, c/ch, s/sh, n/l, f/h, -n/-ng), pycorrector's same-pinyin and
  similar-shape sets, and characters whose stroke sequences (stroke.txt) differ by one stroke
  or one small component; pinyin is computed here, never at run time;
* a word list (pycorrector word frequencies, official-document vocabulary, legal terms,
  policy titles) used to tell whether a character sits inside a known word;
* person and place names, never corrected;
* explicit wrong->right word pairs (QC101).
"""
from __future__ import annotations

import collections
import re
from pathlib import Path

import numpy as np

_HAN_RE = re.compile(r"^[\u4e00-\u9fff]+$")

# (target file, source path under shared/data, header)
_PYC = "pycorrector 1.1.4 wheel, pycorrector/data/ (shared/data/pycorrector-data); Apache-2.0, see LICENSE.pycorrector-data"
_ECS = "Aopolin-Lv/ECSpell @ f19014c (shared/data/wordlists); MIT, see LICENSE.ECSpell"
FILES = [
    ("same_pinyin.txt", "pycorrector-data/same_pinyin.txt", _PYC),
    ("same_stroke.txt", "pycorrector-data/same_stroke.txt", _PYC),
    ("stroke.txt", "pycorrector-data/stroke.txt", _PYC),
    ("person_name.txt", "pycorrector-data/person_name.txt", _PYC),
    ("place_name.txt", "pycorrector-data/place_name.txt", _PYC),
    ("word_freq.txt", "pycorrector-data/word_freq.txt", _PYC + "; only simplified all-Han words of 2-4 characters with frequency >= 5 kept"),
    ("official_terms.txt", "wordlists/公文写作.txt.clean", _ECS + "; first column only"),
    ("official_phrases.txt", "wordlists/Data_vocab_公文写作.txt", _ECS),
    ("legal_terms.txt", "wordlists/法律.txt", _ECS + "; first column only"),
    ("policy_titles.txt", "wordlists/政策法规标题.txt", _ECS),
]
LICENSES = [("LICENSE.pycorrector-data", "pycorrector-data/LICENSE"), ("LICENSE.ECSpell", "wordlists/LICENSE")]


def _read_lines(path: Path) -> list[str]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n").lstrip("\ufeff")
            if not line or line.startswith("#"):
                continue
            out.append(line)
    return out


def import_dictionaries(shared_data: str | Path, out_dir: str | Path) -> dict:
    shared_data, out_dir = Path(shared_data), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stats = {}
    for name, src, header in FILES:
        lines = _read_lines(shared_data / src)
        if name == "word_freq.txt":
            kept = []
            for line in lines:
                p = line.split()
                if len(p) >= 2 and 2 <= len(p[0]) <= 4 and _HAN_RE.match(p[0]) and p[1].isdigit() \
                        and int(p[1]) >= 5:
                    kept.append(f"{p[0]}\t{p[1]}")
            lines = kept
        elif name in ("official_terms.txt", "legal_terms.txt"):
            lines = [line.split("\t")[0].strip() for line in lines]
        with open(out_dir / name, "w", encoding="utf-8") as f:
            f.write(f"# source: {header}\n")
            for line in lines:
                f.write(line + "\n")
        stats[name] = len(lines)
    for name, src in LICENSES:
        (out_dir / name).write_bytes((shared_data / src).read_bytes())
    return stats


# ---------------------------------------------------------------- confusion sets
T_SAME_TONE, T_SAME_SYL, T_FUZZY, T_SHAPE, T_PYC_PINYIN, T_PYC_SHAPE = 1, 2, 4, 8, 16, 32

_FUZZY_INITIALS = [("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("f", "h"), ("r", "l")]
_FUZZY_FINALS = [("ang", "an"), ("eng", "en"), ("ing", "in"), ("iang", "ian"), ("uang", "uan")]


def _fuzzy_keys(syl: str) -> set[str]:
    """All toneless syllables within one fuzzy step (initial or final) of ``syl``."""
    out = set()
    for a, b in _FUZZY_INITIALS:
        for x, y in ((a, b), (b, a)):
            if syl.startswith(x) and not (x == "z" and syl.startswith("zh")) \
                    and not (x == "c" and syl.startswith("ch")) and not (x == "s" and syl.startswith("sh")):
                out.add(y + syl[len(x):])
    for a, b in _FUZZY_FINALS:
        for x, y in ((a, b), (b, a)):
            if syl.endswith(x) and not (x == "an" and syl.endswith("ang")) \
                    and not (x == "en" and syl.endswith("eng")) and not (x == "in" and syl.endswith("ing")):
                out.add(syl[: -len(x)] + y)
    out.discard(syl)
    return out


def _edit1(a: str, b: str) -> bool:
    """True if stroke strings differ by at most one substitution, insertion or deletion."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        return sum(x != y for x, y in zip(a, b)) == 1
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


def _shape_pairs(strokes: dict[str, str], chars: set[str]) -> dict[str, set[str]]:
    """Similar shape: stroke sequences (>= 4 strokes) one edit apart, or equal after dropping
    a shared leading/trailing component of >= 2 strokes while the rest differs by one edit."""
    out: dict[str, set[str]] = collections.defaultdict(set)
    by_len: dict[int, list[str]] = collections.defaultdict(list)
    for c in chars:
        s = strokes.get(c)
        if s and len(s) >= 4:
            by_len[len(s)].append(c)
    for n, group in by_len.items():
        cands = group + by_len.get(n + 1, [])
        # bucket by stroke string with one position wildcarded (substitutions and indels)
        buckets: dict[str, list[str]] = collections.defaultdict(list)
        for c in cands:
            s = strokes[c]
            for i in range(len(s)):
                buckets[s[:i] + "*" + s[i + 1:]].append(c)
                if len(s) == n + 1:
                    buckets[s[:i] + s[i + 1:]].append(c)  # deletion -> length n
            if len(s) == n:
                buckets[s].append(c)
        for members in buckets.values():
            if 1 < len(members) < 40:
                for a in members:
                    for b in members:
                        if a != b and _edit1(strokes[a], strokes[b]):
                            out[a].add(b)
    return out


def _pinyin_tables(chars: list[str]):
    from pypinyin import Style, pinyin
    tone3, plain = {}, {}
    for c in chars:
        t = pinyin(c, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True)[0]
        tone3[c] = {x for x in t if x and x[-1].isdigit()}
        plain[c] = {x[:-1] for x in tone3[c]}
    return tone3, plain


def build_confusion(dict_dir: Path, tokens: list[str], unigram: np.ndarray):
    """Confusion candidates for every CJK character (keys) among vocabulary characters."""
    vocab = {t: i for i, t in enumerate(tokens) if len(t) == 1 and "\u4e00" <= t <= "\u9fff"}
    keys_all = [chr(cp) for cp in range(0x4E00, 0xA000)]
    tone3, plain = _pinyin_tables(keys_all)
    by_tone = collections.defaultdict(set)
    by_plain = collections.defaultdict(set)
    for c in vocab:
        for x in tone3[c]:
            by_tone[x].add(c)
        for x in plain[c]:
            by_plain[x].add(c)
    pyc_pinyin = collections.defaultdict(set)
    for line in _read_lines(dict_dir / "same_pinyin.txt"):
        p = line.split("\t")
        if len(p) >= 2:
            for x in p[1:]:
                pyc_pinyin[p[0]].update(x)
    pyc_shape = collections.defaultdict(set)
    for line in _read_lines(dict_dir / "same_stroke.txt"):
        p = line.split()
        for a in p:
            pyc_shape[a].update(x for x in p if x != a)
    strokes = {}
    for line in _read_lines(dict_dir / "stroke.txt"):
        p = line.split("\t")
        if len(p) == 2:
            strokes[p[0]] = p[1].strip()
    shape = _shape_pairs(strokes, set(keys_all))

    conf: dict[str, dict[str, int]] = {}
    for c in keys_all:
        d: dict[str, int] = collections.defaultdict(int)
        for x in tone3[c]:
            for y in by_tone[x]:
                d[y] |= T_SAME_TONE
        for x in plain[c]:
            for y in by_plain[x]:
                d[y] |= T_SAME_SYL
            for fz in _fuzzy_keys(x):
                for y in by_plain.get(fz, ()):
                    d[y] |= T_FUZZY
        for y in pyc_pinyin.get(c, ()):
            if y in vocab:
                d[y] |= T_PYC_PINYIN
        for y in pyc_shape.get(c, ()):
            if y in vocab:
                d[y] |= T_PYC_SHAPE
        for y in shape.get(c, ()):
            if y in vocab:
                d[y] |= T_SHAPE
        d.pop(c, None)
        if d:
            conf[c] = d
    # flatten; within a character, most frequent candidates first
    chars, off, ids, types = [], [0], [], []
    for c in keys_all:
        d = conf.get(c)
        if not d:
            continue
        cand = sorted(d, key=lambda y: (-float(unigram[vocab[y]]), y))
        chars.append(c)
        ids.extend(vocab[y] for y in cand)
        types.extend(d[y] for y in cand)
        off.append(len(ids))
    return chars, np.array(off, dtype=np.int32), np.array(ids, dtype=np.int32), np.array(types, dtype=np.uint8)


def _load_words(dict_dir: Path) -> dict[str, float]:
    words: dict[str, float] = {}
    for line in _read_lines(dict_dir / "word_freq.txt"):
        w, f = line.split("\t")
        words[w] = max(words.get(w, 0.0), float(f))
    for name in ("official_terms.txt", "official_phrases.txt", "legal_terms.txt"):
        for w in _read_lines(dict_dir / name):
            w = w.strip()
            if 2 <= len(w) <= 6 and _HAN_RE.match(w):
                words[w] = max(words.get(w, 0.0), 100.0)
    return words


def build_tables(dict_dir: Path, out_dir: Path, model) -> dict:
    chars, off, ids, types = build_confusion(dict_dir, model.tokens, model.unigram)
    words = _load_words(dict_dir)
    names = set()
    for name in ("person_name.txt", "place_name.txt"):
        for line in _read_lines(dict_dir / name):
            w = line.split("\t")[0].strip()
            if 2 <= len(w) <= 8 and _HAN_RE.match(w):
                names.add(w)
    titles = [t.strip() for t in _read_lines(dict_dir / "policy_titles.txt") if t.strip()]
    # The curated QC101 pairs (dictionaries/typos/confusion_pairs.tsv): only pairs whose wrong
    # form never occurs in real official text (标志/标识 is not one of them).
    from .pairs import load_confusion_pairs

    pairs = [f"{wrong}\t{right}" for wrong, (right, _) in sorted(load_confusion_pairs().items())
             if len(right) == len(wrong) and right != wrong]
    wl = sorted(words)
    np.savez_compressed(
        out_dir / "tables.npz",
        conf_chars=np.array("".join(chars)), conf_off=off, conf_ids=ids, conf_types=types,
        words=np.array("\n".join(wl)), word_freq=np.array([words[w] for w in wl], dtype=np.float32),
        names=np.array("\n".join(sorted(names))), titles=np.array("\n".join(titles)),
        pairs=np.array("\n".join(pairs)),
    )
    return {"confusion_chars": len(chars), "confusion_entries": int(len(ids)),
            "mean_candidates": round(len(ids) / max(1, len(chars)), 1), "words": len(wl),
            "names": len(names), "pairs": len(pairs),
            "tables_mb": round((out_dir / "tables.npz").stat().st_size / 1e6, 2)}


# ---------------------------------------------------------------- packed word table
def build_word_keys(dict_dir: Path, out_dir: Path, model) -> dict:
    """``models/typo/words.npz``: the word list (2-4 characters, all in the model vocabulary) as
    sorted packed token keys per length (16 bits per token, like the n-gram keys), with
    log10 frequencies (float16).  The engine looks up, for every candidate at once, the most
    frequent word covering the edited position in the original and the corrected text."""
    words = _load_words(dict_dir)
    index = {t: i for i, t in enumerate(model.tokens)}
    arrays, stats = {}, {}
    for L in (2, 3, 4):
        keys, freqs = [], []
        for w, f in words.items():
            if len(w) != L:
                continue
            ids = [index.get(c) for c in w]
            if any(i is None for i in ids):
                continue
            k = 0
            for i in ids:
                k = (k << 16) | i
            keys.append(k)
            freqs.append(np.log10(max(f, 1.0)))
        k = np.array(keys, dtype=np.uint64)
        o = np.argsort(k, kind="stable")
        arrays[f"keys{L}"] = k[o]
        arrays[f"logf{L}"] = np.array(freqs, dtype=np.float16)[o]
        stats[f"words{L}"] = int(len(k))
    np.savez_compressed(out_dir / "words.npz", **arrays)
    stats["words_mb"] = round((out_dir / "words.npz").stat().st_size / 1e6, 2)
    return stats
