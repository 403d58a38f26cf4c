"""More tests per problem, from the problem's own reference solution (issue 4).

LeetCodeDataset ships about two assertions per problem, which a constant answer often
passes. This package draws new inputs around the examples -- typed like them, within the
statement's constraints, some near its size limits -- computes their expected outputs by
running the reference solution in the judge, and appends them as assertions in the
dataset's own style. See :mod:`.augment` for the steps and ``python -m
grpo4code.data.augment --help`` for the command line.

Modules, one idea each: :mod:`.inputs` (parse and render calls and assertions),
:mod:`.constraints` (the statement's bounds), :mod:`.specs` (what each parameter looks like),
:mod:`.mutate` (drawing inputs), :mod:`.expected` (the reference in the judge),
:mod:`.trivial` (programs that show how weak tests are), :mod:`.augment` (the steps),
:mod:`.report` (the summary), :mod:`.config` (settings).
"""

from grpo4code.data.augment.augment import (SKIP_REASONS, AugmentResult, ProblemOutcome, augment_problem,
                                            augment_problems)
from grpo4code.data.augment.config import AugmentConfig
from grpo4code.data.augment.inputs import (Example, NodeValue, UnsupportedTests, parse_arguments,
                                           parse_check_examples, render_assertion)
from grpo4code.data.augment.trivial import TRIVIAL_KINDS, trivial_solutions

__all__ = [
    "AugmentConfig", "AugmentResult", "Example", "NodeValue", "ProblemOutcome", "SKIP_REASONS",
    "TRIVIAL_KINDS", "UnsupportedTests", "augment_problem", "augment_problems", "parse_arguments",
    "parse_check_examples", "render_assertion", "trivial_solutions",
]
