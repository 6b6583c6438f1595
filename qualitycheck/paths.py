"""Where the project's data lives: the repository's top-level folders."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT_DIR = PACKAGE_DIR.parent
DICTIONARIES_DIR = ROOT_DIR / "dictionaries"
MODELS_DIR = ROOT_DIR / "models"
CORPORA_DIR = ROOT_DIR / "corpora"
