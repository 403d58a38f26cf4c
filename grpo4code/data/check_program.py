"""Split a ``check(candidate)`` program into individually counted tests.

HumanEval and LeetCodeDataset ship their tests as one function::

    def check(candidate):
        import math                      # set-up
        assert candidate(1) == 2         # test 1
        for x in range(3):               # test 2 (a compound statement holding asserts)
            assert candidate(x) >= 0

The rule, used by the loaders to count tests and by the judge to run them one by one:
each top-level statement of ``check``'s body that is, or contains, an ``assert`` is one
test; every other statement is set-up, run in order before the tests that follow it.
Code outside ``check`` (imports, helper functions, ``METADATA``) is kept as module code.
"""

from __future__ import annotations

import ast
import functools
import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class CheckStep:
    """One statement of ``check``'s body; ``is_test`` marks the ones that count as tests."""

    code: str
    is_test: bool


@dataclass(frozen=True)
class CheckProgram:
    """A parsed check program: module code, the candidate's parameter name and the steps."""

    module_code: str
    candidate_name: str
    steps: tuple

    @property
    def tests(self) -> list[CheckStep]:
        return [step for step in self.steps if step.is_test]


def _contains_assert(node: ast.AST) -> bool:
    return any(isinstance(child, ast.Assert) for child in ast.walk(node))


def _find_check(tree: ast.Module, function_name: str) -> ast.FunctionDef:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function_name:
            return node
    raise ValueError(f"the test code defines no function `{function_name}(candidate)`")


def _segment(lines: list[bytes], node: ast.AST) -> str:
    """The statement's source, dedented (``ast.get_source_segment`` re-splits the whole source
    on every call; column offsets are UTF-8 byte offsets)."""
    first, last = node.lineno - 1, node.end_lineno - 1
    if first == last:
        text = lines[first][node.col_offset:node.end_col_offset]
    else:
        text = (lines[first][node.col_offset:] + b"".join(lines[first + 1:last])
                + lines[last][:node.end_col_offset])
    source = textwrap.dedent(" " * node.col_offset + text.decode("utf-8"))
    if source[:1].isspace():  # a string literal's lines kept dedent from working
        source = "if 1:\n" + " " * node.col_offset + text.decode("utf-8")
    return source



@functools.lru_cache(maxsize=4096)
def split_check_program(code: str, function_name: str = "check") -> CheckProgram:
    """Parse ``code`` and return its module code and the steps of ``function_name``'s body.

    Steps are the statements' own source (exact even for ``a = 1; assert f(a)`` on one
    line); cached, since the judge splits the same LeetCode checks over and over.
    Raises ``ValueError`` naming the problem when the code does not parse, has no such
    function, or the function takes no parameter.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise ValueError(f"the test code does not parse (line {exc.lineno}: {exc.msg})") from None
    check = _find_check(tree, function_name)
    params = check.args.posonlyargs + check.args.args
    if not params:
        raise ValueError(f"`{function_name}` takes no parameter for the candidate")
    lines = code.encode("utf-8").splitlines(keepends=True)
    module_code = "\n".join(_segment(lines, node) for node in tree.body if node is not check)
    steps = tuple(
        CheckStep(code=_segment(lines, stmt), is_test=_contains_assert(stmt)) for stmt in check.body
    )
    return CheckProgram(module_code=module_code, candidate_name=params[0].arg, steps=steps)


def count_check_tests(code: str, function_name: str = "check") -> int:
    """How many tests ``split_check_program(code)`` yields."""
    return len(split_check_program(code, function_name).tests)
