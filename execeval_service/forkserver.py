"""The fork server: a lean interpreter, started once by the worker, that forks every run.

Why a second process: a fork write-protects every page of the forking process, so each page
it writes afterwards faults once more -- a few microseconds each on a virtual machine, and
the worker, which decodes, plans and judges jobs in Python, writes a couple of hundred pages
per job. The fork server is a fresh interpreter (``python -S``) that loads only what a run
needs -- the harness and the modules solutions commonly import (:data:`PREIMPORTS`) -- so
each fork copies fewer page tables and each run tears down less; between forks it only
receives a request, forks, waits and reports. The worker itself never forks a run, so its
pages stay writable.

Protocol on a ``SOCK_SEQPACKET`` socket pair (one message per datagram, trusted both ways):

* server -> worker, once: ``b"ready"`` when the server has loaded everything.
* worker -> server: ``b"R"`` + hardware flag, carrying the fds ``[plan, stdin, stdout,
  stderr, results]`` (``SCM_RIGHTS``), all memfds. ``plan`` holds ``marshal.dumps((plan,
  limits, nonce))`` -- trusted data from the worker -- read by the child before it confines
  itself.
* server -> worker, without a message (so without waking the worker): the run's pid and the
  request's sequence number, written into a small shared memfd as soon as the run is forked;
  the worker reads it when it polls the run's CPU time or kills it.
* server -> worker: ``b"X"`` + wait status, CPU seconds and peak RSS from ``wait4``, the RSS
  the run started from and the hardware instruction count (-1 without), after the run and
  everything it left behind (its process group, orphans through its uid) are gone.

The server is a child subreaper, so a run's orphans come back to it to be found and killed.
If the server itself dies, the worker kills whatever its run left behind through the uid
(:meth:`ForkServer.reset`) and starts another. The server inherits what
:func:`execeval_service.sandbox.prepare_worker` set (no new privileges, umask, environment).
"""

from __future__ import annotations

import array
import gc
import json
import marshal
import os
import select
import signal
import socket
import struct
import sys
import traceback

from execeval_service import harness, sandbox
from execeval_service.cost import HardwareCounter

# Modules many solutions import: loaded once in the fork server so a run gets them for free.
# Not `random`, `threading` or `statistics`: they register at-fork hooks that would run in
# every forked child (about 0.2-0.4 ms each).
PREIMPORTS = ("array", "bisect", "collections", "copy", "datetime", "decimal", "fractions",
              "functools", "heapq", "itertools", "json", "math", "operator", "re", "string",
              "typing", "sortedcontainers", "traceback")
HARNESS_FAILURE_STATUS = 70
_SOCKET_FD, _STARTED_FD = 3, 4  # where the worker puts them for the server before exec
_STARTED = struct.Struct("<qi")  # request sequence number, pid
_EXITED = struct.Struct("<cidqqq")  # tag, wait status, CPU s, max RSS KiB, RSS base KiB, hw count


class ForkServerDied(OSError):
    """The fork server stopped answering: the run is the judge's failure, not the program's."""


class ForkServer:
    """The worker's handle on its fork server (see the module docstring)."""

    def __init__(self, uid: int, run_dir: str, parent_death_signal: bool,
                 start_timeout_s: float = 60.0):
        self.uid, self.run_dir, self.parent_death_signal = uid, run_dir, parent_death_signal
        self.start_timeout_s = start_timeout_s
        self.pid: int | None = None
        self.sock: socket.socket | None = None
        self.started_fd = -1  # the memfd the server writes each run's pid into
        self.requests = 0

    def start(self) -> None:
        """Start the server (``python -S``, the worker's ``sys.path``) and wait until ready."""
        config = json.dumps({"uid": self.uid, "run_dir": self.run_dir, "sys_path": sys.path,
                             "prefix": sys.prefix, "exec_prefix": sys.exec_prefix,
                             "parent_death_signal": self.parent_death_signal,
                             "worker_pid": os.getpid()})
        argv = [sys.executable, "-S", "-c", "from execeval_service.forkserver import main; main()",
                config]
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.started_fd = os.memfd_create("started", os.MFD_CLOEXEC)
        os.pwrite(self.started_fd, _STARTED.pack(-1, 0), 0)
        self.requests = 0
        pid = os.fork()
        if pid == 0:  # fds other than 0-2 are close-on-exec (Python's default), but these two
            try:
                for fd, target in ((theirs.fileno(), _SOCKET_FD), (self.started_fd, _STARTED_FD)):
                    if fd == target:
                        os.set_inheritable(fd, True)
                    else:
                        os.dup2(os.dup(fd), target)  # via a copy: fd may be the other target
                os.execve(sys.executable, argv, os.environ)
            finally:
                os._exit(127)
        theirs.close()
        self.pid, self.sock = pid, ours
        ready, _, _ = select.select([ours], [], [], self.start_timeout_s)
        message = ours.recv(64) if ready else b""
        if message != b"ready":
            self.reset()
            raise ForkServerDied(f"the fork server did not start (it said {message[:40]!r})")

    def launch(self, fds: list[int], hardware: bool) -> None:
        """Send a run request (:meth:`run_pid` tells the pid once it is forked)."""
        if self.sock is None:
            self.start()
        self.requests += 1
        try:
            socket.send_fds(self.sock, [b"R\x01" if hardware else b"R\x00"], fds)
        except OSError as exc:
            raise ForkServerDied(f"the fork server failed: {exc}") from exc

    def run_pid(self) -> int | None:
        """The current run's pid, or None while it is not forked yet."""
        sequence, pid = _STARTED.unpack(os.pread(self.started_fd, _STARTED.size, 0))
        return pid if sequence == self.requests else None

    def exited(self) -> tuple[int, float, int, int, int]:
        """Read the exit report: ``(wait status, CPU s, max RSS, RSS base, hw count)``."""
        try:
            message = self.sock.recv(64)
        except OSError as exc:
            raise ForkServerDied(f"the fork server failed: {exc}") from exc
        if len(message) != _EXITED.size or message[:1] != b"X":
            raise ForkServerDied(f"the fork server answered {message[:40]!r} instead of an exit report")
        return _EXITED.unpack(message)[1:]

    def reset(self) -> None:
        """Kill the fork server and anything its runs left; the next launch starts another."""
        self._close_fds()
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = None
        # Its runs reparent to the worker (a subreaper too): kill them by uid and reap them.
        sandbox.kill_user_processes(self.uid)

    def close(self) -> None:
        self._close_fds()  # the server exits on EOF
        if self.pid is not None:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = None

    def _close_fds(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.started_fd >= 0:
            os.close(self.started_fd)
            self.started_fd = -1


# ---- the fork server process --------------------------------------------------------------------
def main() -> None:
    """Entry point of the fork server process (see :meth:`ForkServer.start`)."""
    config = json.loads(sys.argv[1])
    # Die with the worker: nothing would enforce a run's wall-clock limit after it. Inside
    # bubblewrap the PID namespace takes the runs along. Without it, the runs' own parent-death
    # signal does, and what they started is killed here by uid first.
    if config["parent_death_signal"]:
        uid = config["uid"]

        def worker_gone(signum, frame):
            sandbox.kill_user_processes(uid)
            os._exit(1)

        signal.signal(signal.SIGTERM, worker_gone)
        sandbox.die_with_parent(config["worker_pid"], signal.SIGTERM)
    else:
        sandbox.die_with_parent(config["worker_pid"])
    # What the worker, and so every run, had: the module path, the venv prefix, and the
    # builtins `site` adds (exit, quit, help, ...; the server skips the rest of `site`).
    sys.path[:] = config["sys_path"]
    sys.prefix, sys.exec_prefix = config["prefix"], config["exec_prefix"]
    import site

    site.setquit()
    site.setcopyright()
    site.sethelper()
    # The socket moves above fds 0-3, which stay taken (2 stays stderr): every fd received
    # for a run is then above the run's 0-3.
    sock = socket.socket(fileno=os.dup(_SOCKET_FD))
    started = os.dup(_STARTED_FD)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, _SOCKET_FD):
        os.dup2(devnull, fd)
    os.close(devnull)
    os.close(_STARTED_FD)
    sandbox.become_subreaper()
    for name in PREIMPORTS:
        try:
            __import__(name)
        except ImportError:
            pass
    harness.prepare()
    gc.collect()
    gc.freeze()  # fewer copy-on-write page faults in every forked run
    sock.send(b"ready")
    sys.exit(_serve(sock, started, config["uid"], config["run_dir"], config["parent_death_signal"]))


def _serve(sock: socket.socket, started: int, uid: int, run_dir: str,
           parent_death_signal: bool) -> int:
    """Fork a run per request until the worker goes away; return the exit status."""
    # Everything between two forks is kept to a few calls: each page written here faults
    # once per run (see the module docstring).
    statm = os.open("/proc/self/statm", os.O_RDONLY)
    children = os.open(f"/proc/self/task/{os.getpid()}/children", os.O_RDONLY)
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    fds_size = socket.CMSG_SPACE(5 * array.array("i").itemsize)
    recvmsg, send, fork, wait4 = sock.recvmsg, sock.send, os.fork, os.wait4
    close, pread, pwrite, pack_started, sequence = os.close, os.pread, os.pwrite, _STARTED.pack, 0
    parent_pid = os.getpid() if parent_death_signal else None  # the runs' parent
    while True:
        try:
            message, ancillary, _, _ = recvmsg(16, fds_size)
        except ConnectionError:
            message, ancillary = b"", []
        fds = _received_fds(ancillary)
        if not message or len(fds) != 5:  # the worker is gone (or confused): stop
            for fd in fds:
                close(fd)
            sandbox.kill_user_processes(uid)
            return 0
        sequence += 1
        hardware = message[1:2] == b"\x01"
        go_read, go_write = os.pipe() if hardware else (-1, -1)
        size, resident = pread(statm, 64, 0).split(None, 2)[:2]
        vm_base_kb, rss_base_kb = int(size) * page_kb, int(resident) * page_kb
        pid = fork()
        if pid == 0:  # ---- the run: confine, then execute untrusted code; never returns
            _run_child(fds, go_read, go_write, uid, run_dir, vm_base_kb, rss_base_kb, parent_pid)
        for fd in fds:
            close(fd)
        counter = None
        if hardware:
            counter = _attach_counter(pid, go_read, go_write)
        pwrite(started, pack_started(sequence, pid), 0)
        _, status, usage = wait4(pid, 0)
        instructions = -1
        if counter is not None:
            instructions = counter.read()
            counter.close()
        # What the run left behind comes back to us (a subreaper) once the run has ended:
        # usually nothing. Else kill its process group, then whatever remains by uid.
        if pread(children, 64, 0).strip():
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            sandbox.reap_children(block=False)
            if pread(children, 64, 0).strip():
                sandbox.kill_user_processes(uid)
        send(_EXITED.pack(b"X", status, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
                          rss_base_kb, instructions))


def _received_fds(ancillary: list) -> list[int]:
    fds = array.array("i")
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
    return list(fds)


def _attach_counter(pid: int, go_read: int, go_write: int) -> HardwareCounter | None:
    """Attach the instruction counter to the new run, then let it go on."""
    os.close(go_read)
    try:
        return HardwareCounter(pid)
    except OSError:
        return None
    finally:
        os.write(go_write, b"g")
        os.close(go_write)


def _run_child(fds: list[int], go_read: int, go_write: int, uid: int, run_dir: str,
               vm_base_kb: int, rss_base_kb: int, parent_pid: int | None) -> None:
    status = HARNESS_FAILURE_STATUS
    try:
        plan_fd, stdin_fd, stdout_fd, stderr_fd, result_fd = fds
        if parent_pid is not None:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the server's handler is not the run's
        if go_read >= 0:
            os.close(go_write)
            os.read(go_read, 1)  # wait until the parent has attached the counter
        plan, limits, nonce = marshal.loads(os.pread(plan_fd, os.lseek(plan_fd, 0, os.SEEK_END), 0))
        plan["rss_baseline_kb"] = rss_base_kb
        os.dup2(stdin_fd, 0)
        os.dup2(stdout_fd, 1)
        os.dup2(stderr_fd, 2)
        os.dup2(result_fd, 3)
        sandbox.confine_child(uid=uid, run_dir=run_dir, limits=limits, vm_base_kb=vm_base_kb,
                              parent_pid=parent_pid)
        status = harness.unsafe_execute(plan, harness.ResultChannel(3, nonce))
    except BaseException:
        try:
            os.write(2, traceback.format_exc().encode()[-4000:])
        except BaseException:
            pass
    finally:
        os._exit(status)
