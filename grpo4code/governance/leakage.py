"""Train/test isolation: the leakage audit and the guard that training calls.

Training refuses problems that duplicate an evaluation split's (same id, same or
near-identical statement, same reference solution), because a model trained on them would
be scored on what it memorised. ``allow_eval_overlap=True`` overrides, loudly.

Evaluation splits known without any preparation: the starter set's held-out part and
HumanEval (both ship offline). Every split prepared with role ``eval`` under the prepared
folder joins them.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from grpo4code.data.schema import Problem
from grpo4code.governance.dedup import DedupConfig, find_overlaps
from grpo4code.governance.manifest import is_prepared_split, read_prepared_split

logger = logging.getLogger(__name__)
MAX_LISTED_PAIRS = 10


class TrainTestLeakageError(RuntimeError):
    """Training data overlaps an evaluation split and no override was given."""


@dataclass
class LeakageReport:
    """Overlaps of one training split with each evaluation split."""

    train_name: str
    num_train: int
    eval_sizes: dict = field(default_factory=dict)
    overlaps: dict = field(default_factory=dict)  # eval split name -> list[DuplicatePair]

    @property
    def is_clean(self) -> bool:
        return not any(self.overlaps.values())

    def leaked_train_ids(self) -> set:
        return {pair.first for pairs in self.overlaps.values() for pair in pairs}

    def describe(self) -> str:
        if self.is_clean:
            return f"{self.train_name}: no overlap with {sorted(self.eval_sizes)}"
        lines = [f"{self.train_name}: {len(self.leaked_train_ids())} of {self.num_train} training "
                 f"problems duplicate evaluation problems"]
        for name, pairs in self.overlaps.items():
            if not pairs:
                continue
            lines.append(f"  {name}: {len(pairs)} overlapping pairs")
            lines += [f"    {p.first} ~ {p.second} ({', '.join(p.kinds)}, jaccard {p.similarity:.2f})"
                      for p in pairs[:MAX_LISTED_PAIRS]]
            if len(pairs) > MAX_LISTED_PAIRS:
                lines.append(f"    ... and {len(pairs) - MAX_LISTED_PAIRS} more")
        return "\n".join(lines)


def audit_leakage(train: list[Problem], evaluation: dict, train_name: str = "train",
                  config: DedupConfig | None = None) -> LeakageReport:
    """Compare ``train`` with every evaluation split (``{name: problems}``)."""
    report = LeakageReport(train_name, len(train))
    for name, problems in evaluation.items():
        report.eval_sizes[name] = len(problems)
        report.overlaps[name] = find_overlaps(train, problems, config)
    return report


def without_leaked(train: list[Problem], report: LeakageReport) -> list[Problem]:
    """``train`` minus every problem the report flags."""
    leaked = report.leaked_train_ids()
    return [p for p in train if p.id not in leaked]


def guard_training_problems(train: list[Problem], evaluation: dict, allow_eval_overlap: bool = False,
                            train_name: str = "train", config: DedupConfig | None = None) -> LeakageReport:
    """Raise :class:`TrainTestLeakageError` when ``train`` overlaps an evaluation split.

    With ``allow_eval_overlap`` the overlap is logged as a warning and training goes on.
    """
    report = audit_leakage(train, evaluation, train_name, config)
    if report.is_clean:
        return report
    if allow_eval_overlap:
        logger.warning("training on evaluation problems (allow_eval_overlap=True):\n%s", report.describe())
        return report
    raise TrainTestLeakageError(
        report.describe()
        + "\nThese problems belong to evaluation splits: training on them would inflate the "
        "scores measured there. Remove them (`grpo4code-data prepare ... --exclude_eval_overlap`) "
        "or, to train on them knowingly, set allow_eval_overlap (flag --allow_eval_overlap true)."
    )


def builtin_evaluation_splits() -> dict:
    """Evaluation splits available offline: the starter held-out part and HumanEval."""
    from grpo4code.data.sources.humaneval import load_humaneval
    from grpo4code.data.sources.starter import load_starter

    return {"starter/heldout": load_starter(split="heldout").problems,
            "humaneval/test": load_humaneval().problems}


def prepared_evaluation_splits(prepared_dir: str) -> dict:
    """Every split under ``prepared_dir`` whose manifest has role ``eval``."""
    splits = {}
    if not os.path.isdir(prepared_dir):
        return splits
    for name in sorted(os.listdir(prepared_dir)):
        path = os.path.join(prepared_dir, name)
        if is_prepared_split(path):
            problems, manifest = read_prepared_split(path)
            if manifest["role"] == "eval":
                splits[manifest["name"]] = problems
    return splits


def known_evaluation_splits(prepared_dir: str | None = None) -> dict:
    """Built-in evaluation splits plus the prepared ones under ``prepared_dir``."""
    splits = builtin_evaluation_splits()
    if prepared_dir:
        splits.update(prepared_evaluation_splits(prepared_dir))
    return splits
