"""Where the steps run: this machine's process pool, or a Dask cluster. Both take the same
picklable functions and keep only a bounded number of tasks in flight, so the parent never
holds the whole run's work list."""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Iterator

from ..errors import InputError


class LocalExecutor:
    """jobs == 1: in this process (the page time limit uses the main thread's timer);
    otherwise a pool of forked worker processes, each loading the models once."""

    name = "local"

    def __init__(self, jobs: int = 1):
        self.jobs = max(1, jobs)

    def map_unordered(self, fn: Callable, job: Any, items: Iterable[tuple]) -> Iterator[Any]:
        if self.jobs <= 1:
            for args in items:
                yield fn(job, *args)
            return
        import multiprocessing as mp
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        ctx = mp.get_context("fork" if hasattr(os, "fork") else "spawn")
        source = iter(items)
        pending: set = set()
        with ProcessPoolExecutor(self.jobs, mp_context=ctx) as pool:
            def refill() -> None:
                while len(pending) < 2 * self.jobs:
                    args = next(source, None)
                    if args is None:
                        return
                    pending.add(pool.submit(fn, job, *args))

            refill()
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    pending.discard(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        raise InputError("一个检查进程意外退出（可能内存不足被系统终止）。已完成的分片已保存，"
                                         "用同样的命令加 --resume 可以接着运行") from None
                refill()

    def close(self) -> None:
        pass


class DaskExecutor:
    """A Dask distributed cluster (`dask scheduler` + `dask worker`): the same steps as tasks.

    The job (configuration, registry) is sent to every worker once; each worker process loads
    the models on its first task and keeps them. A task lost with a dying worker is rerun by the
    scheduler on another worker.
    """

    name = "dask"

    def __init__(self, address: str, window: int | None = None):
        try:
            from distributed import Client
        except ImportError:
            raise InputError("--cluster 需要 Dask：pip install 'qualitycheck[cluster]'") from None
        try:
            self.client = Client(address, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise InputError(f"无法连接 Dask 调度器 {address}：{exc}") from None
        threads = sum(self.client.nthreads().values()) or 1
        self.window = window or 2 * threads
        self._jobs: dict[str, Any] = {}

    def _job_future(self, job: Any) -> Any:
        key = getattr(job, "fingerprint", "") or str(id(job))
        if key not in self._jobs:
            self._jobs[key] = self.client.scatter(job, broadcast=True, hash=False)
        return self._jobs[key]

    def map_unordered(self, fn: Callable, job: Any, items: Iterable[tuple]) -> Iterator[Any]:
        from distributed import as_completed

        job_future = self._job_future(job)
        source = iter(items)
        running = as_completed()

        def submit_next() -> bool:
            args = next(source, None)
            if args is None:
                return False
            running.add(self.client.submit(fn, job_future, *args, pure=False, retries=2))
            return True

        for _ in range(self.window):
            if not submit_next():
                break
        for future in running:
            result = future.result()
            future.release()
            yield result
            submit_next()

    def close(self) -> None:
        self.client.close()


def make_executor(cluster: str | None, jobs: int) -> LocalExecutor | DaskExecutor:
    return DaskExecutor(cluster) if cluster else LocalExecutor(jobs)
