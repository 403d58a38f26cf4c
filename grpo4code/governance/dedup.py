"""Exact and near-duplicate problems, within one split or between two.

Signals, each reported by name on a :class:`DuplicatePair`:

* ``same_id`` -- the same problem id.
* ``same_statement`` -- equal statements after :func:`normalize_text`.
* ``near_statement`` -- Jaccard similarity of word 5-gram shingles of the statements at or
  above ``threshold`` (candidates from MinHash LSH, verdict from the exact Jaccard).
* ``same_solution`` -- equal reference solutions after :func:`normalize_code`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from grpo4code.data.schema import Problem
from grpo4code.governance.minhash import MinHasher, lsh_candidate_pairs
from grpo4code.governance.normalize import jaccard, normalize_code, normalize_text, word_shingles

DUPLICATE_KINDS = ("same_id", "same_statement", "near_statement", "same_solution")


@dataclass
class DedupConfig:
    """Settings of duplicate detection."""

    threshold: float = field(default=0.8, metadata={"help": "Jaccard similarity of statement shingles at or above which two problems are near-duplicates."})
    shingle_size: int = field(default=5, metadata={"help": "Words per shingle."})
    num_perm: int = field(default=128, metadata={"help": "MinHash permutations."})
    bands: int = field(default=32, metadata={"help": "LSH bands (must divide num_perm); more bands find lower similarities."})
    seed: int = field(default=0, metadata={"help": "Seed of the MinHash permutations."})

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.num_perm % self.bands:
            raise ValueError(f"bands ({self.bands}) must divide num_perm ({self.num_perm})")


@dataclass(frozen=True)
class DuplicatePair:
    """Two problems flagged as duplicates, with every signal that fired."""

    first: str
    second: str
    kinds: tuple
    similarity: float

    def to_dict(self) -> dict:
        return {"first": self.first, "second": self.second, "kinds": list(self.kinds),
                "similarity": round(self.similarity, 4)}


def _exact_groups(keys: list[str]) -> list[tuple[int, int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        if key:
            groups[key].append(index)
    return [pair for members in groups.values() for pair in combinations(members, 2)]


def _flagged_index_pairs(problems: list[Problem], config: DedupConfig) -> dict:
    """``{(i, j): (kinds, similarity)}`` for every flagged pair, ``i < j`` in input order."""
    shingles = [word_shingles(p.description, config.shingle_size) for p in problems]
    kinds: dict[tuple[int, int], set[str]] = defaultdict(set)
    for kind, keys in (
        ("same_id", [p.id for p in problems]),
        ("same_statement", [normalize_text(p.description) for p in problems]),
        ("same_solution", [normalize_code(p.reference_solution) if p.reference_solution.strip() else ""
                           for p in problems]),
    ):
        for pair in _exact_groups(keys):
            kinds[pair].add(kind)
    hasher = MinHasher(config.num_perm, config.seed)
    candidates = lsh_candidate_pairs([hasher.signature(s) for s in shingles], config.bands)
    flagged = {}
    for pair in candidates | set(kinds):
        similarity = jaccard(shingles[pair[0]], shingles[pair[1]])
        if pair in candidates and similarity >= config.threshold:
            kinds[pair].add("near_statement")
        if kinds.get(pair):
            flagged[pair] = (tuple(k for k in DUPLICATE_KINDS if k in kinds[pair]), similarity)
    return flagged


def find_duplicates(problems: list[Problem], config: DedupConfig | None = None) -> list[DuplicatePair]:
    """Duplicate pairs within one collection of problems."""
    flagged = _flagged_index_pairs(problems, config or DedupConfig())
    return [DuplicatePair(problems[i].id, problems[j].id, kinds, similarity)
            for (i, j), (kinds, similarity) in sorted(flagged.items())]


def find_overlaps(train: list[Problem], evaluation: list[Problem],
                  config: DedupConfig | None = None) -> list[DuplicatePair]:
    """Pairs (train problem, evaluation problem) that duplicate each other.

    Runs the same detection on the union and keeps only pairs that cross the boundary.
    """
    combined = list(train) + list(evaluation)
    boundary = len(train)
    flagged = _flagged_index_pairs(combined, config or DedupConfig())
    return [DuplicatePair(combined[i].id, combined[j].id, kinds, similarity)
            for (i, j), (kinds, similarity) in sorted(flagged.items())
            if i < boundary <= j]
