"""The shipped starter set: its shape, its references, and that the jsonl files are fresh."""

from __future__ import annotations

import asyncio
import glob
import json
import os

import pytest
import yaml

from grpo4code.data.schema import AssertionTest, CallTest, Problem, StdioTest
from grpo4code.data.sources.starter import load_starter
from grpo4code.data.starter import build
from grpo4code.data.starter.catalog import MIN_TESTS, Spec, call, stdin
from grpo4code.data.starter.runner import problem_failures, values_match
from grpo4code.rewards.columns import ProblemSpec
from grpo4code.rewards.judging import CompletionJudge, JudgeConfig

TRAIN = load_starter(split="train").problems
HELDOUT = load_starter(split="heldout").problems
ALL = TRAIN + HELDOUT


def test_set_size_and_parts():
    assert len(ALL) >= 60
    assert len(TRAIN) >= 48 and len(HELDOUT) >= 16
    assert {p.split for p in TRAIN} == {"train"}
    assert {p.split for p in HELDOUT} == {"heldout"}
    assert {p.source for p in ALL} == {"starter"}


def test_both_parts_have_every_difficulty_tier():
    # the basic tier is what the offline default model can solve at all: without it in the
    # held-out part, a before/after accepted@1 of that model could not move
    for part in (TRAIN, HELDOUT):
        tiers = {p.difficulty for p in part}
        assert tiers == {"basic", "easy", "medium"}
    assert sum(p.difficulty == "basic" for p in HELDOUT) >= 16


def test_ids_are_unique_and_sorted():
    ids = [p.id for p in ALL]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("starter/") for i in ids)
    for part in (TRAIN, HELDOUT):
        assert [p.id for p in part] == sorted(p.id for p in part)


def test_train_and_heldout_share_no_id_or_instruction():
    assert not {p.id for p in TRAIN} & {p.id for p in HELDOUT}
    assert not {p.instruction for p in TRAIN} & {p.instruction for p in HELDOUT}
    assert not {p.description for p in TRAIN} & {p.description for p in HELDOUT}
    assert not {p.entry_point for p in TRAIN if p.entry_point} & {p.entry_point for p in HELDOUT if p.entry_point}


def test_all_three_test_forms_are_present():
    forms = [tuple(p.test_kinds) for p in ALL]
    assert all(len(kinds) == 1 for kinds in forms), "one test form per problem"
    counts = {kind: sum(1 for kinds in forms if kinds == (kind,)) for kind in ("call", "stdio", "assertion")}
    assert counts["call"] >= 45 and counts["stdio"] >= 8 and counts["assertion"] >= 3


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.id)
def test_problem_is_well_formed(problem: Problem):
    assert problem.num_tests >= MIN_TESTS
    assert problem.metadata["hand_checked_tests"] >= 3
    assert problem.difficulty in ("basic", "easy", "medium")
    assert problem.reference_solution.strip() and problem.tags
    if problem.entry_point:
        assert f"`{problem.entry_point}(" in problem.instruction
        assert problem.starter_code.startswith(f"def {problem.entry_point}(")
        assert "Example:" in problem.instruction
    else:
        assert "Example input:" in problem.instruction and "Example output:" in problem.instruction
    for test in problem.tests:
        if isinstance(test, CallTest):
            assert json.loads(json.dumps(test.args)) == test.args
            assert json.loads(json.dumps(test.expected)) == test.expected


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.id)
def test_reference_passes_all_its_tests(problem: Problem):
    assert problem_failures(problem) == []


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.id)
def test_problem_round_trips_through_dict(problem: Problem):
    data = problem.to_dict()
    again = Problem.from_dict(json.loads(json.dumps(data)))
    assert again.to_dict() == data
    assert again.content_hash() == problem.content_hash()


@pytest.fixture(scope="module")
def fresh_files() -> dict[str, str]:
    """The jsonl text a fresh build produces (built once: it runs every reference)."""
    return build.render_files()


def test_committed_files_equal_a_fresh_build(fresh_files):
    for name, text in fresh_files.items():
        committed = (build.STARTER_DIR / name).read_text(encoding="utf-8")
        assert committed == text, f"{name} is stale: run `python -m grpo4code.data.starter.build`"
    assert build.to_jsonl(TRAIN) == fresh_files[build.SPLIT_FILES["train"]]


def test_check_mode_exit_codes(fresh_files, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build, "render_files", lambda: fresh_files)
    for name, text in fresh_files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert build.main(["--check", "--out-dir", str(tmp_path)]) == 0
    (tmp_path / "train.jsonl").write_text("{}\n", encoding="utf-8")
    assert build.main(["--check", "--out-dir", str(tmp_path)]) == 1
    assert "train.jsonl" in capsys.readouterr().err
    (tmp_path / "heldout.jsonl").unlink()
    assert build.stale_files(tmp_path) == ["train.jsonl", "heldout.jsonl"]


# ---------------------------------------------------------------- the build catches mistakes


def _spec(**overrides) -> Spec:
    fields = dict(
        id="starter/double",
        difficulty="easy",
        tags=("math",),
        signature="double(x: int) -> int",
        statement="Return twice `x`.",
        solution="def double(x: int) -> int:\n    return 2 * x\n",
        cases=(call(1, expect=2), call(2, expect=4), call(-3, expect=-6), call(0), call(5), call(9)),
    )
    fields.update(overrides)
    return Spec(**fields)


def test_a_correct_spec_builds():
    problem = build.spec_to_problem(_spec(), "train")
    assert [t.expected for t in problem.tests] == [2, 4, -6, 0, 10, 18]
    assert "Example: `double(1)` returns `2`." in problem.instruction


def test_a_wrong_hand_checked_value_stops_the_build():
    wrong = (call(1, expect=2), call(2, expect=5), call(-3, expect=-6), call(0), call(5), call(9))
    with pytest.raises(build.BuildError, match=r"starter/double, case 1"):
        build.spec_to_problem(_spec(cases=wrong), "train")


def test_a_crashing_reference_is_named():
    crashing = "def double(x: int) -> int:\n    return 2 * x if x else 1 // x\n"
    with pytest.raises(build.BuildError, match=r"starter/double, case 3.*ZeroDivisionError"):
        build.spec_to_problem(_spec(solution=crashing), "train")


def test_a_wrong_stdout_stops_the_build():
    cases = tuple(stdin(f"{n}\n", expect=f"{2 * n}\n") for n in range(5)) + (stdin("7\n", expect="15\n"),)
    spec = Spec(
        id="starter/double_stdin",
        difficulty="easy",
        tags=("stdio",),
        statement="Print twice the integer on stdin.",
        solution="print(2 * int(input()))\n",
        cases=cases,
    )
    with pytest.raises(build.BuildError, match=r"starter/double_stdin, case 5"):
        build.spec_to_problem(spec, "train")


def test_too_few_hand_checked_cases_are_refused():
    with pytest.raises(ValueError, match="hand-checked"):
        _spec(cases=(call(1, expect=2), call(2), call(3), call(4), call(5), call(6)))


def test_runner_reports_each_failing_test():
    problem = Problem(
        id="starter/broken",
        source="starter",
        split="train",
        instruction="Return twice `x`.",
        entry_point="double",
        reference_solution="def double(x):\n    return x + 2\n",
        tests=[
            CallTest(args=[2], expected=4),
            CallTest(args=[3], expected=6),
            AssertionTest(code="def check(candidate):\n    assert candidate(0) == 2\n    assert candidate(1) == 2\n"),
        ],
    )
    failures = problem_failures(problem)
    assert len(failures) == 2
    assert failures[0].startswith("starter/broken, test 1 (call)")
    assert failures[1].startswith("starter/broken, test 2 (assertion): assert 2")
    stdio = Problem(id="starter/echo", source="starter", split="train", instruction="Echo.",
                    reference_solution="print(input())\n", tests=[StdioTest(input="hi\n", output="hi\n")])
    assert problem_failures(stdio) == []


def test_values_match_rules():
    assert values_match([1.0, 2.0000001], [1, 2], atol=1e-6)
    assert not values_match([1.0, 2.1], [1, 2], atol=1e-6)
    assert not values_match(True, 1) and not values_match(1, True)
    assert values_match({"a": [1]}, {"a": [1]}) and not values_match({"a": 1}, {"b": 1})
    assert not values_match("1", 1)


def test_every_reference_passes_the_judge_at_the_tightest_training_time_limit():
    # a recipe may judge training tighter than evaluation (learning_gpu_long.yaml: 1 CPU s per run);
    # a reference that needs more would be scored wrong in training, whatever the policy wrote
    recipes = [yaml.safe_load(open(path, encoding="utf-8"))
               for path in glob.glob(os.path.join(os.path.dirname(__file__), "..", "recipes", "grpo", "*.yaml"))]
    limits = [r.get("judge_time_limit_s", JudgeConfig().time_limit_s) for r in recipes if r.get("meta_data") == "starter"]
    assert limits, "no GRPO recipe trains on the starter set"
    specs = [ProblemSpec.from_problem(p) for p in ALL]
    judge = CompletionJudge(JudgeConfig(time_limit_s=min(limits), workers=2))
    try:
        results = asyncio.run(judge.judge(specs, [s.reference_solution for s in specs]))
    finally:
        judge.close()
    failed = [(s.problem_id, r.num_passed, r.num_tests) for s, r in zip(specs, results) if not r.accepted]
    assert failed == []
