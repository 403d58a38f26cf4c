"""One sandboxed run, seen from the worker: fork, confine, wait, measure, clean up.

The worker (trusted) forks a child; the child confines itself
(:func:`execeval_service.sandbox.confine_child`) and calls
:func:`execeval_service.harness.unsafe_execute`. The worker meanwhile reads the child's
result pipe, enforces the CPU limit (polling the child's CPU time, plus ``RLIMIT_CPU`` as a
backstop) and the wall-clock backstop, then takes CPU time and peak memory from the kernel
(``wait4`` rusage), never from the child. Nothing the child writes is trusted beyond
nonce-stamped records, which :mod:`execeval_service.worker` judges.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import time
import traceback
from dataclasses import dataclass, field

from execeval_service import harness, sandbox
from execeval_service.cost import HardwareCounter

CPU_POLL_S = 0.05
MAX_RESULT_BYTES = 32 << 20
HARNESS_FAILURE_STATUS = 70
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class RunOutcome:
    """What the worker observed of one run."""

    records: list = field(default_factory=list)
    exit_status: int | None = None  # exit code, when the child exited
    signal: int | None = None  # the signal that killed it, when one did
    killed_for: str | None = None  # "cpu", "wall" or "results" when the worker killed it
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_memory_kb: int = 0
    stdout: bytes = b""
    stderr: bytes = b""
    hardware_cost: int | None = None
    bad_records: int = 0

    def record(self, kind: str) -> dict | None:
        return next((r for r in self.records if r.get("t") == kind), None)


def _memfd(name: str, data: bytes = b"") -> int:
    fd = os.memfd_create(name, 0)
    if data:
        os.write(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _read_capped(fd: int, cap: int) -> bytes:
    return os.pread(fd, cap, 0)


def _child_cpu_s(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


def _parse_records(data: bytes, nonce: str, outcome: RunOutcome) -> None:
    prefix = nonce.encode("ascii") + b" "
    for line in data.split(b"\n"):
        if not line:
            continue
        if not line.startswith(prefix):
            outcome.bad_records += 1
            continue
        try:
            record = json.loads(line[len(prefix):])
        except ValueError:
            outcome.bad_records += 1
            continue
        if isinstance(record, dict):
            outcome.records.append(record)


def execute_run(plan: dict, *, uid: int, run_root: str, limits: dict, stdin: bytes = b"",
                output_cap: int, hardware_cost: bool = False) -> RunOutcome:
    """Fork one sandboxed run of ``plan`` and return what was observed.

    Raises ``OSError`` only for the worker's own failures (fork, pipes): those are
    SANDBOX_ERRORs, never program verdicts.
    """
    run_dir = os.path.join(run_root, f"run-{os.getpid()}-{time.monotonic_ns()}")
    os.mkdir(run_dir, 0o700)
    os.chown(run_dir, uid, uid)
    stdin_fd, stdout_fd, stderr_fd = _memfd("stdin", stdin), _memfd("stdout"), _memfd("stderr")
    result_read, result_write = os.pipe()
    go_read, go_write = os.pipe() if hardware_cost else (-1, -1)
    nonce = os.urandom(16).hex()
    vm_base_kb, rss_base_kb = sandbox.memory_kb()
    plan = dict(plan, rss_baseline_kb=rss_base_kb)
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # ---- the child: confine, then run untrusted code; never returns
        status = HARNESS_FAILURE_STATUS
        try:
            if hardware_cost:
                os.close(go_write)
                os.read(go_read, 1)  # wait until the parent has attached the counter
            sandbox.confine_child(uid=uid, run_dir=run_dir, limits=limits, vm_base_kb=vm_base_kb,
                                  fds=(stdin_fd, stdout_fd, stderr_fd, result_write))
            status = harness.unsafe_execute(plan, harness.ResultChannel(3, nonce))
        except BaseException:
            try:
                os.write(2, traceback.format_exc().encode()[-4000:])
            except BaseException:
                pass
        finally:
            os._exit(status)
    # ---- the parent (worker)
    outcome = RunOutcome()
    counter = None
    os.close(result_write)
    os.close(stdin_fd)
    try:
        if hardware_cost:
            os.close(go_read)
            try:
                counter = HardwareCounter(pid)
            finally:
                os.write(go_write, b"g")
                os.close(go_write)
        _wait(pid, result_read, limits, outcome, nonce, started, plan["rss_baseline_kb"])
        if counter is not None:
            outcome.hardware_cost = counter.read()
        outcome.stdout = _read_capped(stdout_fd, output_cap)
        outcome.stderr = _read_capped(stderr_fd, output_cap)
    finally:
        if counter is not None:
            counter.close()
        for fd in (result_read, stdout_fd, stderr_fd):
            os.close(fd)
        _clean_up(pid, uid, run_dir)
    return outcome


def _wait(pid: int, result_read: int, limits: dict, outcome: RunOutcome, nonce: str,
          started: float, rss_baseline_kb: int) -> None:
    pidfd = os.pidfd_open(pid)
    chunks, received, open_pipe = [], 0, True
    wall_deadline = started + float(limits["wall_limit_s"])
    cpu_limit = float(limits["time_limit_s"])
    next_poll = started + min(CPU_POLL_S, cpu_limit)
    try:
        while True:
            now = time.perf_counter()
            if now >= wall_deadline:
                outcome.killed_for = "wall"
                break
            if now >= next_poll:
                if _child_cpu_s(pid) > cpu_limit:
                    outcome.killed_for = "cpu"
                    break
                next_poll = now + CPU_POLL_S
            timeout = max(0.0, min(wall_deadline, next_poll) - now)
            readable, _, _ = select.select([result_read, pidfd] if open_pipe else [pidfd],
                                           [], [], timeout)
            if result_read in readable:
                data = os.read(result_read, 1 << 16)
                if not data:
                    open_pipe = False
                else:
                    chunks.append(data)
                    received += len(data)
                    if received > MAX_RESULT_BYTES:
                        outcome.killed_for = "results"
                        break
            if pidfd in readable:
                break
        if outcome.killed_for:
            os.killpg(pid, signal.SIGKILL) if _pgid_is(pid) else os.kill(pid, signal.SIGKILL)
        _, status, usage = os.wait4(pid, 0)
        outcome.wall_s = time.perf_counter() - started
        # Records a grandchild still holds the pipe open for are read without waiting.
        os.set_blocking(result_read, False)
        while open_pipe and received <= MAX_RESULT_BYTES:
            try:
                data = os.read(result_read, 1 << 16)
            except BlockingIOError:
                break
            if not data:
                break
            chunks.append(data)
            received += len(data)
    finally:
        os.close(pidfd)
    outcome.cpu_s = usage.ru_utime + usage.ru_stime
    if outcome.killed_for is None and outcome.cpu_s > cpu_limit:
        outcome.killed_for = "cpu"  # finished, but over the limit between polls
    outcome.peak_memory_kb = max(0, usage.ru_maxrss - rss_baseline_kb)
    if os.WIFEXITED(status):
        outcome.exit_status = os.WEXITSTATUS(status)
    elif os.WIFSIGNALED(status):
        outcome.signal = os.WTERMSIG(status)
        if outcome.signal in (signal.SIGXCPU,) or (
            outcome.signal == signal.SIGKILL and outcome.cpu_s >= cpu_limit
        ):
            outcome.killed_for = outcome.killed_for or "cpu"
    _parse_records(b"".join(chunks), nonce, outcome)


def _pgid_is(pid: int) -> bool:
    try:
        return os.getpgid(pid) == pid
    except OSError:
        return False


def _clean_up(pid: int, uid: int, run_dir: str) -> None:
    """Kill whatever the run left (its group, then orphans by uid) and remove its directory."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    sandbox.reap_children(block=False)
    if sandbox.has_orphans():
        sandbox.kill_user_processes(uid)
    try:
        os.rmdir(run_dir)  # the common case: the run left its directory empty
    except OSError:
        shutil.rmtree(run_dir, ignore_errors=True)
