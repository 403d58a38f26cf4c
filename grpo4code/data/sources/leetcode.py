"""LeetCodeDataset (newfacade/LeetCodeDataset): a hub name or a local .jsonl/.jsonl.gz.

Two field layouts exist (see the dataset README):

* v0.3.x: flat -- ``task_id, question_id, difficulty, tags, problem_description,
  starter_code, estimated_date, prompt, completion, entry_point, test, input_output, query``.
* v0.2.0: ``task_id, prompt, completion, entry_point, test, query, input_output`` and
  ``meta{question_id, difficulty, question_title, lang_code[, tags, estimated_date]}``.

Mapping: ``prompt`` (the import preamble with ListNode/TreeNode helpers) -> ``preamble``,
``query`` -> ``instruction``, ``completion`` -> ``reference_solution``, ``test`` (a
``check(candidate)`` program, one test per assertion) -> one :class:`AssertionTest`.
The dataset judges ``prompt + solution + test + check(entry_point)``; the judge does the same.
"""

from __future__ import annotations

import os

from grpo4code.data.rows import DataError, LoadResult, convert_rows, iter_source_rows
from grpo4code.data.schema import AssertionTest, Problem, normalize_difficulty

HUB_NAME = "newfacade/LeetCodeDataset"
SOURCE = "leetcode"
_V03_FIELDS = {"problem_description", "starter_code", "difficulty"}
_REQUIRED = ("task_id", "prompt", "completion", "entry_point", "test", "query")


def detect_layout(row: dict) -> str:
    """Return "v0.2" or "v0.3"; raise ``ValueError`` naming the fields of an unknown layout."""
    if isinstance(row.get("meta"), dict):
        return "v0.2"
    if _V03_FIELDS <= set(row):
        return "v0.3"
    raise ValueError(
        f"unknown LeetCodeDataset field layout (fields: {sorted(row)}); expected v0.2 "
        f"(with `meta`) or v0.3 (with {sorted(_V03_FIELDS)})"
    )


def row_to_problem(row: dict, split: str) -> Problem:
    """Map one LeetCodeDataset row (either layout) onto a :class:`Problem`."""
    layout = detect_layout(row)
    missing = [key for key in _REQUIRED if not row.get(key)]
    if missing:
        raise ValueError(f"empty or missing fields {missing}")
    if layout == "v0.2":
        meta = row["meta"]
        details = {
            "question_id": meta.get("question_id"),
            "difficulty": meta.get("difficulty"),
            "description": meta.get("question_title", ""),
            "starter_code": meta.get("lang_code", ""),
            "tags": meta.get("tags") or [],
            "release_date": meta.get("estimated_date") or "",
        }
    else:
        details = {
            "question_id": row.get("question_id"),
            "difficulty": row.get("difficulty"),
            "description": row.get("problem_description", ""),
            "starter_code": row.get("starter_code", ""),
            "tags": row.get("tags") or [],
            "release_date": row.get("estimated_date") or "",
        }
    try:
        tests = [AssertionTest(code=row["test"])]
        if tests[0].num_tests == 0:
            raise ValueError("its check program holds no assertion")
    except ValueError as exc:
        raise ValueError(f"bad `test` field: {exc}") from None
    return Problem(
        id=f"{SOURCE}/{row['task_id']}",
        source=SOURCE,
        split=split,
        instruction=row["query"],
        tests=tests,
        entry_point=row["entry_point"],
        starter_code=details["starter_code"].strip("\n"),
        reference_solution=row["completion"],
        preamble=row["prompt"],
        description=details["description"],
        difficulty=normalize_difficulty(details["difficulty"]),
        tags=list(details["tags"]),
        release_date=str(details["release_date"]),
        metadata={
            "question_id": details["question_id"],
            "layout": layout,
            "input_output": row.get("input_output") or [],
        },
    )


def infer_split(location: str) -> str:
    """``train`` or ``test`` from a file name such as LeetCodeDataset-v0.3.1-test.jsonl.gz."""
    name = os.path.basename(location).lower()
    for split in ("train", "test"):
        if split in name:
            return split
    raise DataError(location, None, "cannot tell the split from the file name; pass split=")


def load_leetcode(
    location: str = HUB_NAME, split: str | None = None, on_error: str = "raise"
) -> LoadResult:
    """Load LeetCodeDataset from a local file or the hub (``split`` is the hub split too)."""
    split = split or infer_split(location)
    label, rows, hashes = iter_source_rows(location, hub_split=split)
    return convert_rows(
        SOURCE, label, rows, lambda row: row_to_problem(row, split), on_error, hashes
    )
