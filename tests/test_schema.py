import pytest

from grpo4code.data.check_program import count_check_tests, split_check_program
from grpo4code.data.schema import AssertionTest, CallTest, Problem, StdioTest, parse_test_case

CHECK = '''
METADATA = {}

def helper(x):
    return x * 2

def check(candidate):
    import math
    assert candidate(1) == 2
    values = [1, 2, 3]
    for v in values:
        assert candidate(v) == helper(v)
    x = 3; assert candidate(x) == 6
    print("done")
'''


def make_problem(**overrides) -> Problem:
    fields = dict(id="p/1", source="unit", split="train", instruction="Double a number.",
                  tests=[CallTest(args=[1], expected=2)], entry_point="double",
                  reference_solution="def double(x):\n    return 2 * x\n")
    fields.update(overrides)
    return Problem(**fields)


def test_check_program_counts_each_assertion_holding_statement():
    program = split_check_program(CHECK)
    assert program.candidate_name == "candidate"
    assert [step.is_test for step in program.steps] == [False, True, False, True, False, True, False]
    assert len(program.tests) == 3 == count_check_tests(CHECK)
    assert "def helper" in program.module_code and "METADATA" in program.module_code
    assert program.tests[1].code.startswith("for v in values:")


def test_check_program_errors_name_the_problem():
    with pytest.raises(ValueError, match="does not parse"):
        split_check_program("def check(candidate):\n    assert (")
    with pytest.raises(ValueError, match="defines no function `check"):
        split_check_program("def verify(candidate):\n    assert candidate(1)")
    with pytest.raises(ValueError, match="takes no parameter"):
        split_check_program("def check():\n    assert True")


def test_problem_round_trips_and_counts_tests():
    problem = make_problem(tests=[CallTest(args=[1], expected=2), StdioTest("1\n", "2\n"),
                                  AssertionTest(CHECK)])
    assert problem.num_tests == 5
    assert problem.test_kinds == ["assertion", "call", "stdio"]
    again = Problem.from_dict(problem.to_dict())
    assert again == problem
    assert again.content_hash() == problem.content_hash()


def test_content_hash_ignores_split_and_metadata_but_not_tests():
    base = make_problem()
    assert make_problem(split="test", metadata={"x": 1}).content_hash() == base.content_hash()
    assert make_problem(tests=[CallTest(args=[2], expected=4)]).content_hash() != base.content_hash()


@pytest.mark.parametrize("overrides, message", [
    ({"tests": []}, "has no tests"),
    ({"split": "dev"}, "split 'dev'"),
    ({"difficulty": "trivial"}, "difficulty 'trivial'"),
    ({"instruction": "  "}, "instruction is empty"),
    ({"entry_point": ""}, "need an entry_point"),
    ({"tests": [AssertionTest("def check(candidate):\n    print(1)\n")]}, "holds no assertion"),
])
def test_problem_validation_names_what_is_wrong(overrides, message):
    with pytest.raises(ValueError, match=message):
        make_problem(**overrides)


def test_from_dict_rejects_unknown_fields_and_test_kinds():
    data = make_problem().to_dict()
    with pytest.raises(ValueError, match=r"unknown problem fields \['colour'\]"):
        Problem.from_dict({**data, "colour": "red"})
    with pytest.raises(ValueError, match="unknown test kind 'video'"):
        parse_test_case({"kind": "video"})
