"""Correctness: the share of the problem's tests a completion passes.

* ``mode="dense"`` -- the pass ratio (each assertion of a check program is one test), so a
  partly right program earns partial credit;
* ``mode="sparse"`` -- 1 only if every test passes (accepted), else 0;
* ``mode="guarded"`` -- the pass ratio, but no partial credit for a solution that never reads
  its inputs (:mod:`grpo4code.rewards.input_use`): a constant answer matches some tests by
  chance, and a policy trained on the dense ratio learns to give one (seen on the GPU
  learning run, bench/README.md). An accepted solution keeps its 1.

No code found: 0. The judge could not run it: ``None``. Every mode logs
``solutions/ignores_inputs``, the share of judged solutions that never read their inputs.
"""

from __future__ import annotations

import collections
import time

from grpo4code.rewards.base import CodeReward
from grpo4code.rewards.input_use import ignores_inputs, ignores_inputs_share

CORRECTNESS_MODES = ("dense", "sparse", "guarded")


class CorrectnessReward(CodeReward):
    """Pass ratio (dense), accepted (sparse) or input-guarded pass ratio of each completion."""

    def __init__(self, mode: str = "guarded", **judge):
        if mode not in CORRECTNESS_MODES:
            raise ValueError(f"correctness mode must be one of {CORRECTNESS_MODES}, not {mode!r}")
        self.mode = mode
        self.name = "correctness" if mode == "guarded" else f"correctness_{mode}"  # the default keeps the plain name
        super().__init__(**judge)

    async def score(self, codes, specs):
        started = time.perf_counter()
        results = await self.judge.judge(specs, codes)
        self.batch_metrics = verdict_shares(codes, results)
        self.batch_metrics["judge/seconds"] = time.perf_counter() - started
        ignoring = [ignores_inputs(code, spec.entry_point) if code is not None else None
                    for code, spec in zip(codes, specs)]
        share = ignores_inputs_share(ignoring)
        if share is not None:
            self.batch_metrics["solutions/ignores_inputs"] = share
        scores = []
        for code, result, ignores in zip(codes, results, ignoring):
            if code is None or result is None:
                scores.append(0.0)
            elif result.could_not_score:
                scores.append(None)
            elif self.mode == "sparse" or (self.mode == "guarded" and ignores):
                scores.append(1.0 if result.accepted else 0.0)
            else:
                scores.append(result.pass_ratio if result.num_tests else 0.0)
        return scores


def first_failure(result) -> str:
    """The verdict that decided a failed run: its first failing test's."""
    for test in result.tests:
        if test.verdict != "PASSED":
            return test.verdict.value if hasattr(test.verdict, "value") else str(test.verdict)
    return "NO_TESTS_RUN"


def verdict_shares(codes, results) -> dict:
    """Share of completions per outcome (accepted, no code, each failing verdict, could not
    score), for the trainer's logs."""
    outcomes = collections.Counter()
    for code, result in zip(codes, results):
        if code is None or result is None:
            outcomes["NO_CODE"] += 1
        elif result.could_not_score:
            outcomes["COULD_NOT_SCORE"] += 1
        elif result.accepted:
            outcomes["ACCEPTED"] += 1
        else:
            outcomes[first_failure(result)] += 1
    total = max(1, len(codes))
    return {f"verdicts/{name.lower()}": count / total for name, count in sorted(outcomes.items())}
