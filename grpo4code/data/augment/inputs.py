"""Call inputs and expected outputs of LeetCode-style check programs: parsed and rendered.

LeetCodeDataset's tests are one ``check(candidate)`` whose assertions take three forms::

    assert candidate(nums = [2,7,11,15], target = 9) == [0,1]
    assert is_same_list(candidate(head = list_node([1,2])), list_node([2,1]))
    assert is_same_tree(candidate(root = tree_node([1,None,2])), tree_node([1,2]))

:func:`parse_check_examples` turns each into an :class:`Example` (keyword arguments, the
expected value, and how the output is compared); :func:`render_assertion` writes a new one
in the same style. Linked lists and trees travel as :class:`NodeValue` (the helper's name and
its list of values), which is exactly how the check programs build them.
"""

from __future__ import annotations

import ast
import json
import math
from dataclasses import dataclass
from typing import Any

NODE_HELPERS = ("list_node", "tree_node")
SAME_HELPERS = {"is_same_list": "list_node", "is_same_tree": "tree_node"}
OUTPUT_KINDS = ("value",) + NODE_HELPERS


class UnsupportedTests(ValueError):
    """A check program (or call input) outside the forms this module reads; says which and why."""


@dataclass(frozen=True, eq=True)
class NodeValue:
    """``list_node(values)`` or ``tree_node(values)``: a linked list or a level-order tree."""

    kind: str
    values: list

    def __post_init__(self) -> None:
        if self.kind not in NODE_HELPERS:
            raise ValueError(f"unknown node helper {self.kind!r}; expected one of {NODE_HELPERS}")


@dataclass(frozen=True)
class Example:
    """One call of the entry point and what it must return.

    ``output_kind`` is ``value`` (compared with ``==``), ``list_node`` or ``tree_node``
    (compared with ``is_same_list``/``is_same_tree``; ``expected`` is then the values list).
    """

    kwargs: dict
    expected: Any
    output_kind: str = "value"


# --- parsing -------------------------------------------------------------------------------

def parse_value(node: ast.expr) -> Any:
    """A literal, or a :class:`NodeValue` for ``list_node([...])`` / ``tree_node([...])``."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in NODE_HELPERS and len(node.args) == 1 and not node.keywords):
        values = parse_value(node.args[0])
        if not isinstance(values, list):
            raise UnsupportedTests(f"{node.func.id}() of a non-list: {ast.unparse(node)[:80]}")
        return NodeValue(node.func.id, values)
    if isinstance(node, ast.Name) and node.id == "inf":
        return math.inf
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Name) and node.operand.id == "inf"):
        return -math.inf
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise UnsupportedTests(f"not a literal: {ast.unparse(node)[:80]}") from None


def _call_kwargs(call: ast.Call, parameters: list[str] | None) -> dict:
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise UnsupportedTests("a call with *args or **kwargs")
    kwargs = {}
    if call.args:
        if parameters is None or len(call.args) > len(parameters):
            raise UnsupportedTests(
                f"{len(call.args)} positional arguments and the parameter names are unknown")
        for name, arg in zip(parameters, call.args):
            kwargs[name] = parse_value(arg)
    for keyword in call.keywords:
        if keyword.arg in kwargs:
            raise UnsupportedTests(f"argument {keyword.arg!r} given twice")
        kwargs[keyword.arg] = parse_value(keyword.value)
    return kwargs


def parse_arguments(text: str, parameters: list[str] | None = None) -> dict:
    """``"nums = [2,7,11,15], target = 9"`` -> ``{"nums": [2, 7, 11, 15], "target": 9}``.

    This is the input form of the dataset's ``input_output`` rows and of the check calls;
    positional values are named from ``parameters`` (the entry point's parameter names).
    """
    try:
        tree = ast.parse(f"f({text})", mode="eval")
    except SyntaxError as exc:
        raise UnsupportedTests(f"call input does not parse ({exc.msg}): {text[:80]!r}") from None
    return _call_kwargs(tree.body, parameters)


def _candidate_call(node: ast.expr, candidate_name: str) -> ast.Call | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == candidate_name:
        return node
    return None


def parse_assertion(test: ast.expr, candidate_name: str = "candidate",
                    parameters: list[str] | None = None) -> Example:
    """One assertion's expression (``candidate(...) == x`` or ``is_same_*(candidate(...), ...)``)."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
        call = _candidate_call(test.left, candidate_name)
        if call is not None:
            return Example(_call_kwargs(call, parameters), parse_value(test.comparators[0]))
    if (isinstance(test, ast.Call) and isinstance(test.func, ast.Name)
            and test.func.id in SAME_HELPERS and len(test.args) == 2 and not test.keywords):
        call = _candidate_call(test.args[0], candidate_name)
        expected = parse_value(test.args[1]) if call is not None else None
        kind = SAME_HELPERS[test.func.id]
        if call is not None and isinstance(expected, NodeValue) and expected.kind == kind:
            return Example(_call_kwargs(call, parameters), expected.values, kind)
    raise UnsupportedTests(f"an assertion of an unsupported form: {ast.unparse(test)[:100]}")


def parse_check_examples(code: str, parameters: list[str] | None = None) -> list[Example]:
    """Every assertion of ``check(candidate)`` as an :class:`Example`, in order.

    Raises :class:`UnsupportedTests` when ``check`` holds anything else (set-up statements,
    loops, other comparisons): such a program is kept as it is and not augmented.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise UnsupportedTests(f"the check program does not parse (line {exc.lineno})") from None
    checks = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "check"]
    if len(checks) != 1 or not checks[0].args.args:
        raise UnsupportedTests("no single `check(candidate)` function")
    candidate_name = checks[0].args.args[0].arg
    examples = []
    for statement in checks[0].body:
        if not isinstance(statement, ast.Assert):
            raise UnsupportedTests(f"check holds a {type(statement).__name__} statement, not only asserts")
        examples.append(parse_assertion(statement.test, candidate_name, parameters))
    if not examples:
        raise UnsupportedTests("check holds no assertion")
    return examples


def entry_point_parameters(source: str, entry_point: str) -> list[str]:
    """Parameter names (``self`` excluded) of ``Solution().method`` as defined in ``source``."""
    method = entry_point.strip().rsplit(".", 1)[-1]
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise UnsupportedTests(f"the reference solution does not parse (line {exc.lineno})") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Solution":
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == method:
                    names = [a.arg for a in item.args.posonlyargs + item.args.args]
                    return names[1:] if names and names[0] in ("self", "cls") else names
    raise UnsupportedTests(f"the reference defines no Solution.{method}")


# --- rendering -----------------------------------------------------------------------------

def render_value(value: Any) -> str:
    """Python source for ``value`` in the dataset's compact style (``[1,2]``, ``"ab"``, ``None``).

    Raises ``ValueError`` for what has no literal (NaN, objects); ``inf`` is written ``inf``,
    which the LeetCode preamble defines.
    """
    kind = type(value)
    if value is None or kind is bool:
        return repr(value)
    if kind is int:
        return str(value)
    if kind is float:
        if math.isnan(value):
            raise ValueError("NaN has no literal that compares equal")
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if kind is str:
        text = json.dumps(value, ensure_ascii=False)
        return text if _reads_back(text, value) else repr(value)
    if kind is list:
        return "[" + ",".join(render_value(v) for v in value) + "]"
    if kind is tuple:
        inner = ",".join(render_value(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if kind is dict:
        return "{" + ",".join(f"{render_value(k)}:{render_value(v)}" for k, v in value.items()) + "}"
    if kind is set:
        items = sorted((render_value(v) for v in value))
        return "{" + ",".join(items) + "}" if items else "set()"
    if kind is NodeValue:
        return f"{value.kind}({render_value(value.values)})"
    raise ValueError(f"no literal for a value of type {kind.__name__}")


def _reads_back(text: str, value: str) -> bool:
    try:
        return ast.literal_eval(text) == value
    except (ValueError, SyntaxError):
        return False


def render_call(kwargs: dict, candidate_name: str = "candidate") -> str:
    """``candidate(nums = [1,2], k = 3)``."""
    return f"{candidate_name}(" + ", ".join(f"{k} = {render_value(v)}" for k, v in kwargs.items()) + ")"


def render_assertion(example: Example, float_tolerance: float = 1e-5) -> str:
    """An ``assert`` statement (no indentation) checking ``example`` in the dataset's style.

    A float result is compared within ``float_tolerance`` (``abs(candidate(...) - x) <= tol``)
    since another correct algorithm may round differently; everything else with ``==`` or the
    preamble's ``is_same_list`` / ``is_same_tree``.
    """
    call = render_call(example.kwargs)
    if example.output_kind == "list_node":
        return f"assert is_same_list({call}, list_node({render_value(example.expected)}))"
    if example.output_kind == "tree_node":
        return f"assert is_same_tree({call}, tree_node({render_value(example.expected)}))"
    expected = example.expected
    if type(expected) is float and math.isfinite(expected) and float_tolerance > 0:
        return f"assert abs({call} - {render_value(expected)}) <= {float_tolerance!r}"
    return f"assert {call} == {render_value(expected)}"


def render_check_program(assertions: list[str]) -> str:
    """A ``check(candidate)`` program holding ``assertions`` (one counted test each)."""
    return "def check(candidate):\n" + "".join(f"    {line}\n" for line in assertions)
