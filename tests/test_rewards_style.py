"""Static comment rules, maintainability, and the gated comment/maintainability rewards
through the real embedded judge."""

from __future__ import annotations

import ast
import pickle

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from execeval_service.jobs import JudgeResult
from grpo4code.data.schema import AssertionTest, CallTest, Problem
from grpo4code.rewards.base import score_sync
from grpo4code.rewards.columns import reward_columns
from grpo4code.rewards.comment_rules import (
    CommentRulesConfig, comment_report, comment_verdicts, density_score, describes_return, docstring_score,
    documented_parameters, entry_name, is_commented_out_code, is_placeholder, is_prose, mentions,
    restating_overlap, signature_consistency, source_layout, static_comment_score)
from grpo4code.rewards.comments import CommentReward, blend
from grpo4code.rewards.judging import CompletionJudge, JudgeConfig
from grpo4code.rewards.maintainability import (
    MaintainabilityConfig, MaintainabilityReward, complexity_score, largest_complexity, maintainability_index,
    maintainability_score, strip_commentary)

CONFIG = CommentRulesConfig()

# A well-commented solution: a Google docstring and two comments that say why.
GOOD = '''def two_sum(nums, target):
    """Find two positions whose values add up to target.

    Args:
        nums: The numbers to search.
        target: The sum the pair must reach.

    Returns:
        The two indices, smaller first.
    """
    seen = {}  # value -> index of its first occurrence
    for i, n in enumerate(nums):
        # One pass suffices: the complement, if any, was stored earlier.
        if target - n in seen:
            return [seen[target - n], i]
        seen[n] = i
    return []
'''
BARE = '''def two_sum(nums, target):
    seen = {}
    for i, n in enumerate(nums):
        if target - n in seen:
            return [seen[target - n], i]
        seen[n] = i
    return []
'''
RESTATING = '''def two_sum(nums, target):
    seen = {}  # set seen
    # loop over nums
    for i, n in enumerate(nums):
        if target - n in seen:
            # return the indices
            return [seen[target - n], i]
        seen[n] = i  # set seen n to i
    # return empty list
    return []
'''
PADDING = "    # Careful reasoning about the approach keeps future readers oriented here.\n"


def pad(code: str, lines: int, before: str = "    seen = {}") -> str:
    """``code`` with ``lines`` prose comment lines inserted above the line starting ``before``."""
    head, tail = code.split(before, 1)
    return head + PADDING * lines + before + tail


def verdicts(code: str) -> list[str]:
    return [c.verdict for c in comment_verdicts(source_layout(code, ast.parse(code)), CONFIG)]


# --- single comment rules -------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "TODO", "todo: handle negatives", "FIXME later", "...", "your code here",
                                  "Write your code here", "XXX"])
def test_placeholders(text):
    assert is_placeholder(text)


@pytest.mark.parametrize("text", ["handle negatives first", "the window only grows", "O(n) time"])
def test_not_placeholders(text):
    assert not is_placeholder(text)


@pytest.mark.parametrize("text, code", [
    ("x = compute(y)", True), ("print(ans)", True), ("for x in nums:", True), ("return dp[n]", True),
    ("if i > 0:", True), ("import math", True),
    ("the window only grows", False), ("O(n log n)", False), ("Time: O(n)", False), ("not found", False),
    ("note: this", False), ("if the list is empty:", False), ("result", False), ("e.g. [1, 2] -> 3", False),
])
def test_commented_out_code(text, code):
    assert is_commented_out_code(text) is code


def test_prose_letter_share():
    assert is_prose("keeps the smaller half on the left")
    assert not is_prose("-----------")
    assert not is_prose("1 2 3 4 5 6")
    assert is_prose("遍历数组，记录最大值")  # prose in another natural language is prose


@pytest.mark.parametrize("comment, code_line", [
    ("increment i", "i += 1"),
    ("loop over nums", "for n in nums:"),
    ("return result", "return result"),
    ("Return the answer.", "return ans"),
    ("sort the numbers", "nums.sort()"),
    ("check if x is negative", "if x < 0:"),
])
def test_restating_comments_overlap_their_code(comment, code_line):
    assert restating_overlap(comment, code_line) >= CONFIG.restating_overlap


@pytest.mark.parametrize("comment, code_line", [
    ("the window can only shrink from the left because all values are positive", "while total > target:"),
    ("dp[i] is the max sum ending at i", "dp[i] = max(dp[i - 1] + nums[i], nums[i])"),
    ("sorting lets the two pointers meet in the middle", "nums.sort()"),
])
def test_explaining_comments_do_not(comment, code_line):
    assert restating_overlap(comment, code_line) < CONFIG.restating_overlap


def test_comment_verdicts():
    assert verdicts(GOOD) == ["credited", "credited"]
    assert verdicts(RESTATING) == ["restating"] * 5
    code = ("#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nx = 1  # noqa: E501\n# TODO\nx = 2\n"
            "# x = compute(x)\nx = 3\n# ----------------\nx = 4\n#\nx = 5\n# " + "word " * 40 + "\n"
            "y = x  # ok\n# First paragraph of a note.\n#\n# Second paragraph of the note.\nz = y\n")
    assert verdicts(code) == ["ignored", "ignored", "ignored", "placeholder", "commented_out_code", "not_prose",
                              "placeholder", "too_long", "too_short", "credited", "ignored", "credited"]
    long_block = "".join(f"# explain step {k} of the careful plan\n" for k in range(15)) + "x = 1\n"
    assert verdicts(long_block) == ["credited"] * 12 + ["too_long"] * 3


# --- docstrings ----------------------------------------------------------------------------------------
def function(code: str):
    return ast.parse(code).body[0]


@pytest.mark.parametrize("doc", [
    "Sum a range.\n\nArgs:\n    start: first value.\n    stop (int): last value.\n\nReturns:\n    The sum.",
    "Sum a range.\n\nParameters\n----------\nstart : int\n    First value.\nstop : int\n    Last value.\n\n"
    "Returns\n-------\nint\n    The sum.",
    "Sum a range.\n\n:param start: first value.\n:param int stop: last value.\n:returns: the sum.",
    "Return the sum of the integers from start to stop inclusive.",
])
def test_docstring_styles_consistent_with_signature(doc):
    node = function(f'def total(start, stop):\n    """{doc}"""\n    return sum(range(start, stop + 1))\n')
    assert signature_consistency(node, ast.get_docstring(node)) == 1.0


def test_docstring_inconsistencies_cost_credit():
    code = 'def total(start, stop):\n    """{}"""\n    return start + stop\n'
    missing_param = function(code.format("Return the total counting from start onwards."))
    no_return = function(code.format("Add start and stop together please."))
    phantom = function(code.format("Return the total.\n\nArgs:\n    start: a.\n    stop: b.\n    step: gone."))
    assert signature_consistency(missing_param, ast.get_docstring(missing_param)) == pytest.approx(2 / 3)
    assert signature_consistency(no_return, ast.get_docstring(no_return)) == pytest.approx(2 / 3)
    assert signature_consistency(phantom, ast.get_docstring(phantom)) == pytest.approx(3 / 4)
    assert documented_parameters(ast.get_docstring(phantom)) == {"start", "stop", "step"}


def test_self_ignored_and_none_return_needs_no_description():
    node = ast.parse('class A:\n    def put(self, key):\n        """Store key in the table."""\n'
                     '        self.table.add(key)\n        return None\n').body[0].body[0]
    assert signature_consistency(node, ast.get_docstring(node)) == 1.0


def test_parameter_mentions():
    assert mentions("Walk the grid from the top.", "grid")
    assert not mentions("Walk the grids.", "grid")
    assert not mentions("It's empty.", "s")  # not the "s" of "It's"
    assert mentions("Count the vowels of s.", "s")
    assert not mentions("Return a list.", "a")  # the article is not the parameter
    assert mentions("Args:\n    a: first number.", "a") and mentions("Add `a` to b.", "a")
    assert describes_return("Returns:\n  x") and describes_return("Yields each row.")
    assert not describes_return("Compute the maximum profit.")


def test_docstring_weights_entry_and_helpers():
    entry = '    """Return the doubled value of x, via the helper."""\n'
    helper_doc = '    """Return the value x doubled once more."""\n'
    code = "def helper(x):\n{h}    return 2 * x\n\n\ndef solve(x):\n{e}    return helper(x)\n"
    tree = lambda h, e: ast.parse(code.format(h=h, e=e))  # noqa: E731
    assert docstring_score(tree(helper_doc, entry), "solve") == 1.0
    assert docstring_score(tree("", entry), "solve") == pytest.approx(CONFIG.entry_docstring_share)
    assert docstring_score(tree(helper_doc, ""), "solve") == pytest.approx(1 - CONFIG.entry_docstring_share)
    assert docstring_score(tree(helper_doc, ""), "") == pytest.approx(0.5)  # no entry: equal shares


def test_leetcode_solution_class_is_exempt_and_dunders_too():
    code = ('class Solution:\n    def twoSum(self, nums, target):\n        """Return the indices of two nums '
            'adding to target."""\n        return [0, 1]\n')
    assert entry_name("Solution().twoSum") == "twoSum"
    assert docstring_score(ast.parse(code), "Solution().twoSum") == 1.0
    helper = ('class Node:\n    """A tree node with its value."""\n    def __init__(self, val):\n'
              '        self.val = val\n')
    assert docstring_score(ast.parse(helper), "") == 1.0


def test_placeholder_or_tiny_docstring_counts_as_missing():
    for doc in ('"""TODO: write the docs."""', '"""Solve."""', '"""nums target Returns: x"""'):
        code = f"def f(nums, target):\n    {doc}\n    return nums\n"
        assert docstring_score(ast.parse(code), "f") == 0.0
        assert comment_report(code, "f").credited_lines == 0


def test_script_without_definitions_is_scored_on_its_module_docstring():
    assert docstring_score(ast.parse('"""Read n and print it doubled."""\nprint(2 * int(input()))\n')) == 1.0
    assert docstring_score(ast.parse("print(2 * int(input()))\n")) == 0.0


# --- density and the total score ----------------------------------------------------------------------------
def test_density_band_shape():
    low, high, zero = CONFIG.density_low, CONFIG.density_high, CONFIG.density_zero
    assert density_score(0, 0) == 0
    assert density_score(low / 2, low / 2) == pytest.approx(0.5)
    assert density_score(low, low) == density_score(high, high) == 1.0
    assert density_score(high + (zero - high) / 2, high + (zero - high) / 2) == pytest.approx(0.5)
    assert density_score(zero, zero) == density_score(3 * zero, 3 * zero) == 0.0
    assert density_score(0.0, high) == 0.0  # uncommented code padded with junk earns nothing


def test_scores_order_good_bare_restating():
    good, bare, restating = (static_comment_score(c, "two_sum") for c in (GOOD, BARE, RESTATING))
    assert good == 1.0
    assert bare == 0.0
    assert restating == 0.0


def test_restating_comments_earn_nothing():
    plain = GOOD.replace("  # value -> index of its first occurrence", "")
    with_restating = plain.replace("    seen = {}\n", "    seen = {}  # set seen to empty dict\n", 1)
    with_restating = with_restating.replace("        seen[n] = i\n", "        seen[n] = i  # set seen n to i\n")
    assert static_comment_score(with_restating, "two_sum") <= static_comment_score(plain, "two_sum")
    assert static_comment_score(BARE.replace("    seen = {}\n", "    seen = {}  # set seen\n"), "two_sum") == 0.0


def test_uncredited_comments_do_not_raise_the_score():
    base = static_comment_score(GOOD, "two_sum")
    for junk in ("    # TODO\n", "    # seen = dict()\n", "    # ------------\n", "    # ...\n"):
        assert static_comment_score(GOOD.replace("    seen = {}", junk + "    seen = {}"), "two_sum") < base


def test_padding_cannot_raise_the_score_past_the_band():
    code = BARE.replace("def two_sum(nums, target):\n", 'def two_sum(nums, target):\n    """Return the '
                        'indices of two nums adding up to target."""\n')
    reports = [comment_report(pad(code, k), "two_sum") for k in range(0, 40)]
    scores = [r.score for r in reports]
    in_band = [r.score for r in reports if CONFIG.density_low <= r.total_density <= CONFIG.density_high]
    past = [(r.total_density, r.score) for r in reports if r.total_density > CONFIG.density_high]
    assert in_band and past
    assert all(s <= max(in_band) for _, s in past)
    assert all(later <= earlier for (_, earlier), (_, later) in zip(past, past[1:]))
    assert scores[-1] < max(in_band) / 2  # heavily padded: well below the band's best


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
def test_padding_past_the_band_never_pays(a, b):
    fewer, more = sorted((a, b))
    low, high = comment_report(pad(GOOD, fewer), "two_sum"), comment_report(pad(GOOD, more), "two_sum")
    if low.total_density >= CONFIG.density_high:
        assert high.score <= low.score
    assert high.score <= static_comment_score(GOOD, "two_sum")


def test_code_that_does_not_parse_scores_zero():
    report = comment_report("def f(:\n    # a very thoughtful comment here\n", "f")
    assert report.score == 0.0 and not report.parses
    assert static_comment_score("x = '\0'") == 0.0


def test_report_is_loggable():
    data = comment_report(GOOD, "two_sum").as_dict()
    assert set(data) >= {"score", "docstrings", "density", "quality", "verdicts", "total_density"}
    assert data["verdicts"] == {"credited": 2}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_static_score_in_unit_interval_for_any_text(text):
    assert 0.0 <= static_comment_score(text, "f") <= 1.0


COMMENT_TEXTS = st.sampled_from(["# TODO", "# increment i", "# keeps the invariant", "# x = f(y)", "#", "# ----",
                                 "# the sum never overflows here", "# 遍历数组"])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=8), COMMENT_TEXTS), max_size=25))
def test_static_score_in_unit_interval_for_commented_programs(insertions):
    lines = GOOD.splitlines()
    for position, text in insertions:
        lines.insert(min(position + 11, len(lines)), "    " + text)
    assert 0.0 <= static_comment_score("\n".join(lines) + "\n", "two_sum") <= 1.0


def test_config_validation():
    with pytest.raises(ValueError, match="density_low"):
        CommentRulesConfig(density_low=2.0, density_high=1.0)
    with pytest.raises(ValueError, match="restating_overlap"):
        CommentRulesConfig(restating_overlap=0)


# --- maintainability ------------------------------------------------------------------------------------------
REFERENCE = "def sum_to(n):\n    return n * (n + 1) // 2\n"
BRANCHY = ("def sum_to(n):\n    total = 0\n    for i in range(n + 1):\n        if i % 3 == 0:\n            total += i\n"
           "        elif i % 3 == 1:\n            total += i\n        else:\n            total += i\n"
           "        if total < 0 or i < 0:\n            return -1\n    return total\n")
BASE_PROGRAMS = [
    REFERENCE,
    BRANCHY,
    GOOD,
    "import sys\n\n\ndef main():\n    n = int(sys.stdin.readline())\n    for _ in range(n):\n"
    "        print(sum(map(int, input().split())))\n\n\nmain()\n",
    "class Solution:\n    def maxProfit(self, prices):\n        best, low = 0, float('inf')\n"
    "        for p in prices:\n            low = min(low, p)\n            best = max(best, p - low)\n"
    "        return best\n",
]


def test_complexity_against_reference():
    assert largest_complexity(REFERENCE) == 1
    assert largest_complexity(BRANCHY) == 6  # for, if, elif, if, or: 1 + 5
    assert complexity_score(1, 1) == complexity_score(0, 3) == 1.0
    assert complexity_score(5, 1, halving=4) == pytest.approx(0.5)
    assert complexity_score(9, 1, halving=4) == pytest.approx(0.25)
    ref_cc_equal = maintainability_score(REFERENCE, REFERENCE)
    assert ref_cc_equal == pytest.approx(0.5 * maintainability_index(REFERENCE) / 100 + 0.5)
    branchy = maintainability_score(BRANCHY, REFERENCE)
    assert branchy == pytest.approx(0.5 * maintainability_index(BRANCHY) / 100 + 0.5 * 2 ** (-5 / 4))
    assert branchy < ref_cc_equal
    assert maintainability_score(REFERENCE, BRANCHY) > maintainability_score(BRANCHY, BRANCHY)


def test_without_reference_only_mi_counts():
    assert maintainability_score(BRANCHY, None) == pytest.approx(maintainability_index(BRANCHY) / 100)
    assert maintainability_score(BRANCHY, "def broken(:") == maintainability_score(BRANCHY, None)
    only_mi = MaintainabilityConfig(mi_weight=1.0)
    assert maintainability_score(BRANCHY, REFERENCE, only_mi) == maintainability_score(BRANCHY, None)


def test_closures_methods_and_module_code_count_for_complexity():
    closure = ("def f(xs):\n    def g(x):\n        if x > 1:\n            return 1\n        elif x:\n"
               "            return 2\n        return 3\n    return [g(x) for x in xs]\n")
    script = "n = int(input())\nfor i in range(n):\n    if i % 2:\n        print(i)\n"
    assert largest_complexity(closure) == 3
    assert largest_complexity(script) == 3
    assert largest_complexity(BASE_PROGRAMS[-1]) == 2


def test_maintainability_of_code_that_does_not_parse_is_zero():
    assert maintainability_score("def f(:", REFERENCE) == 0.0
    assert strip_commentary("def f(:") is None


def test_strip_commentary_removes_docstrings_and_comments():
    assert strip_commentary(GOOD) == strip_commentary(BARE)
    assert strip_commentary('def f():\n    """Only a docstring."""\n') == "def f():\n    pass"


def commented_variant(code: str, choices: list) -> str:
    """``code`` with comments, string statements and docstrings added where ``choices`` say."""
    out = []
    for index, line in enumerate(code.splitlines()):
        choice = choices[index % len(choices)] if choices else 0
        indent = line[:len(line) - len(line.lstrip())]
        if choice == 1:
            out.append(f"{indent}# a remark about what follows")
        out.append(line + ("  # trailing note" if choice == 2 and line.strip() else ""))
        if choice == 3 and line.rstrip().endswith(":") and line.lstrip().startswith(("def ", "class ")):
            out.append(f'{indent}    """A docstring\n{indent}    spanning lines."""')
        if choice == 4 and line.rstrip().endswith(":"):
            out.append(f"{indent}    'a string used as a comment'")
    return "\n".join(out) + "\n"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(BASE_PROGRAMS), st.lists(st.integers(min_value=0, max_value=4), max_size=12),
       st.sampled_from([None, REFERENCE, BRANCHY]))
def test_maintainability_invariant_to_comments_and_docstrings(code, choices, reference):
    variant = commented_variant(code, choices)
    ast.parse(variant)
    assert maintainability_score(variant, reference) == maintainability_score(code, reference)
    stripped = strip_commentary(variant)  # removing all of them: the same score again
    assert maintainability_score(stripped, reference) == maintainability_score(code, reference)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.sampled_from([None, REFERENCE]))
def test_maintainability_in_unit_interval(text, reference):
    assert 0.0 <= maintainability_score(text, reference) <= 1.0


# --- the rewards, gated through the real embedded judge ---------------------------------------------------------
TWO_SUM = Problem(
    id="two-sum", source="test", split="train", entry_point="two_sum",
    instruction="Return the indices of the two numbers that add up to target.",
    tests=[CallTest(args=[[2, 7, 11, 15], 9], expected=[0, 1]), CallTest(args=[[3, 2, 4], 6], expected=[1, 2]),
           CallTest(args=[[1, 5], 7], expected=[])],
    reference_solution=BARE,
)
WRONG_BEAUTIFUL = GOOD.replace("return [seen[target - n], i]", "return [i, seen[target - n]]")


def fenced(code: str) -> str:
    return f"Here is my solution:\n```python\n{code}```\n"


def columns(problems) -> dict:
    rows = [reward_columns(p) for p in problems]
    return {key: [row[key] for row in rows] for key in rows[0]}


@pytest.fixture(scope="module")
def judge():
    judge = CompletionJudge(JudgeConfig(workers=1))
    yield judge
    judge.close()


def test_comment_reward_is_gated(judge):
    completions = [fenced(GOOD), fenced(WRONG_BEAUTIFUL), fenced(BARE), fenced(RESTATING), "no code at all"]
    scores = score_sync(CommentReward(judge=judge), completions, **columns([TWO_SUM] * 5))
    assert static_comment_score(WRONG_BEAUTIFUL, "two_sum") == 1.0  # beautifully commented ...
    assert scores == [1.0, 0.0, 0.0, 0.0, 0.0]  # ... but wrong: 0


def test_maintainability_reward_is_gated_and_ignores_comments(judge):
    completions = [fenced(GOOD), fenced(BARE), fenced(WRONG_BEAUTIFUL), fenced(RESTATING)]
    scores = score_sync(MaintainabilityReward(judge=judge), completions, **columns([TWO_SUM] * 4))
    expected = maintainability_score(BARE, BARE)
    assert scores == [pytest.approx(expected), pytest.approx(expected), 0.0, pytest.approx(expected)]
    assert 0.5 < expected < 1.0


class _DownBackend:
    async def run_batch(self, jobs):
        return [JudgeResult.sandbox_error("judge unreachable") for _ in jobs]


def test_rewards_cannot_score_when_the_judge_cannot_run():
    down = CompletionJudge(JudgeConfig(workers=1), backend=_DownBackend())
    for reward in (CommentReward(judge=down), MaintainabilityReward(judge=down)):
        assert score_sync(reward, [fenced(GOOD), "no code"], **columns([TWO_SUM] * 2)) == [None, 0.0]


LIST_PREAMBLE = ("from typing import *\n\n\nclass ListNode:\n    def __init__(self, val=0, next=None):\n"
                 "        self.val = val\n        self.next = next\n\n\ndef list_node(values):\n"
                 "    head = None\n    for value in reversed(values):\n        head = ListNode(value, head)\n"
                 "    return head\n")
REVERSE_LIST = '''# Definition for singly-linked list.
# class ListNode:
#     def __init__(self, val=0, next=None):
#         self.val = val
#         self.next = next
class Solution:
    def reverseList(self, head: Optional[ListNode]) -> Optional[ListNode]:
        """Reverse the list starting at head in place and return the new head."""
        prev = None
        while head:
            # Re-point one link per step; prev always holds the reversed prefix.
            head.next, prev, head = prev, head, head.next
        return prev
'''
REVERSE = Problem(
    id="reverse-list", source="test", split="train", entry_point="Solution().reverseList",
    instruction="Reverse a singly-linked list.", preamble=LIST_PREAMBLE, reference_solution=REVERSE_LIST,
    tests=[AssertionTest(code="def check(candidate):\n    assert candidate(None) is None\n"
                              "    head = candidate(list_node([1, 2, 3]))\n"
                              "    assert [head.val, head.next.val, head.next.next.val] == [3, 2, 1]\n")],
)


def test_commented_out_copy_of_the_given_code_is_ignored(judge):
    entry = REVERSE.entry_point
    assert static_comment_score(REVERSE_LIST, entry, given_code=LIST_PREAMBLE) == 1.0
    assert static_comment_score(REVERSE_LIST, entry) < 0.8  # the model's own commented-out code: penalised
    own = REVERSE_LIST.replace("        prev = None\n", "        prev = None\n        # prev = head.next\n")
    assert static_comment_score(own, entry, given_code=LIST_PREAMBLE) < 1.0
    scores = score_sync(CommentReward(judge=judge), [fenced(REVERSE_LIST), fenced(own)], **columns([REVERSE] * 2))
    assert scores == [1.0, pytest.approx(static_comment_score(own, entry, given_code=LIST_PREAMBLE))]


def test_rewards_pickle_and_have_names(judge):
    for reward, name in ((CommentReward(judge=judge), "comments"),
                         (MaintainabilityReward(judge=judge), "maintainability")):
        copy = pickle.loads(pickle.dumps(reward))
        assert copy.__name__ == reward.name == name
        assert copy._judge is None


def test_blend_rule():
    assert blend(0.4, None, 0.0) == 0.4
    assert blend(0.4, None, 0.5) is None  # could not score, not the static part alone
    assert blend(0.4, 0.8, 0.5) == pytest.approx(0.6)
    assert blend(0.4, 0.8, 1.0) == pytest.approx(0.8)
    with pytest.raises(ValueError, match="llm_weight"):
        CommentReward(llm_weight=1.5)
    with pytest.raises(ValueError, match="LLM judge"):
        CommentReward(llm_weight=0.5)
