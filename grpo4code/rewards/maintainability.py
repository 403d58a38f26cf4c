"""Maintainability: radon's maintainability index without its comment term, and the largest
cyclomatic complexity against the reference solution's.

Both parts are measured on the *stripped* program (:func:`strip_commentary`): parsed,
every statement that is only a string literal (docstrings, strings used as comments)
removed (an emptied body gets ``pass``), and unparsed -- comments vanish with the parse.
So adding or removing comments and docstrings, or reformatting, never changes the score;
the comments dimension (:mod:`grpo4code.rewards.comments`) is the one that judges them.

* ``mi`` (:func:`maintainability_index`) -- radon's MI from its own pieces
  (:func:`radon.metrics.mi_parameters` on the stripped program, then
  :func:`radon.metrics.mi_compute` with ``comments=0``): Halstead volume, total cyclomatic
  complexity and logical lines, already scaled by radon to [0, 100]; the part is MI / 100.
* ``cc`` (:func:`complexity_score`) -- the largest cyclomatic complexity of one block of the
  solution (a function, a method, a closure, or the module-level code), from
  :func:`radon.complexity.cc_visit`, against the reference's: 1.0 when it is at most the
  reference's, halving with every ``cc_halving`` decisions beyond it
  (``2 ** (-(cc - ref) / cc_halving)``).

``score = mi_weight * mi + (1 - mi_weight) * cc`` (0.5/0.5 by default). Without a reference
solution (or one that does not parse) the score is the MI part alone. Code that does not
parse scores 0. Gated like every style reward: 0 for a completion that fails a test.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
from typing import Optional

from radon.complexity import cc_visit
from radon.metrics import mi_compute, mi_parameters
from radon.visitors import ComplexityVisitor

from grpo4code.rewards.base import GatedReward


@dataclass(frozen=True)
class MaintainabilityConfig:
    """How the maintainability parts combine (see the module docstring)."""

    mi_weight: float = field(default=0.5, metadata={
        "help": "Weight of the maintainability index (MI/100) in the score; the rest goes to the "
                "cyclomatic complexity against the reference. Without a reference only MI counts."})
    cc_halving: float = field(default=4.0, metadata={
        "help": "Decisions beyond the reference's largest cyclomatic complexity that halve the "
                "complexity part."})

    def __post_init__(self) -> None:
        if not 0.0 <= self.mi_weight <= 1.0:
            raise ValueError("MaintainabilityConfig.mi_weight must lie in [0, 1]")
        if self.cc_halving <= 0:
            raise ValueError("MaintainabilityConfig.cc_halving must be > 0")


class _StripStrings(ast.NodeTransformer):
    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        for name in ("body", "orelse", "finalbody"):
            statements = getattr(node, name, None)
            if not isinstance(statements, list) or not statements or not isinstance(statements[0], ast.stmt):
                continue
            kept = [s for s in statements if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                                  and isinstance(s.value.value, str))]
            if not kept and (name == "body" or isinstance(node, ast.Try) and name == "finalbody"):
                kept = [ast.Pass()]
            setattr(node, name, kept)
        return node


@functools.lru_cache(maxsize=4096)
def strip_commentary(code: str) -> Optional[str]:
    """``code`` without comments and string statements, canonically formatted; ``None`` if it
    does not parse."""
    try:
        tree = ast.parse(code)
        return ast.unparse(ast.fix_missing_locations(_StripStrings().visit(tree)))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def maintainability_index(code: str) -> Optional[float]:
    """radon's MI in [0, 100] with the comment term left out, on the stripped program."""
    stripped = strip_commentary(code)
    if stripped is None:
        return None
    try:
        volume, complexity, logical_lines, _comments = mi_parameters(stripped, count_multi=False)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return float(mi_compute(volume, complexity, logical_lines, 0))


def _blocks(blocks) -> list:
    found = []
    for block in blocks:
        found.append(block)
        found += _blocks(getattr(block, "methods", []) + getattr(block, "inner_classes", [])
                         + getattr(block, "closures", []))
    return found


@functools.lru_cache(maxsize=4096)
def largest_complexity(code: str) -> Optional[int]:
    """The largest cyclomatic complexity of a function, method, closure or the module-level
    code of ``code``; ``None`` if it does not parse."""
    stripped = strip_commentary(code)
    if stripped is None:
        return None
    try:
        functions = [b for b in _blocks(cc_visit(stripped)) if not hasattr(b, "methods")]
        module_level = ComplexityVisitor.from_code(stripped).complexity
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return max([module_level] + [f.complexity for f in functions])


def complexity_score(complexity: float, reference_complexity: float, halving: float = 4.0) -> float:
    """1.0 at or below the reference's complexity, halving every ``halving`` decisions above it."""
    if halving <= 0:
        raise ValueError("halving must be > 0")
    return float(2.0 ** (-max(0.0, complexity - reference_complexity) / halving))


def maintainability_score(code: str, reference: Optional[str] = None,
                          config: MaintainabilityConfig | None = None) -> float:
    """The maintainability score of ``code`` in [0, 1] (see the module docstring)."""
    config = config or MaintainabilityConfig()
    index = maintainability_index(code) if isinstance(code, str) else None
    if index is None:
        return 0.0
    mi_part = min(1.0, max(0.0, index / 100.0))
    reference_cc = largest_complexity(reference) if reference and reference.strip() else None
    if reference_cc is None:
        return mi_part
    cc_part = complexity_score(largest_complexity(code), reference_cc, config.cc_halving)
    return min(1.0, max(0.0, config.mi_weight * mi_part + (1 - config.mi_weight) * cc_part))


class MaintainabilityReward(GatedReward):
    """Maintainability of an accepted completion (comments and docstrings do not count)."""

    name = "maintainability"

    def __init__(self, config: MaintainabilityConfig | None = None, **judge):
        self.config = config or MaintainabilityConfig()
        super().__init__(**judge)

    async def score_accepted(self, codes, specs, results):
        return [maintainability_score(code, spec.reference_solution or None, self.config)
                for code, spec in zip(codes, specs)]
