"""Expected outputs: the reference solution run on the new inputs, inside the judge.

The reference solution is dataset code, and this module treats it as untrusted like any other
program: one sandboxed stdio run per problem (:class:`execeval_service.EmbeddedJudge`)
executes :data:`DRIVER` with the trusted preamble, the reference and, when there is one, a
second independent solution. The inputs arrive on stdin, one JSON line each; for every input
the driver calls the reference twice (on fresh copies of the arguments, to catch
nondeterminism) and the second solution once, each call under its own CPU-time limit, and
prints one JSON record. Values travel as tagged JSON (tuples, sets, dicts, ``inf``) and linked
lists / trees as their values lists, so only what a check program can write as a literal
comes back.

The parent (:func:`classify_outcomes`) decides: an input whose reference call raised, ran out
of time, returned something without a literal or of another shape than the examples'
outputs, or on which the second solution disagrees, is dropped. A run the judge could not
complete loses only the inputs it had not reached (records are flushed one by one).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from execeval_service import JudgeJob, Limits
from grpo4code.data.augment.inputs import NodeValue
from grpo4code.data.augment.specs import fits_signature

RECORD_PREFIX = "@@augment "

DRIVER = r'''
import json, math, signal, sys, time

class _OverTime(BaseException):
    pass

def _on_timer(signum, frame):
    raise _OverTime()

class _Sink:
    def write(self, text):
        return len(text)
    def flush(self):
        pass

def _load(source):
    namespace = {"__name__": "__solution__"}
    exec(PREAMBLE, namespace)
    exec(source, namespace)
    return namespace

def _build(value, namespace):
    if isinstance(value, dict) and "$node" in value:
        return namespace[value["$node"]](value["values"])
    if isinstance(value, list):
        return [_build(v, namespace) for v in value]
    return value

def _list_values(node):
    out = []
    while node is not None:
        if len(out) > MAX_NODES:
            raise ValueError("the returned linked list is too long or has a cycle")
        out.append(_encode(node.val))
        node = node.next
    return out

def _tree_values(root):
    out, queue, head = [], [root], 0
    while head < len(queue):
        node = queue[head]
        head += 1
        if node is None:
            out.append(None)
            continue
        if len(queue) > 2 * MAX_NODES + 1:
            raise ValueError("the returned tree is too large or has a cycle")
        out.append(_encode(node.val))
        queue.append(node.left)
        queue.append(node.right)
    while out and out[-1] is None:
        out.pop()
    return out

class _NoLiteral(Exception):
    pass

def _encode(value, depth=0):
    if depth > 100:
        raise _NoLiteral("nested too deeply")
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        if value.bit_length() > 4000:
            raise _NoLiteral("int too large")
        return value
    if kind is float:
        if math.isnan(value):
            raise _NoLiteral("NaN")
        return value if math.isfinite(value) else {"$float": repr(value)}
    if kind is list:
        return [_encode(v, depth + 1) for v in value]
    if kind is tuple:
        return {"$tuple": [_encode(v, depth + 1) for v in value]}
    if kind is set:
        return {"$set": [_encode(v, depth + 1) for v in value]}
    if kind is dict:
        return {"$dict": [[_encode(k, depth + 1), _encode(v, depth + 1)] for k, v in value.items()]}
    raise _NoLiteral("a " + kind.__name__ + " has no literal")

def _convert(result):
    if OUTPUT_KIND == "list_node":
        return _list_values(result)
    if OUTPUT_KIND == "tree_node":
        return _tree_values(result)
    if hasattr(result, "val") and (hasattr(result, "next") or hasattr(result, "left")):
        raise _NoLiteral("a node where a value is expected")
    return _encode(result)

def _call(namespace, arguments):
    # positional, in the reference's parameter order: a second solution may name them otherwise
    args = [_build(arguments[name], namespace) for name in PARAMETERS]
    function = eval(ENTRY_POINT, namespace)
    start = time.process_time()
    signal.setitimer(signal.ITIMER_PROF, CALL_LIMIT_S)
    try:
        result = function(*args)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    cpu = time.process_time() - start
    return {"status": "ok", "value": _convert(result), "cpu": round(cpu, 6)}

def _main():
    out = sys.stdout
    signal.signal(signal.SIGPROF, _on_timer)
    namespaces = []
    for source in SOLUTIONS:
        sys.stdout = _Sink()
        try:
            namespaces.append(_load(source))
        except BaseException as exc:
            namespaces.append(exc)
        sys.stdout = out
    for index, line in enumerate(sys.stdin):
        arguments = json.loads(line)
        calls = []
        for namespace, repeats in zip(namespaces, REPEATS):
            for _ in range(repeats):
                if calls and calls[0]["status"] != "ok":
                    break  # the reference failed: the input is dropped anyway
                sys.stdout = _Sink()
                try:
                    if isinstance(namespace, BaseException):
                        raise namespace
                    calls.append(_call(namespace, arguments))
                except _OverTime:
                    calls.append({"status": "timeout"})
                except _NoLiteral as exc:
                    calls.append({"status": "unrepresentable", "error": str(exc)[:200]})
                except BaseException as exc:
                    calls.append({"status": "raised", "error": (type(exc).__name__ + ": " + str(exc))[:200]})
                finally:
                    signal.setitimer(signal.ITIMER_PROF, 0)
                    sys.stdout = out
        out.write(RECORD_PREFIX + json.dumps({"i": index, "calls": calls}) + "\n")
        out.flush()

_main()
'''


@dataclass
class DriverSettings:
    """How the reference is run on the new inputs."""

    call_time_limit_s: float = 1.0    # CPU seconds per call
    run_time_limit_s: float = 60.0    # CPU seconds of the whole driver run
    memory_limit_mb: int = 2048
    max_nodes: int = 100_000          # longest linked list / largest tree a result may be


@dataclass
class InputOutcome:
    """What the reference (and the second solution) did on one input.

    ``status`` is ``ok`` or why the input is dropped: ``raised``, ``timeout``,
    ``unrepresentable``, ``nondeterministic``, ``wrong_shape``, ``second_disagrees``,
    ``second_failed`` or ``not_run`` (the driver run ended before it).
    """

    status: str
    value: Any = None
    cpu_s: float = 0.0
    error: str = ""


@dataclass
class DriverRun:
    outcomes: list = field(default_factory=list)
    run_error: str = ""     # the whole run failed (sandbox error, killed early)


def to_json(value: Any) -> Any:
    """An input value as the driver reads it (nodes become ``{"$node": kind, "values": [...]}``)."""
    if isinstance(value, NodeValue):
        return {"$node": value.kind, "values": value.values}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("non-finite floats are not sent as inputs")
    return value


def from_json(value: Any) -> Any:
    """Inverse of the driver's tagged encoding."""
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if isinstance(value, dict):
        if "$float" in value:
            return float(value["$float"])
        if "$tuple" in value:
            return tuple(from_json(v) for v in value["$tuple"])
        if "$set" in value:
            return set(_freeze(from_json(v)) for v in value["$set"])
        if "$dict" in value:
            return {_freeze(from_json(k)): from_json(v) for k, v in value["$dict"]}
        raise ValueError(f"unknown tagged value {sorted(value)}")
    return value


def _freeze(value):
    if isinstance(value, list):  # cannot happen for keys Python accepted; kept safe
        return tuple(_freeze(v) for v in value)
    return value


def build_driver(preamble: str, solutions: list[str], entry_point: str, parameters: list[str],
                 output_kind: str, repeats: list[int], settings: DriverSettings) -> str:
    """The driver program for one problem (constants first, then :data:`DRIVER`)."""
    header = "\n".join([
        f"PREAMBLE = {preamble!r}",
        f"SOLUTIONS = {solutions!r}",
        f"PARAMETERS = {list(parameters)!r}",
        f"REPEATS = {repeats!r}",
        f"ENTRY_POINT = {entry_point.strip()!r}",
        f"OUTPUT_KIND = {output_kind!r}",
        f"CALL_LIMIT_S = {float(settings.call_time_limit_s)!r}",
        f"MAX_NODES = {int(settings.max_nodes)!r}",
        f"RECORD_PREFIX = {RECORD_PREFIX!r}",
    ])
    return header + "\n" + DRIVER


def driver_job(problem, inputs: list[dict], output_kind: str, second_solution: str | None,
               settings: DriverSettings) -> JudgeJob:
    """The judge job running the reference (twice per input) and the second solution (once)."""
    solutions = [problem.reference_solution] + ([second_solution] if second_solution else [])
    repeats = [2] + ([1] if second_solution else [])
    parameters = list(inputs[0]) if inputs else []
    source = build_driver(problem.preamble, solutions, problem.entry_point, parameters, output_kind,
                          repeats, settings)
    stdin = "".join(json.dumps({k: to_json(v) for k, v in kwargs.items()}) + "\n" for kwargs in inputs)
    limits = Limits(time_limit_s=settings.run_time_limit_s, memory_limit_mb=settings.memory_limit_mb,
                    max_file_size_mb=64)
    return JudgeJob(source=source, tests=[{"kind": "stdio", "input": stdin, "output": ""}], limits=limits)


def parse_records(stdout: str) -> dict[int, list]:
    """``{input index: calls}`` from the driver's stdout (a cut-off last line is ignored)."""
    records = {}
    for line in stdout.splitlines():
        if not line.startswith(RECORD_PREFIX):
            continue
        try:
            record = json.loads(line[len(RECORD_PREFIX):])
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and isinstance(record.get("i"), int) and isinstance(record.get("calls"), list):
            records[record["i"]] = record["calls"]
    return records


def values_agree(a: Any, b: Any, float_tolerance: float) -> bool:
    """``a == b`` as the check's ``==`` sees it, with floats within ``float_tolerance``."""
    if isinstance(a, float) or isinstance(b, float):
        if type(a) in (int, float) and type(b) in (int, float):
            if math.isinf(a) or math.isinf(b):
                return a == b
            return abs(a - b) <= float_tolerance
        return False
    if type(a) is not type(b):
        return a == b
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(values_agree(x, y, float_tolerance) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(values_agree(a[k], b[k], float_tolerance) for k in a)
    return a == b


def as_signature(value: Any, signature: Any) -> Any:
    """Integral floats where the examples return ints (``6.0`` -> ``6``; ``==`` holds either way)."""
    if signature == "int" and type(value) is float and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(signature, tuple) and type(value) is list:
        return [as_signature(v, signature[1]) for v in value]
    return value


def classify_outcomes(records: dict[int, list], num_inputs: int, has_second: bool,
                      output_signature: Any, float_tolerance: float) -> list[InputOutcome]:
    """One :class:`InputOutcome` per input, from the driver's records."""
    outcomes = []
    for index in range(num_inputs):
        calls = records.get(index)
        if not calls:
            outcomes.append(InputOutcome("not_run"))
            continue
        first = calls[0]
        if first.get("status") != "ok":
            outcomes.append(InputOutcome(first.get("status", "raised"), error=first.get("error", "")))
            continue
        if len(calls) < 2 + has_second:
            outcomes.append(InputOutcome("not_run"))
            continue
        again = calls[1]
        value = as_signature(from_json(first["value"]), output_signature)
        cpu = float(first.get("cpu", 0.0))
        if again.get("status") != "ok":  # e.g. out of time on the repeat: not a different answer
            outcomes.append(InputOutcome(again.get("status", "raised"), error=again.get("error", "")))
            continue
        if as_signature(from_json(again["value"]), output_signature) != value:
            outcomes.append(InputOutcome("nondeterministic", value, cpu))
            continue
        if not fits_signature(output_signature, value):
            outcomes.append(InputOutcome("wrong_shape", value, cpu))
            continue
        if has_second:
            second = calls[2]
            if second.get("status") != "ok":
                outcomes.append(InputOutcome("second_failed", value, cpu, second.get("error", second.get("status", ""))))
                continue
            if not values_agree(value, from_json(second["value"]), float_tolerance):
                outcomes.append(InputOutcome("second_disagrees", value, cpu))
                continue
        outcomes.append(InputOutcome("ok", value, cpu))
    return outcomes


def run_reference(judge, problem, inputs: list[dict], output_kind: str, output_signature: Any,
                  second_solution: str | None, settings: DriverSettings, float_tolerance: float) -> DriverRun:
    """Run the driver for ``inputs`` in ``judge`` and classify every input."""
    if not inputs:
        return DriverRun()
    job = driver_job(problem, inputs, output_kind, second_solution, settings)
    result = judge.submit(job, report_chars=1 << 26).result()
    if result.could_not_score or (result.tests and not parse_records(result.tests[0].stdout)):
        result = judge.submit(job, report_chars=1 << 26).result()  # once more: a lost worker is rare
    run_error = ""
    if result.could_not_score:
        run_error = f"sandbox error: {result.error}"
    stdout = result.tests[0].stdout if result.tests else ""
    if result.tests and result.tests[0].verdict.value not in ("WRONG_ANSWER", "PASSED"):
        run_error = run_error or f"{result.tests[0].verdict.value}: {result.tests[0].error or ''}"[:300]
    records = parse_records(stdout)
    outcomes = classify_outcomes(records, len(inputs), bool(second_solution), output_signature, float_tolerance)
    return DriverRun(outcomes, run_error)
