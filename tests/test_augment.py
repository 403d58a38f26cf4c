"""Test augmentation: parsing, constrained and seeded inputs, and the judge's verdict on the
new tests (the reference passes them all; guesses that pass the original asserts do not)."""

import gzip
import json
import random

import pytest

from execeval_service import EmbeddedJudge, JudgeJob
from grpo4code.data.augment import AugmentConfig, augment_problem, augment_problems, trivial_solutions
from grpo4code.data.augment.__main__ import main as augment_main
from grpo4code.data.augment.constraints import parse_constraints, parse_number
from grpo4code.data.augment.inputs import (Example, NodeValue, UnsupportedTests, parse_arguments,
                                           parse_check_examples, render_assertion, render_check_program)
from grpo4code.data.augment.mutate import InputGenerator, SizeLimits
from grpo4code.data.augment.second_solutions import load_second_solutions
from grpo4code.data.augment.specs import infer_specs
from grpo4code.data.schema import AssertionTest, Problem
from grpo4code.data.sources import load_problems

# A handful of real problems, one per output / input form: linked list, tree, float, string,
# int, grid.
REAL_PROBLEMS = ("add-two-numbers", "binary-tree-inorder-traversal", "median-of-two-sorted-arrays",
                 "longest-substring-without-repeating-characters", "climbing-stairs", "spiral-matrix")
FAST = dict(measure_trivial=False, judge_workers=2)


@pytest.fixture(scope="module")
def judge():
    with EmbeddedJudge(workers=2) as engine:
        yield engine


@pytest.fixture(scope="module")
def real(leetcode_train, leetcode_train_file):
    by_id = {p.id: p for p in leetcode_train.problems}
    return by_id, load_second_solutions(leetcode_train_file)


@pytest.fixture(scope="module")
def augmented(real, judge):
    by_id, second = real
    problems = [by_id[f"leetcode/{name}"] for name in REAL_PROBLEMS]
    return augment_problems(problems, AugmentConfig(**FAST), judge=judge,
                            second_solutions={p.id: second[p.id] for p in problems}, progress=False)


# --- parsing and rendering ----------------------------------------------------------------

def test_parse_arguments_of_the_dataset_forms():
    assert parse_arguments("nums = [2,7,11,15], target = 9") == {"nums": [2, 7, 11, 15], "target": 9}
    assert parse_arguments('s = "a,b", flag = True, x = -inf') == {"s": "a,b", "flag": True, "x": float("-inf")}
    assert parse_arguments("[1,8,6], 3", parameters=["height", "k"]) == {"height": [1, 8, 6], "k": 3}
    assert parse_arguments("head = list_node([1,2])") == {"head": NodeValue("list_node", [1, 2])}
    with pytest.raises(UnsupportedTests, match="positional"):
        parse_arguments("[1,2]")
    with pytest.raises(UnsupportedTests, match="not a literal"):
        parse_arguments("nums = sorted(x)")


def test_parse_check_examples_and_render_round_trip():
    code = ("def check(candidate):\n"
            "    assert candidate(nums = [2,7,11,15], target = 9) == [0,1]\n"
            "    assert is_same_tree(candidate(root = tree_node([1,None,2])), tree_node([1,2]))\n"
            "    assert candidate([3,3], 6) == 2.5\n")
    examples = parse_check_examples(code, parameters=["nums", "target"])
    assert examples[0] == Example({"nums": [2, 7, 11, 15], "target": 9}, [0, 1])
    assert examples[1] == Example({"root": NodeValue("tree_node", [1, None, 2])}, [1, 2], "tree_node")
    assert render_assertion(examples[0]) == "assert candidate(nums = [2,7,11,15], target = 9) == [0,1]"
    assert render_assertion(examples[1]) == ("assert is_same_tree(candidate(root = tree_node([1,None,2])), "
                                             "tree_node([1,2]))")
    assert render_assertion(examples[2]) == "assert abs(candidate(nums = [3,3], target = 6) - 2.5) <= 1e-05"
    rendered = render_check_program([render_assertion(e, float_tolerance=0) for e in examples])
    assert parse_check_examples(rendered) == examples
    assert AssertionTest(rendered).num_tests == 3
    with pytest.raises(UnsupportedTests, match="unsupported form"):
        parse_check_examples("def check(candidate):\n    assert candidate(x = 1) > 0\n")


def test_constraint_numbers_with_lost_superscripts():
    assert parse_number("104") == 10**4 and parse_number("-109") == -10**9
    assert parse_number("231 - 1") == 2**31 - 1 and parse_number("2 * 105") == 200_000
    assert parse_number("10^9 + 7") == 10**9 + 7 and parse_number("100") == 100
    assert parse_number("nums.length") is None


# --- generation -----------------------------------------------------------------------------

DESCRIPTION = """Given nums, k and s, return something.
Constraints:

1 <= nums.length <= 60
-100 <= nums[i] <= 100
1 <= k <= nums.length
1 <= s.length <= 30
s consists of lowercase English letters.
m == grid.length
n == grid[i].length
1 <= m, n <= 8
grid[i][j] is either 0 or 1.
"""
EXAMPLES = [Example({"nums": [3, -1, 2], "k": 2, "s": "abc", "grid": [[0, 1], [1, 1]]}, 1),
            Example({"nums": [5], "k": 1, "s": "zz", "grid": [[1, 0, 0]]}, 0)]


def generator(seed: int) -> InputGenerator:
    constraints = parse_constraints(DESCRIPTION, ["nums", "k", "s", "grid"])
    spec = infer_specs(EXAMPLES, constraints)
    return InputGenerator(spec, EXAMPLES, random.Random(seed), SizeLimits(medium_length=20, large_elements=400))


def draw(gen: InputGenerator, count: int = 60) -> list:
    inputs = []
    for i in range(count):
        size = ("small", "medium", "large")[i % 3]
        inputs.append((size, gen.fresh(size)))
        inputs.append(("mutated", gen.mutated()))
    return inputs


def test_generated_inputs_respect_types_and_constraints():
    inputs = [(size, kwargs) for size, kwargs in draw(generator(0)) if kwargs is not None]
    assert len(inputs) >= 100
    for size, kwargs in inputs:
        nums, k, s, grid = kwargs["nums"], kwargs["k"], kwargs["s"], kwargs["grid"]
        assert isinstance(nums, list) and 1 <= len(nums) <= 60
        assert all(type(x) is int and -100 <= x <= 100 for x in nums)
        assert type(k) is int and 1 <= k <= len(nums), kwargs  # the relation k <= nums.length
        assert isinstance(s, str) and 1 <= len(s) <= 30 and set(s) <= set("abcdefghijklmnopqrstuvwxyz")
        assert 1 <= len(grid) <= 8 and all(1 <= len(row) <= 8 for row in grid)
        assert all(v in (0, 1) for row in grid for v in row)
        assert len({len(row) for row in grid}) == 1  # rectangular, like every example
    large = [kwargs for size, kwargs in inputs if size == "large"]
    assert large and all(len(kwargs["nums"]) >= 45 for kwargs in large)  # near the upper bound 60
    assert any(x < 0 for _, kwargs in inputs for x in kwargs["nums"])


def test_generation_is_deterministic_given_a_seed():
    assert draw(generator(7)) == draw(generator(7))
    assert draw(generator(7)) != draw(generator(8))


# --- through the judge ----------------------------------------------------------------------

def test_reference_passes_every_augmented_test(augmented, judge):
    statuses = {o.problem.id: (o.status, o.reason, o.detail) for o in augmented.outcomes}
    assert all(status == "augmented" for status, _, _ in statuses.values()), statuses
    results = judge.run_batch_sync([JudgeJob.from_problem(p, p.reference_solution) for p in augmented.problems])
    for outcome, result in zip(augmented.outcomes, results):
        assert result.accepted, (outcome.problem.id, [t.error for t in result.tests if t.error][:2])
        assert outcome.tests_after >= outcome.tests_before + 8
        assert outcome.problem.tests[0] == AssertionTest(outcome.problem.tests[0].code)  # original kept
        assert outcome.problem.metadata["augmentation"]["new_tests"] == outcome.new_tests
    assert sum(o.large_tests for o in augmented.outcomes) >= len(REAL_PROBLEMS)


def test_augmented_problems_survive_the_records_format(augmented, tmp_path):
    path = tmp_path / "problems.jsonl"
    path.write_text("".join(json.dumps(p.to_dict()) + "\n" for p in augmented.problems))
    loaded = load_problems("records", str(path)).problems
    assert [p.content_hash() for p in loaded] == [p.content_hash() for p in augmented.problems]


def test_wrong_solutions_that_pass_the_original_asserts_fail_augmented_ones(augmented, judge):
    climbing = next(o for o in augmented.outcomes if o.problem.id == "leetcode/climbing-stairs")
    original = Problem(**{**climbing.problem.__dict__, "tests": climbing.problem.tests[:1]})
    wrong = "class Solution:\n    def climbStairs(self, n: int) -> int:\n        return n\n"  # right for n = 2, 3
    examples = parse_check_examples(original.tests[0].code)
    replay = trivial_solutions(examples, original.entry_point)["replay_examples"]
    for source in (wrong, replay):
        before, after = judge.run_batch_sync([JudgeJob.from_problem(original, source),
                                              JudgeJob.from_problem(climbing.problem, source)])
        assert before.accepted and not after.accepted


def test_same_seed_same_tests_through_the_judge(real, judge):
    by_id, _ = real
    problem = by_id["leetcode/longest-substring-without-repeating-characters"]
    runs = [augment_problem(problem, judge, AugmentConfig(seed=seed, **FAST)) for seed in (3, 3, 4)]
    assert runs[0].problem.tests == runs[1].problem.tests
    assert runs[0].problem.tests != runs[2].problem.tests


def test_answers_that_are_not_unique_are_not_augmented(real, judge):
    by_id, _ = real
    any_order = augment_problem(by_id["leetcode/di-string-match"], judge, AugmentConfig(**FAST))
    assert (any_order.status, any_order.reason) == ("skipped", "not_unique_statement")
    random_reference = Problem(
        id="unit/pick-any", source="unit", split="train", instruction="Return any element of nums.",
        entry_point="Solution().pick", preamble="from typing import *\n",
        reference_solution="import random\nclass Solution:\n    def pick(self, nums: List[int]) -> int:\n"
                           "        return random.choice(nums)\n",
        tests=[AssertionTest("def check(candidate):\n    assert candidate(nums = [5]) == 5\n"
                             "    assert candidate(nums = [7,7]) == 7\n")])
    outcome = augment_problem(random_reference, judge, AugmentConfig(**FAST))
    assert (outcome.status, outcome.reason) == ("skipped", "nondeterministic")
    assert outcome.problem is random_reference and outcome.tests_after == 2


def test_command_line_writes_records_and_a_report(tmp_path, leetcode_train_file):
    output, report = tmp_path / "out.jsonl", tmp_path / "report.md"
    augment_main(["--input", leetcode_train_file, "--output", str(output), "--report", str(report),
                  "--limit", "3", "--max_new_tests", "6", "--num_large_tests", "1"])
    problems = load_problems("records", str(output)).problems
    assert len(problems) == 3 and max(p.num_tests for p in problems) <= 5 + 6
    text = report.read_text()
    assert "# Test augmentation report" in text and "replay_examples" in text
    with pytest.raises(ValueError, match="--input"):
        augment_main(["--output", str(output)])


def test_prepare_can_augment_a_training_split(tmp_path, leetcode_train_file):
    from grpo4code.governance import cli
    from grpo4code.governance.manifest import read_prepared_split

    wanted = {"climbing-stairs", "sqrtx"}
    rows = [row for row in map(json.loads, gzip.open(leetcode_train_file, "rt")) if row["task_id"] in wanted]
    location = tmp_path / "mini-train.jsonl"
    location.write_text("".join(json.dumps(row) + "\n" for row in rows))
    prepared = tmp_path / "prepared"
    cli.main(["prepare", "--source", "leetcode", "--location", str(location), "--split", "train",
              "--name", "mini", "--prepared_dir", str(prepared), "--augment_tests", "true",
              "--augment_max_new_tests", "5", "--augment_num_large_tests", "1"])
    problems, manifest = read_prepared_split(str(prepared / "mini"))
    record = manifest["test_augmentation"]
    assert record["settings"]["max_new_tests"] == 5 and record["augmented_problems"] == 2
    assert manifest["num_tests"] == record["tests_after"] == record["tests_before"] + 10
    assert all(p.metadata["augmentation"]["new_tests"] == 5 for p in problems)
    assert (prepared / "mini" / "augment_report.md").is_file()
