"""Write the ready-made lexicon tables a cold `check` loads instead of building:

    python dictionaries/typos/build_stored.py

- words.npz: the merged word lists (qualitycheck/typo/vocabulary.py) that say a span is a word;
- idiom_index.npz: QC105's near-miss index of idioms.txt with idiom_confusables.txt;
- formulation_variants.npz: QC106's misspellings of formulations.yaml (its confusion sets and
  word lists included).

Each file records a digest of the files it was made from. While they are unchanged the check
loads it (about a tenth of a second saved each); after an edit the check builds the table itself
until this script is run again. tests/test_dictionaries.py fails while a stored table is stale or
differs from the one the code builds.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    from qualitycheck.checks import formulations, idioms
    from qualitycheck import stored
    from qualitycheck.typo import vocabulary

    print(f"wrote {vocabulary.STORED_WORDS} ({vocabulary.write_stored_words():,} words)")
    print(f"wrote {idioms.write_stored_index()}")
    table = formulations.FormulationCheck().build_table()
    stored.save(formulations.STORED_TABLE, formulations._table_digest(), table.to_arrays())
    print(f"wrote {formulations.STORED_TABLE} ({len(table):,} misspellings)")


if __name__ == "__main__":
    main()
