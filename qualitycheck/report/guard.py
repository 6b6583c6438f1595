"""One report writer failing never stops the others.

Each writer runs on its own; a failure is recorded (file, reason in Chinese) in the
run's summary under ``report_errors`` and the run goes on to the next file. The
commands print the failures and exit 2: the run failed, whatever the sites' verdicts.
"""

from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")


def run_writer(name: str, write: Callable[[], T], failures: list[dict]) -> T | None:
    """Call `write`; on any error record it under `name` and return None."""
    try:
        return write()
    except Exception as exc:  # noqa: BLE001 - a broken writer must not take the other reports with it
        failures.append({"file": name, "error": f"{exc.__class__.__name__}: {exc}"})
        return None


def failure_lines(summary: dict) -> list[str]:
    seen = dict.fromkeys((f["file"], f["error"]) for f in summary.get("report_errors") or ())
    return [f"qualitycheck：错误：报告文件 {name} 未能写出（{error}）；其他报告文件已写出。" for name, error in seen]
