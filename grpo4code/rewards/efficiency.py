"""Efficiency: the judge's deterministic cost of the solution against the reference's.

Both programs run the same tests -- the ``num_tests`` largest of the problem (by the size of
their inputs: the source of an assertion, the JSON of a call's arguments, a stdio input),
where the solution's own work dominates the judge's fixed overhead. The judge reports a
deterministic cost (hardware instructions where the machine has counters, executed
bytecodes otherwise; module-level work and threads included), so repeating a measurement
gives the same number and the reward does not jitter with machine load.

Score (:func:`efficiency_score`): ``0.5 + 0.5 * log(ref / cost) / log(span)`` clipped to
[0, 1] -- 0.5 at parity, 1.0 at ``span`` times cheaper, 0.0 at ``span`` times dearer. It is
absolute, not normalised within a batch, so a failing batch cannot lift anyone to 0.5.

Gated: 0 for a completion that fails any test. ``None`` when the judge could not run it,
and when the problem has no reference solution that passes the selected tests (there is
nothing to compare with); reference costs are measured once per problem and cached.
"""

from __future__ import annotations

import json
import math
from typing import Optional

from grpo4code.data.check_program import split_check_program
from grpo4code.data.schema import AssertionTest, CallTest, StdioTest
from grpo4code.rewards.base import GatedReward
from grpo4code.rewards.columns import ProblemSpec


def efficiency_score(cost: float, reference_cost: float, span: float = 4.0) -> float:
    """Clipped log cost ratio: 0.5 at parity, 1 at ``span``x cheaper, 0 at ``span``x dearer."""
    if span <= 1:
        raise ValueError("span must be > 1")
    cost, reference_cost = max(float(cost), 1.0), max(float(reference_cost), 1.0)
    return min(1.0, max(0.0, 0.5 + 0.5 * math.log(reference_cost / cost) / math.log(span)))


def _indented(code: str) -> str:
    return "".join("    " + line if line.strip() else line for line in code.splitlines(keepends=True))


def _assertion_items(test: AssertionTest) -> list:
    program = split_check_program(test.code)
    setup, items = [], []
    for step in program.steps:
        if step.is_test:
            items.append((len(step.code), ("assertion", program, tuple(setup), step.code)))
        else:
            setup.append(step.code)
    return items


def _rebuild_check(program, parts: list) -> AssertionTest:
    """A check program with ``program``'s module code and only the given (setup, assert) parts."""
    body, seen = [], set()
    for setup, code in parts:
        for line in setup:  # set-up statements run before the tests that follow them
            if line not in seen:
                seen.add(line)
                body.append(line)
        body.append(code)
    source = (program.module_code + "\n\n" if program.module_code.strip() else "")
    source += f"def check({program.candidate_name}):\n" + "".join(_indented(c.rstrip("\n") + "\n") for c in body)
    return AssertionTest(code=source)


def largest_tests(tests: tuple, num_tests: int) -> tuple:
    """The ``num_tests`` tests with the largest inputs, as runnable tests (original order).

    Assertions of one check program stay in one rebuilt check program (with the set-up
    statements that preceded them); call and stdio tests are kept as they are.
    """
    items = []  # (size, position, payload)
    for test in tests:
        if isinstance(test, AssertionTest):
            items += [(size, len(items), payload) for size, payload in _assertion_items(test)]
        elif isinstance(test, CallTest):
            size = len(json.dumps([test.args, test.kwargs], default=repr))
            items.append((size, len(items), ("call", test)))
        elif isinstance(test, StdioTest):
            items.append((len(test.input), len(items), ("stdio", test)))
    chosen = sorted(sorted(items, key=lambda item: (-item[0], item[1]))[:num_tests], key=lambda item: item[1])
    selected, by_program = [], {}
    for _, _, payload in chosen:
        if payload[0] == "assertion":
            _, program, setup, code = payload
            if id(program) not in by_program:
                by_program[id(program)] = (program, [])
                selected.append(("assertion", id(program)))
            by_program[id(program)][1].append((setup, code))
        else:
            selected.append(payload)
    return tuple(_rebuild_check(*by_program[entry[1]]) if entry[0] == "assertion" else entry[1]
                 for entry in selected)


class EfficiencyReward(GatedReward):
    """Cost of an accepted completion on the largest tests, relative to the reference's."""

    name = "efficiency"

    def __init__(self, num_tests: int = 3, span: float = 4.0, **judge):
        if num_tests < 1:
            raise ValueError("efficiency num_tests must be >= 1")
        if span <= 1:
            raise ValueError("efficiency span must be > 1")
        self.num_tests, self.span = num_tests, span
        self._reference_costs: dict = {}
        super().__init__(**judge)

    @property
    def tests_key(self) -> str:
        return f"largest{self.num_tests}"

    def subset(self, spec: ProblemSpec) -> tuple:
        return largest_tests(spec.tests, self.num_tests)

    async def reference_costs(self, specs: list[ProblemSpec]) -> list[Optional[int]]:
        """Each problem's reference cost on its largest tests (measured once, cached)."""
        todo = {}
        for spec in specs:
            if spec.key not in self._reference_costs and spec.key not in todo:
                todo[spec.key] = spec
        if todo:
            pending = list(todo.values())
            has_reference = [s for s in pending if s.reference_solution.strip()]
            results = await self.judge.judge(has_reference, [s.reference_solution for s in has_reference],
                                             measure_cost=True, tests=[self.subset(s) for s in has_reference],
                                             tests_key=self.tests_key)
            by_key = {s.key: r for s, r in zip(has_reference, results)}
            for spec in pending:
                result = by_key.get(spec.key)
                if result is not None and result.could_not_score:
                    continue  # the judge failed: try again next time, score None now
                ok = result is not None and result.accepted and result.cost is not None
                self._reference_costs[spec.key] = result.cost if ok else None
        return [self._reference_costs.get(spec.key) for spec in specs]

    async def score_accepted(self, codes, specs, results):
        references = await self.reference_costs(specs)
        measured = await self.judge.judge(specs, codes, measure_cost=True,
                                          tests=[self.subset(s) for s in specs], tests_key=self.tests_key)
        scores: list[Optional[float]] = []
        for reference, result in zip(references, measured):
            if reference is None or result is None or result.could_not_score:
                scores.append(None)
            elif not result.accepted or result.cost is None:
                scores.append(0.0)  # passed the full run, failed the measured one: not rewarded
            else:
                scores.append(efficiency_score(result.cost, reference, self.span))
        return scores

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["_reference_costs"] = dict(self._reference_costs)
        return state
