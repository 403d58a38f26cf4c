"""Trivial programs that show how weak a test set is: they know nothing about the problem.

* ``type_default``: returns the zero of the examples' output type (``0``, ``False``, ``""``,
  ``[]``, ``None`` for a node);
* ``first_output``: returns the first example's expected output whatever the input;
* ``replay_examples``: returns the examples' expected outputs in the order the check calls
  it -- by construction it passes every original test, so only new tests can fail it.

A problem whose tests one of these passes cannot tell a solution from a guess; after
augmentation, none should pass.
"""

from __future__ import annotations

from execeval_service import JudgeJob
from grpo4code.data.augment.inputs import Example, render_value

TRIVIAL_KINDS = ("type_default", "first_output", "replay_examples")


def _expression(example: Example) -> str:
    if example.output_kind == "value":
        return render_value(example.expected)
    return f"{example.output_kind}({render_value(example.expected)})"


def _default(example: Example) -> str:
    if example.output_kind != "value":
        return "None"
    defaults = {bool: "False", int: "0", float: "0.0", str: '""', list: "[]", tuple: "()", dict: "{}"}
    return defaults.get(type(example.expected), "None")


def trivial_solutions(examples: list[Example], entry_point: str) -> dict[str, str]:
    """``{kind: source}`` of the trivial programs for a ``Solution().method`` entry point."""
    method = entry_point.strip().rsplit(".", 1)[-1]
    outputs = ", ".join(f"lambda: {_expression(e)}" for e in examples)
    bodies = {
        "type_default": f"return {_default(examples[0])}",
        "first_output": f"return {_expression(examples[0])}",
        "replay_examples": "i = _CALLS.append(None) or len(_CALLS) - 1\n"
                           "        return (_OUTPUTS[i] if i < len(_OUTPUTS) else _OUTPUTS[0])()",
    }
    head = f"_OUTPUTS = [{outputs}]\n_CALLS = []\n\n"
    return {kind: f"{head}class Solution:\n    def {method}(self, *args, **kwargs):\n        {body}\n"
            for kind, body in bodies.items()}


def judge_trivial(judge, problems_by_stage: dict, examples: list[Example]) -> dict:
    """``{kind: {stage: [passed, total]}}`` for each trivial program on each version of a problem.

    ``problems_by_stage`` maps a label (``before`` / ``after``) to a problem; ``passed`` is
    ``None`` where the judge could not run the job.
    """
    sources = trivial_solutions(examples, next(iter(problems_by_stage.values())).entry_point)
    first_stage = {}  # a stage holding the same problem as an earlier one is judged once
    for stage, problem in problems_by_stage.items():
        first_stage[stage] = next(s for s, p in problems_by_stage.items() if p is problem)
    futures = {(kind, stage): judge.submit(JudgeJob.from_problem(problems_by_stage[stage], source))
               for kind, source in sources.items() for stage in set(first_stage.values())}
    results: dict = {kind: {} for kind in sources}
    for kind in sources:
        for stage in problems_by_stage:
            result = futures[(kind, first_stage[stage])].result()
            passed = None if result.could_not_score else result.num_passed
            results[kind][stage] = [passed, result.num_tests]
    return results
