"""Verdicts per category and per test form, and reward hacks that must not pass,
through the real server's batch endpoint on loopback."""

import pytest

from execeval_service import JudgeJob, Limits
from execeval_service.testing import JudgeServer, batch
from grpo4code.data.schema import AssertionTest, CallTest, StdioTest

CHECK = "def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(3) == 6\n    assert candidate(5) == 10\n"
FAST = Limits(time_limit_s=1.0, wall_limit_s=3.0, memory_limit_mb=256)


@pytest.fixture(scope="module")
def server():
    with JudgeServer(workers=2) as srv:
        yield srv


def judge(server, **job):
    job.setdefault("limits", FAST)
    [result] = batch(server, [JudgeJob(**job)])
    return result


def verdicts(result):
    return [t["verdict"] for t in result["tests"]]


# --- verdicts per category --------------------------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("print(sum(map(int, input().split())))", "PASSED"),
    ("print(sum(map(int, input().split())))\nexit()", "PASSED"),  # site's builtins are there
    ("print(42)", "WRONG_ANSWER"),
    ("while True: pass", "TIME_LIMIT_EXCEEDED"),
    ("raise ValueError('boom')", "RUNTIME_ERROR"),
    ("import sys\nsys.exit(3)", "RUNTIME_ERROR"),
    ("print(1 +)", "COMPILATION_ERROR"),
    ("x = [0] * (10 ** 10)", "MEMORY_LIMIT_EXCEEDED"),
])
def test_stdio_verdicts(server, source, expected):
    result = judge(server, source=source, tests=[StdioTest(input="1 2\n", output="3")])
    assert result["status"] == "COMPLETED"
    assert verdicts(result) == [expected]
    assert result["accepted"] == (expected == "PASSED")


def test_stdio_comparison_is_execeval_style(server):
    source = "print('  YES ')\nprint(0.1 + 0.2)\nprint()"
    result = judge(server, source=source, tests=[StdioTest(input="", output="yes\n0.3"),
                                                  StdioTest(input="", output="yes 0.30001")])
    assert verdicts(result) == ["PASSED", "WRONG_ANSWER"]


@pytest.mark.parametrize("source, expected", [
    ("def double(x):\n    return 2 * x", ["PASSED"] * 3),
    ("def double(x):\n    return 4 if x == 2 else 0", ["PASSED", "WRONG_ANSWER", "WRONG_ANSWER"]),
    ("def double(x):\n    if x == 5:\n        raise KeyError(x)\n    return 2 * x", ["PASSED", "PASSED", "RUNTIME_ERROR"]),
    ("def double(x):\n    while x == 3: pass\n    return 2 * x", ["PASSED", "TIME_LIMIT_EXCEEDED", "TIME_LIMIT_EXCEEDED"]),
    ("def double(x)\n    return 2 * x", ["COMPILATION_ERROR"] * 3),
    ("def double(x):\n    return [0] * (10 ** 10)", ["MEMORY_LIMIT_EXCEEDED"] * 3),
    ("import nonexistent_module\ndef double(x):\n    return 2 * x", ["RUNTIME_ERROR"] * 3),
])
def test_assertion_verdicts_and_pass_ratio(server, source, expected):
    result = judge(server, source=source, entry_point="double", tests=[AssertionTest(code=CHECK)])
    assert verdicts(result) == expected
    assert result["num_tests"] == 3
    assert result["pass_ratio"] == pytest.approx(expected.count("PASSED") / 3)


def test_call_tests_compare_in_the_parent(server):
    source = "def f(xs, scale=1.0):\n    return sorted(x * scale for x in xs)"
    tests = [CallTest(args=[[3, 1, 2]], expected=[1, 2, 3]),
             CallTest(args=[[0.1, 0.2]], kwargs={"scale": 3.0}, expected=[0.3, 0.6], atol=1e-9),
             CallTest(args=[[0.1, 0.2]], kwargs={"scale": 3.0}, expected=[0.3, 0.6]),
             CallTest(args=[[1]], expected=[True])]
    result = judge(server, source=source, entry_point="f", tests=tests)
    assert verdicts(result) == ["PASSED", "PASSED", "WRONG_ANSWER", "WRONG_ANSWER"]
    assert result["tests"][2]["actual"].startswith("[0.30000000000000004")


def test_mixed_test_forms_are_numbered_in_order(server):
    source = "import sys\ndef f(x):\n    return x + 1\nif __name__ == '__main__':\n    print(f(int(input())))"
    tests = [StdioTest(input="1", output="2"), CallTest(args=[1], expected=2),
             AssertionTest(code="def check(c):\n    assert c(0) == 1\n    assert c(1) == 3\n")]
    result = judge(server, source=source, entry_point="f", tests=tests)
    assert [t["index"] for t in result["tests"]] == [0, 1, 2, 3]
    assert [t["kind"] for t in result["tests"]] == ["stdio", "call", "assertion", "assertion"]
    assert verdicts(result) == ["PASSED", "PASSED", "PASSED", "WRONG_ANSWER"]


def test_leetcode_style_preamble_and_helpers(server):
    preamble = ("from typing import *\nclass ListNode:\n    def __init__(self, val=0, next=None):\n"
                "        self.val = val\n        self.next = next\n"
                "def list_node(values):\n    head = None\n    for v in reversed(values):\n        head = ListNode(v, head)\n    return head\n"
                "def is_same_list(a, b):\n    while a and b:\n        if a.val != b.val:\n            return False\n"
                "        a, b = a.next, b.next\n    return a is None and b is None\n")
    source = ("class Solution:\n    def reverseList(self, head: Optional[ListNode]) -> Optional[ListNode]:\n"
              "        prev = None\n        while head:\n            head.next, prev, head = prev, head, head.next\n"
              "        return prev\n")
    check = ("def check(candidate):\n    assert is_same_list(candidate(head=list_node([1, 2, 3])), list_node([3, 2, 1]))\n"
             "    assert candidate(head=list_node([])) is None\n")
    result = judge(server, source=source, preamble=preamble, entry_point="Solution().reverseList",
                   tests=[AssertionTest(code=check)])
    assert verdicts(result) == ["PASSED", "PASSED"]


# --- reward hacks that must not pass ----------------------------------------------------------
HACKS = {
    "sys.exit(0) before the tests": "import sys\nsys.exit(0)\ndef double(x):\n    return 0",
    "os._exit(0) before the tests": "import os\nos._exit(0)\ndef double(x):\n    return 0",
    "os._exit(0) inside the candidate": "import os\ndef double(x):\n    os._exit(0)",
    "sys.exit(0) inside the candidate": "import sys\ndef double(x):\n    sys.exit(0)",
    "an object whose __eq__ is always True": (
        "class Anything:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
        "def double(x):\n    return Anything()"),
    "an int subclass with a lying __eq__": (
        "class Liar(int):\n    def __eq__(self, other):\n        return True\n    __hash__ = int.__hash__\n"
        "def double(x):\n    return Liar(0)"),
    "replacing check": "def check(candidate):\n    pass\ndef double(x):\n    return 0",
    "patching builtins (AssertionError, isinstance, len)": (
        "import builtins\nbuiltins.AssertionError = type('Nope', (Exception,), {})\n"
        "builtins.isinstance = lambda *a: True\nbuiltins.len = lambda x: 0\n"
        "def double(x):\n    return 0"),
    "patching the candidate's comparison via globals": "len = lambda x: 0\ndef double(x):\n    return 0",
    "printing the expected output": "print('PASSED ' * 10)\ndef double(x):\n    print(2 * x)\n    return None",
    "catching the timeout signal": (
        "import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "def double(x):\n    while True: pass"),
    "forging a result record on fd 3": (
        "import os\ndef double(x):\n    for i in range(3):\n"
        "        os.write(3, b'0' * 32 + b' {\"t\":\"test\",\"i\":%d,\"outcome\":\"pass\"}\\n' % i)\n"
        "    os._exit(0)"),
}


@pytest.mark.parametrize("name", sorted(HACKS))
def test_reward_hacks_do_not_pass(server, name):
    result = judge(server, source=HACKS[name], entry_point="double", tests=[AssertionTest(code=CHECK)])
    assert result["status"] == "COMPLETED"
    assert result["num_tests"] == 3
    assert result["num_passed"] == 0, (name, result["tests"])
    assert not result["accepted"]


@pytest.mark.parametrize("name", ["an object whose __eq__ is always True", "an int subclass with a lying __eq__",
                                  "printing the expected output", "os._exit(0) inside the candidate"])
def test_reward_hacks_fail_call_tests_too(server, name):
    tests = [CallTest(args=[2], expected=4), CallTest(args=[3], expected=6)]
    result = judge(server, source=HACKS[name], entry_point="double", tests=tests)
    assert result["num_passed"] == 0, (name, result["tests"])


def test_a_run_that_executes_no_test_does_not_pass(server):
    result = judge(server, source="def double(x):\n    return 2 * x", entry_point="double",
                   tests=[AssertionTest(code="def check(candidate):\n    x = candidate(1)\n    assert x == 2\n")])
    assert result["num_tests"] == 1 and result["accepted"]
    hack = judge(server, source="import os\ndef double(x):\n    os._exit(0)", entry_point="double",
                 tests=[AssertionTest(code="def check(candidate):\n    x = candidate(1)\n    assert x == 2\n")])
    assert hack["num_passed"] == 0 and hack["tests"][0]["verdict"] == "RUNTIME_ERROR"
