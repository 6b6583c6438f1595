"""The per-page time limit holds in any thread: a Dask worker's task thread, the Scrapy plugin's pool."""

from __future__ import annotations

import threading
import time

from qualitycheck.runner import PageTimeout, time_limit


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(range(1000))  # pure Python: the limit lands between bytecodes


def _in_thread(fn) -> dict:
    out: dict = {}

    def run():
        started = time.monotonic()
        try:
            fn()
            out["result"] = "finished"
        except PageTimeout:
            out["result"] = "timeout"
        out["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return out


def test_a_page_over_its_limit_is_stopped_in_a_worker_thread():
    def slow():
        with time_limit(0.3):
            _spin(10)

    out = _in_thread(slow)
    assert out["result"] == "timeout" and out["seconds"] < 3


def test_threads_keep_their_own_deadlines_and_a_finished_page_is_never_hit_later():
    results = {}

    def quick_pages():
        for _ in range(200):  # many short pages: none may be interrupted, nor the code after them
            with time_limit(5):
                _spin(0.001)
        _spin(0.5)

    def one_slow_page():
        with time_limit(0.2):
            _spin(10)

    threads = {name: threading.Thread(target=lambda n=name, f=fn: results.__setitem__(n, _in_thread(f)))
               for name, fn in (("quick", quick_pages), ("slow", one_slow_page))}
    for t in threads.values():
        t.start()
    for t in threads.values():
        t.join(30)
    assert results["slow"]["result"] == "timeout"
    assert results["quick"]["result"] == "finished"


def test_a_sooner_deadline_armed_later_still_fires_on_time():
    def long_then_short():
        with time_limit(30):
            _spin(0.05)
        with time_limit(0.2):
            _spin(10)

    out = _in_thread(long_then_short)
    assert out["result"] == "timeout" and out["seconds"] < 3
