"""Loaders for sources in their public schemas: MBPP, KodCode, CodeContests, HumanEval+/MBPP+.

The fixtures under tests/fixtures/<source>/ are small invented problems in each source's real
field layout (no rows are copied from the datasets). Besides the field mapping, every fixture's
reference solution is run against its tests through the sandboxed judge (embedded), and a
deliberately wrong solution must fail them. The hub is never
reached: a stand-in ``datasets`` module records the ``load_dataset`` calls.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import types
from pathlib import Path

import pytest

from grpo4code.data.check_program import split_check_program
from grpo4code.data.rows import DataError
from grpo4code.data.schema import CallTest, Problem, StdioTest
from grpo4code.data.sources import codecontests, evalplus, kodcode, mbpp
from grpo4code.data.sources.codecontests import load_codecontests, map_difficulty
from grpo4code.data.sources.evalplus import load_humaneval_plus, load_mbpp_plus
from grpo4code.data.sources.kodcode import load_kodcode
from grpo4code.data.sources.mbpp import load_mbpp

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(relative: str) -> str:
    return str(FIXTURES / relative)


def by_id(result) -> dict[str, Problem]:
    return {problem.id: problem for problem in result.problems}


# ---- a tiny in-process runner: one bool per test, as the judge counts them ------------------


@pytest.fixture(scope="module")
def judge():
    from execeval_service import EmbeddedJudge

    with EmbeddedJudge(workers=2) as embedded:
        yield embedded


def run_tests(judge, problem: Problem, solution: str | None = None) -> list[bool]:
    """Run ``solution`` (default: the reference) through the sandboxed judge; one bool per test."""
    from execeval_service import JudgeJob

    solution = problem.reference_solution if solution is None else solution
    (result,) = judge.run_batch_sync([JudgeJob.from_problem(problem, solution)])
    assert not result.could_not_score, f"{problem.id}: the judge could not run it"
    return [test.verdict == "PASSED" for test in result.tests]


def all_fixture_problems() -> list[Problem]:
    results = [
        load_mbpp(fixture("mbpp/full.jsonl")),
        load_mbpp(fixture("mbpp/sanitized.jsonl"), config="sanitized"),
        load_kodcode(fixture("kodcode/train.jsonl")),
        load_codecontests(fixture("codecontests/test.jsonl"), include_generated_tests=True),
        load_humaneval_plus(fixture("evalplus/humanevalplus.jsonl")),
        load_mbpp_plus(fixture("evalplus/mbppplus.jsonl")),
    ]
    return [problem for result in results for problem in result.problems]


# ---- MBPP -----------------------------------------------------------------------------------


def test_mbpp_full_layout_maps_fields():
    result = load_mbpp(fixture("mbpp/full.jsonl"))
    problems = by_id(result)
    assert list(problems) == ["mbpp/901", "mbpp/902", "mbpp/903"]
    entry_points = [p.entry_point for p in problems.values()]
    assert entry_points == ["digit_square_sum", "hypotenuse", "count_vowels"]
    assert [p.num_tests for p in problems.values()] == [3, 3, 3]
    hypotenuse = problems["mbpp/902"]
    assert hypotenuse.split == "test" and hypotenuse.source == "mbpp"
    # \r\n line ends of the full layout are normalised.
    assert hypotenuse.reference_solution == (
        "import math\ndef hypotenuse(a, b):\n  return math.sqrt(a * a + b * b)"
    )
    assert hypotenuse.description.startswith("Write a function to compute the length")
    assert "assert math.isclose(hypotenuse(3, 4), 5.0)" in hypotenuse.instruction
    assert hypotenuse.metadata["layout"] == "full"
    assert hypotenuse.metadata["challenge_test_list"] == ["assert hypotenuse(0, 0) == 0.0"]
    steps = split_check_program(hypotenuse.tests[0].code).steps
    assert [s.is_test for s in steps] == [False, True, True, True]  # `import math` is set-up


def test_mbpp_sanitized_layout_and_entry_point_behind_a_builtin():
    problems = by_id(load_mbpp(fixture("mbpp/sanitized.jsonl"), config="sanitized"))
    common = problems["mbpp/904"]
    assert common.entry_point == "common_items"  # called inside set(...), not `set`
    assert common.num_tests == 3 and common.metadata["layout"] == "sanitized"
    assert common.metadata["source_file"] == "Invented Questions.ipynb"
    area = problems["mbpp/905"]
    assert area.num_tests == 2
    assert split_check_program(area.tests[0].code).steps[0].code == "import math"


def test_mbpp_challenge_tests_join_on_request():
    problems = by_id(load_mbpp(fixture("mbpp/full.jsonl"), include_challenge_tests=True))
    assert problems["mbpp/902"].num_tests == 4
    assert problems["mbpp/902"].metadata["challenge_test_list"] == []


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"text": None, "prompt": None}, "unknown MBPP field layout"),
        ({"test_list": ["assert double(2) == 4", "assert double(("]}, "test 1 does not parse"),
        ({"test_list": ["print(double(2))"]}, "not a single assert"),
        ({"test_list": ["assert max(1, 2) == 2"], "code": "x = 1"}, "cannot tell which function"),
    ],
)
def test_mbpp_bad_rows_raise_with_a_reason(change, reason):
    row = {"task_id": 1, "text": "Double it.", "code": "def double(x):\n    return 2 * x",
           "test_list": ["assert double(2) == 4"], "test_setup_code": "", "challenge_test_list": []}
    row.update(change)
    row = {key: value for key, value in row.items() if value is not None}
    with pytest.raises(ValueError, match=reason):
        mbpp.row_to_problem(row, "test")


def test_mbpp_unknown_layout_names_the_fields():
    with pytest.raises(ValueError, match=r"fields: \['code', 'question', 'task_id'\]"):
        mbpp.row_to_problem({"task_id": 1, "question": "?", "code": ""}, "test")


# ---- KodCode --------------------------------------------------------------------------------


def test_kodcode_maps_fields_and_entry_points():
    result = load_kodcode(fixture("kodcode/train.jsonl"))
    problems = by_id(result)
    assert list(problems) == [
        "kodcode/Leetcode_900_I", "kodcode/Prefill_901_C",
        "kodcode/Data_Structure_902_I", "kodcode/Algorithm_903_I",
    ]
    # test_info's helper `_words` is listed first; the tested function wins.
    entry_points = [p.entry_point for p in problems.values()]
    assert entry_points == ["longest_run", "normalize_spaces", "MinStack", "running_total"]
    assert [p.num_tests for p in problems.values()] == [3, 3, 3, 2]
    assert [p.difficulty for p in problems.values()] == ["easy", "medium", "hard", "easy"]
    assert all(p.split == "train" for p in problems.values())
    prefill = problems["kodcode/Prefill_901_C"]
    assert prefill.tags == ["Prefill"] and prefill.metadata["style"] == "complete"
    assert prefill.reference_solution.startswith("def _words(text):")
    code = prefill.tests[0].code
    assert "from solution" not in code and "__main__" not in code and "import pytest" in code
    assert "assert _pytest_test_passes(test_rejects_none)" in code


def test_kodcode_test_classes_and_import_aliases():
    problems = by_id(load_kodcode(fixture("kodcode/train.jsonl")))
    stack_check = problems["kodcode/Data_Structure_902_I"].tests[0].code
    assert "assert _pytest_test_passes(TestMinStack().test_push_pop)" in stack_check
    alias_check = problems["kodcode/Algorithm_903_I"].tests[0].code
    assert "globals()['prefix_sums'] = running_total" in alias_check  # a set-up step in check


@pytest.mark.parametrize(
    "test_code, reason",
    [
        (
            "import pytest\n@pytest.fixture\ndef data():\n    return [1]\n\n"
            "def test_a(data):\n    assert data",
            "pytest fixture `data`",
        ),
        ("def test_a(tmp_path):\n    assert tmp_path", r"takes pytest fixtures \(tmp_path\)"),
        ("import pytest\n@pytest.mark.parametrize('x', [1])\ndef test_a(x):\n    assert x",
         "uses @pytest.mark.parametrize"),
        (
            "class TestA:\n    def setup_method(self):\n        pass\n"
            "    def test_a(self):\n        assert True",
            r"pytest set-up \(`setup_method`\)",
        ),
        ("import solution\n\ndef test_a():\n    assert solution.f()", "import solution"),
        ("from solution import f\n\nVALUE = 1", "no test functions"),
        ("def test_a(:\n    pass", "does not parse"),
    ],
)
def test_kodcode_rows_needing_pytest_raise_with_the_reason(test_code, reason):
    row = {"question_id": "X_1_I", "question": "f", "solution": "def f():\n    return 1\n",
           "test": test_code}
    with pytest.raises(ValueError, match=reason):
        kodcode.row_to_problem(row, "train")


def test_kodcode_accepts_the_earlier_test_code_and_conversation_id_fields():
    row = {"conversation_id": "Apps_7_C", "question": "Return one.",
           "solution": "def one():\n    return 1\n",
           "test_code": "from solution import one\n\ndef test_one():\n    assert one() == 1\n",
           "test_entry_point": "one"}
    problem = kodcode.row_to_problem(row, "train")
    assert problem.id == "kodcode/Apps_7_C"
    assert problem.entry_point == "one" and problem.num_tests == 1


def test_kodcode_unknown_layout_names_the_fields():
    expected = r"unknown KodCode field layout \(fields: \['prompt', 'question_id'\]\)"
    with pytest.raises(ValueError, match=expected):
        kodcode.row_to_problem({"question_id": "a", "prompt": "?"}, "train")


# ---- CodeContests ---------------------------------------------------------------------------


def test_codecontests_maps_fields():
    problems = by_id(load_codecontests(fixture("codecontests/test.jsonl")))
    assert list(problems) == [
        "codecontests/codeforces/9001_A. Pair Sums", "codecontests/aizu/p99999 Reverse Words",
        "codecontests/codechef/TOWERS", "codecontests/codeforces/9002_C. Grid Walk",
    ]
    assert [p.num_tests for p in problems.values()] == [3, 2, 2, 3]  # public + private
    assert all(p.test_kinds == ["stdio"] and not p.entry_point for p in problems.values())
    pair_sums = problems["codecontests/codeforces/9001_A. Pair Sums"]
    # The first PYTHON3 (label 3) solution: not the C++ one before it, not the second Python 3.
    assert pair_sums.reference_solution.startswith("t = int(input())")
    assert pair_sums.tests[0] == StdioTest(input="3\n1 2\n3 4\n5 6\n", output="3\n7\n11\n")
    assert pair_sums.tags == ["implementation", "math"]
    assert pair_sums.metadata["time_limit_seconds"] == 2.0
    assert pair_sums.metadata["memory_limit_bytes"] == 256000000
    assert pair_sums.metadata["source"] == "CODEFORCES"
    assert pair_sums.metadata["difficulty_label"] == "A"
    assert problems["codecontests/aizu/p99999 Reverse Words"].metadata["time_limit_seconds"] == 1.5
    # Only a Python 2 (label 1) and a C++ solution: no reference.
    assert problems["codecontests/codechef/TOWERS"].reference_solution == ""
    assert [p.difficulty for p in problems.values()] == ["easy", "unknown", "medium", "hard"]


def test_codecontests_generated_tests_join_on_request_without_duplicates():
    result = load_codecontests(fixture("codecontests/test.jsonl"), include_generated_tests=True)
    problems = by_id(result)
    pair_sums = problems["codecontests/codeforces/9001_A. Pair Sums"]
    assert pair_sums.num_tests == 4  # one generated test repeats a private one
    assert pair_sums.metadata["test_groups"] == ["public_tests", "private_tests", "generated_tests"]


@pytest.mark.parametrize(
    "label, cf_rating, expected",
    [
        ("A", 800, "easy"), ("A", 1200, "easy"), ("E", 1300, "medium"), ("A", 1900, "medium"),
        ("C", 2100, "hard"),  # the rating decides over the letter
        ("EASY", None, "easy"), ("MEDIUM", 0, "medium"), ("HARDER", None, "hard"),
        ("B", None, "easy"), ("D", None, "medium"), ("F", None, "hard"),
        ("UNKNOWN_DIFFICULTY", None, "unknown"), ("EXTERNAL", None, "unknown"),
    ],
)
def test_codecontests_difficulty_rule(label, cf_rating, expected):
    assert map_difficulty(label, cf_rating) == expected


def test_codecontests_class_labels_by_index_or_name():
    assert codecontests.class_label(3, codecontests.LANGUAGES, "language") == "PYTHON3"
    assert codecontests.class_label("python3", codecontests.LANGUAGES, "language") == "PYTHON3"
    assert codecontests.class_label(18, codecontests.DIFFICULTY_LABELS, "difficulty") == "L"
    assert codecontests.class_label(6, codecontests.SOURCES, "source") == "AIZU"
    with pytest.raises(ValueError, match="out of range"):
        codecontests.class_label(5, codecontests.LANGUAGES, "language")


def test_codecontests_file_io_problems_are_rejected():
    row = {"name": "x", "description": "d", "public_tests": {"input": ["1\n"], "output": ["1\n"]},
           "private_tests": {"input": [], "output": []}, "input_file": "input.txt", "output_file": ""}
    with pytest.raises(ValueError, match="uses files"):
        codecontests.row_to_problem(row, "test")


# ---- HumanEval+ / MBPP+ ---------------------------------------------------------------------


def test_humaneval_plus_test_forms():
    problems = by_id(load_humaneval_plus(fixture("evalplus/humanevalplus.jsonl")))
    forms = {pid: (p.test_kinds, p.num_tests) for pid, p in problems.items()}
    assert forms == {
        "humaneval_plus/HumanEval/900": (["call"], 3),
        "humaneval_plus/HumanEval/901": (["call"], 3),
        "humaneval_plus/HumanEval/902": (["call"], 2),  # tuple results: compared as lists
        "humaneval_plus/HumanEval/903": (["assertion"], 2),  # tuple args: unrolled, kept exact
        "humaneval_plus/HumanEval/904": (["assertion"], 1),  # another oracle: the test as it is
    }
    gaps = problems["humaneval_plus/HumanEval/900"]
    assert gaps.tests[0] == CallTest(args=[[1, 4, 9]], expected=[3, 5], atol=0.0)
    assert gaps.preamble == "from typing import List\n\n\n"
    assert gaps.starter_code.startswith("def pairwise_gaps(values: List[int]) -> List[int]:")
    body = "    return [b - a for a, b in zip(values, values[1:])]\n"
    assert gaps.reference_solution == gaps.preamble + gaps.starter_code + body  # prompt + solution
    assert gaps.description.startswith("Return the differences")
    assert gaps.entry_point == "pairwise_gaps"
    mean = problems["humaneval_plus/HumanEval/901"]
    assert mean.preamble.startswith("import math\n\n\ndef _total(values):")
    assert {t.atol for t in mean.tests} == {1e-6}  # evalplus's float tolerance when atol is 0
    assert problems["humaneval_plus/HumanEval/902"].tests[0].expected == [1, 3]
    unrolled = problems["humaneval_plus/HumanEval/903"].tests[0].code
    assert "assert assertion(candidate(*[(1, 2, 1), 1]), 2, 0) is None" in unrolled


def test_mbpp_plus_module_level_loop():
    problems = by_id(load_mbpp_plus(fixture("evalplus/mbppplus.jsonl")))
    count_even = problems["mbpp_plus/Mbpp/900"]
    assert count_even.test_kinds == ["call"] and count_even.num_tests == 3
    assert count_even.preamble == "" and count_even.starter_code == ""
    assert count_even.description.startswith("Write a function to count the even numbers")
    assert count_even.reference_solution.startswith('"""\nWrite a function')
    clamp = problems["mbpp_plus/Mbpp/901"]  # `inf` is no literal: unrolled with the source's names
    assert clamp.test_kinds == ["assertion"] and clamp.num_tests == 3
    assert "from math import inf" in clamp.tests[0].code


def test_evalplus_default_location_is_the_evalplus_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "evalplus").mkdir()
    cached = tmp_path / "evalplus" / "HumanEvalPlus-v0.1.10.jsonl"
    shutil.copy(fixture("evalplus/humanevalplus.jsonl"), cached)
    result = load_humaneval_plus()
    assert result.location == str(cached) and len(result.problems) == 5
    # With no version asked for, another cached version is the fallback.
    shutil.copy(fixture("evalplus/mbppplus.jsonl"), tmp_path / "evalplus" / "MbppPlus-v0.1.0.jsonl")
    assert load_mbpp_plus().location.endswith("MbppPlus-v0.1.0.jsonl")


def test_evalplus_missing_file_names_the_paths_and_the_url(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(DataError) as caught:
        load_humaneval_plus()
    message = str(caught.value)
    assert str(tmp_path / "evalplus" / "HumanEvalPlus-v0.1.10.jsonl") in message
    release = "https://github.com/evalplus/humanevalplus_release/releases/download/v0.1.10/"
    assert release + "HumanEvalPlus.jsonl.gz" in message
    with pytest.raises(DataError, match="MbppPlus-Mini-v0.2.0.jsonl"):
        load_mbpp_plus(variant="Mini", cache_dir=str(tmp_path))


def test_evalplus_unknown_layout_names_the_fields():
    with pytest.raises(ValueError, match=r"fields: \['prompt', 'task_id'\]"):
        evalplus.row_to_problem({"task_id": "HumanEval/1", "prompt": ""}, "test", "humaneval_plus")


# ---- every reference passes its tests; a wrong solution does not ---------------------------


def test_every_fixture_reference_passes_its_tests(judge):
    problems = all_fixture_problems()
    without_reference = [p.id for p in problems if not p.reference_solution]
    assert without_reference == ["codecontests/codechef/TOWERS"]  # only Python 2 and C++ solutions
    for problem in problems:
        if problem.reference_solution:
            outcomes = run_tests(judge, problem)
            assert len(outcomes) == problem.num_tests, problem.id
            assert all(outcomes), f"{problem.id}: {outcomes}"


@pytest.mark.parametrize(
    "problem_id, wrong_solution",
    [
        ("mbpp/903", "def count_vowels(word):\n    return 0"),
        ("kodcode/Prefill_901_C", "def normalize_spaces(text):\n    return text"),
        ("kodcode/Data_Structure_902_I", "class MinStack:\n    pass"),
        ("codecontests/codeforces/9001_A. Pair Sums", "print(3)"),
        ("humaneval_plus/HumanEval/900", "def pairwise_gaps(values):\n    return []"),
        ("humaneval_plus/HumanEval/903", "def count_in(items, x):\n    return 2"),
        ("mbpp_plus/Mbpp/901", "def clamp(x, lo, hi):\n    return x"),
    ],
)
def test_a_wrong_solution_fails_some_tests(judge, problem_id, wrong_solution):
    problem = {p.id: p for p in all_fixture_problems()}[problem_id]
    outcomes = run_tests(judge, problem, wrong_solution)
    assert len(outcomes) == problem.num_tests and not all(outcomes)


# ---- bad rows: one DataError naming file, row and reason, or counted when skipped ------------

BAD_FIXTURES = [
    (load_mbpp, "mbpp/bad.jsonl", "907", r"no tests \(test_list is empty\)"),
    (load_kodcode, "kodcode/bad.jsonl", "Filter_905_I", "uses @pytest.mark.parametrize"),
    (load_codecontests, "codecontests/bad.jsonl", "9003_B. No Tests", "no tests"),
    (load_humaneval_plus, "evalplus/bad.jsonl", "HumanEval/906", "check holds no assert"),
]


@pytest.mark.parametrize("loader, relative, row_id, reason", BAD_FIXTURES)
def test_a_bad_row_raises_a_data_error_naming_file_row_and_reason(loader, relative, row_id, reason):
    with pytest.raises(DataError, match=reason) as caught:
        loader(fixture(relative))
    error = caught.value
    assert error.location == fixture(relative) and error.row == 2 and error.row_id == row_id
    assert str(error).startswith(f"{fixture(relative)}, row 2 (id {row_id}): ")


@pytest.mark.parametrize("loader, relative, row_id, reason", BAD_FIXTURES)
def test_skip_counts_the_bad_row(loader, relative, row_id, reason):
    result = loader(fixture(relative), on_error="skip")
    assert len(result.problems) == 1 and len(result.skipped) == 1
    skipped = result.skipped[0]
    assert (skipped.row, skipped.row_id) == (2, row_id)
    assert re.search(reason, skipped.reason)
    assert "1 rows skipped" in result.summary()


# ---- the hub path (a stand-in `datasets` module: offline and fast) -------------------------


@pytest.fixture
def fake_hub(monkeypatch):
    """Replaces the `datasets` module; records load_dataset calls, returns rows or raises."""
    hub = types.SimpleNamespace(calls=[], rows=[], error=None)

    def load_dataset(name, config=None, split=None, **kwargs):
        hub.calls.append((name, config, split))
        if hub.error is not None:
            raise hub.error
        return list(hub.rows)

    module = types.ModuleType("datasets")
    module.load_dataset = load_dataset
    monkeypatch.setitem(sys.modules, "datasets", module)
    return hub


@pytest.mark.parametrize(
    "loader, kwargs, expected_call",
    [
        (load_mbpp, {}, ("google-research-datasets/mbpp", "full", "test")),
        (
            load_mbpp,
            {"config": "sanitized", "split": "train"},
            ("google-research-datasets/mbpp", "sanitized", "train"),
        ),
        (load_kodcode, {}, ("KodCode/KodCode-V1", None, "train")),
        (load_codecontests, {"split": "validation"}, ("deepmind/code_contests", None, "valid")),
        (
            load_humaneval_plus,
            {"location": "evalplus/humanevalplus"},
            ("evalplus/humanevalplus", None, "test"),
        ),
    ],
)
def test_hub_without_network_raises_a_data_error(fake_hub, loader, kwargs, expected_call):
    fake_hub.error = ConnectionError("no network")
    expected = "could not load split .* from the hub .*no network"
    with pytest.raises(DataError, match=expected) as caught:
        loader(**kwargs)
    assert caught.value.location == f"hub:{expected_call[0]}"
    assert fake_hub.calls == [expected_call]


def test_hub_rows_go_through_the_same_mapping(fake_hub):
    with open(fixture("mbpp/sanitized.jsonl")) as handle:
        fake_hub.rows = [json.loads(line) for line in handle]
    result = load_mbpp(config="sanitized")
    assert fake_hub.calls == [("google-research-datasets/mbpp", "sanitized", "test")]
    assert result.location == "hub:google-research-datasets/mbpp/sanitized[test]"
    assert [p.id for p in result.problems] == ["mbpp/904", "mbpp/905"]


@pytest.mark.parametrize(
    "source, relative, count",
    [
        ("mbpp", "mbpp/full.jsonl", 3),
        ("kodcode", "kodcode/train.jsonl", 4),
        ("codecontests", "codecontests/test.jsonl", 4),
        ("humaneval_plus", "evalplus/humanevalplus.jsonl", 5),
        ("mbpp_plus", "evalplus/mbppplus.jsonl", 2),
    ],
)
def test_the_registry_reaches_these_loaders(source, relative, count):
    from grpo4code.data.sources import load_problems

    result = load_problems(source, fixture(relative))
    assert result.source == source and len(result.problems) == count
