"""HumanEval+ and MBPP+ in evalplus's released jsonl format.

Fields (evalplus/data/humaneval.py, mbpp.py): ``task_id, prompt, entry_point,
canonical_solution, base_input, plus_input, atol, contract, test`` (MBPP+ adds ``base_input``
for MBPP's own tests). ``location`` is a local file (.jsonl or .jsonl.gz) or a hub name;
by default the copy evalplus caches is used: ``<user cache>/evalplus/<Name>[-Mini|-NoExtreme]
-<version>.jsonl`` (appdirs' ``user_cache_dir("evalplus")``: ``$XDG_CACHE_HOME/evalplus``,
else ``~/.cache/evalplus``), downloaded from
``https://github.com/evalplus/<name>_release/releases/download/<version>/<Name>.jsonl.gz``.

Tests. The released ``test`` field is a loop over literal ``inputs``/``results`` lists,
inside ``def check(candidate):`` (HumanEval+) or at module level calling the function by
name (MBPP+), each case checked by ``assertion(<f>(*inp), exp, atol)``:

1. when every case's values are plain JSON (args with no tuples, sets, complex or
   non-finite floats), the cases become :class:`CallTest` s (``atol`` from the row; as in
   evalplus's ``assertion``, 1e-6 for float results when the row's atol is 0);
2. otherwise the loop is unrolled into a check program with one
   ``assert assertion(candidate(*inp), exp, atol) is None`` step per case, keeping the
   source's own literals (tuples, sets, ``inf``) exactly;
3. a ``test`` of another shape (HumanEval/32's special oracle) is used as the
   :class:`AssertionTest` it is, when its ``check`` body holds asserts.

``preamble`` is the prompt before the entry point's ``def`` (imports, helpers); the
reference is ``prompt + canonical_solution``.
"""

from __future__ import annotations

import ast
import glob
import math
import os
import re
from dataclasses import dataclass

from grpo4code.data.check_program import split_check_program
from grpo4code.data.rows import DataError, LoadResult, convert_rows, iter_source_rows
from grpo4code.data.schema import AssertionTest, CallTest, Problem
from grpo4code.data.sources.humaneval import split_prompt

FLOAT_ATOL = 1e-6  # evalplus's assertion(): the tolerance for float results when atol is 0
VARIANTS = ("", "Mini", "NoExtreme")
HUMANEVAL_INSTRUCTION = (
    "Complete the following Python function. Return the whole function (with any imports "
    "it needs) in a ```python code block.\n\n```python\n{prompt}```"
)
MBPP_INSTRUCTION = "{statement}\n\nWrite the Python function in a ```python code block."


@dataclass(frozen=True)
class Release:
    """One evalplus dataset release: its file name stem, our source name, default version."""

    name: str
    source: str
    version: str

    def file_name(self, version: str, variant: str = "") -> str:
        return f"{self.name}{'-' + variant if variant else ''}-{version}.jsonl"

    def url(self, version: str, variant: str = "") -> str:
        extra = f"-{variant}" if variant else ""
        return (
            f"https://github.com/evalplus/{self.name.lower()}_release/releases/download/"
            f"{version}/{self.name}{extra}.jsonl.gz"
        )


HUMANEVAL_PLUS = Release(name="HumanEvalPlus", source="humaneval_plus", version="v0.1.10")
MBPP_PLUS = Release(name="MbppPlus", source="mbpp_plus", version="v0.2.0")


# ---- where the file is ----------------------------------------------------------------


def evalplus_cache_dir() -> str:
    """Where evalplus caches its releases (appdirs' user_cache_dir("evalplus") on Linux)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "evalplus")


def _version_key(path: str) -> tuple:
    match = re.search(r"-v(\d+(?:\.\d+)*)\.jsonl", os.path.basename(path))
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def candidate_paths(
    release: Release, version: str | None, variant: str, cache_dir: str
) -> list[str]:
    """Files tried, in order: the version asked for (default: the release's), .jsonl then
    .jsonl.gz; with no version asked for, then any other cached version, newest first."""
    stem = os.path.join(cache_dir, release.file_name(version or release.version, variant))
    paths = [stem, stem + ".gz"]
    if version is None:
        pattern = os.path.join(cache_dir, release.file_name("v*", variant))
        others = [p for p in glob.glob(pattern) + glob.glob(pattern + ".gz") if p not in paths]
        paths += sorted(others, key=_version_key, reverse=True)
    return paths


def resolve_location(
    release: Release, version: str | None = None, variant: str = "", cache_dir: str | None = None
) -> str:
    """The first existing candidate path, or a DataError naming the paths and the URL."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, not {variant!r}")
    cache_dir = cache_dir or evalplus_cache_dir()
    paths = candidate_paths(release, version, variant, cache_dir)
    for path in paths:
        if os.path.isfile(path):
            return path
    url = release.url(version or release.version, variant)
    raise DataError(
        f"evalplus:{release.name}",
        None,
        f"no local copy found (tried {', '.join(paths[:2])}); download {url} and pass its path "
        f"as location, or run evalplus once (it caches the file in {cache_dir})",
    )


# ---- the test field -------------------------------------------------------------------


@dataclass(frozen=True)
class CaseLoop:
    """The ``for ... in enumerate(zip(inputs, results)): assertion(f(*inp), exp, atol)`` form."""

    inputs: ast.expr
    results: ast.expr
    atol: ast.expr
    module_code: str  # the test's other code (imports, is_floats, assertion)


def _assignments(body: list[ast.stmt]) -> dict[str, ast.Assign]:
    """``name = value`` statements of ``body`` by name."""
    return {
        stmt.targets[0].id: stmt
        for stmt in body
        if isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
    }


def _pair_names(loop: ast.For) -> tuple[str, str] | None:
    """(input name, result name) bound by ``for [i,] (inp, exp) in [enumerate(]zip(inputs,
    results)``; None for another loop."""
    iterable = ast.unparse(loop.iter)
    target = loop.target
    if iterable == "enumerate(zip(inputs, results))":
        if not (isinstance(target, ast.Tuple) and len(target.elts) == 2):
            return None
        target = target.elts[1]
    elif iterable != "zip(inputs, results)":
        return None
    if not (isinstance(target, ast.Tuple) and len(target.elts) == 2):
        return None
    if not all(isinstance(name, ast.Name) for name in target.elts):
        return None
    return target.elts[0].id, target.elts[1].id


def _loop_call(loop: ast.stmt, callee_names: set) -> ast.Call | None:
    """The ``assertion(f(*inp), exp, atol)`` call of a loop over the cases, or None."""
    if not isinstance(loop, ast.For) or loop.orelse:
        return None
    names = _pair_names(loop)
    if names is None or len(loop.body) != 1 or not isinstance(loop.body[0], ast.Expr):
        return None
    call = loop.body[0].value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
        return None
    if call.func.id != "assertion":
        return None
    if len(call.args) != 3 or call.keywords or not isinstance(call.args[0], ast.Call):
        return None
    inner, expected = call.args[0], call.args[1]
    if not (isinstance(inner.func, ast.Name) and inner.func.id in callee_names) or inner.keywords:
        return None
    if len(inner.args) != 1 or not isinstance(inner.args[0], ast.Starred):
        return None
    starred = inner.args[0].value
    if not (isinstance(starred, ast.Name) and isinstance(expected, ast.Name)):
        return None
    return call if (starred.id, expected.id) == names else None


def find_case_loop(test: str, entry_point: str) -> CaseLoop | None:
    """Find the inputs/results loop in ``check``'s body or at module level (None if absent).

    Nothing else may run where the loop runs: ``check``'s body is exactly ``inputs = ...``,
    ``results = ...`` and the loop; at module level the rest must be definitions or imports.
    """
    tree = ast.parse(test)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    check = next((n for n in functions if n.name == "check"), None)
    body = check.body if check else tree.body
    assignments = _assignments(body)
    if "inputs" not in assignments or "results" not in assignments:
        return None
    loops = [(stmt, _loop_call(stmt, {"candidate", entry_point})) for stmt in body]
    loops = [(stmt, call) for stmt, call in loops if call is not None]
    if len(loops) != 1:
        return None
    loop, call = loops[0]
    consumed = [loop, assignments["inputs"], assignments["results"]]
    if check:
        if len(check.body) != len(consumed):
            return None
        rest = [n for n in tree.body if n is not check]
    else:
        rest = [n for n in tree.body if all(n is not c for c in consumed)]
        definitions = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
        if not all(isinstance(n, definitions) for n in rest):
            return None
    return CaseLoop(
        inputs=assignments["inputs"].value,
        results=assignments["results"].value,
        atol=call.args[2],
        module_code="\n\n".join(ast.unparse(n) for n in rest),
    )


def _is_json(value, allow_tuples: bool) -> bool:
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list) or (allow_tuples and isinstance(value, tuple)):
        return all(_is_json(item, allow_tuples) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v, allow_tuples) for k, v in value.items())
    return False


def _to_json(value):
    """Tuples become lists (the judge compares serialised results the same way)."""
    if isinstance(value, (list, tuple)):
        return [_to_json(item) for item in value]
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    return value


def _is_floats(value) -> bool:
    """evalplus's is_floats: a float, or a non-empty sequence of floats."""
    if isinstance(value, float):
        return True
    if not isinstance(value, (list, tuple)) or not value:
        return False
    return all(isinstance(v, float) for v in value)


def call_tests(loop: CaseLoop, atol: float) -> list[CallTest] | None:
    """The cases as CallTests, or None when a value is not plain JSON (see module doc)."""
    try:
        inputs, results = ast.literal_eval(loop.inputs), ast.literal_eval(loop.results)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(inputs, (list, tuple)) or not isinstance(results, (list, tuple)):
        return None
    if len(inputs) != len(results):
        raise ValueError(f"the test has {len(inputs)} inputs but {len(results)} results")
    tests = []
    for args, expected in zip(inputs, results):
        if not isinstance(args, (list, tuple)) or not all(_is_json(a, False) for a in args):
            return None
        if not _is_json(expected, True):
            return None
        case_atol = FLOAT_ATOL if atol == 0 and _is_floats(expected) else atol
        tests.append(CallTest(args=list(args), expected=_to_json(expected), atol=float(case_atol)))
    return tests


def unrolled_check_program(loop: CaseLoop) -> str | None:
    """One ``assert assertion(candidate(*inp), exp, atol) is None`` step per case."""
    inputs, results = loop.inputs, loop.results
    sequences = (ast.List, ast.Tuple)
    if not isinstance(inputs, sequences) or not isinstance(results, sequences):
        return None
    if len(inputs.elts) != len(results.elts):
        raise ValueError(f"the test has {len(inputs.elts)} inputs but {len(results.elts)} results")
    atol = ast.unparse(loop.atol)
    steps = "".join(
        f"    assert assertion(candidate(*{ast.unparse(i)}), {ast.unparse(r)}, {atol}) is None\n"
        for i, r in zip(inputs.elts, results.elts)
    )
    return f"{loop.module_code}\n\n\ndef check(candidate):\n{steps}"


def tests_from_test_field(test: str, entry_point: str, atol: float) -> list:
    """CallTests, else an unrolled check program, else the test as it is (module doc)."""
    try:
        loop = find_case_loop(test, entry_point)
    except SyntaxError as exc:
        raise ValueError(f"the test field does not parse (line {exc.lineno}: {exc.msg})") from None
    if loop is not None:
        if isinstance(loop.inputs, (ast.List, ast.Tuple)) and not loop.inputs.elts:
            raise ValueError("no tests (the test's inputs list is empty)")
        tests = call_tests(loop, atol)
        if tests:
            return tests
        program = unrolled_check_program(loop)
        if program is not None:
            return [AssertionTest(code=program)]
    try:
        counted = len(split_check_program(test).tests)
    except ValueError as exc:
        raise ValueError(
            f"the test field is no inputs/results loop and no check program ({exc})"
        ) from None
    if counted == 0:
        raise ValueError("the test field is no inputs/results loop and its check holds no assert")
    return [AssertionTest(code=test)]


# ---- rows -----------------------------------------------------------------------------


def _docstring_text(prompt: str) -> str:
    """The text of a prompt that is one string literal (MBPP+), else the prompt itself."""
    body = ast.parse(prompt).body
    if len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        if isinstance(body[0].value.value, str):
            return body[0].value.value.strip()
    return prompt.strip()


def row_to_problem(row: dict, split: str, source: str) -> Problem:
    """Map one evalplus row (HumanEval+ or MBPP+) onto a :class:`Problem`."""
    required = ("task_id", "prompt", "entry_point", "canonical_solution", "test")
    missing = [key for key in required if key not in row]
    if missing:
        raise ValueError(
            f"unknown evalplus field layout (fields: {sorted(row)}); missing {missing}"
        )
    entry_point, prompt = row["entry_point"], row["prompt"]
    if not (row["test"] or "").strip():
        raise ValueError("no tests (the test field is empty)")
    atol = float(row.get("atol") or 0)
    tests = tests_from_test_field(row["test"], entry_point, atol)
    preamble, signature = split_prompt(prompt, entry_point) or ("", "")
    if signature:
        instruction = HUMANEVAL_INSTRUCTION.format(prompt=prompt)
        function = ast.parse(signature).body[0]
        description = ast.get_docstring(function) or signature
    else:
        description = _docstring_text(prompt)
        instruction = MBPP_INSTRUCTION.format(statement=description)
    return Problem(
        id=f"{source}/{row['task_id']}",
        source=source,
        split=split,
        instruction=instruction,
        tests=tests,
        entry_point=entry_point,
        starter_code=signature,
        reference_solution=prompt + row["canonical_solution"],
        preamble=preamble,
        description=description,
        metadata={
            "task_id": row["task_id"],
            "atol": atol,
            "num_base_inputs": len(row.get("base_input") or []),
            "num_plus_inputs": len(row.get("plus_input") or []),
            "contract": row.get("contract", ""),
            "test_form": tests[0].kind,
        },
    )


def load_evalplus(
    release: Release,
    location: str | None = None,
    split: str = "test",
    on_error: str = "raise",
    version: str | None = None,
    variant: str = "",
    cache_dir: str | None = None,
) -> LoadResult:
    """Load one evalplus release from ``location`` (a file or hub name) or evalplus's cache.

    Without ``location`` the file is looked up in ``cache_dir`` (default: evalplus's cache)
    for ``version`` (default: the release's, then any other cached one) and ``variant``
    ("", "Mini" or "NoExtreme").
    """
    location = location or resolve_location(release, version, variant, cache_dir)
    label, rows, hashes = iter_source_rows(location, hub_split=split)
    return convert_rows(
        release.source,
        label,
        rows,
        lambda row: row_to_problem(row, split, release.source),
        on_error,
        hashes,
    )


def load_humaneval_plus(
    location: str | None = None,
    split: str = "test",
    on_error: str = "raise",
    version: str | None = None,
    variant: str = "",
    cache_dir: str | None = None,
) -> LoadResult:
    """HumanEval+ (release v0.1.10 unless ``version`` is given); see :func:`load_evalplus`."""
    return load_evalplus(HUMANEVAL_PLUS, location, split, on_error, version, variant, cache_dir)


def load_mbpp_plus(
    location: str | None = None,
    split: str = "test",
    on_error: str = "raise",
    version: str | None = None,
    variant: str = "",
    cache_dir: str | None = None,
) -> LoadResult:
    """MBPP+ (release v0.2.0 unless ``version`` is given); see :func:`load_evalplus`."""
    return load_evalplus(MBPP_PLUS, location, split, on_error, version, variant, cache_dir)
