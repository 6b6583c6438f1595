"""The dictionary data: schema, sources, uniqueness, and every self-test example through the checker.

(a) Each dictionaries/wording/*.yaml file is read with yaml.safe_load and checked against the schema
    in dictionaries/README.md; confusion_pairs.tsv and the terms dictionary are checked for format.
(b) Every `flag` example must give a finding with the entry's rule id, every `pass` example none,
    through the public API `check_text`. Off-by-default entries are selected by code and id.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DICT = ROOT / "dictionaries"
WORDING = DICT / "wording"
PAIRS = DICT / "typos" / "confusion_pairs.tsv"
TERMS = DICT / "terms" / "official_terms.txt"

FILES = {
    "outdated_agency.yaml": ("QC201", "wording.outdated-agency"),
    "xinhua.yaml": ("QC202", "wording.banned-term"),
    "variant_forms.yaml": ("QC203", "wording.variant-form"),
    "common_errors.yaml": ("QC204", "wording.common-error"),
    "confusables.yaml": ("QC205", "wording.confusable"),
    "doc_number.yaml": ("QC206", "wording.doc-number"),
}
FILE_KEYS = {"family", "code", "name", "severity", "description", "rules"}
RULE_KEYS = {"id", "wrong", "pattern", "right", "fix", "message", "source", "since", "severity", "enabled",
             "not_before", "not_after", "examples"}
SEVERITIES = {"error", "warning", "info"}
SOURCE_ID = re.compile(r"\bS-[A-Z0-9][A-Z0-9-]*")


def _load(name: str) -> dict:
    return yaml.safe_load((WORDING / name).read_text(encoding="utf-8"))


DATA = {name: _load(name) for name in FILES if (WORDING / name).is_file()}
RULES = [(name, rule) for name, data in DATA.items() for rule in data["rules"]]


def _source_ids() -> set[str]:
    text = (DICT / "SOURCES.md").read_text(encoding="utf-8")
    return {m.group(1) for m in re.finditer(r"^## (S-[A-Z0-9][A-Z0-9-]*)\s*$", text, re.M)}


def _pairs() -> list[tuple[int, list[str]]]:
    rows = []
    for n, line in enumerate(PAIRS.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            rows.append((n, line.split("\t")))
    return rows


def _example(item) -> tuple[str, str | None]:
    if isinstance(item, str):
        return item, None
    published = item.get("published")
    return item["text"], published.isoformat() if isinstance(published, dt.date) else published


# --- (a) schema -------------------------------------------------------------------------------

def test_all_rule_files_present():
    assert sorted(DATA) == sorted(FILES)
    assert sorted(p.name for p in WORDING.glob("*.yaml")) == sorted(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_file_header(name):
    data = DATA[name]
    assert isinstance(data, dict) and set(data) == FILE_KEYS, set(data) ^ FILE_KEYS
    code, check_name = FILES[name]
    assert data["code"] == code and data["name"] == check_name
    assert data["severity"] in SEVERITIES
    assert isinstance(data["description"], str) and data["description"]
    assert isinstance(data["rules"], list) and data["rules"]


@pytest.mark.parametrize("name,rule", RULES, ids=[r["id"] for _, r in RULES])
def test_rule_schema(name, rule):
    assert set(rule) <= RULE_KEYS, set(rule) - RULE_KEYS
    assert isinstance(rule["id"], str) and re.fullmatch(r"[A-Z]+(?:-[A-Z0-9]+)+", rule["id"])
    assert ("wrong" in rule) != ("pattern" in rule), "exactly one of wrong / pattern"
    if "wrong" in rule:
        assert isinstance(rule["wrong"], list) and rule["wrong"]
        assert all(isinstance(w, str) and w and w == w.strip() for w in rule["wrong"])
        assert len(set(rule["wrong"])) == len(rule["wrong"])
    else:
        assert isinstance(rule["pattern"], str) and rule["pattern"]
        rx = re.compile(rule["pattern"])
        assert not rx.search(""), "a pattern must not match the empty string"
    for key in ("not_before", "not_after"):
        if key in rule:
            re.compile(f"(?:{rule[key]})$" if key == "not_before" else f"^(?:{rule[key]})")
    if "fix" in rule:
        assert "pattern" in rule and "right" not in rule, "fix computes the suggestion from the pattern"
    else:
        assert isinstance(rule["right"], list) and all(isinstance(r, str) and r for r in rule["right"])
    assert isinstance(rule["message"], str) and re.search(r"[\u4e00-\u9fa5]", rule["message"])
    assert isinstance(rule["source"], str) and rule["source"].startswith("S-")
    if "severity" in rule:
        assert rule["severity"] in SEVERITIES
    if "enabled" in rule:
        assert isinstance(rule["enabled"], bool)
    if "since" in rule:
        assert name == "outdated_agency.yaml", "since is for QC201 only"
        assert isinstance(rule["since"], dt.date)
    examples = rule["examples"]
    assert set(examples) == {"flag", "pass"}
    for kind in ("flag", "pass"):
        assert isinstance(examples[kind], list) and examples[kind], f"needs a {kind} example"
        for item in examples[kind]:
            if isinstance(item, dict):
                assert set(item) <= {"text", "published"} and isinstance(item["text"], str)
                assert isinstance(item.get("published"), (dt.date, type(None)))
            else:
                assert isinstance(item, str) and item


@pytest.mark.parametrize("name,rule", [(n, r) for n, r in RULES if n == "outdated_agency.yaml"],
                         ids=[r["id"] for n, r in RULES if n == "outdated_agency.yaml"])
def test_outdated_agency_is_date_aware(name, rule):
    """Every QC201 entry has a reform date and a pass example published before it."""
    since = rule.get("since")
    assert isinstance(since, dt.date), "QC201 entries need `since`"
    before = [e for e in rule["examples"]["pass"] if isinstance(e, dict) and e.get("published")
              and e["published"] < since]
    assert before, "needs a pass example published before the reform"


def test_ids_unique_across_files():
    seen: dict[str, str] = {}
    for name, rule in RULES:
        assert rule["id"] not in seen, f"{rule['id']} in {seen.get(rule['id'])} and {name}"
        seen[rule["id"]] = name


def test_sources_resolve():
    known = _source_ids()
    assert known, "SOURCES.md defines no ids"
    for name, rule in RULES:
        ids = SOURCE_ID.findall(rule["source"])
        assert ids and rule["source"].startswith(ids[0])
        missing = set(ids) - known
        assert not missing, f"{name} {rule['id']}: {missing} not in SOURCES.md"
    for n, cols in _pairs():
        assert cols[2] in known, f"confusion_pairs.tsv:{n}: source {cols[2]} not in SOURCES.md"


def _literal_forms() -> dict[str, str]:
    """wrong form -> where it is defined (YAML rule id or the TSV), failing on duplicates."""
    forms: dict[str, str] = {}
    for name, rule in RULES:
        for w in rule.get("wrong", []):
            assert w not in forms, f"wrong form {w!r} in {forms.get(w)} and {rule['id']}"
            forms[w] = f"{name}:{rule['id']}"
    for n, cols in _pairs():
        assert cols[0] not in forms, f"wrong form {cols[0]!r} in {forms.get(cols[0])} and confusion_pairs.tsv:{n}"
        forms[cols[0]] = f"confusion_pairs.tsv:{n}"
    return forms


def test_no_duplicate_wrong_forms_across_files():
    _literal_forms()


def test_no_literal_form_inside_another_files_form():
    """A form contained in another file's form would report the same text twice."""
    forms = _literal_forms()
    where = {w: src.split(":")[0] for w, src in forms.items()}
    clashes = [(a, b) for a in forms for b in forms
               if a != b and a in b and where[a] != where[b]]
    assert not clashes, clashes


def test_confusion_pairs_format():
    text = PAIRS.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("#"), "header comment lines (source, licence) come first"
    header = "\n".join(l for l in lines if l.startswith("#"))
    assert "MIT" in header and "S-ECSPELL" in header
    rows = _pairs()
    assert rows
    wrongs = [cols[0] for _, cols in rows]
    assert len(wrongs) == len(set(wrongs))
    for n, cols in rows:
        assert len(cols) == 3, f"line {n}: wrong<TAB>right<TAB>source_id"
        wrong, right, source = cols
        assert re.fullmatch(r"[\u4e00-\u9fa5]{2,}", wrong) and re.fullmatch(r"[\u4e00-\u9fa5]{2,}", right)
        assert wrong != right and len(wrong) == len(right)
        assert source.startswith("S-")
    assert "标识" not in wrongs, "标识 is statutory (政府网站标识码)"


def test_terms_dictionary_format():
    lines = TERMS.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 1000
    words = set()
    for n, line in enumerate(lines, 1):
        parts = line.split(" ")
        assert len(parts) == 3, f"official_terms.txt:{n}: `word freq tag`, no header"
        word, freq, tag = parts
        assert re.fullmatch(r"[\u4e00-\u9fa5]{2,}", word) and freq.isdigit() and int(freq) > 0
        assert re.fullmatch(r"[a-z]+", tag)
        assert word not in words, f"official_terms.txt:{n}: {word} twice"
        words.add(word)
    assert (DICT / "terms" / "README.md").is_file()


# --- (b) self-test examples through the checker -------------------------------------------------

def _check_text():
    from qualitycheck import check_text

    return check_text


EXAMPLES = [
    (name, rule, kind, item)
    for name, rule in RULES
    for kind in ("flag", "pass")
    for item in rule["examples"][kind]
]


@pytest.mark.parametrize(
    "name,rule,kind,item", EXAMPLES,
    ids=[f"{r['id']}-{k}{i}" for i, (_, r, k, _) in enumerate(EXAMPLES)],
)
def test_example(name, rule, kind, item):
    check_text = _check_text()
    text, published = _example(item)
    enabled = rule.get("enabled", True)
    # Off-by-default rules run only when selected by code or id.
    select = None if enabled else [DATA[name]["code"], rule["id"]]
    findings = check_text(text, published=published, select=select)
    hits = [f for f in findings if f.rule_id == rule["id"]]
    if kind == "flag":
        assert hits, f"{rule['id']} should flag {text!r} (published {published}); got " + repr(
            [(f.code, f.rule_id, f.match) for f in findings])
        for f in hits:
            assert f.code == DATA[name]["code"]
            assert 0 <= f.span.start < f.span.end <= len(text)
            assert f.match == text[f.span.start:f.span.end]
            if "fix" in rule:
                # The fix is the match rewritten by the pattern's groups, and it changes something.
                m = re.compile(rule["pattern"]).search(text, f.span.start)
                assert list(f.suggestions) == [m.expand(rule["fix"])] != [f.match]
            else:
                assert list(f.suggestions) == rule["right"]
    else:
        assert not hits, f"{rule['id']} should pass {text!r} (published {published}); flagged " + repr(
            [f.match for f in hits])


@pytest.mark.parametrize("n,cols", _pairs(), ids=[cols[0] for _, cols in _pairs()])
def test_confusion_pair_flags(n, cols):
    check_text = _check_text()
    wrong, right, _ = cols
    findings = check_text(f"本次检查发现文中的{wrong}一处。", select=["QC101"])
    assert any(f.code == "QC101" and f.match == wrong and right in f.suggestions for f in findings), (
        wrong, [(f.code, f.match) for f in findings])
    clean = check_text(f"本次检查发现文中的{right}一处。", select=["QC101"])
    assert not any(f.match == wrong for f in clean)


def test_stored_prefix_dictionary_is_what_jieba_builds(tmp_path, monkeypatch):
    """dictionaries/segment/prefix_dict.npz is current (rebuild: python dictionaries/segment/build.py
    --prefix-only) and hands jieba the same table it would build itself, so segmentation cannot
    drift; a stale file is ignored rather than trusted."""
    from qualitycheck.text import segment

    stored, built = segment._compiled_tokenizer(), segment._built_tokenizer()
    assert stored is not None, "prefix_dict.npz is missing or stale: run python dictionaries/segment/build.py --prefix-only"
    assert stored.FREQ == built.FREQ and stored.total == built.total
    text = "针对对象开展检查，部分网站的的栏目内容更新不及时。"
    assert list(stored.tokenize(text)) == list(built.tokenize(text))

    terms = tmp_path / "terms"
    terms.mkdir()
    (terms / "extra.txt").write_text("网站的栏目 9 nz\n", encoding="utf-8")
    monkeypatch.setattr(segment, "TERMS_DIR", terms)
    assert segment._compiled_tokenizer() is None


def test_stored_lexicon_tables_are_current_and_equal_to_builds():
    """The ready-made QC105 index and QC106 table (dictionaries/typos/build_stored.py) are made
    from today's files and hold exactly what the code builds, so loading them cannot change a
    finding."""
    from qualitycheck.checks import formulations, idioms
    from qualitycheck import stored
    from qualitycheck.typo import vocabulary

    assert vocabulary._stored_words() == vocabulary.build_words(), "words.npz is stale: run python dictionaries/typos/build_stored.py"
    arrays = stored.load(idioms.STORED_INDEX, idioms._index_digest())
    assert arrays is not None, "idiom_index.npz is stale: run python dictionaries/typos/build_stored.py"
    loaded, built = idioms.NearMissIndex.from_arrays(arrays), idioms.build_index()
    for name in ("entries", "lengths", "confusable", "_subst", "_bigram_roles", "_signatures"):
        assert getattr(loaded, name) == getattr(built, name), name

    arrays = stored.load(formulations.STORED_TABLE, formulations._table_digest())
    assert arrays is not None, "formulation_variants.npz is stale: run python dictionaries/typos/build_stored.py"
    loaded = formulations.VariantTable.from_arrays(arrays)
    built = formulations.FormulationCheck().build_table()
    assert list(loaded.variants.items()) == list(built.variants.items())
    assert loaded._heads == built._heads


def test_a_stale_stored_table_is_not_used(tmp_path, monkeypatch):
    """After an edit of idioms.txt the stored index's digest no longer matches, so it is not
    loaded (the check then builds its index from the files)."""
    from qualitycheck.checks import idioms

    lexicon = tmp_path / "idioms.txt"
    lexicon.write_text((idioms.IDIOM_DIR / "idioms.txt").read_text(encoding="utf-8") + "绿水青山\n", encoding="utf-8")
    monkeypatch.setattr(idioms, "_INDEX_SOURCES", (lexicon, idioms.IDIOM_DIR / "idiom_confusables.txt"))
    from qualitycheck import stored

    assert stored.load(idioms.STORED_INDEX, idioms._index_digest()) is None


def test_a_damaged_stored_table_is_built_instead(tmp_path, monkeypatch):
    """A truncated stored file (an interrupted copy) is not an error: the table is built."""
    from qualitycheck.typo import vocabulary

    broken = tmp_path / "words.npz"
    broken.write_bytes(vocabulary.STORED_WORDS.read_bytes()[:1000])
    monkeypatch.setattr(vocabulary, "STORED_WORDS", broken)
    assert vocabulary._stored_words() is None
    assert "按部就班" in vocabulary.build_words()


def test_jieba_loads_without_pkg_resources(tmp_path):
    """jieba would import setuptools' pkg_resources (0.1 s of a cold check in a fresh Python 3.11
    venv); segmentation must work without touching it. A pkg_resources that fails on import
    stands in for the real one."""
    import subprocess
    import sys

    (tmp_path / "pkg_resources.py").write_text("raise RuntimeError('pkg_resources imported')\n", encoding="utf-8")
    code = ("import sys; from qualitycheck.text.segment import tokens; "
            "print([w for w, _, _ in tokens('针对对象开展检查')]); print('pkg_resources' in sys.modules)")
    env = {**__import__("os").environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["['针对', '对象', '开展', '检查']", "False"]
