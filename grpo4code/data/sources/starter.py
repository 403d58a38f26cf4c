"""Our own starter problems, shipped in the package (grpo4code/data/starter/*.jsonl).

The default training run uses the ``train`` part and evaluates on the ``heldout`` part; both
are built by ``python -m grpo4code.data.starter.build`` from ``catalog.py``.
"""

from __future__ import annotations

import os

from grpo4code.data.rows import LoadResult
from grpo4code.data.sources.records import load_records

SOURCE = "starter"
STARTER_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "starter")
PARTS = ("train", "heldout")


def starter_path(part: str) -> str:
    if part not in PARTS:
        raise ValueError(f"the starter set has parts {PARTS}, not {part!r}")
    return os.path.join(STARTER_DIR, f"{part}.jsonl")


def load_starter(location: str | None = None, split: str = "train", on_error: str = "raise") -> LoadResult:
    """Load a part of the starter set (``split`` is "train" or "heldout")."""
    result = load_records(location or starter_path(split), on_error=on_error)
    result.source = SOURCE
    return result
