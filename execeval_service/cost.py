"""Deterministic cost of a solution's own work, for the efficiency reward.

Two units, chosen once per worker by :func:`detect_cost_unit`:

* ``"instructions"`` -- user-space instructions retired, counted by the CPU's hardware
  counter (``perf_event_open``). The parent attaches the counter to the child before the
  child drops privileges, so the solution cannot reach or reset it. Threads and processes
  the solution starts are included (``inherit``). A little harness work in the child is
  included too; it is the same for every run of a job.
* ``"bytecodes"`` -- where the machine has no counters (virtual machines, containers
  without ``perf_event`` access): Python bytecodes executed by the solution's frames, in
  every thread (module-level code included; the preamble, the tests and the harness
  excluded), counted by a trace function installed in the child. Exactly repeatable for a
  deterministic program (the worker fixes ``PYTHONHASHSEED`` and the ``random`` seed). It
  slows Python code about 15x, so the engine measures it in a second run of accepted jobs
  and verdicts and times always come from the plain run. The count lives in the sandboxed
  process: a solution that introspects the harness could lower it.

Wall and CPU time are always reported besides; they are not deterministic.
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys

UNIT_INSTRUCTIONS = "instructions"
UNIT_BYTECODES = "bytecodes"

# --- hardware counters (parent side) --------------------------------------------------------
_PERF_EVENT_OPEN = {"x86_64": 298, "aarch64": 241}.get(os.uname().machine)  # not `platform`: the fork
# server imports this module, and every module it holds is memory each fork copies
_PERF_TYPE_HARDWARE, _PERF_COUNT_HW_INSTRUCTIONS = 0, 1
_FLAG_INHERIT, _FLAG_EXCLUDE_KERNEL, _FLAG_EXCLUDE_HV = 1 << 1, 1 << 5, 1 << 6


class HardwareCounter:
    """User-space instructions of process ``pid`` and the threads/processes it starts."""

    def __init__(self, pid: int):
        if _PERF_EVENT_OPEN is None:
            raise OSError("perf_event_open: unknown syscall number on this architecture")
        # perf_event_attr, version 0 layout (64 bytes): type, size, config, sample_period,
        # sample_type, read_format, flags, wakeup_events, bp_type, config1.
        attr = struct.pack(
            "IIQQQQQIIQ", _PERF_TYPE_HARDWARE, 64, _PERF_COUNT_HW_INSTRUCTIONS, 0, 0, 0,
            _FLAG_INHERIT | _FLAG_EXCLUDE_KERNEL | _FLAG_EXCLUDE_HV, 0, 0, 0,
        )
        libc = ctypes.CDLL(None, use_errno=True)
        buffer = ctypes.create_string_buffer(attr, len(attr))
        fd = libc.syscall(_PERF_EVENT_OPEN, buffer, pid, -1, -1, 0)
        if fd < 0:
            err = ctypes.get_errno()
            raise OSError(err, f"perf_event_open: {os.strerror(err)}")
        self.fd = fd

    def read(self) -> int:
        return struct.unpack("Q", os.pread(self.fd, 8, 0))[0]

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def hardware_counters_work() -> bool:
    """Probe: count a forked child's loop; True only if the count is plausible."""
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:  # the probe child: wait for the counter, spin a little, exit
        try:
            os.close(write_end)
            os.read(read_end, 1)
            total = 0
            for i in range(20000):
                total += i
        finally:
            os._exit(0)
    os.close(read_end)
    counter = None
    try:
        counter = HardwareCounter(pid)
        os.write(write_end, b"x")
        os.waitpid(pid, 0)
        return counter.read() > 100_000
    except OSError:
        os.write(write_end, b"x")
        os.waitpid(pid, 0)
        return False
    finally:
        os.close(write_end)
        if counter is not None:
            counter.close()


def detect_cost_unit(allow_hardware: bool = True) -> str:
    """``"instructions"`` where hardware counters work, else ``"bytecodes"``."""
    if allow_hardware and hardware_counters_work():
        return UNIT_INSTRUCTIONS
    return UNIT_BYTECODES


# --- bytecode counting (child side) ---------------------------------------------------------
class BytecodeCounter:
    """Counts bytecodes executed by every frame whose file is not excluded, in all threads.

    Each thread increments its own cell (no lost updates between threads), so the total is
    exactly repeatable for a deterministic program.
    """

    def __init__(self, excluded_files: frozenset):
        self._excluded = excluded_files
        self._cells: list = []

    def _tracer(self):
        cell = [0]
        self._cells.append(cell)
        excluded = self._excluded

        def on_event(frame, event, arg):
            if event == "opcode":
                cell[0] += 1
            return on_event

        def on_call(frame, event, arg):
            if frame.f_code.co_filename in excluded:
                return None
            frame.f_trace_opcodes = True
            frame.f_trace_lines = False
            return on_event

        return on_call

    def _on_thread_start(self, frame, event, arg):
        tracer = self._tracer()
        sys.settrace(tracer)
        return tracer(frame, event, arg)

    def start(self) -> None:
        # Imported here: threading registers an at-fork hook that slows every fork of the
        # worker, so only counting runs load it.
        import threading

        threading.settrace(self._on_thread_start)
        sys.settrace(self._tracer())

    def stop(self) -> None:
        import threading

        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type]

    def total(self) -> int:
        return sum(cell[0] for cell in list(self._cells))
