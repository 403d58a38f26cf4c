"""Our own format: jsonl of ``Problem.to_dict()`` rows (the starter set, prepared splits)."""

from __future__ import annotations

from grpo4code.data.rows import LoadResult, convert_rows, iter_source_rows
from grpo4code.data.schema import Problem

SOURCE = "records"


def load_records(location: str, split: str | None = None, on_error: str = "raise") -> LoadResult:
    """Load problem records; ``split``, when given, must match every record's split."""

    def convert(row: dict) -> Problem:
        problem = Problem.from_dict(row)
        if split is not None and problem.split != split:
            raise ValueError(f"record is in split {problem.split!r}, expected {split!r}")
        return problem

    label, rows, hashes = iter_source_rows(location)
    return convert_rows(SOURCE, label, rows, convert, on_error, hashes, row_id_key="id")
