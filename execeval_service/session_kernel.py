"""One interpreter session's process: confines itself, then runs untrusted cells in one namespace.

Started by :class:`execeval_service.sessions.SessionManager` (inside its own bubblewrap
sandbox when available) as ``python -m execeval_service.session_kernel SETTINGS_JSON``. While
trusted -- before the first cell -- it creates its private working directory, sets its
rlimits (address space, processes, file size, open files, the session's whole CPU budget, no
core dumps), drops every supplementary group, sets ``no_new_privs`` and becomes the
session's own unprivileged uid. From then on it is untrusted: everything it sends back is
data that the manager size-caps and validates, and a cell that forges its own replies only
forges its own output.

Each cell's stdout and stderr (file descriptors 1 and 2, so subprocesses are captured too)
go to a fresh memory file, read back up to the session's output limit. If the cell's last
statement is an expression its ``repr`` is printed, as in a REPL. SIGINT (sent by the
manager when a cell passes its time limit) raises ``KeyboardInterrupt`` in the cell; the
namespace survives. Protocol: 4-byte big-endian length + JSON frames on the process's
original stdin/stdout; the standard library only, so the process starts fast.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
import resource
import signal
import sys
import time
import traceback

from execeval_service import sandbox
from execeval_service.frames import read_frame, write_frame

INTERRUPTED = "KeyboardInterrupt: the cell ran past its time limit and was interrupted (the session's state is kept)"


def confine(settings: dict) -> str:
    """Become the session's sandboxed self (see the module docstring); returns the work dir."""
    uid, work_dir = settings["uid"], settings["work_dir"]
    sandbox.prepare_worker(work_dir)  # no_new_privs, no core dumps, no groups, umask, HOME/TMPDIR
    os.makedirs(os.path.dirname(work_dir), exist_ok=True)
    os.chmod(os.path.dirname(work_dir), 0o711)  # the session's uid passes through, lists nothing
    os.mkdir(work_dir, 0o700)
    os.chown(work_dir, uid, uid)
    limits = settings["limits"]
    with open("/proc/self/statm") as handle:
        vm_base = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    memory = limits["memory_limit_mb"] << 20
    cpu = max(1, int(limits["cpu_time_s"]))
    for which, soft, hard in (
        (resource.RLIMIT_AS, vm_base + memory, vm_base + memory),
        (resource.RLIMIT_CPU, cpu, cpu + 1),  # the whole session's CPU budget: SIGXCPU, then SIGKILL
        (resource.RLIMIT_NPROC, limits["max_processes"], limits["max_processes"]),
        (resource.RLIMIT_NOFILE, limits["max_open_files"], limits["max_open_files"]),
        (resource.RLIMIT_FSIZE, limits["max_file_size_mb"] << 20, limits["max_file_size_mb"] << 20),
        (resource.RLIMIT_STACK, min(memory, 64 << 20), min(memory, 64 << 20)),
    ):
        resource.setrlimit(which, (soft, hard))
    os.setgid(uid)
    os.setuid(uid)
    if settings.get("parent_pid"):  # without bubblewrap: die with the manager (set after setuid)
        sandbox.die_with_parent(settings["parent_pid"])
    os.chdir(work_dir)
    return work_dir


def _cell_traceback(exc: BaseException) -> str:
    """The traceback without this module's frames (the model should see only its own code)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def run_cell(code: str, namespace: dict) -> str | None:
    """Execute ``code`` in ``namespace``; the error text if it raised, else ``None``."""
    try:
        tree = ast.parse(code, "<cell>", "exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, "<cell>", "exec"), namespace)
        if last is not None:
            value = eval(compile(last, "<cell>", "eval"), namespace)
            if value is not None:
                print(repr(value))
    except KeyboardInterrupt:
        return INTERRUPTED
    except SystemExit as exc:
        return f"SystemExit({exc.code!r}): exit() ends the cell, not the session"
    except BaseException as exc:  # noqa: BLE001 -- the cell's own failure, reported to it
        return _cell_traceback(exc)
    return None


def main(argv: list[str]) -> int:
    settings = json.loads(argv[0])
    control_in, control_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    try:
        confine(settings)
    except Exception as exc:  # the judge's failure: reported, never a cell result
        write_frame(control_out, {"ready": False, "error": f"session set-up failed: {exc!r} "
                                  f"{traceback.format_exc()[-800:]}"})
        return 1
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-long write fails (EFBIG) instead of killing
    # SIGINT interrupts a cell. Set explicitly: an ignored SIGINT is inherited through exec (a
    # parent that ignores it, e.g. some test runners and daemons), and Python then installs no
    # KeyboardInterrupt handler, so a cell past its time could not be interrupted.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    max_bytes = int(settings["limits"]["max_output_chars"]) * 4 + 4
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    write_frame(control_out, {"ready": True})
    while True:
        try:
            request = read_frame(control_in)
        except (EOFError, ValueError, OSError):
            return 0
        output_fd = os.memfd_create("cell")
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        started = time.perf_counter()
        error = run_cell(str(request.get("code", "")), namespace)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 -- the cell may have closed or replaced it
                pass
        wall = time.perf_counter() - started
        size = os.lseek(output_fd, 0, os.SEEK_END)
        data = os.pread(output_fd, min(size, max_bytes), 0) if size else b""
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(output_fd)
        write_frame(control_out, {"output": data.decode("utf-8", errors="replace"), "output_bytes": size,
                                  "error": error, "wall_s": wall})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
