"""Build hook: a wheel carries the dictionaries and models the checks read at run time.

The data stays at the repository's top level (where the build scripts write models and where
reviewers read dictionaries); this copies it into the built package as qualitycheck/_data/.
An editable install reads the clone directly, so nothing is copied there.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED_DATA = ("dictionaries", "models")


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target_root = Path(self.build_lib) / "qualitycheck" / "_data"
        for name in SHIPPED_DATA:
            source = HERE / name
            if not source.is_dir():
                raise SystemExit(f"构建失败：缺少数据目录 {source}")
            target = target_root / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithData})
