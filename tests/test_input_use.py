"""The static check of whether a solution reads its inputs (no judge, no model)."""

from __future__ import annotations

import pytest

from grpo4code.rewards.input_use import entry_function_name, ignores_inputs, ignores_inputs_share


@pytest.mark.parametrize("code, entry_point, expected", [
    ("def f(x):\n    return 3\n", "f", True),
    ("def f(x, y):\n    return [0, 1]\n", "f", True),
    ("def f(x):\n    return x + 1\n", "f", False),
    ("def f(*args, **kwargs):\n    return len(args)\n", "f", False),
    ("def f(x):\n    def g():\n        return x\n    return g()\n", "f", False),  # read in a nested function
    ("def f(x):\n    return eval('x')\n", "f", False),  # dynamic reads count as reads
    ("class Solution:\n    def two(self, nums, target):\n        return [0, 1]\n", "Solution().two", True),
    ("class Solution:\n    def two(self, nums, target):\n        return [nums[0], target]\n", "Solution().two", False),
    ("def f(x):\n    return 1\ndef f(x):\n    return x\n", "f", False),  # the last definition runs
    ("def f():\n    return 3\n", "f", None),  # no parameters: a constant is legitimate
    ("def g(x):\n    return 3\n", "f", None),  # no entry function: cannot tell
    ("def f(x:\n", "f", None),  # does not parse
    ("", "f", None),
    ("print(3)\n", "", True),  # a stdin program that never reads stdin
    ("n = int(input())\nprint(n * 2)\n", "", False),
    ("import sys\nprint(sum(map(int, sys.stdin.read().split())))\n", "", False),
    ("from sys import stdin\nprint(stdin.readline())\n", "", False),
    ("print(open(0).read())\n", "", False),
])
def test_ignores_inputs(code, entry_point, expected):
    assert ignores_inputs(code, entry_point) is expected


def test_entry_function_name_and_share():
    assert entry_function_name("Solution().twoSum") == "twoSum"
    assert entry_function_name(" solve ") == "solve"
    assert ignores_inputs_share([True, False, None, True]) == pytest.approx(2 / 3)
    assert ignores_inputs_share([None]) is None
