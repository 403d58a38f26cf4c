"""One judge shared by every reward of a run: settings, batching, caching, "could not score".

TRL calls each reward function on the same generation batch (async ones concurrently, on
one event loop). Correctness, efficiency, comments and maintainability all need to know
whether a completion passes its tests; :class:`CompletionJudge` runs each distinct
(problem, code) pair once per batch -- concurrent requests for the same pair await the
same in-flight run -- and keeps finished results in a bounded cache.

A result whose status is ``SANDBOX_ERROR`` (judge unreachable after the client's retries,
a worker that died) is returned as such and never cached, so rewards turn it into ``None``
("could not score"), never into 0.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import os
import threading
from dataclasses import asdict, dataclass, field
from typing import Optional, Sequence

from execeval_service.jobs import JudgeJob, JudgeResult, Limits
from grpo4code.rewards.columns import ProblemSpec


@dataclass(frozen=True)
class JudgeConfig:
    """Where and how rewards run code. Frozen and hashable: rewards built from equal configs
    share one judge (see :func:`shared_completion_judge`)."""

    execute_code_url: tuple = field(default=(), metadata={
        "help": "Judge service URLs (one or several, load spread round robin). Empty: the embedded "
                "judge, warm sandboxed workers in this process."})
    token_env: str = field(default="EXECEVAL_TOKEN", metadata={
        "help": "Environment variable holding the services' bearer token, if they need one."})
    workers: int = field(default=0, metadata={"help": "Embedded judge workers (0 = one per core)."})
    time_limit_s: float = field(default=5.0, metadata={"help": "CPU seconds per completion's run."})
    memory_limit_mb: int = field(default=1024, metadata={"help": "Address space per run (MiB)."})
    max_concurrency: int = field(default=32, metadata={"help": "HTTP requests in flight (service)."})
    retries: int = field(default=3, metadata={"help": "Retries of a failed service call before "
                                                     "the reward says 'could not score'."})
    request_timeout_s: float = field(default=600.0, metadata={"help": "HTTP timeout per request."})
    cache_size: int = field(default=16384, metadata={"help": "Judged (problem, code) pairs kept."})

    def __post_init__(self) -> None:
        urls = self.execute_code_url
        if isinstance(urls, str):
            urls = tuple(u for u in urls.replace(",", " ").split() if u)
        object.__setattr__(self, "execute_code_url", tuple(urls or ()))
        if self.time_limit_s <= 0:
            raise ValueError("JudgeConfig.time_limit_s must be > 0")

    @property
    def limits(self) -> Limits:
        return Limits(time_limit_s=self.time_limit_s, memory_limit_mb=self.memory_limit_mb)

    def make_backend(self):
        """The judge itself: a :class:`JudgeClient` for URLs, else an :class:`EmbeddedJudge`."""
        if self.execute_code_url:
            from execeval_service.client import JudgeClient

            return JudgeClient(list(self.execute_code_url), token=os.environ.get(self.token_env) or None,
                               max_concurrency=self.max_concurrency, retries=self.retries,
                               timeout_s=self.request_timeout_s)
        from execeval_service.embedded import EmbeddedJudge

        return EmbeddedJudge(workers=self.workers)


def job_key(spec: ProblemSpec, code: str, measure_cost: bool, tests_key: str = "") -> str:
    digest = hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{spec.key}:{tests_key}:{int(measure_cost)}:{digest}"


class CompletionJudge:
    """Judges (problem, code) pairs for rewards: batched, de-duplicated, cached.

    Not picklable state is built lazily, so reward objects holding one can be pickled
    (TRL and multiprocessing do); :func:`shared_completion_judge` gives every reward of a
    process the same instance per config.
    """

    def __init__(self, config: JudgeConfig | None = None, backend=None):
        self.config = config or JudgeConfig()
        self._backend = backend
        self._cache: collections.OrderedDict[str, JudgeResult] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._inflight: dict[tuple, asyncio.Future] = {}
        self.runs = 0  # jobs actually sent to the backend (for tests and logs)

    @property
    def backend(self):
        with self._lock:
            if self._backend is None:
                self._backend = self.config.make_backend()
            return self._backend

    @property
    def cost_unit(self) -> Optional[str]:
        return getattr(self.backend, "cost_unit", None)

    def _cached(self, key: str) -> Optional[JudgeResult]:
        with self._lock:
            result = self._cache.get(key)
            if result is not None:
                self._cache.move_to_end(key)
            return result

    def _store(self, key: str, result: JudgeResult) -> None:
        if result.could_not_score:
            return
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self.config.cache_size:
                self._cache.popitem(last=False)

    async def judge(self, specs: Sequence[ProblemSpec], codes: Sequence[Optional[str]], *,
                    measure_cost: bool = False, tests: Sequence[Optional[tuple]] | None = None,
                    tests_key: str = "") -> list[Optional[JudgeResult]]:
        """One result per (spec, code); ``None`` where ``code`` is ``None`` (nothing to run).

        ``tests`` replaces a spec's tests (the efficiency reward runs a subset); pass a
        ``tests_key`` naming the subset rule so its cache entries stay apart.
        """
        loop = asyncio.get_running_loop()
        keys = [None if code is None else job_key(spec, code, measure_cost, tests_key)
                for spec, code in zip(specs, codes)]
        results: list[Optional[JudgeResult]] = [None] * len(keys)
        to_run: dict[str, JudgeJob] = {}
        waiting: dict[int, asyncio.Future] = {}
        for i, key in enumerate(keys):
            if key is None:
                continue
            cached = self._cached(key)
            if cached is not None:
                results[i] = cached
                continue
            future = self._inflight.get((id(loop), key))
            if future is None and key not in to_run:
                run_tests = tests[i] if tests is not None and tests[i] is not None else specs[i].tests
                to_run[key] = JudgeJob(source=codes[i], preamble=specs[i].preamble,
                                       entry_point=specs[i].entry_point, tests=list(run_tests),
                                       limits=self.config.limits, measure_cost=measure_cost)
                future = loop.create_future()
                self._inflight[(id(loop), key)] = future
            waiting[i] = self._inflight[(id(loop), key)]
        if to_run:
            await self._run(loop, to_run)
        for i, future in waiting.items():
            results[i] = await future
        return results

    async def _run(self, loop, jobs: dict[str, JudgeJob]) -> None:
        keys = list(jobs)
        try:
            self.runs += len(keys)
            answers = await self.backend.run_batch([jobs[k] for k in keys])
        except BaseException as exc:  # a malformed job or a bug: every waiter sees it
            for key in keys:
                future = self._inflight.pop((id(loop), key))
                if not future.done():
                    future.set_exception(exc)
            raise
        for key, answer in zip(keys, answers):
            self._store(key, answer)
            future = self._inflight.pop((id(loop), key))
            if not future.done():
                future.set_result(answer)

    def close(self) -> None:
        backend, self._backend = self._backend, None
        if backend is not None and hasattr(backend, "close"):
            backend.close()

    def __getstate__(self) -> dict:
        return {"config": self.config}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["config"])


_SHARED: dict[JudgeConfig, CompletionJudge] = {}
_SHARED_LOCK = threading.Lock()


def shared_completion_judge(config: JudgeConfig | None = None) -> CompletionJudge:
    """The process-wide :class:`CompletionJudge` for ``config`` (created on first use)."""
    config = config or JudgeConfig()
    with _SHARED_LOCK:
        if config not in _SHARED:
            _SHARED[config] = CompletionJudge(config)
        return _SHARED[config]


def close_shared_judges() -> None:
    """Stop every shared judge's workers (end of a run, end of a test session)."""
    with _SHARED_LOCK:
        judges = list(_SHARED.values())
        _SHARED.clear()
    for judge in judges:
        judge.close()


def config_dict(config: JudgeConfig) -> dict:
    """``config`` as plain data, for run records."""
    data = asdict(config)
    data["execute_code_url"] = list(config.execute_code_url)
    return data
