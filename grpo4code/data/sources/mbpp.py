"""MBPP (google-research-datasets/mbpp): a hub name or a local .jsonl/.json/.parquet.

Two field layouts exist, one per hub config (see the dataset card):

* ``full``: ``task_id, text, code, test_list, test_setup_code, challenge_test_list``.
* ``sanitized``: ``source_file, task_id, prompt, code, test_imports, test_list``.

The layout is detected from the fields. Mapping: ``text``/``prompt`` -> ``description``;
the instruction is the statement plus the first test as the example (the usual MBPP prompt
convention); ``code`` -> ``reference_solution``; the tests become one :class:`AssertionTest`
whose ``check(candidate)`` body holds the set-up (``test_setup_code`` or ``test_imports``)
and then each assert of ``test_list`` (one assert = one test). The asserts call the function
by name, which works because the judge runs the check program in the solution's module.
The entry point is the solution's function that the asserts call.
"""

from __future__ import annotations

import ast
import builtins
import textwrap
from collections import Counter

from grpo4code.data.rows import LoadResult, convert_rows, iter_source_rows
from grpo4code.data.schema import AssertionTest, Problem

HUB_NAME = "google-research-datasets/mbpp"
SOURCE = "mbpp"
CONFIGS = ("full", "sanitized")
_FULL_FIELDS = {"task_id", "text", "code", "test_list"}
_SANITIZED_FIELDS = {"task_id", "prompt", "code", "test_list"}
INSTRUCTION_TEMPLATE = (
    "{statement}\nYour code should pass this test:\n\n{example}\n\n"
    "Write the Python function in a ```python code block."
)


def detect_layout(row: dict) -> str:
    """Return "full" or "sanitized"; raise ``ValueError`` naming the fields of an unknown layout."""
    if _FULL_FIELDS <= set(row):
        return "full"
    if _SANITIZED_FIELDS <= set(row):
        return "sanitized"
    raise ValueError(
        f"unknown MBPP field layout (fields: {sorted(row)}); expected full "
        f"({sorted(_FULL_FIELDS)}) or sanitized ({sorted(_SANITIZED_FIELDS)})"
    )


def _normalize(code: str) -> str:
    return code.replace("\r\n", "\n").replace("\r", "\n")


def _parse_assert(test: str, index: int) -> ast.stmt:
    """Parse one ``test_list`` entry: exactly one statement that is an ``assert``."""
    try:
        body = ast.parse(_normalize(test).strip()).body
    except SyntaxError as exc:
        raise ValueError(f"test {index} does not parse ({exc.msg}): {test!r}") from None
    if len(body) != 1 or not isinstance(body[0], ast.Assert):
        raise ValueError(f"test {index} is not a single assert statement: {test!r}")
    return body[0]


def _top_level_names(code: str) -> list[str]:
    """Names of the functions and classes the reference solution defines at top level."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise ValueError(
            f"the reference code does not parse (line {exc.lineno}: {exc.msg})"
        ) from None
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]


def find_entry_point(asserts: list[ast.stmt], code: str) -> str:
    """The function the asserts call: the one called most often that the solution defines.

    Calls of builtins (``set(f(x)) == ...``) and attributes (``math.isclose``) are ignored;
    when the solution defines none of the called names, the most-called non-builtin wins.
    """
    called = Counter(
        node.func.id
        for statement in asserts
        for node in ast.walk(statement)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    )
    defined = set(_top_level_names(code))
    for pool in (
        [name for name in called if name in defined],
        [name for name in called if not hasattr(builtins, name)],
    ):
        if pool:
            return max(pool, key=lambda name: called[name])  # ties: first called wins
    raise ValueError("cannot tell which function the asserts call")


def build_check_program(setup_code: str, asserts: list[str]) -> str:
    """``def check(candidate):`` with the set-up statements, then one assert per test."""
    body = [_normalize(setup_code).strip()] if setup_code.strip() else []
    body += [_normalize(test).strip() for test in asserts]
    indented = "".join(textwrap.indent(part, "    ") + "\n" for part in body)
    return "def check(candidate):\n" + indented


def row_to_problem(row: dict, split: str, include_challenge_tests: bool = False) -> Problem:
    """Map one MBPP row (either layout) onto a :class:`Problem`."""
    layout = detect_layout(row)
    if layout == "full":
        statement, setup = row["text"], row.get("test_setup_code") or ""
    else:
        statement, setup = row["prompt"], "\n".join(row.get("test_imports") or [])
    tests = list(row.get("test_list") or [])
    challenge = list(row.get("challenge_test_list") or [])
    if include_challenge_tests:
        tests += challenge
    if not tests:
        raise ValueError("no tests (test_list is empty)")
    if not (statement or "").strip():
        raise ValueError(f"empty statement ({'text' if layout == 'full' else 'prompt'})")
    parsed = [_parse_assert(test, index) for index, test in enumerate(tests)]
    try:
        ast.parse(_normalize(setup))
    except SyntaxError as exc:
        raise ValueError(f"the test set-up code does not parse ({exc.msg})") from None
    code = _normalize(row["code"])
    entry_point = find_entry_point(parsed, code)
    check = build_check_program(setup, tests)
    return Problem(
        id=f"{SOURCE}/{row['task_id']}",
        source=SOURCE,
        split=split,
        instruction=INSTRUCTION_TEMPLATE.format(
            statement=statement.strip(), example=_normalize(tests[0]).strip()
        ),
        tests=[AssertionTest(code=check)],
        entry_point=entry_point,
        reference_solution=code,
        description=statement.strip(),
        metadata={
            "task_id": row["task_id"],
            "layout": layout,
            "source_file": row.get("source_file", ""),
            "challenge_test_list": [] if include_challenge_tests else challenge,
        },
    )


def load_mbpp(
    location: str | None = None,
    split: str = "test",
    on_error: str = "raise",
    config: str = "full",
    hub_split: str | None = None,
    include_challenge_tests: bool = False,
) -> LoadResult:
    """Load MBPP from a local file or the hub (``config`` "full" or "sanitized").

    ``split`` labels the problems and is the hub split unless ``hub_split`` is given (the
    hub also has "train", "validation" and "prompt"). ``include_challenge_tests`` adds the
    full layout's ``challenge_test_list`` to the tests (otherwise kept in metadata).
    """
    if config not in CONFIGS:
        raise ValueError(f"MBPP config must be one of {CONFIGS}, not {config!r}")
    label, rows, hashes = iter_source_rows(
        location or HUB_NAME, hub_split=hub_split or split, hub_config=config
    )
    return convert_rows(
        SOURCE,
        label,
        rows,
        lambda row: row_to_problem(row, split, include_challenge_tests),
        on_error,
        hashes,
    )
