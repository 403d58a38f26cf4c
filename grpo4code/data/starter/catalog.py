"""The authoring kit for the starter problems: the spec types the catalogs are written in.

A :class:`Spec` is one problem as its author writes it: a statement, the entry point's
signature, a reference solution and the test inputs. The problems themselves live in
:mod:`~grpo4code.data.starter.catalog_train` and :mod:`~grpo4code.data.starter.catalog_heldout`
(easy and medium), and in :mod:`~grpo4code.data.starter.catalog_train_basic` and
:mod:`~grpo4code.data.starter.catalog_heldout_basic` (the basic tier: one- to five-line tasks
a 135M model can sometimes solve); :mod:`~grpo4code.data.starter.build` turns them into
verified :class:`Problem` records.

A test's expected value is either written by hand (``expect=...``) or left out, in which
case the build computes it by running the reference solution. Hand-written values are
checked against the reference at build time, which is what catches a wrong reference, so
every call/stdio problem carries at least :data:`MIN_HAND_CHECKED` of them. Assertion
problems are hand-checked by construction: every assert is written by hand.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass
from typing import Any

MIN_HAND_CHECKED = 3
MIN_TESTS = 6
STARTER_DIFFICULTIES = ("basic", "easy", "medium")


class _Computed:
    """Sentinel: the expected value is computed by running the reference solution."""

    def __repr__(self) -> str:
        return "COMPUTED"


COMPUTED: Any = _Computed()


@dataclass(frozen=True)
class Call:
    """A function-call case: ``entry_point(*args)`` must return ``expected``."""

    args: tuple
    expected: Any = COMPUTED

    @property
    def hand_checked(self) -> bool:
        """True when the author wrote the expected value (the build checks the reference)."""
        return self.expected is not COMPUTED


@dataclass(frozen=True)
class Stdin:
    """A whole-program case: feeding ``input`` on stdin must print exactly ``expected``."""

    input: str
    expected: Any = COMPUTED

    @property
    def hand_checked(self) -> bool:
        """True when the author wrote the expected value (the build checks the reference)."""
        return self.expected is not COMPUTED


def call(*args: Any, expect: Any = COMPUTED) -> Call:
    """A call case; ``expect`` is the hand-checked return value (left out: computed)."""
    return Call(args=args, expected=expect)


def stdin(text: str, expect: Any = COMPUTED) -> Stdin:
    """A stdin case; ``expect`` is the hand-checked stdout text (left out: computed)."""
    return Stdin(input=text, expected=expect)


def lines(*rows: Any) -> str:
    """Join ``rows`` (converted with ``str``) into newline-terminated text for stdin."""
    return "".join(f"{row}\n" for row in rows)


def seeded(name: str) -> random.Random:
    """A generator seeded by ``name``, so each problem's random inputs are stable on its own."""
    return random.Random(f"grpo4code-starter/{name}")


def randints(name: str, count: int, low: int, high: int) -> list[int]:
    """``count`` integers drawn uniformly from ``[low, high]`` by ``seeded(name)``."""
    rng = seeded(name)
    return [rng.randint(low, high) for _ in range(count)]


LOWERCASE = "abcdefghijklmnopqrstuvwxyz"


def random_text(name: str, length: int, alphabet: str) -> str:
    """``length`` characters drawn uniformly from ``alphabet`` by ``seeded(name)``."""
    rng = seeded(name)
    return "".join(rng.choice(alphabet) for _ in range(length))


def random_words(name: str, count: int, max_length: int, alphabet: str = LOWERCASE) -> list[str]:
    """``count`` words of 1 to ``max_length`` characters of ``alphabet``, by ``seeded(name)``."""
    rng = seeded(name)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, max_length))) for _ in range(count)]


def unwrap(text: str) -> str:
    """Undo the source's hard line wrapping: one line per paragraph and per list item.

    Paragraphs are separated by blank lines. A line starting with ``- `` opens a list item,
    an indented line continues the item above it, and an unindented line after a list item
    starts a new line of prose; any other line continues the line above it.
    """
    paragraphs = []
    for paragraph in text.split("\n\n"):
        out: list[str] = []
        in_item = False
        for line in paragraph.split("\n"):
            if line.startswith("- "):
                out.append(line)
                in_item = True
            elif out and (line[:1].isspace() or not in_item):
                out[-1] += " " + line.strip()
            else:
                out.append(line.strip())
                in_item = False
        paragraphs.append("\n".join(out))
    return "\n\n".join(paragraphs)


@dataclass(frozen=True)
class Spec:
    """One starter problem as authored.

    The form follows from the fields: ``cases`` of :class:`Call` (function problems),
    ``cases`` of :class:`Stdin` (whole programs), or ``check`` (a ``def check(candidate):``
    program). Function and assertion problems need ``signature`` (``"name(params) -> type"``),
    and the reference ``solution`` must define exactly ``def <signature>:``. Assertion
    problems show ``example`` (a hand-checked :class:`Call`) in the instruction; the other
    forms show their first hand-checked case. ``statement`` and ``solution`` may be indented
    triple-quoted strings; they are dedented here, and the statement's hard wrapping is undone
    (see :func:`unwrap`).
    """

    id: str
    difficulty: str
    tags: tuple
    statement: str
    solution: str
    signature: str = ""
    cases: tuple = ()
    check: str = ""
    example: Call | None = None
    atol: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "statement", unwrap(textwrap.dedent(self.statement).strip()))
        object.__setattr__(self, "solution", textwrap.dedent(self.solution).strip() + "\n")
        if self.check:
            object.__setattr__(self, "check", textwrap.dedent(self.check).strip() + "\n")
        where = f"starter spec {self.id!r}"
        if not self.id.startswith("starter/"):
            raise ValueError(f"{where}: ids start with 'starter/'")
        if self.difficulty not in STARTER_DIFFICULTIES:
            raise ValueError(f"{where}: difficulty must be one of {STARTER_DIFFICULTIES}")
        if bool(self.cases) == bool(self.check):
            raise ValueError(f"{where}: give either `cases` or a `check` program, not both")
        kinds = {type(case) for case in self.cases}
        if len(kinds) > 1:
            raise ValueError(f"{where}: mixes Call and Stdin cases; use one form per problem")
        if self.form != "stdio" and not self.signature:
            raise ValueError(f"{where}: function and assertion problems need a `signature`")
        if self.form == "stdio" and self.signature:
            raise ValueError(f"{where}: a stdin program has no `signature`")
        if self.form == "assertion" and (self.example is None or not self.example.hand_checked):
            raise ValueError(f"{where}: an assertion problem needs a hand-checked `example`")
        if self.cases:
            hand = sum(case.hand_checked for case in self.cases)
            if hand < MIN_HAND_CHECKED:
                raise ValueError(
                    f"{where}: {hand} hand-checked cases; write `expect=` for at least "
                    f"{MIN_HAND_CHECKED} (they catch a wrong reference)"
                )
        if self.signature and f"def {self.signature}:" not in self.solution:
            raise ValueError(f"{where}: the solution does not define `def {self.signature}:`")

    @property
    def form(self) -> str:
        """``"call"``, ``"stdio"`` or ``"assertion"``."""
        if self.check:
            return "assertion"
        return "stdio" if isinstance(self.cases[0], Stdin) else "call"

    @property
    def entry_point(self) -> str:
        """The function's name, from ``signature`` (empty for stdin programs)."""
        return self.signature.split("(", 1)[0] if self.signature else ""

    @property
    def shown_example(self) -> Call | Stdin:
        """The case quoted in the instruction: hand-checked, so it is known to be right."""
        if self.example is not None:
            return self.example
        return next(case for case in self.cases if case.hand_checked)
