"""One problem record for every source.

A :class:`Problem` is what every loader produces, what governance deduplicates and audits,
what the judge runs and what the rewards and the scorer read. Its tests come in the three
forms the judge executes:

* :class:`StdioTest` -- feed ``input`` on stdin, compare stdout with ``output``
  (competitive-programming style: CodeContests, our starter stdin problems).
* :class:`CallTest` -- call the entry point with ``args``/``kwargs``; the return value is
  serialised in the sandbox and compared with ``expected`` in the judge's parent process.
* :class:`AssertionTest` -- a ``check(candidate)`` program of the HumanEval /
  LeetCodeDataset kind. Each assertion in ``check``'s body counts as one test (see
  :func:`grpo4code.data.check_program.split_check_program`), so a pass ratio exists.

Records serialise to plain JSON (``to_dict`` / ``Problem.from_dict``) so prepared splits are
jsonl files, and :meth:`Problem.content_hash` gives the hash that manifests and the leakage
audit use.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Union

from grpo4code.data.check_program import count_check_tests

SPLITS = ("train", "validation", "test", "heldout")
DIFFICULTIES = ("basic", "easy", "medium", "hard", "unknown")


@dataclass(frozen=True)
class StdioTest:
    """Run the program with ``input`` on stdin; its stdout must match ``output``."""

    input: str
    output: str
    kind: str = field(default="stdio", init=False)

    @property
    def num_tests(self) -> int:
        return 1


@dataclass(frozen=True)
class CallTest:
    """Call the entry point as ``entry_point(*args, **kwargs)``; the result must equal ``expected``.

    ``args``, ``kwargs`` and ``expected`` are JSON values (tuples become lists). ``atol`` is
    the absolute tolerance for floats (0 means exact).
    """

    args: list
    expected: Any
    kwargs: dict = field(default_factory=dict)
    atol: float = 0.0
    kind: str = field(default="call", init=False)

    @property
    def num_tests(self) -> int:
        return 1


@dataclass(frozen=True)
class AssertionTest:
    """A ``check(candidate)`` program; the judge calls ``check(<entry_point>)``.

    Every top-level assertion (or compound statement holding assertions) in ``check``'s
    body is one test; other statements are set-up that runs before the tests after them.
    """

    code: str
    kind: str = field(default="assertion", init=False)

    @property
    def num_tests(self) -> int:
        return count_check_tests(self.code)


TestCase = Union[StdioTest, CallTest, AssertionTest]
_TEST_TYPES = {"stdio": StdioTest, "call": CallTest, "assertion": AssertionTest}


def parse_test_case(data: dict) -> TestCase:
    """Rebuild a test case from its ``to_dict`` form; raises ``ValueError`` naming the problem."""
    kind = data.get("kind")
    if kind not in _TEST_TYPES:
        raise ValueError(f"unknown test kind {kind!r}; expected one of {sorted(_TEST_TYPES)}")
    fields = {k: v for k, v in data.items() if k != "kind"}
    try:
        return _TEST_TYPES[kind](**fields)
    except TypeError as exc:
        raise ValueError(f"bad fields for a {kind} test: {exc}") from None


@dataclass
class Problem:
    """A programming problem with its tests, in one schema for every source.

    ``preamble`` is code the judge places before the solution (LeetCodeDataset's import
    preamble with its ListNode/TreeNode helpers, HumanEval's imports and helper functions).
    ``description`` is the bare statement (no prompt template), used for deduplication;
    ``instruction`` is exactly what the model is shown.
    """

    id: str
    source: str
    split: str
    instruction: str
    tests: list
    entry_point: str = ""
    starter_code: str = ""
    reference_solution: str = ""
    preamble: str = ""
    description: str = ""
    difficulty: str = "unknown"
    tags: list = field(default_factory=list)
    release_date: str = ""
    metadata: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a problem needs a non-empty id")
        if self.split not in SPLITS:
            raise ValueError(f"problem {self.id}: split {self.split!r} is not one of {SPLITS}")
        if self.difficulty not in DIFFICULTIES:
            raise ValueError(
                f"problem {self.id}: difficulty {self.difficulty!r} is not one of {DIFFICULTIES}"
            )
        if not self.tests:
            raise ValueError(f"problem {self.id}: it has no tests")
        if not self.instruction.strip():
            raise ValueError(f"problem {self.id}: the instruction is empty")
        needs_entry_point = any(not isinstance(t, StdioTest) for t in self.tests)
        if needs_entry_point and not self.entry_point:
            raise ValueError(f"problem {self.id}: call/assertion tests need an entry_point")
        if self.num_tests == 0:
            raise ValueError(f"problem {self.id}: its check program holds no assertion")
        if not self.description:
            self.description = self.instruction

    @property
    def num_tests(self) -> int:
        """Tests as the judge counts them (each assertion of a check program is one)."""
        return sum(t.num_tests for t in self.tests)

    @property
    def test_kinds(self) -> list[str]:
        return sorted({t.kind for t in self.tests})

    def to_dict(self) -> dict:
        data = asdict(self)
        data["tests"] = [asdict(t) for t in self.tests]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Problem":
        """Inverse of :meth:`to_dict`; raises ``ValueError`` on missing or unknown fields."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown problem fields {unknown}")
        missing = [k for k in ("id", "source", "split", "instruction", "tests") if k not in data]
        if missing:
            raise ValueError(f"missing problem fields {missing}")
        fields = dict(data)
        fields["tests"] = [parse_test_case(t) for t in data["tests"]]
        return cls(**fields)

    def content_hash(self) -> str:
        """sha256 of what defines the problem (statement, code, tests), not of its labels.

        ``split`` and ``metadata`` are excluded so the same problem hashes the same in every
        split it lands in, which is what the leakage audit compares.
        """
        core = {
            "instruction": self.instruction,
            "entry_point": self.entry_point,
            "starter_code": self.starter_code,
            "reference_solution": self.reference_solution,
            "preamble": self.preamble,
            "tests": [asdict(t) for t in self.tests],
        }
        blob = json.dumps(core, sort_keys=True, ensure_ascii=False, default=repr)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def normalize_difficulty(value: Any) -> str:
    """Map a source's difficulty label ("Easy", "EASY", "medium", ...) onto DIFFICULTIES."""
    text = str(value or "").strip().lower()
    return text if text in DIFFICULTIES else "unknown"
