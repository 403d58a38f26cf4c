"""Run a problem's reference solution against its tests, in this process.

Trusted code only: this executes the starter set's own reference solutions in the current
interpreter with no sandbox, at build time and in the unit tests. Model-written code goes
through the judge, never through here.

The comparisons mirror what the judge does with each test form: a call's return value is
taken through a JSON round trip (tuples become lists, sets are an error) and compared with
``expected`` (floats within ``atol``); a program's stdout must equal ``output`` exactly; a
check program runs step by step (see :func:`split_check_program`), each assert one test.
"""

from __future__ import annotations

import builtins
import contextlib
import copy
import io
import json
import sys
from typing import Any

from execeval_service.compare import values_equal
from execeval_service.values import encode
from grpo4code.data.check_program import split_check_program
from grpo4code.data.schema import AssertionTest, CallTest, Problem, StdioTest


def to_json_value(value: Any) -> Any:
    """``value`` as the judge sees it after serialising it: a JSON round trip.

    Raises ``TypeError`` for values JSON cannot hold (sets, objects) and ``ValueError`` for
    NaN or infinity.
    """
    return json.loads(json.dumps(value, allow_nan=False))


def values_match(actual: Any, expected: Any, atol: float = 0.0) -> bool:
    """The judge's own comparison of a returned value with ``expected`` (floats within
    ``atol``, bools only with bools), so the build accepts exactly what the judge accepts."""
    return values_equal(expected, encode(actual), atol)


def load_solution(source: str, label: str) -> dict:
    """Execute ``source`` in a fresh namespace and return it (the functions it defines)."""
    namespace: dict = {"__name__": "__starter__", "__builtins__": builtins}
    exec(compile(source, f"<{label}>", "exec"), namespace)
    return namespace


def call_entry_point(namespace: dict, entry_point: str, args: list, kwargs: dict | None = None) -> Any:
    """Call ``entry_point`` on copies of the arguments; return the result as a JSON value."""
    function = namespace[entry_point]
    result = function(*copy.deepcopy(list(args)), **copy.deepcopy(kwargs or {}))
    return to_json_value(result)


def run_program(source: str, stdin_text: str, label: str) -> str:
    """Run ``source`` as ``__main__`` with ``stdin_text`` on stdin; return what it printed."""
    code = compile(source, f"<{label}>", "exec")
    captured = io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin_text)
    try:
        with contextlib.redirect_stdout(captured):
            try:
                exec(code, {"__name__": "__main__", "__builtins__": builtins})
            except SystemExit as exc:
                if exc.code not in (None, 0):
                    raise RuntimeError(f"the program exited with status {exc.code!r}") from None
    finally:
        sys.stdin = saved_stdin
    return captured.getvalue()


def run_check_program(namespace: dict, entry_point: str, code: str) -> list[str]:
    """Run a ``check(candidate)`` program step by step against ``entry_point``.

    Returns one message per failing step (an assert that fails or a step that raises),
    numbered as the judge counts tests; an empty list means every assert passed.
    """
    program = split_check_program(code)
    scope = dict(namespace)
    exec(compile(program.module_code, "<check module>", "exec"), scope)
    scope[program.candidate_name] = namespace[entry_point]
    failures = []
    test_number = 0
    for step in program.steps:
        if step.is_test:
            test_number += 1
        try:
            exec(compile(step.code, "<check step>", "exec"), scope)
        except Exception as exc:  # noqa: BLE001 - any failure of the step is reported
            what = f"assert {test_number}" if step.is_test else f"set-up before assert {test_number + 1}"
            failures.append(f"{what} `{_clip(step.code)}` failed: {type(exc).__name__} {_clip(str(exc))}")
    return failures


def problem_failures(problem: Problem) -> list[str]:
    """Run every test of ``problem`` against its reference solution; describe each failure.

    Each message names the problem and the test index; an empty list means the reference
    passes everything.
    """
    source = problem.preamble + ("\n" if problem.preamble else "") + problem.reference_solution
    namespace = None
    if any(not isinstance(test, StdioTest) for test in problem.tests):
        try:
            namespace = load_solution(source, problem.id)
        except Exception as exc:  # noqa: BLE001
            return [f"{problem.id}: the reference solution does not load: {type(exc).__name__}: {exc}"]
    failures = []
    for index, test in enumerate(problem.tests):
        where = f"{problem.id}, test {index} ({test.kind})"
        try:
            if isinstance(test, StdioTest):
                actual = run_program(source, test.input, problem.id)
                if actual != test.output:
                    failures.append(
                        f"{where}: stdout {_clip(actual)!r} but expected {_clip(test.output)!r}"
                    )
            elif isinstance(test, CallTest):
                actual = call_entry_point(namespace, problem.entry_point, test.args, test.kwargs)
                if not values_match(actual, test.expected, test.atol):
                    failures.append(
                        f"{where}: returned {_clip(repr(actual))} but expected "
                        f"{_clip(repr(test.expected))}"
                    )
            elif isinstance(test, AssertionTest):
                failures.extend(
                    f"{where}: {message}"
                    for message in run_check_program(namespace, problem.entry_point, test.code)
                )
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{where}: raised {type(exc).__name__}: {_clip(str(exc))}")
    return failures


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"
