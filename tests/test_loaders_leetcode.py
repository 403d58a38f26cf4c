"""LeetCodeDataset and HumanEval loaders on the real files, and bad input on planted rows."""

import gzip
import json

import pytest

from grpo4code.data import DataError, load_problems
from grpo4code.data.schema import AssertionTest
from grpo4code.data.sources import leetcode


def test_every_leetcode_train_row_parses(leetcode_train):
    assert len(leetcode_train.problems) == 1890 and not leetcode_train.skipped
    two_sum = next(p for p in leetcode_train.problems if p.id == "leetcode/two-sum")
    assert two_sum.entry_point == "Solution().twoSum"
    assert two_sum.preamble.startswith("from typing import *")  # the import preamble is kept
    assert two_sum.starter_code.startswith("class Solution:") and "def twoSum" in two_sum.starter_code
    assert two_sum.difficulty == "easy" and two_sum.metadata["layout"] == "v0.2"
    assert two_sum.num_tests == 3 and isinstance(two_sum.tests[0], AssertionTest)
    assert "Example 1" in two_sum.description and "precisely" in two_sum.instruction
    assert {p.difficulty for p in leetcode_train.problems} == {"easy", "medium", "hard"}


def test_every_leetcode_test_row_parses(leetcode_test):
    problems = leetcode_test.problems
    assert len(problems) == 228 and not leetcode_test.skipped
    assert all(p.metadata["layout"] == "v0.3" and p.split == "test" for p in problems)
    assert all(p.release_date.startswith("20") for p in problems)
    assert sum(bool(p.tags) for p in problems) == 217  # 11 recent rows carry no tags
    assert sum(p.num_tests for p in problems) > 20000  # about 100 assertions each
    assert any("class ListNode" in p.preamble for p in problems)


def test_humaneval_from_the_package(humaneval):
    problems = {p.id: p for p in humaneval.problems}
    assert len(problems) == 164
    palindrome = problems["HumanEval/10"]
    assert "def is_palindrome" in palindrome.preamble  # helper before the entry point
    assert palindrome.starter_code.startswith("def make_palindrome")
    assert palindrome.reference_solution.startswith(palindrome.preamble)
    assert problems["HumanEval/32"].num_tests == 1  # one loop holding the asserts
    assert all(p.num_tests >= 1 for p in problems.values())


def write_rows(path, rows, broken_line=None):
    lines = [json.dumps(r) for r in rows]
    if broken_line is not None:
        lines.insert(broken_line, '{"task_id": "oops", ')
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join(lines) + "\n")


def good_row(task_id="add"):
    return {"task_id": task_id, "question_id": 1, "difficulty": "Easy", "tags": ["Math"],
            "problem_description": "Add two numbers.", "starter_code": "class Solution:\n    def add(self, a, b):",
            "estimated_date": "2024-01-01", "prompt": "from typing import *\n",
            "completion": "class Solution:\n    def add(self, a, b):\n        return a + b\n",
            "entry_point": "Solution().add", "query": "Add two numbers.",
            "test": "def check(candidate):\n    assert candidate(a=1, b=2) == 3\n", "input_output": []}


@pytest.mark.parametrize("bad_row, reason", [
    ({**good_row("no-tests"), "test": ""}, r"empty or missing fields \['test'\]"),
    ({**good_row("no-asserts"), "test": "def check(candidate):\n    pass\n"}, "holds no assertion"),
    ({**good_row("broken-test"), "test": "def check(candidate):\n    assert (\n"}, "does not parse"),
    ({"task_id": "odd", "title": "x", "body": "y"}, r"unknown LeetCodeDataset field layout \(fields: \['body', 'task_id', 'title'\]"),
])
def test_bad_rows_name_file_row_and_reason(tmp_path, bad_row, reason):
    path = tmp_path / "mine-train.jsonl.gz"
    write_rows(path, [good_row(), bad_row, good_row("another")])
    with pytest.raises(DataError, match=rf"mine-train.jsonl.gz, row 2 \(id {bad_row['task_id']}\): .*{reason}"):
        load_problems("leetcode", str(path))
    skipped = load_problems("leetcode", str(path), on_error="skip")
    assert [p.id for p in skipped.problems] == ["leetcode/add", "leetcode/another"]
    assert len(skipped.skipped) == 1 and skipped.skipped[0].row == 2
    assert "1 rows skipped" in skipped.summary()


def test_broken_json_and_missing_file_are_named(tmp_path):
    path = tmp_path / "x-test.jsonl.gz"
    write_rows(path, [good_row()], broken_line=1)
    with pytest.raises(DataError, match=r"x-test.jsonl.gz, row 2: not valid JSON"):
        load_problems("leetcode", str(path))
    with pytest.raises(DataError, match="no such file"):
        load_problems("leetcode", str(tmp_path / "missing-train.jsonl"))
    with pytest.raises(DataError, match="cannot tell the split"):
        load_problems("leetcode", str(path).replace("x-test", "x"))


def test_hub_name_goes_through_datasets(monkeypatch):
    import datasets

    calls = []

    def fake_load_dataset(name, config=None, split=None):
        calls.append((name, config, split))
        return [good_row("from-hub")]

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    result = load_problems("leetcode", leetcode.HUB_NAME, split="train")
    assert calls == [("newfacade/LeetCodeDataset", None, "train")]
    assert [p.id for p in result.problems] == ["leetcode/from-hub"]
    assert result.location == "hub:newfacade/LeetCodeDataset[train]"


def test_hub_failure_is_a_clear_error(monkeypatch):
    import datasets

    def offline(*args, **kwargs):
        raise ConnectionError("no network")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(DataError, match=r"hub:newfacade/LeetCodeDataset: could not load split 'test'.*no network"):
        load_problems("leetcode", leetcode.HUB_NAME, split="test")


def test_unknown_source_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown problem source 'leetcod'.*'leetcode'"):
        load_problems("leetcod")
