"""Correctness and efficiency rewards through the real judge (embedded and server)."""

from __future__ import annotations

import asyncio
import pickle

import pytest
from hypothesis import given, strategies as st

from execeval_service.testing import JudgeServer, free_port
from grpo4code.data.schema import AssertionTest, CallTest, Problem, StdioTest
from grpo4code.rewards.base import gate, score_sync
from grpo4code.rewards.code_format import FormatReward
from grpo4code.rewards.columns import ProblemSpec, problem_specs, reward_columns
from grpo4code.rewards.correctness import CorrectnessReward
from grpo4code.rewards.efficiency import EfficiencyReward, efficiency_score, largest_tests
from grpo4code.rewards.judging import CompletionJudge, JudgeConfig

SUM_TO = Problem(
    id="sum-to", source="test", split="train", entry_point="sum_to",
    instruction="Return 1 + 2 + ... + n.",
    tests=[CallTest(args=[n], expected=n * (n + 1) // 2) for n in (0, 1, 5, 100, 3000)],
    reference_solution="def sum_to(n):\n    return n * (n + 1) // 2\n",
)
SLOW_SUM = "def sum_to(n):\n    total = 0\n    for i in range(n + 1):\n        for _ in range(3):\n            total += i\n    return total // 3\n"
HALF_RIGHT = "def sum_to(n):\n    return n if n < 2 else -1\n"
ECHO = Problem(
    id="echo", source="test", split="train", instruction="Print the input doubled.",
    tests=[StdioTest(input=f"{k}\n", output=f"{2 * k}\n") for k in (1, 2, 3)],
    reference_solution="print(2 * int(input()))\n",
)


def fenced(code: str) -> str:
    return f"Here it is:\n```python\n{code}```\n"


def columns(problems) -> dict:
    rows = [reward_columns(p) for p in problems]
    return {key: [row[key] for row in rows] for key in rows[0]}


@pytest.fixture(scope="module")
def judge():
    judge = CompletionJudge(JudgeConfig(workers=2))
    yield judge
    judge.close()


def test_correctness_dense_sparse_and_no_code(judge):
    completions = [fenced(SUM_TO.reference_solution), fenced(HALF_RIGHT), "no code here, sorry", fenced(SLOW_SUM)]
    cols = columns([SUM_TO] * 4)
    dense = score_sync(CorrectnessReward(mode="dense", judge=judge), completions, **cols)
    sparse = score_sync(CorrectnessReward(mode="sparse", judge=judge), completions, **cols)
    assert dense == [1.0, pytest.approx(2 / 5), 0.0, 1.0]
    assert sparse == [1.0, 0.0, 0.0, 1.0]
    never_reads = ["```python\nprint(4)\n```"]  # right for one of three inputs, without reading any
    assert score_sync(CorrectnessReward(mode="dense", judge=judge), never_reads, **columns([ECHO])) == [pytest.approx(1 / 3)]
    assert score_sync(CorrectnessReward(judge=judge), never_reads, **columns([ECHO])) == [0.0]


def test_guarded_correctness_gives_no_partial_credit_to_a_constant_answer(judge):
    constant = "def sum_to(n):\n    return 0\n"  # right for n=0 only: 1 of 5 tests, by chance
    completions = [fenced(constant), fenced(HALF_RIGHT), fenced(SUM_TO.reference_solution), "no code"]
    cols = columns([SUM_TO] * 4)
    dense = score_sync(CorrectnessReward(mode="dense", judge=judge), completions, **cols)
    guarded_reward = CorrectnessReward(judge=judge)
    logged = {}
    guarded = asyncio.run(guarded_reward(completions=completions, log_metric=logged.__setitem__, **cols))
    assert dense == [pytest.approx(1 / 5), pytest.approx(2 / 5), 1.0, 0.0]
    assert guarded == [0.0, pytest.approx(2 / 5), 1.0, 0.0]  # reads its input: keeps its partial credit
    assert logged["solutions/ignores_inputs"] == pytest.approx(1 / 3)  # of the three with code
    assert guarded_reward.__name__ == "correctness"  # the default mode keeps the plain name


def test_conversational_completions(judge):
    conversation = [[{"role": "assistant", "content": fenced(SUM_TO.reference_solution)}]]
    assert score_sync(CorrectnessReward(judge=judge), conversation, **columns([SUM_TO])) == [1.0]


def test_efficiency_half_at_parity_lower_when_slower_zero_when_wrong(judge):
    completions = [fenced(SUM_TO.reference_solution), fenced(SLOW_SUM), fenced(HALF_RIGHT)]
    scores = score_sync(EfficiencyReward(judge=judge), completions, **columns([SUM_TO] * 3))
    assert scores[0] == 0.5
    assert 0.0 <= scores[1] < 0.2
    assert scores[2] == 0.0
    again = score_sync(EfficiencyReward(judge=CompletionJudge(judge.config, backend=judge.backend)),
                       completions[:2], **columns([SUM_TO] * 2))
    assert again == scores[:2]  # deterministic cost: a fresh cache measures the same


def test_efficiency_without_reference_cannot_score(judge):
    problem = Problem(**{**SUM_TO.to_dict(), "tests": SUM_TO.tests, "reference_solution": ""})
    assert score_sync(EfficiencyReward(judge=judge), [fenced(SLOW_SUM)], **columns([problem])) == [None]


def test_correctness_and_efficiency_share_one_judge_run(judge):
    fresh = CompletionJudge(judge.config, backend=judge.backend)
    problems = [SUM_TO] * 3
    completions = [fenced(SLOW_SUM), fenced(SLOW_SUM), fenced(HALF_RIGHT)]
    kwargs = dict(prompts=[""] * 3, completions=completions, **columns(problems))

    async def both():
        return await asyncio.gather(CorrectnessReward(judge=fresh)(**kwargs), EfficiencyReward(judge=fresh)(**kwargs))

    correctness, efficiency = asyncio.run(both())
    assert correctness[0] == correctness[1] == 1.0 and efficiency[0] == efficiency[1]
    # two distinct programs judged once each, then cost runs: the reference and SLOW_SUM
    assert fresh.runs == 4


def test_judge_outage_is_none_never_zero():
    config = JudgeConfig(execute_code_url=(f"http://127.0.0.1:{free_port()}",), retries=1)
    down = CompletionJudge(config)
    completions = [fenced(SUM_TO.reference_solution), fenced(HALF_RIGHT)]
    cols = columns([SUM_TO] * 2)
    assert score_sync(CorrectnessReward(judge=down), completions, **cols) == [None, None]
    assert score_sync(EfficiencyReward(judge=down), completions, **cols) == [None, None]
    # no code at all needs no judge: it is simply wrong
    assert score_sync(CorrectnessReward(judge=down), ["I cannot solve this."], **columns([SUM_TO])) == [0.0]


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"\['tests'\]"):
        problem_specs(1, {"entry_point": ["f"]})
    with pytest.raises(ValueError, match="problem bad: the `tests` column is not valid JSON"):
        problem_specs(1, {"tests": ["[{"], "entry_point": ["f"], "problem_id": ["bad"]})


def test_rewards_pickle_and_keep_their_names(judge):
    for reward in (CorrectnessReward(judge=judge), CorrectnessReward(mode="sparse"), EfficiencyReward(), FormatReward()):
        clone = pickle.loads(pickle.dumps(reward))
        assert clone.__name__ == reward.__name__
    assert CorrectnessReward(mode="sparse").__name__ == "correctness_sparse"
    with pytest.raises(ValueError, match="correctness mode"):
        CorrectnessReward(mode="soft")


def test_format_reward():
    assert FormatReward()(completions=[fenced("x = 1\n"), "```python\nx = (\n```", "plain words here"]) == [1.0, 0.0, 0.0]


def test_largest_tests_keep_setup_and_pick_biggest_inputs():
    check = ("def check(candidate):\n    big = list(range(50))\n    assert candidate([1]) == 1\n"
             "    assert candidate(big) == 49\n    assert candidate([1, 2, 3]) == 3\n")
    [subset] = largest_tests((AssertionTest(code=check),), 2)
    assert "big = list(range(50))" in subset.code and "candidate([1])" not in subset.code
    assert subset.num_tests == 2
    calls = tuple(CallTest(args=[list(range(n))], expected=n) for n in (3, 30, 1))
    assert [len(t.args[0]) for t in largest_tests(calls, 2)] == [3, 30]


@given(st.floats(1, 1e12), st.floats(1, 1e12), st.floats(1.01, 100))
def test_efficiency_score_bounded_and_monotone(cost, reference, span):
    score = efficiency_score(cost, reference, span)
    assert 0.0 <= score <= 1.0
    assert efficiency_score(cost * 2, reference, span) <= score
    assert efficiency_score(reference, reference, span) == 0.5


def test_gate_rule():
    from execeval_service.jobs import JudgeResult

    passed = JudgeResult(status="COMPLETED", num_tests=2, num_passed=2)
    failed = JudgeResult(status="COMPLETED", num_tests=2, num_passed=1)
    broken = JudgeResult.sandbox_error("down")
    scores, accepted = gate(["a", "b", "c", None], [passed, failed, broken, None])
    assert scores == [None, 0.0, None, 0.0] and accepted == [0]


@pytest.fixture(scope="module")
def server():
    with JudgeServer(workers=2, extra_args=("--max-time-limit-s", "60")) as srv:
        yield srv


def test_humaneval_gold_solutions_score_one_through_the_server(server, humaneval):
    problems = humaneval.problems
    judge = CompletionJudge(JudgeConfig(execute_code_url=(server.url,)))
    scores = score_sync(CorrectnessReward(judge=judge), [fenced(p.reference_solution) for p in problems],
                        **columns(problems))
    assert [p.id for p, s in zip(problems, scores) if s != 1.0] == []


def test_leetcode_test_gold_solutions_score_one_through_the_server(server, leetcode_test):
    problems = leetcode_test.problems
    # two references need 14 s and 28 s of CPU here; the limit counts CPU time, not wall
    judge = CompletionJudge(JudgeConfig(execute_code_url=(server.url,), time_limit_s=60))
    scores = score_sync(CorrectnessReward(judge=judge), [fenced(p.reference_solution) for p in problems],
                        **columns(problems))
    assert [p.id for p, s in zip(problems, scores) if s != 1.0] == []
