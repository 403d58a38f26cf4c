"""Which problems an evaluation runs on, and the hash that pins them.

Generation and scoring both load the problems through :func:`load_eval_problems`, so a
samples file and its scores always refer to the same records; the dataset hash (over every
problem's :meth:`~grpo4code.data.schema.Problem.content_hash`) is stamped into the samples'
meta file and into ``run_info.json``, and resuming or scoring against changed problems is
caught.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Optional

from grpo4code.data import load_problems
from grpo4code.data.schema import Problem

# The evaluation split of each source when --split is not given ("" = no split filter).
DEFAULT_SPLITS = {"starter": "heldout", "records": ""}


@dataclass
class ProblemSelection:
    """The problems to evaluate on."""

    dataset: str = field(default="starter", metadata={
        "help": "Problem source (grpo4code.data.SOURCES): starter, humaneval, leetcode, records, mbpp, "
                "humaneval_plus, mbpp_plus, kodcode, codecontests."})
    split: str = field(default="", metadata={
        "help": "Split to load ('' = the source's evaluation split: heldout for starter, none for records, "
                "test otherwise)."})
    location: str = field(default="", metadata={
        "help": "A local file or hub dataset name ('' = the source's default: starter and humaneval ship "
                "offline; leetcode needs e.g. ../shared/data/leetcode/LeetCodeDataset-v0.3.1-test.jsonl.gz)."})
    max_problems: int = field(default=0, metadata={
        "help": "Evaluate only the first N problems (0 = all); for quick looks, not for reported numbers."})

    def resolved_split(self) -> Optional[str]:
        split = self.split or DEFAULT_SPLITS.get(self.dataset, "test")
        return split or None


@dataclass(frozen=True)
class EvalProblems:
    """Loaded problems (in load order) with what identifies them."""

    problems: list
    dataset: str
    split: Optional[str]
    location: str
    dataset_hash: str  # over every problem of the dataset, before --max_problems
    num_in_dataset: int
    skipped_rows: int

    @property
    def by_id(self) -> dict[str, Problem]:
        return {p.id: p for p in self.problems}

    def info(self) -> dict:
        """What run records say about the dataset."""
        return {"dataset": self.dataset, "split": self.split, "location": self.location,
                "dataset_hash": self.dataset_hash, "problems_in_dataset": self.num_in_dataset,
                "problems_selected": len(self.problems), "selected_hash": dataset_hash(self.problems),
                "skipped_rows": self.skipped_rows}


def dataset_hash(problems) -> str:
    """sha256 over the sorted ``id`` and content hash of each problem."""
    lines = sorted(f"{p.id}\t{p.content_hash()}\n" for p in problems)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def load_eval_problems(selection: ProblemSelection) -> EvalProblems:
    """Load the selected problems; duplicate ids (they would mix samples up) are an error."""
    result = load_problems(selection.dataset, selection.location or None, selection.resolved_split())
    problems = result.problems
    if not problems:
        raise ValueError(f"--dataset {selection.dataset} --location {selection.location!r}: no problems loaded")
    seen, duplicates = set(), set()
    for problem in problems:
        (duplicates if problem.id in seen else seen).add(problem.id)
    if duplicates:
        raise ValueError(f"{result.location}: problem ids occur more than once: {sorted(duplicates)[:10]}")
    selected = problems[: selection.max_problems] if selection.max_problems > 0 else problems
    return EvalProblems(problems=list(selected), dataset=selection.dataset, split=selection.resolved_split(),
                        location=result.location, dataset_hash=dataset_hash(problems),
                        num_in_dataset=len(problems), skipped_rows=len(result.skipped))
