"""Where the project's data lives.

In a clone (and an editable install) the data is the repository's top-level `dictionaries/`,
`models/` and `corpora/`, so a rebuilt model is used at once. A wheel or `pip install .` carries
`dictionaries/` and `models/` inside the package as `qualitycheck/_data/` (setup.py copies them
there at build time), because an installed package cannot see the clone it was built from.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_DATA_DIR = PACKAGE_DIR / "_data"


def _is_source_checkout(folder: Path) -> bool:
    return (folder / "pyproject.toml").is_file() and (folder / "dictionaries").is_dir()


ROOT_DIR = PACKAGE_DIR.parent if _is_source_checkout(PACKAGE_DIR.parent) else BUNDLED_DATA_DIR
DICTIONARIES_DIR = ROOT_DIR / "dictionaries"
MODELS_DIR = ROOT_DIR / "models"
# Training corpora are not shipped in the wheel: only the build scripts, run from a clone, read them.
CORPORA_DIR = ROOT_DIR / "corpora"
