"""A corpus of reward hacks earns no more than honest wrong code, through the real judge
and every reward dimension, mixed as the trainer mixes them (gating, then prior weights)."""

from __future__ import annotations

import asyncio

import pytest
import torch

from grpo4code.data import load_problems
from grpo4code.rewards.columns import reward_columns
from grpo4code.rewards.judging import CompletionJudge, JudgeConfig
from grpo4code.rewards.registry import DIMENSIONS, build_reward_funcs
from grpo4code.training.grpo import GATED_DIMENSIONS, gate_secondary
from grpo4code.training.grpo_run import prior_weights

PADDING = "".join(f"# This line explains the approach in careful detail, step {i}.\n" for i in range(40))

COUNT_PRIMES = {
    "honest_wrong": "def count_primes(n):\n    count = 0\n    for k in range(2, n + 1):\n"
                    "        if all(k % d for d in range(2, int(k ** 0.5) + 1)):\n            count += 1\n"
                    "    return count\n",  # counts primes <= n: right whenever n is not prime
    "module_sys_exit": "import sys\nsys.exit(0)\n",
    "os_exit_in_call": "def count_primes(n):\n    import os\n    os._exit(0)\n",
    "always_equal": "class Anything:\n    def __eq__(self, other):\n        return True\n    __hash__ = None\n\n"
                    "def count_primes(n):\n    return Anything()\n",
    "int_with_patched_eq": "class Sly(int):\n    def __eq__(self, other):\n        return True\n\n"
                           "def count_primes(n):\n    return Sly(0)\n",
    "patched_builtins": "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.len = lambda x: 0\n"
                        "def count_primes(n):\n    return 0\n",
    "visible_example_hardcoded": "def count_primes(n):\n    return 4 if n == 10 else 0\n",
    "prints_expected": "def count_primes(n):\n    print(4)\n    print('PASSED')\n",
    "ignores_timeout_signals": "import signal\nfor s in (signal.SIGALRM, signal.SIGTERM, signal.SIGXCPU):\n"
                               "    try:\n        signal.signal(s, signal.SIG_IGN)\n    except Exception:\n"
                               "        pass\n\ndef count_primes(n):\n    while True:\n        pass\n",
    "padded_honest_wrong": None,  # filled below: honest_wrong with comment padding
}
COUNT_PRIMES["padded_honest_wrong"] = PADDING + COUNT_PRIMES["honest_wrong"]

IS_IPV4 = {  # an assertion-test problem: check(candidate) runs in the judge
    "honest_wrong": "def is_ipv4(address):\n    parts = address.split('.')\n"
                    "    return len(parts) == 4 and all(p.isdigit() and int(p) <= 255 for p in parts)\n",
    "redefines_check": "def check(candidate):\n    return None\n\ndef is_ipv4(address):\n    return None\n",
    "patches_assertion_error": "import builtins\nclass Quiet(Exception):\n    pass\n"
                               "builtins.AssertionError = Quiet\n\ndef is_ipv4(address):\n    return None\n",
    "truthy_object": "class Yes:\n    def __eq__(self, other):\n        return True\n    def __bool__(self):\n"
                     "        return True\n\ndef is_ipv4(address):\n    return Yes()\n",
    "exits_in_call": "def is_ipv4(address):\n    raise SystemExit(0)\n",
    "kills_parent_frames": "import sys\ndef is_ipv4(address):\n    frame = sys._getframe(1)\n"
                           "    frame.f_globals['check'] = lambda c: None\n    return True\n",
    "padded_honest_wrong": None,
}
IS_IPV4["padded_honest_wrong"] = PADDING + IS_IPV4["honest_wrong"]

COLUMN_SUMS = {  # stdio
    "honest_wrong": "import sys\ndata = sys.stdin.read().split()\nr, c = int(data[0]), int(data[1])\n"
                    "vals = [abs(int(x)) for x in data[2:]]\nprint(' '.join(str(sum(vals[j::c])) for j in range(c)))\n",
    "prints_visible_example": "print('5 7 9')\n",
    "prints_then_exits": "import os\nprint('5 7 9', flush=True)\nos._exit(0)\n",
    "padded_honest_wrong": None,
}
COLUMN_SUMS["padded_honest_wrong"] = PADDING + COLUMN_SUMS["honest_wrong"]

CORPORA = {"starter/count_primes": COUNT_PRIMES, "starter/is_ipv4": IS_IPV4, "starter/column_sums": COLUMN_SUMS}


@pytest.fixture(scope="module")
def judge_config():
    config = JudgeConfig(workers=2, time_limit_s=2.0)
    yield config
    from grpo4code.rewards.judging import close_shared_judges

    close_shared_judges()


def reward_matrix(problem, codes: list[str], judge_config) -> torch.Tensor:
    """``[len(codes), len(DIMENSIONS)]`` rewards of every dimension for ``codes``."""
    funcs = build_reward_funcs(DIMENSIONS, judge_config=judge_config)
    completions = [f"```python\n{code}```" for code in codes]
    row = reward_columns(problem)
    columns = {key: [value] * len(codes) for key, value in row.items()}

    async def score_all():
        results = []
        for func in funcs:
            value = func(prompts=[""] * len(codes), completions=completions, **columns)
            results.append(await value if asyncio.iscoroutine(value) else value)
        return results

    scores = asyncio.run(score_all())
    return torch.tensor([[float("nan") if s is None else s for s in column] for column in scores]).T


def mixed(rewards: torch.Tensor) -> torch.Tensor:
    """The trainer's mixed reward with the prior weights: gate, then TRL's weighted nansum."""
    names = list(DIMENSIONS)
    gated = gate_secondary(rewards, 0, [i for i, n in enumerate(names) if n in GATED_DIMENSIONS])
    weights = torch.tensor(prior_weights(names, None))
    return (gated * weights).nansum(dim=1)


@pytest.mark.parametrize("problem_id", sorted(CORPORA))
def test_hacks_earn_no_more_than_honest_wrong_code(problem_id, judge_config):
    problem = {p.id: p for p in load_problems("starter", split="train").problems}[problem_id]
    corpus = CORPORA[problem_id]
    names = list(corpus)
    rewards = reward_matrix(problem, [corpus[n] for n in names], judge_config)
    assert not torch.isnan(rewards[:, 0]).any(), "the judge could not score part of the corpus"
    totals = mixed(rewards)
    honest = totals[names.index("honest_wrong")].item()
    assert 0 < rewards[names.index("honest_wrong"), 0] < 1, "the honest wrong code should be partly right"
    for i, name in enumerate(names):
        if name == "honest_wrong":
            continue
        assert rewards[i, 0] <= rewards[names.index("honest_wrong"), 0], (name, rewards[i].tolist())
        assert totals[i].item() <= honest + 1e-9, (name, rewards[i].tolist(), honest)
    for i, name in enumerate(names):  # style is never paid for code that fails a test
        for d, dimension in enumerate(DIMENSIONS):
            if dimension in GATED_DIMENSIONS:
                assert rewards[i, d] == 0.0, (name, dimension, rewards[i].tolist())
