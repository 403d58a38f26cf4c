"""The dataset columns a reward reads, and the problem each completion answers.

TRL hands a reward every dataset column as a keyword argument (one value per completion).
A training dataset built with :func:`reward_columns` carries:

* ``problem_id`` -- the problem's id (for logs and caches);
* ``tests`` -- the problem's tests as a JSON string (Arrow cannot store the mixed test
  forms as a column of structs, so they travel as text);
* ``entry_point``, ``preamble``, ``reference_solution``.

:func:`problem_specs` turns those keyword arguments back into one :class:`ProblemSpec` per
completion; a missing column is an error that names it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from grpo4code.data.schema import Problem, parse_test_case

REQUIRED_COLUMNS = ("tests", "entry_point")
OPTIONAL_COLUMNS = ("problem_id", "preamble", "reference_solution")


@dataclass(frozen=True)
class ProblemSpec:
    """What the judge needs to run a completion of one problem. ``tests`` is a tuple of the
    schema's test objects; ``key`` identifies the problem's tests for caches."""

    problem_id: str
    tests: tuple
    entry_point: str
    preamble: str
    reference_solution: str
    key: str

    @classmethod
    def from_problem(cls, problem: Problem) -> "ProblemSpec":
        return spec_from_columns(**reward_columns(problem))


def tests_to_json(tests) -> str:
    """The schema's test objects (or their dict forms) as the ``tests`` column's JSON text."""
    return json.dumps([dataclasses.asdict(t) if dataclasses.is_dataclass(t) else dict(t) for t in tests],
                      sort_keys=True, ensure_ascii=False)


def reward_columns(problem: Problem) -> dict:
    """The reward columns of one problem, to merge into a training dataset row."""
    return {
        "problem_id": problem.id,
        "tests": tests_to_json(problem.tests),
        "entry_point": problem.entry_point,
        "preamble": problem.preamble,
        "reference_solution": problem.reference_solution,
    }


@functools.lru_cache(maxsize=8192)
def _parse_tests(text: str) -> tuple:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the `tests` column is not valid JSON ({exc})") from None
    if not isinstance(data, list) or not data:
        raise ValueError("the `tests` column must hold a non-empty JSON list of tests")
    return tuple(parse_test_case(item) for item in data)


@functools.lru_cache(maxsize=8192)
def _spec(problem_id: str, tests_text: str, entry_point: str, preamble: str, reference: str) -> ProblemSpec:
    try:
        tests = _parse_tests(tests_text)
    except ValueError as exc:
        raise ValueError(f"problem {problem_id or '?'}: {exc}") from None
    key = hashlib.sha256("\x00".join((tests_text, entry_point, preamble)).encode()).hexdigest()[:24]
    return ProblemSpec(problem_id, tests, entry_point, preamble, reference, key)


def spec_from_columns(tests: Any, entry_point: str = "", problem_id: str = "", preamble: str = "",
                      reference_solution: str = "", **_ignored) -> ProblemSpec:
    """One completion's :class:`ProblemSpec` from its row's column values.

    ``tests`` may be the JSON text, or a list of test objects or dicts.
    """
    if not isinstance(tests, str):
        tests = tests_to_json(tests)
    return _spec(str(problem_id or ""), tests, entry_point or "", preamble or "", reference_solution or "")


def problem_specs(num_completions: int, kwargs: dict) -> list[ProblemSpec]:
    """One :class:`ProblemSpec` per completion from TRL's per-column keyword arguments."""
    missing = [name for name in REQUIRED_COLUMNS if name not in kwargs]
    if missing:
        raise ValueError(
            f"the reward needs dataset columns {missing} (build rows with "
            f"grpo4code.rewards.columns.reward_columns); got columns {sorted(kwargs)}")
    columns = {name: kwargs[name] for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS if name in kwargs}
    for name, values in columns.items():
        if len(values) != num_completions:
            raise ValueError(f"column `{name}` has {len(values)} values for {num_completions} completions")
    return [spec_from_columns(**{name: values[i] for name, values in columns.items()})
            for i in range(num_completions)]
