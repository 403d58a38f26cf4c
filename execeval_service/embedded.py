"""The judge in-process: :class:`EmbeddedJudge`, and job preparation shared with the server.

Preparation is the trusted half of a job and happens here, in the caller's process: limits
are clamped to the engine's ceilings, ``check`` programs are split into counted tests
(:func:`grpo4code.data.check_program.split_check_program`, cached), and the trusted
preamble and the entry point are syntax-checked, so a malformed job is a
:class:`JobError` naming the field rather than a verdict.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import threading
import time
from typing import Iterable, Sequence

from execeval_service.jobs import JudgeJob, JudgeResult, result_summary
from execeval_service.metrics import Metrics
from execeval_service.pool import WorkerPool
from execeval_service.settings import EngineSettings
from grpo4code.data.check_program import split_check_program


class JobError(ValueError):
    """A job the judge cannot run as given; ``field`` names the offending field."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


@functools.lru_cache(maxsize=1024)
def _syntax_error(source: str, mode: str) -> str | None:
    try:
        compile(source, "<trusted>", mode, dont_inherit=True)
        return None
    except (SyntaxError, ValueError) as exc:
        return str(exc)


def prepare_job(job: JudgeJob, settings: EngineSettings, job_id: int = 0, where: str = "") -> tuple[dict, float]:
    """Return ``(worker message, deadline seconds)`` for ``job``; raise :class:`JobError`."""
    limits = job.limits
    clamped = {
        "time_limit_s": min(limits.time_limit_s, settings.max_time_limit_s),
        "memory_limit_mb": min(limits.memory_limit_mb, settings.max_memory_limit_mb),
        "max_processes": min(limits.max_processes, settings.max_processes),
        "max_open_files": min(limits.max_open_files, 1024),
        "max_file_size_mb": min(limits.max_file_size_mb, settings.max_file_size_mb),
    }
    wall = limits.wall_limit_s if limits.wall_limit_s else 3.0 * clamped["time_limit_s"] + 2.0
    clamped["wall_limit_s"] = min(wall, 3.0 * settings.max_time_limit_s + 2.0)
    tests, counted, runs = [], 0, 0
    for i, test in enumerate(job.tests):
        if test.kind == "stdio":
            outputs = [test.output] if isinstance(test.output, str) else list(test.output)
            tests.append({"kind": "stdio", "input": test.input, "output": outputs})
            counted, runs = counted + 1, runs + 1
        elif test.kind == "call":
            tests.append({"kind": "call", "args": test.args, "kwargs": test.kwargs,
                          "expected": test.expected, "atol": test.atol})
            counted += 1
        else:
            try:
                program = split_check_program(test.code)
            except ValueError as exc:
                raise JobError(f"{where}tests.{i}.code", str(exc)) from None
            if not program.tests:
                raise JobError(f"{where}tests.{i}.code", "the check program holds no assertion")
            tests.append({"kind": "assertion", "module_code": program.module_code,
                          "candidate_name": program.candidate_name,
                          "steps": [[step.code, step.is_test] for step in program.steps]})
            counted += len(program.tests)
    if counted > settings.max_tests_per_job:
        raise JobError(f"{where}tests", f"{counted} tests; at most {settings.max_tests_per_job} per job")
    if any(t["kind"] != "stdio" for t in tests):
        runs += 1
        error = _syntax_error(job.entry_point.strip(), "eval")
        if error:
            raise JobError(f"{where}entry_point", f"not a Python expression ({error})")
    if job.preamble.strip():
        error = _syntax_error(job.preamble, "exec")
        if error:
            raise JobError(f"{where}preamble", f"does not compile ({error})")
    message = {
        "id": job_id, "source": job.source, "preamble": job.preamble,
        "entry_point": job.entry_point, "tests": tests, "limits": clamped,
        "measure_cost": job.measure_cost, "stop_on_first_fail": job.stop_on_first_fail,
        "report_chars": settings.report_chars, "cost_time_factor": settings.cost_time_factor,
    }
    repeats = 1 + (settings.cost_time_factor if job.measure_cost else 0)
    deadline = runs * clamped["wall_limit_s"] * repeats + settings.job_slack_s + 0.01 * counted
    return message, deadline


class EmbeddedJudge:
    """The judge engine in this process: warm sandboxed workers and :meth:`run_batch`.

    >>> judge = EmbeddedJudge()                      # doctest: +SKIP
    >>> [result] = judge.run_batch_sync([JudgeJob(source="print(1)", tests=[...])])

    Thread-safe; ``run_batch`` may be awaited from any event loop. Call :meth:`close` (or
    use it as a context manager) to stop the workers.
    """

    def __init__(self, settings: EngineSettings | None = None, session_settings=None, **overrides):
        self.settings = settings or EngineSettings(**overrides)
        self.metrics = Metrics()
        self.pool = WorkerPool(self.settings, self.metrics)
        self.session_settings = session_settings  # a SessionSettings, or None for the defaults
        self._sessions = None
        self._sessions_lock = threading.Lock()
        self._next_id = 0

    @property
    def isolation(self) -> str:
        return self.pool.isolation

    @property
    def cost_unit(self) -> str | None:
        return self.pool.cost_unit

    def submit(self, job: JudgeJob | dict, where: str = "",
               report_chars: int | None = None) -> concurrent.futures.Future:
        """Start one job; the future's result is a :class:`JudgeResult`. Raises :class:`JobError`.

        ``report_chars`` overrides how much stdout/stderr is reported (the SandboxFusion
        endpoint returns whole outputs, up to the file-size limit).
        """
        if not isinstance(job, JudgeJob):
            job = JudgeJob.model_validate(job)
        self._next_id += 1
        message, deadline = prepare_job(job, self.settings, self._next_id, where)
        if report_chars is not None:
            message["report_chars"] = report_chars
        return self._start(message, deadline)

    def _start(self, message: dict, deadline: float, summary: bool = False) -> concurrent.futures.Future:
        started = time.perf_counter()
        raw = self.pool.submit(message, deadline)
        done: concurrent.futures.Future = concurrent.futures.Future()

        def finish(future: concurrent.futures.Future) -> None:
            try:
                data = future.result()
                data.pop("id", None)
                if data.get("status") == "SANDBOX_ERROR" and not data.get("num_tests"):
                    data["num_tests"] = len(message["tests"])
                result = result_summary(data) if summary else JudgeResult.model_validate(data)
            except Exception as exc:  # the engine's own fault
                data = {"status": "SANDBOX_ERROR", "error": f"engine error: {exc!r}",
                        "num_tests": len(message["tests"])}
                result = result_summary(data) if summary else JudgeResult.model_validate(data)
            self.metrics.job_finished(data, time.perf_counter() - started)
            done.set_result(result)

        raw.add_done_callback(finish)
        return done

    def submit_many(self, jobs: Iterable[JudgeJob | dict]) -> list[concurrent.futures.Future]:
        """Prepare every job first (so a bad one raises before any runs), then start them all."""
        return self._submit_many(jobs, summary=False)

    def submit_many_summaries(self, jobs: Iterable[JudgeJob | dict]) -> list[concurrent.futures.Future]:
        """:meth:`submit_many`, each future's result being ``JudgeResult.summary()`` of the
        result (a plain dict, for JSON responses) without building the model."""
        return self._submit_many(jobs, summary=True)

    def _submit_many(self, jobs: Iterable[JudgeJob | dict], summary: bool) -> list[concurrent.futures.Future]:
        validated = [j if isinstance(j, JudgeJob) else JudgeJob.model_validate(j) for j in jobs]
        prepared = []
        for i, job in enumerate(validated):
            self._next_id += 1
            prepared.append(prepare_job(job, self.settings, self._next_id, where=f"jobs.{i}."))
        return [self._start(message, deadline, summary) for message, deadline in prepared]

    async def run_batch(self, jobs: Sequence[JudgeJob | dict]) -> list[JudgeResult]:
        """Run ``jobs`` on the warm workers; one :class:`JudgeResult` per job, in order."""
        futures = self.submit_many(jobs)
        return list(await asyncio.gather(*(asyncio.wrap_future(f) for f in futures)))

    def run_batch_sync(self, jobs: Sequence[JudgeJob | dict]) -> list[JudgeResult]:
        """Blocking :meth:`run_batch`, for scripts and code without an event loop."""
        return [f.result() for f in self.submit_many(jobs)]

    def health(self) -> dict:
        return {"status": "ok" if not self.pool.closed else "closed", "isolation": self.isolation,
                "workers": len(self.pool.slots), "cost_unit": self.cost_unit,
                "worker_pids": self.pool.worker_pids()}

    def metrics_snapshot(self) -> dict:
        data = self.metrics.snapshot()
        data.update(queue_depth=self.pool.queue_depth(), busy_workers=self.pool.busy_workers(),
                    workers=len(self.pool.slots), isolation=self.isolation, cost_unit=self.cost_unit)
        return data

    # ---- interpreter sessions (execeval_service.sessions) ------------------------------------
    @property
    def sessions(self):
        """The :class:`~execeval_service.sessions.SessionManager`, started on first use with the
        pool's isolation (bubblewrap or none)."""
        with self._sessions_lock:
            if self._sessions is None:
                from execeval_service.sessions import SessionManager

                self._sessions = SessionManager(self.session_settings, isolation=self.pool.isolation,
                                                bwrap=self.pool.bwrap)
            return self._sessions

    async def create_session(self, limits=None):
        """Start an interpreter session (``limits``: a SessionLimits or dict); a SessionInfo."""
        return await self.sessions.acreate(limits)

    async def run_cell(self, session_id: str, code: str):
        """Run a cell in a session; a CellResult (state persists between cells)."""
        return await self.sessions.arun_cell(session_id, code)

    async def close_session(self, session_id: str) -> bool:
        """End a session; False when it had already ended."""
        return await self.sessions.aclose(session_id)

    def close(self) -> None:
        if self._sessions is not None:
            self._sessions.shutdown()
        self.pool.close()

    def __enter__(self) -> "EmbeddedJudge":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
