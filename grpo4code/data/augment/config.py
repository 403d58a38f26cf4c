"""Settings of test augmentation: one dataclass, TRL style (every field has its help text)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

NOT_UNIQUE_PATTERNS = [
    r"\b(?:return|output)\b[^.]{0,60}\bin any order\b",
    r"\b(?:return|output|choose)\b[^.]{0,40}\bany (?:one )?of them\b",
    r"\breturn any (?:valid|possible|such|one)\b",
    r"\bany valid (?:answer|array|string|solution|permutation|sequence|\w+ code)",
    r"\b(?:multiple|several|many|more than one)\b[^.]{0,40}\b(?:answers|solutions|results|strings|"
    r"permutations|arrays)\b[^.]{0,40}\bany\b",
    r"\banswer is not unique\b",
]


@dataclass
class AugmentConfig:
    """How new tests are generated from a problem's examples and its reference solution."""

    seed: int = field(default=0, metadata={"help": "Seed of the input generator; with the same seed and "
                      "data the same tests come out (per problem: seeded by seed and problem id)."})
    max_new_tests: int = field(default=16, metadata={"help": "Most tests added to one problem."})
    num_large_tests: int = field(default=2, metadata={"help": "How many of the new tests use inputs near "
                                 "the statement's size limits (for the efficiency reward); 0 for none."})
    oversample: float = field(default=2.0, metadata={"help": "Inputs generated per test kept (some are "
                              "dropped: the reference raises, times out, or the second solution disagrees)."})
    mutation_share: float = field(default=0.3, metadata={"help": "Share of the inputs that are small edits "
                                  "of an example's input; the rest are drawn from scratch."})
    medium_length: int = field(default=20, metadata={"help": "Longest list or string (per dimension) of an "
                               "ordinary new input."})
    large_elements: int = field(default=1000, metadata={"help": "Scalar elements of a large input, all "
                                "parameters together (lengths still respect the statement's bounds)."})
    max_test_chars: int = field(default=8000, metadata={"help": "Longest new assertion, in characters; "
                                "longer ones are dropped (keeps prepared files and judge runs small)."})
    call_time_limit_s: float = field(default=0.5, metadata={"help": "CPU seconds the reference may take on "
                                     "one new input; slower inputs are dropped."})
    max_reference_cpu_s: float = field(default=1.0, metadata={"help": "CPU seconds the reference may take on "
                                       "all new tests of one problem together (the judge's time limit "
                                       "counts every test of a job)."})
    float_tolerance: float = field(default=1e-5, metadata={"help": "Float results are asserted within this "
                                   "absolute tolerance (abs(candidate(...) - x) <= tol)."})
    cross_check: bool = field(default=True, metadata={"help": "Where a second, independent solution is "
                              "known (LeetCodeDataset's `response`), keep only inputs on which it agrees "
                              "with the reference."})
    max_disagreement: float = field(default=0.2, metadata={"help": "When the second solution disagrees with "
                                    "the reference on more than this share of the inputs, the answer is "
                                    "taken as not unique and the problem is not augmented."})
    not_unique_patterns: list[str] = field(default_factory=lambda: list(NOT_UNIQUE_PATTERNS), metadata={
        "help": "Regular expressions (case-insensitive) on the statement that mark an answer that is not "
        "unique (\"return any of them\", \"in any order\"); such problems are not augmented."})
    balance_outputs: bool = field(default=True, metadata={"help": "When one output dominates the new inputs "
                                  "(random inputs of a yes/no problem are mostly 'no'), draw a second round of "
                                  "edits of the examples with other outputs."})
    max_output_share: float = field(default=0.75, metadata={"help": "At most this share of the new tests may "
                                    "expect the same output (at least 2 may), so a constant answer earns little "
                                    "partial credit; 1 disables the cap."})
    judge_workers: int = field(default=2, metadata={"help": "Warm workers of the embedded judge."})
    measure_trivial: bool = field(default=True, metadata={"help": "Also judge trivial programs (constant "
                                  "answers, replayed example outputs) before and after, for the report."})

    def __post_init__(self) -> None:
        if self.max_new_tests < 0:
            raise ValueError("max_new_tests must be >= 0")
        if not 0 <= self.num_large_tests <= self.max_new_tests:
            raise ValueError("num_large_tests must be between 0 and max_new_tests")
        if self.oversample < 1:
            raise ValueError("oversample must be >= 1 (inputs generated per test kept)")
        if not 0 <= self.mutation_share <= 1:
            raise ValueError("mutation_share must be in [0, 1]")
        if self.medium_length < 1 or self.large_elements < 1 or self.max_test_chars < 100:
            raise ValueError("medium_length and large_elements must be >= 1, max_test_chars >= 100")
        if self.call_time_limit_s <= 0 or self.max_reference_cpu_s <= 0:
            raise ValueError("call_time_limit_s and max_reference_cpu_s must be > 0")
        if self.float_tolerance < 0:
            raise ValueError("float_tolerance must be >= 0")
        if not 0 < self.max_output_share <= 1:
            raise ValueError("max_output_share must be in (0, 1]")
        if not 0 <= self.max_disagreement <= 1:
            raise ValueError("max_disagreement must be in [0, 1]")
        if self.judge_workers < 1:
            raise ValueError("judge_workers must be >= 1")

    def to_dict(self) -> dict:
        return asdict(self)
