"""Build the starter set: catalog specs -> verified problems -> train.jsonl / heldout.jsonl.

    python -m grpo4code.data.starter.build          # regenerate the two jsonl files
    python -m grpo4code.data.starter.build --check  # exit 1 if the committed files are stale

Every reference solution is executed against every one of its tests (in this process, see
:mod:`~grpo4code.data.starter.runner`); missing expected values are computed by it, and
hand-written ones must agree with it. Any disagreement stops the build with a
:class:`BuildError` naming the problem and the test. The output is deterministic: problems
sorted by id, one ``Problem.to_dict()`` per line with sorted keys.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grpo4code.data.schema import AssertionTest, CallTest, Problem, StdioTest
from grpo4code.data.starter import catalog_heldout, catalog_heldout_basic, catalog_train, catalog_train_basic
from grpo4code.data.starter.catalog import MIN_TESTS, Call, Spec, Stdin
from grpo4code.data.starter.runner import (
    call_entry_point,
    load_solution,
    problem_failures,
    run_program,
    to_json_value,
    values_match,
)

SOURCE = "starter"
STARTER_DIR = Path(__file__).resolve().parent
SPLIT_FILES = {"train": "train.jsonl", "heldout": "heldout.jsonl"}


class BuildError(RuntimeError):
    """A spec is malformed or its reference disagrees with a test; the message says which."""


def catalog_specs() -> dict[str, list[Spec]]:
    """The authored specs of each split, in catalog order."""
    return {
        "train": catalog_train.SPECS + catalog_train_basic.SPECS,
        "heldout": catalog_heldout.SPECS + catalog_heldout_basic.SPECS,
    }


def render_instruction(spec: Spec) -> str:
    """What the model is shown: the task's form, the statement and one hand-checked example."""
    example = spec.shown_example
    if spec.form == "stdio":
        return (
            "Write a Python program that reads from standard input and writes to standard "
            f"output.\n\n{spec.statement}\n\n"
            f"Example input:\n```\n{example.input}```\n\n"
            f"Example output:\n```\n{example.expected}```"
        )
    shown_args = ", ".join(repr(arg) for arg in example.args)
    return (
        f"Write a Python function `{spec.signature}`.\n\n{spec.statement}\n\n"
        f"Example: `{spec.entry_point}({shown_args})` returns `{example.expected!r}`."
    )


def spec_to_problem(spec: Spec, split: str) -> Problem:
    """Turn a spec into a :class:`Problem`, computing missing expected values.

    Hand-written expected values (and an assertion problem's example) must agree with the
    reference; raises :class:`BuildError` naming the problem and case otherwise.
    """
    if spec.form == "stdio":
        tests = [_stdio_test(spec, c, f"{spec.id}, case {i}") for i, c in enumerate(spec.cases)]
    else:
        namespace = load_solution(spec.solution, spec.id)
        tests = [
            _call_test(spec, namespace, case, f"{spec.id}, case {i}") for i, case in enumerate(spec.cases)
        ]
        if spec.form == "assertion":
            _call_test(spec, namespace, spec.example, f"{spec.id}, example")
            tests = [AssertionTest(code=spec.check)]
    problem = Problem(
        id=spec.id,
        source=SOURCE,
        split=split,
        instruction=render_instruction(spec),
        tests=tests,
        entry_point=spec.entry_point,
        starter_code=f"def {spec.signature}:\n    pass\n" if spec.signature else "",
        reference_solution=spec.solution,
        description=spec.statement,
        difficulty=spec.difficulty,
        tags=list(spec.tags),
    )
    # An assertion problem's asserts are all written by hand.
    hand_checked = sum(case.hand_checked for case in spec.cases) if spec.cases else problem.num_tests
    problem.metadata["hand_checked_tests"] = hand_checked
    if problem.num_tests < MIN_TESTS:
        raise BuildError(f"{spec.id}: {problem.num_tests} tests; write at least {MIN_TESTS}")
    return problem


def _call_test(spec: Spec, namespace: dict, case: Call, where: str) -> CallTest:
    args = to_json_value(list(case.args))
    try:
        actual = call_entry_point(namespace, spec.entry_point, args)
    except Exception as exc:  # noqa: BLE001 - reported with the problem and case named
        raise BuildError(f"{where}: the reference raised {type(exc).__name__}: {exc}") from exc
    if not case.hand_checked:
        return CallTest(args=args, expected=actual, atol=spec.atol)
    expected = to_json_value(case.expected)
    if not values_match(actual, expected, spec.atol):
        raise BuildError(f"{where}: the reference returns {actual!r}, hand-checked: {expected!r}")
    return CallTest(args=args, expected=expected, atol=spec.atol)


def _stdio_test(spec: Spec, case: Stdin, where: str) -> StdioTest:
    try:
        actual = run_program(spec.solution, case.input, spec.id)
    except Exception as exc:  # noqa: BLE001
        raise BuildError(f"{where}: the reference raised {type(exc).__name__}: {exc}") from exc
    if case.hand_checked and actual != case.expected:
        raise BuildError(f"{where}: the reference prints {actual!r}, hand-checked: {case.expected!r}")
    return StdioTest(input=case.input, output=actual)


def build_split(specs: list[Spec], split: str) -> list[Problem]:
    """Build and verify one split's problems, sorted by id."""
    problems = sorted((spec_to_problem(spec, split) for spec in specs), key=lambda p: p.id)
    for problem in problems:
        failures = problem_failures(problem)
        if failures:
            raise BuildError("the reference fails its own tests:\n  " + "\n  ".join(failures))
    return problems


def build_all() -> dict[str, list[Problem]]:
    """Build every split; ids must be unique across the whole set."""
    splits = {split: build_split(specs, split) for split, specs in catalog_specs().items()}
    seen: dict[str, str] = {}
    for split, problems in splits.items():
        for problem in problems:
            if problem.id in seen:
                raise BuildError(f"{problem.id}: the id appears in {seen[problem.id]!r} and {split!r}")
            seen[problem.id] = split
    return splits


def to_jsonl(problems: list[Problem]) -> str:
    """One ``Problem.to_dict()`` per line, keys sorted, so the text is byte-stable."""
    return "".join(json.dumps(p.to_dict(), sort_keys=True, ensure_ascii=False) + "\n" for p in problems)


def render_files() -> dict[str, str]:
    """File name -> the jsonl text a fresh build produces."""
    return {SPLIT_FILES[split]: to_jsonl(problems) for split, problems in build_all().items()}


def stale_files(directory: Path = STARTER_DIR) -> list[str]:
    """Names of the jsonl files in ``directory`` that differ from a fresh build (or are missing)."""
    stale = []
    for name, text in render_files().items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale


def main(argv: list[str] | None = None) -> int:
    """Command line: regenerate the jsonl files, or with ``--check`` only compare them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with a fresh build; write nothing")
    parser.add_argument("--out-dir", type=Path, default=STARTER_DIR, help="where the jsonl files live")
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = stale_files(args.out_dir)
            if stale:
                print(f"stale starter files in {args.out_dir}: {', '.join(stale)}; "
                      "run `python -m grpo4code.data.starter.build`", file=sys.stderr)
                return 1
            print(f"starter files in {args.out_dir} are up to date")
            return 0
        for name, text in render_files().items():
            (args.out_dir / name).write_text(text, encoding="utf-8")
            print(f"wrote {args.out_dir / name} ({text.count(chr(10))} problems)")
        return 0
    except BuildError as exc:
        print(f"starter build failed: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
