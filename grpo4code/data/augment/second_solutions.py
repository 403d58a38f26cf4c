"""Independent solutions that cross-check the reference: LeetCodeDataset's ``response`` field.

Each LeetCodeDataset row also carries a model-written answer (``response``, markdown with a
code block) that passes the row's tests but was written apart from the reference
(``completion``). Where the two disagree on a generated input, the input probably breaks a
precondition of the statement, or the answer is not unique, so that input is not used.
"""

from __future__ import annotations

from grpo4code.data.rows import DataError, iter_source_rows
from grpo4code.rewards.extraction import extract_code


def load_second_solutions(location: str, split: str = "train") -> dict[str, str]:
    """``{problem id: code}`` from a LeetCodeDataset file (or hub name) with a ``response`` field.

    Rows without a response, or whose response holds no code, are left out; a row without a
    ``task_id`` is a :class:`DataError` naming the file and the row.
    """
    label, rows, _ = iter_source_rows(location, hub_split=split)
    solutions = {}
    for number, row in rows:
        if not isinstance(row, dict) or not row.get("task_id"):
            raise DataError(label, number, "a LeetCodeDataset row needs a `task_id`")
        code = extract_code(row.get("response") or "")
        if code and code.strip():
            solutions[f"leetcode/{row['task_id']}"] = code
    return solutions
