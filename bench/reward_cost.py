"""Reward computation time per 256 completions of LeetCode problems, with the judge.

Completions: for 64 problems of the LeetCodeDataset test file, the reference solution, the
reference with padded comments, a broken variant (its first ``return`` replaced by
``return None``) and a text with no code -- 256 in all, the mix a GRPO batch sees.

Each dimension is timed alone on a fresh judge cache (so correctness, efficiency, comments
and maintainability each pay for the judge run they need), then all dimensions together
as the trainer runs them (async, concurrently, one shared judge: each program runs once).

    python bench/reward_cost.py [--leetcode FILE] [--workers N] [--problems 64]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import time

from grpo4code.data import load_problems
from grpo4code.rewards.columns import reward_columns
from grpo4code.rewards.judging import CompletionJudge, JudgeConfig
from grpo4code.rewards.registry import DIMENSIONS, RewardSettings, build_reward_funcs

DEFAULT_LEETCODE = "/work/shared/data/leetcode/LeetCodeDataset-v0.3.1-test.jsonl.gz"


def completions_for(problem) -> list[str]:
    reference = problem.reference_solution
    padded = "".join(f"# step {i}: we carefully explain what happens next\n" for i in range(30)) + reference
    broken = re.sub(r"return [^\n]+", "return None", reference, count=1)
    return [f"```python\n{code}```" for code in (reference, padded, broken)] + ["I am not sure how to solve it."]


async def run_rewards(funcs, completions, columns) -> float:
    started = time.perf_counter()

    async def call(func):
        value = func(prompts=[""] * len(completions), completions=completions, **columns)
        return await value if asyncio.iscoroutine(value) else value

    await asyncio.gather(*(call(f) for f in funcs))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leetcode", default=os.environ.get("GRPO4CODE_LEETCODE_TEST", DEFAULT_LEETCODE))
    parser.add_argument("--problems", type=int, default=64)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--time_limit_s", type=float, default=10.0)
    options = parser.parse_args()

    problems = load_problems("leetcode", options.leetcode).problems[: options.problems]
    completions, rows = [], []
    for problem in problems:
        for completion in completions_for(problem):
            completions.append(completion)
            rows.append(reward_columns(problem))
    columns = {key: [row[key] for row in rows] for key in rows[0]}
    config = JudgeConfig(workers=options.workers, time_limit_s=options.time_limit_s)
    backend = config.make_backend()
    print(f"{len(completions)} completions of {len(problems)} LeetCode problems; embedded judge, "
          f"{options.workers} workers, cost unit: {backend.cost_unit}")
    per_256 = 256 / len(completions)
    try:
        print(f"{'dimension':<18}{'seconds / 256':>14}{'ms / completion':>17}")
        for dimension in DIMENSIONS:
            judge = CompletionJudge(config, backend=backend)
            funcs = build_reward_funcs(["correctness", dimension], RewardSettings(), config)
            funcs = [f for f in funcs if f.__name__ == dimension or dimension == "correctness"][:1]
            for func in funcs:
                func._judge = judge
            seconds = asyncio.run(run_rewards(funcs, completions, columns))
            print(f"{dimension:<18}{seconds * per_256:>14.2f}{1000 * seconds / len(completions):>17.1f}")
        judge = CompletionJudge(config, backend=backend)
        funcs = build_reward_funcs(DIMENSIONS, RewardSettings(), config)
        for func in funcs:
            func._judge = judge
        seconds = asyncio.run(run_rewards(funcs, completions, columns))
        print(f"{'all, shared judge':<18}{seconds * per_256:>14.2f}{1000 * seconds / len(completions):>17.1f}"
              f"   ({judge.runs} judge jobs for {len(completions)} completions)")
    finally:
        backend.close()


if __name__ == "__main__":
    main()
