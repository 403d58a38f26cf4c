"""The repair turn: a judged failed attempt as the user message the model answers next.

:func:`feedback_message` is a pure function of the attempt's code, its judge result and the
problem's tests. It names the first failing test -- its input (the call, the stdin or the
assertion), the expected and the actual output -- or the error (compilation error, the tail
of a traceback, a time or memory limit), says how many tests passed, and asks for the whole
corrected solution in the answer format the rewards extract. Long texts are cut in the
middle (inputs and outputs: both ends are informative) or at the start (tracebacks: the
last lines say what went wrong), with a marker saying how much was cut, so the message stays
within :class:`FeedbackSettings`' budget.

It never describes a result the judge could not produce (``SANDBOX_ERROR``): such an attempt
is "could not score", not a failure, and the repair loops stop there instead of blaming the
model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from execeval_service.compare import render_value

ACCEPTED, COULD_NOT_SCORE = "ACCEPTED", "COULD_NOT_SCORE"
ASK = "Fix the program. Answer with the complete corrected solution in one ```python code block."
NO_CODE = ("Your answer contained no Python code block that could be run. " + ASK)


@dataclass(frozen=True)
class FeedbackSettings:
    """How much of a failing test the feedback turn shows."""

    max_value_chars: int = field(default=300, metadata={
        "help": "Longest test input, expected or actual output shown (cut in the middle beyond)."})
    max_error_chars: int = field(default=600, metadata={
        "help": "Longest error or traceback shown (its last characters are kept)."})
    show_input: bool = field(default=True, metadata={
        "help": "Show the failing test's input (off: only expected vs actual and the error)."})

    def __post_init__(self) -> None:
        if self.max_value_chars < 20 or self.max_error_chars < 20:
            raise ValueError("FeedbackSettings: max_value_chars and max_error_chars must be >= 20")


def attempt_outcome(code: Optional[str], result) -> str:
    """``ACCEPTED``, ``COULD_NOT_SCORE``, ``NO_CODE`` or the first failing verdict of one attempt.

    A ``SANDBOX_ERROR`` (the whole job's or one test's) is ``COULD_NOT_SCORE``: the judge's
    failure, never the attempt's.
    """
    if code is None:
        return "NO_CODE"
    if result is None or result.could_not_score:
        return COULD_NOT_SCORE
    if result.accepted:
        return ACCEPTED
    failing = next((t.verdict.value for t in result.tests if t.verdict.value != "PASSED"), None)
    return COULD_NOT_SCORE if failing in (None, "SANDBOX_ERROR") else failing


def cut_middle(text: str, limit: int) -> str:
    """``text`` with its middle replaced by a marker when longer than ``limit`` characters."""
    if len(text) <= limit:
        return text
    marker = f" ...[{len(text) - limit} characters cut]... "
    keep = max(0, limit - len(marker))
    head = keep - keep // 3
    return text[:head] + marker + text[len(text) - (keep - head):] if keep else text[:limit]


def cut_start(text: str, limit: int) -> str:
    """The last ``limit`` characters of ``text`` (whole lines where possible), marked as cut."""
    if len(text) <= limit:
        return text
    marker = f"...[{len(text) - limit} characters cut]\n"
    tail = text[len(text) - max(0, limit - len(marker)):]
    if "\n" in tail[:-1]:
        tail = tail[tail.index("\n") + 1:]
    return marker + tail


def counted_inputs(tests, entry_point: str) -> list[Optional[str]]:
    """The shown input of each counted test (an assertion program counts one per assertion).

    ``None`` for assertion tests: the judge reports their assertion's source as ``expected``.
    """
    from grpo4code.data.check_program import split_check_program

    shown: list[Optional[str]] = []
    for test in tests:
        if test.kind == "stdio":
            shown.append(test.input)
        elif test.kind == "call":
            arguments = [render_value(a, 10_000) for a in test.args]
            arguments += [f"{k}={render_value(v, 10_000)}" for k, v in (test.kwargs or {}).items()]
            shown.append(f"{entry_point.strip() or 'f'}({', '.join(arguments)})")
        else:
            shown.extend([None] * len(split_check_program(test.code).tests))
    return shown


def _block(label: str, text: str) -> str:
    text = text.rstrip("\n")
    return f"{label}:\n{text}" if "\n" in text else f"{label}: {text}"


def feedback_message(code: Optional[str], result, tests=(), entry_point: str = "",
                     settings: FeedbackSettings = FeedbackSettings()) -> str:
    """The user turn that tells the model why its attempt failed (see the module docstring).

    ``code`` is the attempt's extracted code (``None``: none was found); ``result`` its
    :class:`~execeval_service.jobs.JudgeResult`; ``tests`` and ``entry_point`` the problem's
    (to show a failing call's arguments or stdin). Raises ``ValueError`` for an accepted
    attempt or one the judge could not score: neither gets repair feedback.
    """
    if code is None:
        return NO_CODE
    if result is None or result.could_not_score:
        raise ValueError("the judge could not score this attempt: it gets no feedback (could not score)")
    if result.accepted:
        raise ValueError("an accepted attempt needs no repair")
    failing = next((t for t in result.tests if t.verdict.value != "PASSED"), None)
    total = result.num_tests or len(result.tests)
    lines = [f"Your solution passed {result.num_passed} of {total} tests."]
    if failing is None:
        lines.append("It did not finish the tests.")
        lines.append(ASK)
        return "\n".join(lines)
    verdict = failing.verdict.value
    inputs = counted_inputs(tests, entry_point) if settings.show_input else []
    shown_input = inputs[failing.index] if failing.index < len(inputs) else None
    value = settings.max_value_chars
    if verdict == "COMPILATION_ERROR":
        lines.append(_block("It does not compile", cut_start(failing.error or "", settings.max_error_chars)))
        lines.append(ASK)
        return "\n".join(lines)
    lines.append(f"The first failing test (test {failing.index + 1}) ended with {verdict}.")
    if failing.kind == "assertion" and failing.expected and settings.show_input:
        lines.append(_block("The failing check", cut_middle(failing.expected, value * 2)))
    elif shown_input is not None:
        label = "Input (stdin)" if failing.kind == "stdio" else "Call"
        lines.append(_block(label, cut_middle(shown_input, value)))
    if failing.kind != "assertion" and verdict == "WRONG_ANSWER":
        lines.append(_block("Expected", cut_middle(failing.expected or "", value)))
        lines.append(_block("Got", cut_middle(failing.actual if failing.actual is not None else "", value)))
    if verdict == "TIME_LIMIT_EXCEEDED":
        lines.append("It ran past the time limit: make it faster or make sure it terminates.")
    elif verdict == "MEMORY_LIMIT_EXCEEDED":
        lines.append("It ran out of memory.")
    elif verdict == "RUNTIME_ERROR":
        detail = failing.error or ""
        if failing.kind == "stdio" and failing.stderr.strip():
            detail = failing.stderr
        lines.append(_block("Error", cut_start(detail, settings.max_error_chars)))
    elif verdict == "WRONG_ANSWER" and failing.kind == "assertion" and failing.error:
        lines.append(_block("Error", cut_start(failing.error, settings.max_error_chars)))
    if failing.stdout.strip() and verdict != "WRONG_ANSWER":
        lines.append(_block("It printed", cut_middle(failing.stdout, value)))
    lines.append(ASK)
    return "\n".join(lines)
