"""The package as users install it: `pip install PATH` and the built wheel, each into a fresh venv,
used from outside the clone.

Scrapy users, CMS integrators and cluster workers install the package, not the clone, so it must
carry the dictionaries and models the checks read, and give the same findings as the clone.
Offline: the wheel is built without build isolation, the fresh venvs borrow only the third-party
dependencies from the test venv (through a .pth line), never its editable qualitycheck.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed"
ROOT_OUTPUTS = {".venv", ".git", "build", "dist", ".pytest_cache", "report", "out"}


def NOT_SOURCE(folder: str, names: list[str]) -> set[str]:
    """What a clone has that is not source: run outputs at the top level, caches anywhere."""
    skipped = {n for n in names if n == "__pycache__" or n.endswith(".egg-info")}
    if Path(folder) == ROOT:
        skipped |= ROOT_OUTPUTS & set(names)
    return skipped
SAMPLE = "根据省工商局的通知，全面落实习进平总书记的指示，请及时登陆四川政务服务网。\n"


def _pip(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]


def _fresh_venv(where: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120)
    python = where / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return python


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("install")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    dist = work / "dist"
    _pip("wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist), str(source))
    wheel = next(dist.glob("qualitycheck-*.whl"))
    pythons = {}
    for name, what in (("wheel", wheel), ("path", source)):
        python = _fresh_venv(work / f"venv-{name}")
        _pip("install", "-q", "--no-deps", "--no-index", "--no-build-isolation", "--ignore-installed", "--prefix", str(python.parent.parent), str(what))
        pythons[name] = python
    return {"wheel_file": wheel, **pythons}


def _check(python: Path | str, cwd: Path, *files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-m", "qualitycheck", "check", "--format", "json", *map(str, files)],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def _codes(result: subprocess.CompletedProcess) -> list[tuple]:
    report = json.loads(result.stdout)
    return sorted((Path(f["source"]).name, f["code"], f["line"], f["column"], f["message"])
                  for file in report["files"] for f in file["findings"])


def test_wheel_carries_the_dictionaries_and_models(build: dict[str, Path]) -> None:
    names = zipfile.ZipFile(build["wheel_file"]).namelist()
    shipped = {n.split("/")[2] for n in names if n.startswith("qualitycheck/_data/")}
    assert shipped == {"dictionaries", "models"}
    assert "qualitycheck/_data/models/typo/lm.npz" in names
    expected = sum(1 for p in (ROOT / "dictionaries").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert sum(1 for n in names if n.startswith("qualitycheck/_data/dictionaries/")) == expected
    # the published JSON Schema of the CLI's and the API's output travels with the package
    assert "qualitycheck/schemas/findings.schema.json" in names


@pytest.mark.parametrize("how", ["wheel", "path"])
def test_installed_package_gives_the_clones_findings_from_another_directory(build, how, tmp_path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(SAMPLE, encoding="utf-8")
    files = [article, *sorted(SEED.glob("*.txt"))]
    installed = _check(build[how], tmp_path, *files)
    clone = _check(sys.executable, ROOT, *files)
    assert installed.returncode == clone.returncode == 1, installed.stderr[-2000:]
    assert "Traceback" not in installed.stderr
    assert _codes(installed) == _codes(clone)
    assert any(code == "QC104" for _, code, *_ in _codes(installed))
    where = subprocess.run([str(build[how]), "-c", "import qualitycheck.paths as p; print(p.DICTIONARIES_DIR)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert ROOT not in Path(where).parents and Path(where).is_dir()
