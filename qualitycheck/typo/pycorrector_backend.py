"""Comparison backend: pycorrector's own classical ``Corrector`` driven by *our* language model.

Optional extra (``pip install 'qualitycheck[pycorrector]'``: pycorrector, torch==2.13.0 CPU,
ufal.kenlm).  Nothing here is imported unless ``--engine pycorrector`` is asked for.

pycorrector's ``Corrector`` takes ``language_model_path`` and opens it with ``kenlm.Model``;
it scores ``' '.join(chars)``, i.e. a character model.  We hand it the shipped model
(``models/typo/lm.npz``) converted to ARPA (same n-grams, same probabilities), written once
to a cache folder (``$QUALITYCHECK_CACHE`` or ``~/.cache/qualitycheck``) by::

    python -m qualitycheck.typo.build --arpa-only --arpa ~/.cache/qualitycheck/typo-lm.arpa

(done automatically on first use; about 30 s).  pycorrector's own confusion sets, word
frequencies and name lists (inside its wheel) are used unchanged.
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from .engine import DEFAULT_MODEL_DIR


def _cache_dir() -> Path:
    return Path(os.environ.get("QUALITYCHECK_CACHE", Path.home() / ".cache" / "qualitycheck"))


def arpa_path_for(model_dir: Path) -> Path:
    lm = model_dir / "lm.npz"
    st = lm.stat()
    tag = hashlib.sha1(f"{lm.resolve()}:{st.st_size}:{int(st.st_mtime)}".encode()).hexdigest()[:10]
    return _cache_dir() / f"typo-lm-{tag}.arpa"


def ensure_arpa(model_dir: Path) -> Path:
    path = arpa_path_for(model_dir)
    if not path.exists():
        from .build import write_arpa
        from .lm import NgramLM
        tmp = path.with_suffix(".tmp")
        write_arpa(NgramLM.load(model_dir / "lm.npz"), tmp)
        tmp.replace(path)
    return path


class PycorrectorBackend:
    def __init__(self, corrector, arpa: Path, timings: dict):
        self.corrector = corrector
        self.arpa = arpa
        self.timings = timings

    @classmethod
    def load(cls, model_dir: str | Path | None = None) -> "PycorrectorBackend":
        d = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        t0 = time.perf_counter()
        arpa = ensure_arpa(d)
        t1 = time.perf_counter()
        try:
            from pycorrector.corrector import Corrector
        except ImportError as e:  # pragma: no cover - depends on the optional extra
            raise RuntimeError("the pycorrector engine needs the optional extra: "
                               "pip install 'qualitycheck[pycorrector]'") from e
        try:  # pycorrector logs every load at DEBUG level through loguru
            from loguru import logger
            logger.remove()
        except Exception:  # pragma: no cover
            pass
        t2 = time.perf_counter()
        c = Corrector(language_model_path=str(arpa))
        c.check_detector_initialized()
        c.check_corrector_initialized()
        t3 = time.perf_counter()
        return cls(c, arpa, {"arpa_s": t1 - t0, "import_s": t2 - t1, "init_s": t3 - t2})

    def correct_batch(self, sentences: list[str]) -> list[str]:
        # raw targets; a length change is scored as-is (never equal to the gold target)
        return [self.corrector.correct(s)["target"] for s in sentences]
