"""The judge's provider interface: what a caller sends (:class:`JudgeJob`) and gets back
(:class:`JudgeResult`).

Both implementations -- :class:`execeval_service.EmbeddedJudge` (in-process engine) and
:class:`execeval_service.JudgeClient` (HTTP, several service URLs) -- take these models in
``await judge.run_batch(jobs)`` and return one result per job, in order. The same models are
the body of the service's batch endpoint, so a job means the same thing everywhere.

Two kinds of "failed" never mix:

* ``JudgeResult.status == COMPLETED``: the program ran and every test has a program verdict
  (``PASSED``, ``WRONG_ANSWER``, ``TIME_LIMIT_EXCEEDED``, ...).
* ``JudgeResult.status == SANDBOX_ERROR``: the judge could not run it (a worker died, the
  service was unreachable after retries). ``could_not_score`` is true and rewards return
  ``None`` rather than 0.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Verdict(str, Enum):
    """One test's outcome. ``SANDBOX_ERROR`` is the judge's failure, never the program's."""

    PASSED = "PASSED"
    WRONG_ANSWER = "WRONG_ANSWER"
    TIME_LIMIT_EXCEEDED = "TIME_LIMIT_EXCEEDED"
    RUNTIME_ERROR = "RUNTIME_ERROR"
    COMPILATION_ERROR = "COMPILATION_ERROR"
    MEMORY_LIMIT_EXCEEDED = "MEMORY_LIMIT_EXCEEDED"
    SANDBOX_ERROR = "SANDBOX_ERROR"


class JobStatus(str, Enum):
    COMPLETED = "COMPLETED"
    SANDBOX_ERROR = "SANDBOX_ERROR"


class Limits(BaseModel):
    """Resource limits of one run. The server clamps each to its own maxima."""

    model_config = ConfigDict(extra="forbid")

    time_limit_s: float = Field(
        10.0,
        gt=0,
        description="CPU seconds of the solution (user+system, threads and reaped children "
        "included). Call and assertion tests of a job share one run and this budget; each "
        "stdio test is its own run with its own budget.",
    )
    wall_limit_s: Optional[float] = Field(
        None,
        gt=0,
        description="Wall-clock backstop for programs that sleep or block; default "
        "3 * time_limit_s + 2.",
    )
    memory_limit_mb: int = Field(
        1024, gt=0, description="Address space the solution may add to the warm worker (MiB)."
    )
    max_processes: int = Field(
        16, gt=0, description="Processes and threads the run's unprivileged user may have."
    )
    max_open_files: int = Field(64, ge=16, description="Open file descriptors per process.")
    max_file_size_mb: int = Field(
        16, gt=0, description="Largest file the run may write, its stdout and stderr included."
    )

    @property
    def wall_backstop_s(self) -> float:
        return self.wall_limit_s if self.wall_limit_s else 3.0 * self.time_limit_s + 2.0


class StdioTestSpec(BaseModel):
    """Feed ``input`` on stdin; stdout must match ``output`` (or one of several accepted)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["stdio"] = "stdio"
    input: str = Field("", description="Text sent to stdin.")
    output: Union[str, list[str]] = Field(
        description="Expected stdout, or a list of accepted outputs (ExecEval style). Compared "
        "whitespace-tolerantly, numbers within 1e-12 unless `atol` says otherwise."
    )


class CallTestSpec(BaseModel):
    """Call the entry point with ``args``/``kwargs``; the returned value must equal ``expected``.

    The return value is serialised in the sandbox and compared in the parent, so an object
    with a patched ``__eq__`` cannot pass.
    """

    model_config = ConfigDict(extra="forbid")

    kind: Literal["call"] = "call"
    args: list = Field(default_factory=list, description="Positional arguments (JSON values).")
    kwargs: dict = Field(default_factory=dict, description="Keyword arguments (JSON values).")
    expected: Any = Field(description="Expected return value (JSON; tuples are lists).")
    atol: float = Field(0.0, ge=0, description="Absolute tolerance for floats (0 = exact).")


class AssertionTestSpec(BaseModel):
    """A ``check(candidate)`` program; each top-level assertion of ``check`` is one test."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["assertion"] = "assertion"
    code: str = Field(description="Python source defining `check(candidate)`.")


TestSpec = Annotated[
    Union[StdioTestSpec, CallTestSpec, AssertionTestSpec], Field(discriminator="kind")
]


class JudgeJob(BaseModel):
    """One program and its tests.

    ``tests`` accepts the schema's ``StdioTest``/``CallTest``/``AssertionTest`` objects, their
    ``to_dict`` forms, or the spec models above. Stdio tests run the program as ``__main__``
    once per test; call and assertion tests share one run that executes ``preamble`` and
    ``source`` and then calls ``entry_point`` (e.g. ``"Solution().twoSum"``).
    """

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="The solution's Python source (untrusted).")
    preamble: str = Field(
        "",
        description="Trusted code run before the solution, in the solution's namespace and "
        "again in the tests' own namespace (imports, ListNode/TreeNode helpers).",
    )
    entry_point: str = Field(
        "", description="Expression naming the function under test; needed by call/assertion tests."
    )
    tests: list[TestSpec] = Field(min_length=1, description="The tests, in order.")
    limits: Limits = Field(default_factory=Limits)
    measure_cost: bool = Field(
        False,
        description="Also measure the deterministic cost (only needed by the efficiency "
        "reward; costs a second, instrumented run of accepted jobs when no hardware counters).",
    )
    stop_on_first_fail: bool = Field(
        False, description="Stop at the first failing test; later tests are not reported."
    )

    @field_validator("tests", mode="before")
    @classmethod
    def _tests_from_schema(cls, value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            return value
        return [dataclasses.asdict(t) if dataclasses.is_dataclass(t) else t for t in value]

    @model_validator(mode="after")
    def _needs_entry_point(self) -> "JudgeJob":
        if any(t.kind != "stdio" for t in self.tests) and not self.entry_point.strip():
            raise ValueError("entry_point is required when tests include call or assertion tests")
        return self

    @classmethod
    def from_problem(cls, problem: Any, solution: str, **options: Any) -> "JudgeJob":
        """Build a job from a :class:`grpo4code.data.schema.Problem` and a candidate solution."""
        return cls(
            source=solution,
            preamble=problem.preamble,
            entry_point=problem.entry_point,
            tests=list(problem.tests),
            **options,
        )


class TestResult(BaseModel):
    """One test's verdict and measures. Texts are truncated to the server's report size."""

    index: int = Field(description="Position among the job's counted tests (0-based).")
    kind: str = Field(description="stdio, call or assertion.")
    verdict: Verdict
    wall_s: Optional[float] = None
    cpu_s: Optional[float] = None
    peak_memory_kb: Optional[int] = Field(
        None, description="Peak resident memory the solution added over the warm worker (KiB)."
    )
    cost: Optional[int] = Field(None, description="Deterministic cost of the test's own work.")
    cost_unit: Optional[str] = Field(None, description="'instructions' or 'bytecodes'.")
    exit_code: Optional[int] = Field(None, description="Exit status of a stdio run (None if killed).")
    stdout: str = ""
    stderr: str = ""
    actual: Optional[str] = Field(None, description="The program's output or return value.")
    expected: Optional[str] = None
    error: Optional[str] = Field(None, description="Why it did not pass.")


class JudgeResult(BaseModel):
    """A job's outcome: per-test results, the pass ratio and whole-run measures."""

    status: JobStatus
    error: Optional[str] = Field(None, description="What went wrong when status is SANDBOX_ERROR.")
    tests: list[TestResult] = Field(default_factory=list)
    num_tests: int = 0
    num_passed: int = 0
    wall_s: Optional[float] = None
    cpu_s: Optional[float] = Field(None, description="CPU seconds of all runs (from rusage).")
    peak_memory_kb: Optional[int] = None
    cost: Optional[int] = Field(None, description="Total cost (accepted jobs with measure_cost).")
    cost_unit: Optional[str] = None
    isolation: Optional[str] = Field(None, description="Sandbox level the run had.")

    @property
    def pass_ratio(self) -> float:
        return self.num_passed / self.num_tests if self.num_tests else 0.0

    @property
    def accepted(self) -> bool:
        return (
            self.status == JobStatus.COMPLETED
            and self.num_tests > 0
            and self.num_passed == self.num_tests
        )

    @property
    def could_not_score(self) -> bool:
        """True when the judge failed; a reward should return ``None``, not 0."""
        return self.status == JobStatus.SANDBOX_ERROR

    def summary(self) -> dict:
        """The result with its derived fields, for JSON responses and logs."""
        data = self.model_dump(mode="json")
        data.update(pass_ratio=self.pass_ratio, accepted=self.accepted)
        return data

    @classmethod
    def sandbox_error(cls, error: str, num_tests: int = 0) -> "JudgeResult":
        return cls(status=JobStatus.SANDBOX_ERROR, error=error, num_tests=num_tests)


def _field_defaults(model: type[BaseModel]) -> list[tuple[str, Any]]:
    return [(name, info.get_default(call_default_factory=True)) for name, info in model.model_fields.items()]


_RESULT_FIELDS = _field_defaults(JudgeResult)
_TEST_FIELDS = _field_defaults(TestResult)


def result_summary(data: dict) -> dict:
    """``JudgeResult.model_validate(data).summary()`` for a result dict the engine built.

    The engine's own results are already well-typed (strings for the enums, floats, ints),
    so the server's batch endpoint fills in the defaults instead of building and dumping
    models: the same JSON for a fraction of the CPU. Not for data from elsewhere: it
    validates nothing.
    """
    summary = {name: data.get(name, default) for name, default in _RESULT_FIELDS}
    summary["tests"] = [{name: test.get(name, default) for name, default in _TEST_FIELDS}
                        for test in data.get("tests") or ()]
    num_tests, num_passed = summary["num_tests"], summary["num_passed"]
    summary["pass_ratio"] = num_passed / num_tests if num_tests else 0.0
    summary["accepted"] = (summary["status"] == JobStatus.COMPLETED.value and num_tests > 0
                           and num_passed == num_tests)
    return summary
