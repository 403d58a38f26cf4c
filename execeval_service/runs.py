"""One sandboxed run, seen from the worker: start, wait, measure, clean up.

The worker (trusted) asks its fork server (:mod:`execeval_service.forkserver`) for a run; the
forked child confines itself (:func:`execeval_service.sandbox.confine_child`) and calls
:func:`execeval_service.harness.unsafe_execute`. The worker meanwhile waits for the fork
server's exit report, enforcing the CPU limit (polling the child's CPU time, plus
``RLIMIT_CPU`` as a backstop) and the wall-clock backstop, then takes CPU time and peak
memory from the kernel (``wait4`` rusage, reported by the fork server), never from the
child. The run's stdin, stdout, stderr and result records are memory files (memfds): the
run writes without waking the worker, its file-size limit caps them, and the worker reads
them once the run and everything it started are gone. Nothing the child writes is trusted
beyond nonce-stamped records, which :mod:`execeval_service.worker` judges.
"""

from __future__ import annotations

import json
import marshal
import os
import select
import signal
import time
from dataclasses import dataclass, field

from execeval_service import sandbox
from execeval_service.forkserver import ForkServer, ForkServerDied

CPU_POLL_S = 0.05
MAX_RESULT_BYTES = 32 << 20  # result records read at most (the run's file-size limit applies too)
REPORT_GRACE_S = 10.0  # how long the fork server may take to fork or report a run to be killed
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class RunOutcome:
    """What the worker observed of one run."""

    records: list = field(default_factory=list)
    exit_status: int | None = None  # exit code, when the child exited
    signal: int | None = None  # the signal that killed it, when one did
    killed_for: str | None = None  # "cpu" or "wall" when the worker killed it, "results" when
    # it wrote more records than are read
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
    fd = os.memfd_create(name, os.MFD_CLOEXEC)  # close-on-exec here; the run has it on fds 0-3
    if data:
        os.pwrite(fd, data, 0)  # the file offset stays at 0, where the child starts reading
    return fd


def _read_file(fd: int, cap: int) -> bytes:
    """Up to ``cap`` bytes of a memfd (sized first: ``pread`` allocates what it is asked for)."""
    size = os.lseek(fd, 0, os.SEEK_END)
    return os.pread(fd, min(size, cap), 0) if size else b""


def _child_cpu_s(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


_decode_json = json.JSONDecoder().decode


def _parse_records(data: bytes, nonce: str, outcome: RunOutcome) -> None:
    prefix = nonce.encode("ascii") + b" "
    start = len(prefix)
    for line in data.split(b"\n"):
        if not line:
            continue
        if not line.startswith(prefix):
            outcome.bad_records += 1
            continue
        try:
            record = _decode_json(line[start:].decode("utf-8"))
        except ValueError:  # UnicodeDecodeError included
            outcome.bad_records += 1
            continue
        if isinstance(record, dict):
            outcome.records.append(record)


def execute_run(plan: dict, *, server: ForkServer, limits: dict, stdin: bytes = b"",
                output_cap: int, hardware_cost: bool = False) -> RunOutcome:
    """Run ``plan`` once, sandboxed, through ``server``; return what was observed.

    Raises ``OSError`` only for the worker's own failures (the fork server, memfds): those
    are SANDBOX_ERRORs, never program verdicts.
    """
    sandbox.fresh_run_dir(server.run_dir, server.uid)
    nonce = os.urandom(16).hex()
    files = [_memfd("plan", marshal.dumps((plan, limits, nonce))), _memfd("stdin", stdin),
             _memfd("stdout"), _memfd("stderr"), _memfd("results")]
    outcome = RunOutcome()
    try:
        started = time.perf_counter()
        try:
            server.launch(files, hardware_cost)
            _wait(server, limits, outcome, started)
        except ForkServerDied:
            server.reset()  # a fresh one for the next run
            raise
        _, _, stdout_fd, stderr_fd, records_fd = files
        outcome.stdout = _read_file(stdout_fd, output_cap)
        outcome.stderr = _read_file(stderr_fd, output_cap)
        records = _read_file(records_fd, MAX_RESULT_BYTES + 1)
        if len(records) > MAX_RESULT_BYTES:
            outcome.killed_for = outcome.killed_for or "results"
            records = records[:MAX_RESULT_BYTES]
        _parse_records(records, nonce, outcome)
    finally:
        for fd in files:
            os.close(fd)
        sandbox.remove_run_dir(server.run_dir)
    return outcome


def _kill(pid: int) -> None:
    try:
        if os.getpgid(pid) == pid:  # the run has made its own session: kill all of it
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except OSError:
        pass  # already gone


def _wait(server: ForkServer, limits: dict, outcome: RunOutcome, started: float) -> None:
    """Wait for the exit report, killing the run on its CPU limit or wall-clock backstop."""
    report_fd = server.sock.fileno()
    wall_deadline = started + float(limits["wall_limit_s"])
    cpu_limit = float(limits["time_limit_s"])
    next_poll = started + min(CPU_POLL_S, cpu_limit)
    pid = due_at = killed_at = None  # due_at: a limit was hit; killed_at: the kill was sent
    while True:
        now = time.perf_counter()
        if killed_at is None:
            if now >= wall_deadline:
                outcome.killed_for = "wall"
            elif now >= next_poll:
                pid = pid or server.run_pid()
                if pid is not None and _child_cpu_s(pid) > cpu_limit:
                    outcome.killed_for = "cpu"
                next_poll = now + CPU_POLL_S
            if outcome.killed_for:
                due_at = due_at or now
                pid = pid or server.run_pid()
                if pid is not None:
                    _kill(pid)
                    killed_at = now
        if due_at is not None and now - due_at > REPORT_GRACE_S:
            raise ForkServerDied("the fork server did not report a run it was to kill")
        if killed_at is not None:
            deadline = due_at + REPORT_GRACE_S
        elif due_at is not None:  # not forked yet: look again shortly
            deadline = now + 0.001
        else:
            deadline = min(wall_deadline, next_poll)
        readable, _, _ = select.select([report_fd], [], [], max(0.0, deadline - now))
        if readable:
            break
    status, cpu_s, max_rss_kb, rss_base_kb, instructions = server.exited()
    outcome.wall_s = time.perf_counter() - started
    if instructions >= 0:
        outcome.hardware_cost = instructions
    outcome.cpu_s = cpu_s
    if outcome.killed_for is None and outcome.cpu_s > cpu_limit:
        outcome.killed_for = "cpu"  # finished, but over the limit between polls
    outcome.peak_memory_kb = max(0, max_rss_kb - rss_base_kb)
    if os.WIFEXITED(status):
        outcome.exit_status = os.WEXITSTATUS(status)
    elif os.WIFSIGNALED(status):
        outcome.signal = os.WTERMSIG(status)
        if outcome.signal in (signal.SIGXCPU,) or (
            outcome.signal == signal.SIGKILL and outcome.cpu_s >= cpu_limit
        ):
            outcome.killed_for = outcome.killed_for or "cpu"
