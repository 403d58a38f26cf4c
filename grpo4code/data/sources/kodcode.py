"""KodCode (KodCode/KodCode-V1 and the -SFT variants that share its fields).

Fields used (dataset card): ``question_id, question, solution, test, test_info`` (a list of
``{function_name, parameter_list, function_declaration, docstring}``, null for class-based
solutions), ``gpt_difficulty`` ("easy"/"medium"/"hard"), ``subset`` (Leetcode, Prefill,
Apps, ...), ``style`` ("instruct"/"complete"), ``version``. Earlier releases named the test
``test_code``, and the first KodCode-V1-SFT-R1 used ``conversation_id`` and
``test_entry_point``; both are accepted.

``test`` is a pytest file: ``from solution import ...`` then ``def test_...():`` functions.
It becomes one :class:`AssertionTest`: the ``from solution import`` lines are dropped (the
judge runs the check program in the solution's module, so the names are already there;
``from solution import f as g`` becomes ``g = f``), the other imports, helpers and the test
functions stay module code, and ``check``'s body calls each test as one step,
``assert _pytest_test_passes(test_x)``, which fails exactly when the test raises (pytest's
own outcomes -- ``pytest.fail``, ``pytest.skip``, a ``pytest.raises`` that saw nothing --
and SystemExit are BaseExceptions; the helper turns them into an AssertionError).
``import pytest`` stays, so ``pytest.raises`` works (the judge needs pytest installed).
Tests that need pytest's runner -- fixtures, parametrize or any other decorator, test
classes with set-up methods, ``import solution`` -- make the row fail with the reason.
"""

from __future__ import annotations

import ast

from grpo4code.data.rows import LoadResult, convert_rows, iter_source_rows
from grpo4code.data.schema import AssertionTest, Problem, normalize_difficulty

HUB_NAME = "KodCode/KodCode-V1"
SOURCE = "kodcode"
SOLUTION_MODULE = "solution"
RUNNER_NAME = "_pytest_test_passes"
RUNNER_CODE = f'''def {RUNNER_NAME}(test_function):
    """Run one pytest-style test function; True when it returns without raising.

    pytest's outcomes (pytest.fail, pytest.skip, a pytest.raises that saw no exception)
    and SystemExit derive from BaseException, not Exception; like pytest, count them as
    failures by turning them into an AssertionError.
    """
    try:
        test_function()
    except (Exception, KeyboardInterrupt):
        raise
    except BaseException as outcome:
        raise AssertionError(f"{{type(outcome).__name__}}: {{outcome}}") from None
    return True'''
_SETUP_METHODS = {
    "setup_method", "teardown_method", "setup_class", "teardown_class", "setup", "teardown"
}


def _decorator_name(node: ast.expr) -> str:
    return ast.unparse(node.func if isinstance(node, ast.Call) else node)


def _check_plain_test(node: ast.FunctionDef, where: str, skip_self: bool = False) -> None:
    """A test runs as a plain call only without decorators or (fixture) parameters."""
    if node.decorator_list:
        names = ", ".join(f"@{_decorator_name(d)}" for d in node.decorator_list)
        raise ValueError(f"test `{where}` uses {names}; it cannot run as a plain call")
    params = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
    if skip_self:
        params = params[1:]
    if params or node.args.vararg or node.args.kwarg:
        raise ValueError(f"test `{where}` takes pytest fixtures ({', '.join(params) or '*args'})")


def _is_solution_module(name: str) -> bool:
    return name.split(".")[0] == SOLUTION_MODULE


def _is_main_guard(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Compare)
        and isinstance(node.test.left, ast.Name)
        and node.test.left.id == "__name__"
    )


def _class_steps(node: ast.ClassDef) -> list[str]:
    """One step per ``test_`` method of a plain ``Test*`` class (a fresh instance each)."""
    if node.decorator_list:
        raise ValueError(f"test class `{node.name}` is decorated; it cannot run without pytest")
    steps = []
    for item in node.body:
        if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        is_fixture = any("fixture" in _decorator_name(d) for d in item.decorator_list)
        if item.name in _SETUP_METHODS or is_fixture:
            raise ValueError(f"test class `{node.name}` uses pytest set-up (`{item.name}`)")
        if item.name.startswith("test"):
            if isinstance(item, ast.AsyncFunctionDef):
                raise ValueError(f"test `{node.name}.{item.name}` is async")
            _check_plain_test(item, f"{node.name}.{item.name}", skip_self=True)
            steps.append(f"assert {RUNNER_NAME}({node.name}().{item.name})")
    return steps


def pytest_to_check_program(test_code: str) -> str:
    """Turn a KodCode pytest file into a ``check(candidate)`` program, one step per test."""
    try:
        tree = ast.parse(test_code)
    except SyntaxError as exc:
        raise ValueError(f"the test file does not parse (line {exc.lineno}: {exc.msg})") from None
    module_code: list[str] = []
    aliases: list[str] = []
    steps: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and _is_solution_module(node.module or ""):
            # Set-up steps, not module code: the solution's names exist only once it has run
            # (the judge loads the test module first). globals() so module-level tests see them.
            aliases += [f"globals()[{a.asname!r}] = {a.name}" for a in node.names if a.asname]
            continue
        if isinstance(node, ast.Import) and any(_is_solution_module(a.name) for a in node.names):
            raise ValueError("the test file uses `import solution` (module attributes unsupported)")
        if _is_main_guard(node):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name in ("check", RUNNER_NAME):
                raise ValueError(f"the test file defines its own `{node.name}`")
            if any("fixture" in _decorator_name(d) for d in node.decorator_list):
                raise ValueError(f"the test file defines the pytest fixture `{node.name}`")
            if node.name.startswith("test"):
                if isinstance(node, ast.AsyncFunctionDef):
                    raise ValueError(f"test `{node.name}` is async")
                _check_plain_test(node, node.name)
                steps.append(f"assert {RUNNER_NAME}({node.name})")
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            steps += _class_steps(node)
        module_code.append(ast.unparse(node))
    if not steps:
        raise ValueError("the test file defines no test functions")
    body = "".join(f"    {step}\n" for step in aliases + steps)
    return "\n\n".join(module_code + [RUNNER_CODE, f"def check(candidate):\n{body}"])


def _top_level_names(code: str) -> list[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise ValueError(f"the solution does not parse (line {exc.lineno}: {exc.msg})") from None
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]


def _solution_names_in_test(test_code: str) -> tuple[list[str], set]:
    """(names imported ``from solution``, every name the test file mentions)."""
    tree = ast.parse(test_code)
    imported = [
        alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == SOLUTION_MODULE
        for alias in node.names
        if alias.name != "*"
    ]
    mentioned = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return imported, mentioned | set(imported)


def find_entry_point(row: dict, solution: str, test_code: str) -> str:
    """The solution's function (or class) that the tests exercise.

    ``test_info`` lists every function of the solution, helpers and methods included (it is
    null for class-based solutions), so its names are ranked: one the test imports ``from
    solution``, then one the test mentions, then the first the solution defines at top
    level; without a usable ``test_info``: ``test_entry_point`` (early SFT release), a name
    imported from solution, then the solution's first top-level def or class.
    """
    defined = _top_level_names(solution)
    imported, mentioned = _solution_names_in_test(test_code)
    info = row.get("test_info") or []
    if isinstance(info, dict):  # some exports store the single item unwrapped
        info = [info]
    listed = [item.get("function_name") for item in info if isinstance(item, dict)]
    listed = [name for name in listed if name in defined]
    ranked = (
        [name for name in listed if name in imported]
        + [name for name in listed if name in mentioned]
        + listed
        + [row.get("test_entry_point")]
        + imported
        + defined
    )
    for name in ranked:
        if name and name in defined:
            return name
    raise ValueError("cannot find the entry point (the solution defines no function or class)")


def _row_id(row: dict) -> str | None:
    return row.get("question_id") or row.get("conversation_id")


def row_to_problem(row: dict, split: str) -> Problem:
    """Map one KodCode row onto a :class:`Problem`."""
    test_field = "test" if "test" in row else "test_code"
    if not {"question", "solution", test_field} <= set(row) or not _row_id(row):
        raise ValueError(
            f"unknown KodCode field layout (fields: {sorted(row)}); expected question_id, "
            "question, solution and test (or test_code)"
        )
    test_code, solution = row[test_field] or "", row["solution"] or ""
    if not test_code.strip():
        raise ValueError(f"no tests (`{test_field}` is empty)")
    if not (row["question"] or "").strip():
        raise ValueError("empty question")
    check = pytest_to_check_program(test_code)
    return Problem(
        id=f"{SOURCE}/{_row_id(row)}",
        source=SOURCE,
        split=split,
        instruction=row["question"],
        tests=[AssertionTest(code=check)],
        entry_point=find_entry_point(row, solution, test_code),
        reference_solution=solution,
        difficulty=normalize_difficulty(row.get("gpt_difficulty")),
        tags=[row["subset"]] if row.get("subset") else [],
        metadata={
            "question_id": _row_id(row),
            "subset": row.get("subset"),
            "style": row.get("style"),
            "version": row.get("version"),
            "gpt_difficulty": row.get("gpt_difficulty"),
            "gpt_pass_percentage": row.get("gpt_pass_percentage"),
        },
    )


def load_kodcode(
    location: str | None = None,
    split: str = "train",
    on_error: str = "raise",
    hub_split: str | None = None,
) -> LoadResult:
    """Load KodCode from a local file or the hub (default ``KodCode/KodCode-V1``).

    ``split`` labels the problems and is the hub split unless ``hub_split`` is given
    (KodCode-V1 has "train" and "use_with_caution").
    """
    label, rows, hashes = iter_source_rows(location or HUB_NAME, hub_split=hub_split or split)
    return convert_rows(
        SOURCE,
        label,
        rows,
        lambda row: row_to_problem(row, split),
        on_error,
        hashes,
        row_id_key=_row_id,
    )
