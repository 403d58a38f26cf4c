"""The child side of a run: :func:`unsafe_execute` runs the untrusted program and its tests.

Everything here executes in the forked, confined child (see :mod:`execeval_service.sandbox`)
and is assumed hostile once the solution's first line runs. The child only *reports*: each
record it writes to its result file carries the run's random nonce, and the parent
(:func:`execeval_service.worker.untrusted_check`) decides every verdict, counting the
records it received against the tests it expected. A run that exits early -- ``sys.exit``
and ``os._exit`` included -- leaves tests without records, and those do not pass.

What the harness does against reward hacking, before the solution runs:

* snapshots the builtins; the tests run in their own namespace with that snapshot, and
  the solution gets a shadow ``builtins`` module, so patching builtins changes nothing the
  tests or the harness use;
* runs the trusted preamble and the check's module code in the tests' namespace, so a
  solution cannot replace ``check``, its helpers or ``AssertionError``;
* rebuilds every value the candidate returns out of exact builtin types
  (:class:`execeval_service.values.Sanitizer`), so an ``__eq__`` that always says True
  never reaches a comparison; call-test values are compared in the parent, and expected
  values and expected stdout never enter the child;
* counts: the parent requires one record per test and a final ``done`` record.

Not covered: a solution that deliberately introspects the harness (``gc``, frames,
``sys.modules``) to find the nonce or patch the modules the tests import can forge records.
Python offers no isolation inside one interpreter; stdio and call tests, whose expected
values the child never sees, are the forms to use where that matters.
"""

from __future__ import annotations

import builtins
import json
import os
import resource
import sys
import time
import traceback
import types

from execeval_service.cost import BytecodeCounter
from execeval_service.values import Sanitizer, encode

# Bound now: later patches of the json module by the solution do not reach the harness.
_dumps, _loads = json.dumps, json.loads


def _not_serializable(value):
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# Records are acyclic (values come through values.encode), so the C encoder needs no cycle
# markers; built once in the fork server, it spares each run json.dumps' per-call set-up (a
# few dozen page faults in a freshly forked child).
_record_encoder = (
    json.encoder.c_make_encoder(None, _not_serializable, json.encoder.encode_basestring_ascii,
                                None, ":", ",", False, False, True)
    if json.encoder.c_make_encoder is not None else None
)


def _encode_record(record: dict) -> str:
    if _record_encoder is None:
        return _dumps(record, separators=(",", ":"))
    return "".join(_record_encoder(record, 0))


_HARNESS_FILES = frozenset(
    {__file__, Sanitizer.sanitize.__code__.co_filename, BytecodeCounter.start.__code__.co_filename,
     "<check>", "<preamble>", "<entry_point>"}
)
MAX_ERROR_CHARS = 2000


class ResultChannel:
    """Writes nonce-stamped JSON lines to the result file the parent opened before the fork."""

    def __init__(self, fd: int, nonce: str):
        self.fd, self.prefix = fd, nonce.encode("ascii") + b" "

    def send(self, record: dict) -> None:
        data = self.prefix + _encode_record(record).encode("utf-8") + b"\n"
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]


def _borrow_solution_names(check_ns: dict, solution_ns: dict, trusted_builtins: dict) -> None:
    """Give the tests the solution's names they do not define themselves.

    HumanEval's checks call helpers from the prompt (``poly``, ``encode_cyclic``). The tests'
    own names (preamble, check module) win, and a solution name never shadows a builtin.
    """
    for name, value in list(solution_ns.items()):
        if name not in check_ns and name not in trusted_builtins:
            check_ns[name] = value


def _describe(exc: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text[:MAX_ERROR_CHARS]


def _exc_name(exc: BaseException) -> str:
    return type(exc).__name__


class Prepared:
    """Objects the fork server builds once, before any fork, so each run only takes its own
    copy-on-write view of them instead of building them (fewer page faults per run).

    Safe because the fork server never runs untrusted code: every run starts from this state.
    """

    def __init__(self):
        self.trusted_builtins = dict(builtins.__dict__)
        self.shadow = types.ModuleType("builtins")  # what the solution sees as `builtins`
        self.shadow.__dict__.update(self.trusted_builtins)
        # New stdio objects on fds 0-2 (the run's files after the fork). The server's own
        # sys.std* may hold buffered bytes that must never reach a run's output: they are
        # kept referenced (no finaliser flushes them) and runs end with os._exit.
        self.inherited = (sys.stdin, sys.stdout, sys.stderr)
        self.stdin = open(0, "r", encoding="utf-8", errors="replace", closefd=False)
        self.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
        self.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False,
                           buffering=1)
        self.stdio = {"stdin": self.stdin, "__stdin__": self.stdin, "stdout": self.stdout,
                      "__stdout__": self.stdout, "stderr": self.stderr, "__stderr__": self.stderr}

    def install_stdio(self) -> None:
        sys.__dict__.update(self.stdio)

    def shadow_builtins(self) -> dict:
        """The solution's builtins; ``import builtins`` returns this module too."""
        sys.modules["builtins"] = self.shadow
        return self.shadow.__dict__


_prepared: Prepared | None = None


def prepare() -> Prepared:
    """Build (once, in the fork server) what every run starts from."""
    global _prepared
    if _prepared is None:
        _prepared = Prepared()
    return _prepared


class _Meter:
    """Per-test wall, CPU, peak memory and (optionally) bytecodes, as reported by the child."""

    def __init__(self, counter: BytecodeCounter | None, rss_baseline_kb: int):
        self.counter, self.rss_baseline_kb = counter, rss_baseline_kb

    def mark(self):
        cost = self.counter.total() if self.counter else None
        return time.perf_counter(), time.process_time(), cost

    def measures(self, start) -> dict:
        wall, cpu, cost = self.mark()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - self.rss_baseline_kb
        out = {"wall": wall - start[0], "cpu": cpu - start[1], "mem": max(0, peak)}
        if cost is not None:
            out["cost"] = cost - start[2]
        return out


def unsafe_execute(plan: dict, channel: ResultChannel) -> int:
    """Run the solution and its tests as ``plan`` says; return the exit status to use.

    ``plan`` holds trusted, pre-compiled pieces prepared by the worker: ``mode``
    ("stdio"/"function"), ``source``, ``preamble_code``, ``entry_point_code``, ``tests``
    (``{"kind": "call", "args_json": ...}`` or ``{"kind": "step", "group": g, "code": ...,
    "is_test": bool}``), ``groups`` (per check program: ``module_code``, ``candidate_name``),
    ``count_bytecodes`` and ``rss_baseline_kb``.
    """
    prepared = prepare()
    prepared.install_stdio()
    counter = None
    if plan.get("count_bytecodes"):
        import random  # not preloaded by the fork server (its at-fork hook slows every fork)

        random.seed(0)  # a counted run is repeatable even if the solution draws numbers
        counter = BytecodeCounter(_HARNESS_FILES)
    meter = _Meter(counter, plan.get("rss_baseline_kb", 0))
    try:
        code = compile(plan["source"], "<solution>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        channel.send({"t": "compile_error", "error": _describe(exc)})
        channel.send({"t": "done"})
        return 0
    if plan["mode"] == "stdio":
        return _run_stdio(code, prepared, channel, meter)
    return _run_function(plan, code, prepared, channel, meter)


def _run_stdio(code, prepared: Prepared, channel: ResultChannel, meter: _Meter) -> int:
    namespace = {"__builtins__": prepared.shadow_builtins(), "__name__": "__main__",
                 "__file__": "solution.py"}
    stdout, stderr = sys.stdout, sys.stderr
    # The worker takes a stdio run's time and memory from the kernel; the harness measures
    # only what it counts (bytecodes), to do as little as it can in the fresh child.
    start = meter.mark() if meter.counter else None
    if meter.counter:
        meter.counter.start()
    status, exc_name = 0, None
    try:
        exec(code, namespace)
    except SystemExit as exc:
        if exc.code is None or exc.code == 0:
            status = 0
        elif isinstance(exc.code, int):
            status = exc.code & 0xFF or 1
        else:
            stderr.write(f"{exc.code}\n")
            status = 1
    except BaseException as exc:  # the program's own error: report it as Python would
        exc_name = _exc_name(exc)
        try:
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=stderr)
        except BaseException:
            stderr.write(f"{exc_name}\n")
        status = 1
    finally:
        if meter.counter:
            meter.counter.stop()
    for stream in (sys.stdout, sys.stderr, stdout, stderr):
        try:
            stream.flush()  # flushing twice is harmless
        except BaseException:
            pass
    done = {"t": "done", "exit": status, "exc": exc_name}
    if start is not None:
        done.update(meter.measures(start))
    channel.send(done)
    return status


def _run_function(plan: dict, code, prepared: Prepared, channel: ResultChannel,
                  meter: _Meter) -> int:
    trusted_builtins = prepared.trusted_builtins
    # The tests' namespaces are built from trusted code before any solution code runs.
    user_ns: dict = {"__name__": "__solution__"}
    groups = []
    base: dict = {"__builtins__": trusted_builtins, "__name__": "__check__"}
    if plan.get("preamble_code") is not None:
        exec(plan["preamble_code"], base)
    trusted_classes = {k: v for k, v in base.items() if isinstance(v, type)
                       and getattr(v, "__module__", None) == "__check__"}
    for group in plan.get("groups", []):
        ns = dict(base)
        exec(group["module_code"], ns)
        groups.append((ns, group["candidate_name"]))
    sanitizer = Sanitizer(trusted_classes)
    # Arguments are decoded now: the harness's own work must not count as the solution's.
    calls = {}
    position = 0
    for test in plan["tests"]:
        if test["kind"] == "call":
            calls[position] = _loads(test["args_json"])
        if test["kind"] == "call" or test["is_test"]:
            position += 1

    user_ns["__builtins__"] = prepared.shadow_builtins()
    start = meter.mark()
    try:
        if plan.get("preamble_code") is not None:
            exec(plan["preamble_code"], user_ns)
        if meter.counter:
            meter.counter.start()
        exec(code, user_ns)
        real_candidate = eval(plan["entry_point_code"], user_ns)
    except BaseException as exc:
        if meter.counter:
            meter.counter.stop()
        channel.send({"t": "module_error", "exc": _exc_name(exc), "error": _describe(exc),
                      **meter.measures(start)})
        channel.send({"t": "done"})
        return 0
    module_measures = meter.measures(start)

    raised = []  # exceptions the candidate itself raised, to tell errors from failed asserts

    def candidate(*args, **kwargs):
        try:
            value = real_candidate(*args, **kwargs)
        except BaseException as exc:
            raised.append(exc)
            raise
        return sanitizer.sanitize(value)

    for ns, name in groups:
        _borrow_solution_names(ns, user_ns, trusted_builtins)
        ns[name] = candidate
    index = 0
    for test in plan["tests"]:
        start = meter.mark()
        raised.clear()
        record: dict = {"t": "test", "i": index}
        try:
            if test["kind"] == "call":
                call = calls[index]
                value = sanitizer.sanitize(real_candidate(*call["args"], **call["kwargs"]))
                record.update(outcome="value", value=encode(value))
            else:
                exec(test["code"], groups[test["group"]][0])
                record["outcome"] = "pass"
        except AssertionError as exc:
            from_candidate = any(exc is r for r in raised)
            record.update(outcome="error" if from_candidate else "fail", exc=_exc_name(exc),
                          error=_describe(exc) if from_candidate else "assertion failed")
        except BaseException as exc:
            record.update(outcome="error", exc=_exc_name(exc), error=_describe(exc))
        record.update(meter.measures(start))
        if test["kind"] == "call" or test["is_test"]:
            channel.send(record)
            index += 1
        elif record["outcome"] != "pass":
            channel.send({"t": "setup_error", "before": index, "exc": record.get("exc"),
                          "error": record.get("error")})
    if meter.counter:
        meter.counter.stop()
    channel.send({"t": "done", "module": module_measures,
                  "cost": meter.counter.total() if meter.counter else None})
    return 0
