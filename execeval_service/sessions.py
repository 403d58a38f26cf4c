"""Stateful Python interpreter sessions: create, run a cell (state persists), close.

A session is one sandboxed process (:mod:`execeval_service.session_kernel`) that keeps its
namespace between cells -- the judge's runs, by contrast, are fresh forks that forget
everything. :class:`SessionManager` (trusted, in the server or the embedding process) starts,
feeds, times and ends them.

Isolation between sessions (each property is tested in ``tests/test_judge_sessions.py``):

* a separate process per session, inside its own bubblewrap sandbox when the judge's pool
  runs in one (the same sandbox as the workers: no network, private PID/IPC/UTS namespaces,
  read-only system directories, a private size-limited ``/tmp``, an empty environment);
* its own unprivileged uid (``uid_base + slot``), exclusive while the session lives, so one
  session can neither signal, trace nor exhaust the process quota of another, and its own
  ``0700`` working directory (``HOME``/``TMPDIR``) that no other uid can enter;
* rlimits per session: address space, processes, file size, open files, a CPU budget for the
  whole session, no core dumps; per cell: a wall-clock limit (SIGINT, then the session is
  killed) and an output limit;
* ids are unguessable (``secrets``), so one client cannot address another's session.

Lifetime: a session ends when closed, when its time-to-live (``ttl_s``, since creation) or
idle timeout (``idle_timeout_s``, since its last cell or heartbeat) passes, when it breaks a
limit that kills it, and when the manager closes. Over HTTP, the client's heartbeats keep
its sessions alive: a client that goes away stops sending them, so its sessions end within
their idle timeout (:mod:`execeval_service.session_client`). Ending a session kills every
process of its uid (and, inside bubblewrap, its whole PID namespace) and removes its files.

Not covered: what :mod:`execeval_service.sandbox` does not cover; memory of many sessions at
their limit at once (size ``max_sessions x max_memory_limit_mb``).
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import os
import queue
import secrets
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from execeval_service import sandbox
from execeval_service.frames import HEADER, write_frame

log = logging.getLogger("execeval_service")


# ---- the API's models -----------------------------------------------------------------------
class SessionLimits(BaseModel):
    """What a client asks for one session; each value is clamped to the server's ceiling."""

    model_config = ConfigDict(extra="forbid")

    ttl_s: float = Field(600.0, gt=0, description="Seconds the session may live from its creation.")
    idle_timeout_s: float = Field(120.0, gt=0, description="The session ends after this many seconds "
                                  "without a cell or a heartbeat (how a vanished client's sessions end).")
    cell_timeout_s: float = Field(10.0, gt=0, description="Wall-clock seconds per cell; then it is "
                                  "interrupted (state kept), and the session killed if it does not stop.")
    cpu_time_s: float = Field(60.0, gt=0, description="CPU seconds for the whole session's cells.")
    memory_limit_mb: int = Field(512, gt=0, description="Address space the session may add (MiB).")
    max_output_chars: int = Field(8192, gt=0, description="Output (stdout and stderr) kept per cell.")
    max_processes: int = Field(8, gt=0, description="Processes and threads of the session's uid.")
    max_open_files: int = Field(64, ge=16, description="Open file descriptors per process.")
    max_file_size_mb: int = Field(16, gt=0, description="Largest file the session may write.")


class CellStatus(str, Enum):
    """A cell's outcome. ``SANDBOX_ERROR`` is the judge's failure, never the code's."""

    OK = "OK"                        # ran to the end
    ERROR = "ERROR"                  # raised; ``error`` holds the traceback
    TIMEOUT = "TIMEOUT"              # interrupted at cell_timeout_s; the session lives on
    SESSION_ENDED = "SESSION_ENDED"  # no such session any more (closed, expired, killed for a limit)
    SANDBOX_ERROR = "SANDBOX_ERROR"  # the judge could not run it


class CellResult(BaseModel):
    """What one cell printed and how it ended."""

    status: CellStatus
    output: str = Field("", description="stdout and stderr, interleaved, cut to max_output_chars.")
    truncated: bool = Field(False, description="True when output was cut.")
    error: Optional[str] = Field(None, description="The traceback (ERROR), or why the cell did not run.")
    wall_s: Optional[float] = None

    @property
    def could_not_run(self) -> bool:
        """The judge failed: not the code's fault (a tool should report a failure, not a result)."""
        return self.status == CellStatus.SANDBOX_ERROR

    def as_text(self) -> str:
        """The cell's result as a model reads it: output, then the error, then status notes."""
        parts = [self.output] if self.output else []
        if self.truncated:
            parts.append("[output truncated]")
        if self.error:
            parts.append(self.error)
        if self.status in (CellStatus.TIMEOUT, CellStatus.SESSION_ENDED, CellStatus.SANDBOX_ERROR) and not self.error:
            parts.append(self.status.value)
        return "\n".join(p.rstrip("\n") for p in parts) or "(no output)"


class SessionInfo(BaseModel):
    """A created session: its id and the limits in force (after clamping)."""

    session_id: str
    limits: SessionLimits


class SessionError(RuntimeError):
    """A session could not be created (capacity, sandbox failure); ``retryable`` says if later may work."""

    def __init__(self, message: str, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


# ---- settings -------------------------------------------------------------------------------
@dataclass
class SessionSettings:
    """The server's session ceilings (every request is clamped to them) and bookkeeping."""

    max_sessions: int = field(default=32, metadata={"help": "Sessions open at once (each a process)."})
    uid_base: int = field(default=63000, metadata={"help": "Session slot i runs as uid/gid uid_base+i "
                          "(keep the range apart from the workers' uid_base range)."})
    max_ttl_s: float = field(default=3600.0, metadata={"help": "Ceiling for a session's ttl_s."})
    max_idle_timeout_s: float = field(default=600.0, metadata={"help": "Ceiling for idle_timeout_s."})
    max_cell_timeout_s: float = field(default=60.0, metadata={"help": "Ceiling for cell_timeout_s."})
    max_cpu_time_s: float = field(default=600.0, metadata={"help": "Ceiling for a session's cpu_time_s."})
    max_memory_limit_mb: int = field(default=2048, metadata={"help": "Ceiling for memory_limit_mb."})
    max_output_chars: int = field(default=65536, metadata={"help": "Ceiling for max_output_chars."})
    max_processes: int = field(default=32, metadata={"help": "Ceiling for max_processes."})
    max_file_size_mb: int = field(default=64, metadata={"help": "Ceiling for max_file_size_mb."})
    max_code_chars: int = field(default=200_000, metadata={"help": "Largest cell accepted."})
    tmpfs_mb: int = field(default=64, metadata={"help": "Size of each session's private /tmp (bwrap)."})
    interrupt_grace_s: float = field(default=2.0, metadata={"help": "How long an interrupted cell may "
                                     "take to stop before its session is killed."})
    start_timeout_s: float = field(default=30.0, metadata={"help": "How long a session may take to start."})
    reap_interval_s: float = field(default=0.25, metadata={"help": "How often expired sessions are looked for."})

    def __post_init__(self) -> None:
        if self.max_sessions < 1:
            raise ValueError("SessionSettings.max_sessions must be >= 1")
        if not 1000 <= self.uid_base <= 2**31 - 10000 - self.max_sessions:
            raise ValueError("SessionSettings.uid_base must start an unprivileged uid range (>= 1000)")

    def clamp(self, limits: SessionLimits) -> SessionLimits:
        return SessionLimits(
            ttl_s=min(limits.ttl_s, self.max_ttl_s),
            idle_timeout_s=min(limits.idle_timeout_s, self.max_idle_timeout_s),
            cell_timeout_s=min(limits.cell_timeout_s, self.max_cell_timeout_s),
            cpu_time_s=min(limits.cpu_time_s, self.max_cpu_time_s),
            memory_limit_mb=min(limits.memory_limit_mb, self.max_memory_limit_mb),
            max_output_chars=min(limits.max_output_chars, self.max_output_chars),
            max_processes=min(limits.max_processes, self.max_processes),
            max_open_files=min(limits.max_open_files, 1024),
            max_file_size_mb=min(limits.max_file_size_mb, self.max_file_size_mb))


# ---- trusted helpers ------------------------------------------------------------------------
def processes_of_uids(uids) -> list[int]:
    """Pids of the live (non-zombie) processes whose real uid is in ``uids`` (host view)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as handle:
                status = handle.read()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        uid = int(fields.get("Uid", "-1").split()[0])
        if uid in uids and not fields.get("State", "").strip().startswith("Z"):
            found.append(int(entry))
    return found


def uid_processes(uid: int) -> list[int]:
    """Pids of the live processes whose real uid is ``uid`` (host view)."""
    return processes_of_uids((uid,))


def signal_uid(uid: int, signum: int) -> int:
    """Send ``signum`` to every process of ``uid``; how many there were."""
    pids = uid_processes(uid)
    for pid in pids:
        try:
            os.kill(pid, signum)
        except OSError:
            pass
    return len(pids)


def kill_uid(uid: int, timeout_s: float = 5.0) -> bool:
    """SIGKILL every process of ``uid`` until none is left; False if some outlived ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while signal_uid(uid, signal.SIGKILL):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class _ProtocolError(RuntimeError):
    pass


def _read_reply(fd: int, deadline: float, max_bytes: int) -> Optional[dict]:
    """One frame from an (untrusted) kernel by ``deadline``; None on timeout.

    Raises ``EOFError`` when the kernel is gone and :class:`_ProtocolError` for a frame that is
    too large or not a JSON object.
    """
    data = b""
    needed = HEADER.size
    header_done = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return None
        chunk = os.read(fd, needed - len(data))
        if not chunk:
            raise EOFError
        data += chunk
        if len(data) < needed:
            continue
        if not header_done:
            (size,) = HEADER.unpack(data)
            if size > max_bytes:
                raise _ProtocolError(f"the session sent a {size}-byte reply (at most {max_bytes})")
            header_done, needed, data = True, size, b""
            if size == 0:
                raise _ProtocolError("the session sent an empty reply")
            continue
        try:
            message = json.loads(data.decode("utf-8"))
        except ValueError as exc:
            raise _ProtocolError(f"the session sent a malformed reply: {exc}") from None
        if not isinstance(message, dict):
            raise _ProtocolError("the session's reply is not an object")
        return message


# ---- one session ----------------------------------------------------------------------------
class _Session:
    def __init__(self, session_id: str, slot: int, uid: int, limits: SessionLimits, work_dir: str):
        self.id, self.slot, self.uid, self.limits, self.work_dir = session_id, slot, uid, limits, work_dir
        self.proc: Optional[subprocess.Popen] = None
        self.created = self.last_seen = time.monotonic()
        self.lock = threading.Lock()  # one cell at a time
        self.running = False
        self.closed: Optional[str] = None  # why, once closed
        self.cells = 0


class SessionManager:
    """Starts, runs and ends interpreter sessions (see the module docstring). Thread-safe.

    ``isolation`` and ``bwrap`` are the judge's (``"bwrap"`` with the bwrap path, or ``"none"``).
    """

    def __init__(self, settings: SessionSettings | None = None, *, isolation: str,
                 bwrap: Optional[str] = None):
        self.settings = settings or SessionSettings()
        self.isolation, self.bwrap = isolation, bwrap
        if isolation == sandbox.ISOLATION_BWRAP and not bwrap:
            raise ValueError("isolation 'bwrap' needs the bwrap path")
        self.work_root = ("/tmp/sessions" if isolation == sandbox.ISOLATION_BWRAP
                          else f"/tmp/execeval-sessions-{os.getpid()}")
        if isolation != sandbox.ISOLATION_BWRAP:
            os.makedirs(self.work_root, mode=0o711, exist_ok=True)
            os.chmod(self.work_root, 0o711)  # others may pass through, not list
        self._sessions: dict[str, _Session] = {}
        self._free_slots = list(range(self.settings.max_sessions))
        self._ended: dict[str, str] = {}  # recently ended ids -> why (bounded)
        self._lock = threading.Lock()
        self.counts = {"created": 0, "cells": 0, "closed": 0, "expired_ttl": 0, "expired_idle": 0,
                       "killed": 0, "start_failures": 0}
        self.closed = False
        # Sessions are started from one long-lived thread: the parent-death signal (bubblewrap's
        # --die-with-parent, the kernel's own without it) fires when the *thread* that started
        # the process exits, so a short-lived executor thread would take its sessions along.
        self._spawn_queue: queue.Queue = queue.Queue()
        self._spawner = threading.Thread(target=self._spawn_loop, name="judge-session-spawner", daemon=True)
        self._spawner.start()
        self._reaper = threading.Thread(target=self._reap_loop, name="judge-session-reaper", daemon=True)
        self._reaper.start()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.settings.max_sessions + 4, thread_name_prefix="judge-session")

    # -- creation -------------------------------------------------------------------------------
    def create(self, limits: SessionLimits | None = None) -> SessionInfo:
        """Start a session; raises :class:`SessionError` (``retryable`` when at capacity)."""
        limits = self.settings.clamp(limits or SessionLimits())
        with self._lock:
            if self.closed:
                raise SessionError("the session manager is closed")
            if not self._free_slots:
                raise SessionError(f"all {self.settings.max_sessions} sessions are in use", retryable=True)
            slot = self._free_slots.pop(0)
            session_id = secrets.token_urlsafe(18)
            work_dir = os.path.join(self.work_root, session_id)
            session = _Session(session_id, slot, self.settings.uid_base + slot, limits, work_dir)
            self._sessions[session_id] = session
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._spawn_queue.put((session, future))
        try:
            future.result(timeout=self.settings.start_timeout_s + 5)
        except Exception as exc:
            self.counts["start_failures"] += 1
            self._end(session, "failed to start")
            raise SessionError(f"the session could not start: {exc}", retryable=True) from None
        self.counts["created"] += 1
        return SessionInfo(session_id=session_id, limits=limits)

    def _spawn_loop(self) -> None:
        while True:
            item = self._spawn_queue.get()
            if item is None:
                return
            session, future = item
            try:
                self._start(session)
                future.set_result(True)
            except Exception as exc:  # noqa: BLE001 -- handed to the creator
                future.set_exception(exc)

    def _start(self, session: _Session) -> None:
        kernel_settings = {"uid": session.uid, "work_dir": session.work_dir,
                           "limits": session.limits.model_dump(),
                           "parent_pid": os.getpid() if self.isolation != sandbox.ISOLATION_BWRAP else None}
        argv = [sys.executable, "-m", "execeval_service.session_kernel", json.dumps(kernel_settings)]
        if self.isolation == sandbox.ISOLATION_BWRAP:
            argv = sandbox.bwrap_argv(self.bwrap, self.settings.tmpfs_mb) + argv
        kill_uid(session.uid)  # nothing of an earlier holder of this slot may remain
        session.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, close_fds=True, cwd="/",
                                        env=sandbox.worker_environment(self.isolation))
        deadline = time.monotonic() + self.settings.start_timeout_s
        try:
            hello = _read_reply(session.proc.stdout.fileno(), deadline, 1 << 16)
        except (EOFError, _ProtocolError) as exc:
            raise RuntimeError(f"the session process failed to start ({exc or 'it exited'})") from None
        if hello is None or not hello.get("ready"):
            raise RuntimeError(f"the session process did not start: {hello or 'no answer'}")

    # -- cells ----------------------------------------------------------------------------------
    def run_cell(self, session_id: str, code: str) -> CellResult:
        """Run ``code`` in the session (blocking); never raises for the cell's or session's faults."""
        session = self._get(session_id)
        if session is None:
            return CellResult(status=CellStatus.SESSION_ENDED, error=f"session ended: {self._why_gone(session_id)}")
        if len(code) > self.settings.max_code_chars:
            return CellResult(status=CellStatus.ERROR,
                              error=f"the cell has {len(code)} characters; at most {self.settings.max_code_chars}")
        with session.lock:
            if session.closed:
                return CellResult(status=CellStatus.SESSION_ENDED, error=f"session ended: {session.closed}")
            session.running, session.last_seen = True, time.monotonic()
            try:
                return self._run_locked(session, code)
            finally:
                session.running, session.last_seen = False, time.monotonic()

    def _run_locked(self, session: _Session, code: str) -> CellResult:
        limits = session.limits
        started = time.monotonic()
        max_bytes = limits.max_output_chars * 8 + 65536 + 4 * len(code)  # the reply frame, generously
        fd = session.proc.stdout.fileno()
        try:
            write_frame(session.proc.stdin.fileno(), {"code": code})
            reply = _read_reply(fd, started + limits.cell_timeout_s, max_bytes)
            interrupted = reply is None
            if interrupted:  # past its time: interrupt the cell, keep the state if it stops
                signal_uid(session.uid, signal.SIGINT)
                reply = _read_reply(fd, time.monotonic() + self.settings.interrupt_grace_s, max_bytes)
                if reply is None:
                    self._end(session, f"killed: a cell ran past {limits.cell_timeout_s:g}s and did not stop "
                                       "when interrupted")
                    self.counts["killed"] += 1
                    return CellResult(status=CellStatus.SESSION_ENDED, error=f"session ended: {session.closed}",
                                      wall_s=time.monotonic() - started)
        except (EOFError, BrokenPipeError, ConnectionError):
            reason = self._death_reason(session)
            self._end(session, reason)
            self.counts["killed"] += 1
            return CellResult(status=CellStatus.SESSION_ENDED, error=f"session ended: {reason}",
                              wall_s=time.monotonic() - started)
        except (_ProtocolError, OSError) as exc:
            self._end(session, f"killed: {exc}")
            self.counts["killed"] += 1
            return CellResult(status=CellStatus.SESSION_ENDED, error=f"session ended: killed: {exc}",
                              wall_s=time.monotonic() - started)
        self.counts["cells"] += 1
        session.cells += 1
        output = str(reply.get("output", ""))
        reported = reply.get("output_bytes")
        truncated = len(output) > limits.max_output_chars or (
            isinstance(reported, int) and reported > len(output.encode("utf-8", errors="replace")))
        if len(output) > limits.max_output_chars:
            output = output[: limits.max_output_chars]
        error = reply.get("error")
        error = None if error is None else str(error)[-limits.max_output_chars:]
        if interrupted:
            status = CellStatus.TIMEOUT
            error = f"the cell ran past its {limits.cell_timeout_s:g}s limit and was interrupted (state kept)"
        else:
            status = CellStatus.ERROR if error else CellStatus.OK
        return CellResult(status=status, output=output, truncated=truncated, error=error,
                          wall_s=time.monotonic() - started)

    def _death_reason(self, session: _Session) -> str:
        try:
            status = session.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "killed: the session stopped answering"
        if self.isolation == sandbox.ISOLATION_BWRAP:
            return f"killed: the session's process exited (status {status}): a limit (CPU budget, memory) " \
                   "or the code ended it"
        if status in (-signal.SIGXCPU, -signal.SIGKILL):
            return "killed: the session used up its CPU budget or was killed"
        return f"killed: the session's process exited (status {status})"

    # -- lifetime -------------------------------------------------------------------------------
    def heartbeat(self, session_ids: list[str]) -> dict[str, bool]:
        """Mark sessions as in use (resets their idle timer); ``{id: still alive}``."""
        alive = {}
        now = time.monotonic()
        for session_id in session_ids:
            session = self._get(session_id)
            if session is not None:
                session.last_seen = now
            alive[session_id] = session is not None
        return alive

    def close(self, session_id: str) -> bool:
        """End a session; False when there was none (already ended)."""
        session = self._get(session_id)
        if session is None:
            return False
        self._end(session, "closed")
        self.counts["closed"] += 1
        return True

    def _get(self, session_id: str) -> Optional[_Session]:
        with self._lock:
            return self._sessions.get(session_id)

    def _why_gone(self, session_id: str) -> str:
        with self._lock:
            return self._ended.get(session_id, "no such session (closed, expired or never created)")

    def _end(self, session: _Session, reason: str) -> None:
        with self._lock:
            if session.closed:
                return
            session.closed = reason
            self._sessions.pop(session.id, None)
            self._ended[session.id] = reason
            while len(self._ended) > 4096:
                self._ended.pop(next(iter(self._ended)))
        proc = session.proc
        if proc is not None and proc.poll() is None:
            proc.kill()  # bwrap: the session's PID namespace dies with it
        kill_uid(session.uid)  # and whatever escaped, by uid
        if proc is not None:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                log.error("judge: session process %s did not exit", proc.pid)
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
        if self.isolation != sandbox.ISOLATION_BWRAP:
            shutil.rmtree(session.work_dir, ignore_errors=True)
        with self._lock:
            self._free_slots.append(session.slot)

    def _reap_loop(self) -> None:
        while not self.closed:
            time.sleep(self.settings.reap_interval_s)
            now = time.monotonic()
            with self._lock:
                sessions = list(self._sessions.values())
            for session in sessions:
                if session.proc is None:
                    continue  # still starting
                if now - session.created > session.limits.ttl_s:
                    self.counts["expired_ttl"] += 1
                    self._end(session, f"expired: its time-to-live of {session.limits.ttl_s:g}s passed")
                elif not session.running and now - session.last_seen > session.limits.idle_timeout_s:
                    self.counts["expired_idle"] += 1
                    self._end(session, f"expired: idle for {session.limits.idle_timeout_s:g}s "
                                       "(no cell or heartbeat: the client went away?)")
                elif not session.running and session.proc.poll() is not None:
                    self.counts["killed"] += 1
                    self._end(session, self._death_reason(session))

    def open_sessions(self) -> int:
        with self._lock:
            return len(self._sessions)

    def snapshot(self) -> dict:
        """Counts for /metrics and the tests."""
        return {"open": self.open_sessions(), "max_sessions": self.settings.max_sessions,
                "isolation": self.isolation, **self.counts}

    def session_uids(self) -> range:
        """Every uid a session may run as."""
        return range(self.settings.uid_base, self.settings.uid_base + self.settings.max_sessions)

    def shutdown(self) -> None:
        """End every session and stop the manager's threads."""
        if self.closed:
            return
        self.closed = True
        with self._lock:
            sessions = list(self._sessions.values())
        for session in sessions:
            self._end(session, "the judge closed")
        self._spawn_queue.put(None)
        self._executor.shutdown(wait=False)
        if self.isolation != sandbox.ISOLATION_BWRAP:
            shutil.rmtree(self.work_root, ignore_errors=True)

    # -- async face (what EmbeddedJudge exposes) ------------------------------------------------
    async def acreate(self, limits: SessionLimits | dict | None = None) -> SessionInfo:
        import asyncio

        if isinstance(limits, dict):
            limits = SessionLimits.model_validate(limits)
        return await asyncio.wrap_future(self._executor.submit(self.create, limits))

    async def arun_cell(self, session_id: str, code: str) -> CellResult:
        import asyncio

        return await asyncio.wrap_future(self._executor.submit(self.run_cell, session_id, code))

    async def aclose(self, session_id: str) -> bool:
        import asyncio

        return await asyncio.wrap_future(self._executor.submit(self.close, session_id))
