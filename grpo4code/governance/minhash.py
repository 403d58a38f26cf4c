"""MinHash signatures and LSH banding: candidate near-duplicate pairs without all-pairs work.

A signature holds, for each of ``num_perm`` hash functions ``h_i(x) = mix64(x XOR seed_i)``
(``mix64`` is the splitmix64 finaliser, a strong 64-bit mixer), the minimum over a
document's shingles. (A linear family ``a x + b mod p`` over small ``x`` is nearly
monotonic in ``x``, so its minima correlate across permutations: we measured agreement far
below the Jaccard similarity with it.) Two documents agree on a signature row with
probability equal to their Jaccard similarity. Banding (``bands`` x ``rows`` = ``num_perm``)
makes documents that agree on a whole band candidates; candidates are then verified with
the exact Jaccard similarity, so LSH only decides what is compared, never the verdict.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from itertools import combinations

import numpy as np

_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


def _shingle_hashes(shingles: frozenset) -> np.ndarray:
    """64-bit hashes of the shingles, stable across runs (no PYTHONHASHSEED dependence)."""
    return np.array(
        [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little") for s in shingles],
        dtype=np.uint64,
    )


def _mix64(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser; uint64 multiplication wraps modulo 2**64 as intended."""
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * _MIX_1
        z = (z ^ (z >> np.uint64(27))) * _MIX_2
        return z ^ (z >> np.uint64(31))


class MinHasher:
    """Deterministic MinHash with ``num_perm`` permutations drawn from ``seed``."""

    def __init__(self, num_perm: int = 128, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.seeds = rng.integers(0, np.iinfo(np.uint64).max, size=num_perm, dtype=np.uint64, endpoint=True)
        self.num_perm = num_perm

    def signature(self, shingles: frozenset) -> np.ndarray:
        """``[num_perm]`` uint64 minimum hash values (all max for an empty set)."""
        if not shingles:
            return np.full(self.num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
        hashed = _shingle_hashes(shingles)  # [num_shingles]
        values = _mix64(hashed[:, None] ^ self.seeds[None, :])  # [num_shingles, num_perm]
        return values.min(axis=0)


def lsh_candidate_pairs(signatures: list[np.ndarray], bands: int) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, whose signatures agree on at least one band."""
    if not signatures:
        return set()
    num_perm = len(signatures[0])
    if num_perm % bands:
        raise ValueError(f"bands={bands} must divide num_perm={num_perm}")
    rows = num_perm // bands
    pairs: set[tuple[int, int]] = set()
    for band in range(bands):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        for index, signature in enumerate(signatures):
            buckets[signature[band * rows : (band + 1) * rows].tobytes()].append(index)
        for members in buckets.values():
            pairs.update(combinations(members, 2))
    return pairs
