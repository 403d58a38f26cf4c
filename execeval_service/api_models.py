"""Request and response models of the HTTP API, and their translation to judge jobs.

Three dialects over one engine:

* ExecEval (``POST /api/execute_code``): stdin/stdout unit tests, ``exec_outcome`` per test.
* SandboxFusion (``POST /run_code``): run a program once, get its status and outputs, so
  SandboxFusion clients (verl's reward) work unchanged.
* Batch (``POST /api/judge_batch``): many :class:`execeval_service.jobs.JudgeJob` in one
  request, a :class:`execeval_service.jobs.JudgeResult` per job -- what :class:`JudgeClient`
  speaks.
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from execeval_service.jobs import JudgeJob, JudgeResult, Limits, StdioTestSpec, Verdict

PYTHON_LANGUAGES = ("Python 3", "PyPy 3", "python", "python3")
RUNTIMES = [{
    "runtime_name": "Python 3", "language": "Python", "version": "CPython (the service's interpreter)",
    "compile_cmd": "", "execute_cmd": "python (warm fork server)", "file_name": "solution.py",
    "is_compiled": False, "has_sanitizer": False, "timelimit_factor": 1,
    "aliases": list(PYTHON_LANGUAGES),
}]


# --- ExecEval --------------------------------------------------------------------------------
class ExecEvalUnittest(BaseModel):
    input: str = Field("", description="Text sent to stdin.")
    output: list[str] = Field(description="Accepted outputs; matching any one passes.")


class ExecEvalLimits(BaseModel):
    """ExecEval's prlimit-style limits; unknown prlimit keys are accepted and ignored."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    cpu: Optional[float] = Field(None, gt=0, description="CPU seconds per test.")
    address_space: Optional[int] = Field(None, alias="as", description="Address space in bytes (-1: default).")
    nproc: Optional[int] = Field(None, description="Processes/threads (0 or less: default).")
    nofile: Optional[int] = Field(None, description="Open files (below 16: 16, Python needs them).")
    fsize: Optional[int] = Field(None, description="Largest file in bytes (-1: default).")


class ExecEvalRequest(BaseModel):
    language: str = Field("Python 3", description=f"One of {list(PYTHON_LANGUAGES)}.")
    source_code: str = Field(description="The program (untrusted).")
    unittests: list[ExecEvalUnittest] = Field(min_length=1, description="stdin/stdout tests.")
    limits: Optional[ExecEvalLimits] = Field(None, description="Resource limits (server maxima apply).")
    block_network: bool = Field(True, description="Accepted for compatibility; the network is always blocked.")
    stop_on_first_fail: bool = Field(True, description="Stop at the first test that does not pass.")
    use_sanitizer: bool = Field(False, description="Accepted for compatibility; ignored.")
    compile_cmd: Optional[str] = None
    compile_flags: Optional[str] = None
    execute_cmd: Optional[str] = None
    execute_flags: Optional[str] = None
    measure_cost: bool = Field(False, description="Also report the deterministic cost (ours).")

    def to_job(self) -> JudgeJob:
        limits = Limits()
        given = self.limits
        if given is not None:
            update = {}
            if given.cpu:
                update["time_limit_s"] = given.cpu
            if given.address_space and given.address_space > 0:
                update["memory_limit_mb"] = max(1, given.address_space >> 20)
            if given.nproc and given.nproc > 0:
                update["max_processes"] = given.nproc
            if given.nofile and given.nofile > 0:
                update["max_open_files"] = max(16, given.nofile)
            if given.fsize and given.fsize > 0:
                update["max_file_size_mb"] = max(1, given.fsize >> 20)
            limits = Limits(**update)
        return JudgeJob(
            source=self.source_code,
            tests=[StdioTestSpec(input=t.input, output=t.output) for t in self.unittests],
            limits=limits, stop_on_first_fail=self.stop_on_first_fail,
            measure_cost=self.measure_cost,
        )


def execeval_response(request: ExecEvalRequest, result: JudgeResult) -> dict:
    """ExecEval's ``{"data": [...]}``, one entry per executed unit test, plus our measures."""
    if result.could_not_score:
        return {"data": [{"input": t.input, "output": t.output, "result": result.error,
                          "exec_outcome": Verdict.SANDBOX_ERROR.value}
                         for t in request.unittests]}
    data = []
    for test in result.tests:
        unittest = request.unittests[test.index]
        data.append({
            "input": unittest.input, "output": unittest.output,
            "result": test.actual if test.verdict in (Verdict.PASSED, Verdict.WRONG_ANSWER)
            else (test.stderr or test.error),
            "exec_outcome": test.verdict.value,
            "time_consumed": test.cpu_s, "peak_memory_consumed": f"{test.peak_memory_kb or 0} kB",
            "wall_s": test.wall_s, "cpu_s": test.cpu_s, "peak_memory_kb": test.peak_memory_kb,
            "cost": test.cost, "cost_unit": test.cost_unit, "error": test.error,
        })
    return {"data": data}


# --- SandboxFusion ---------------------------------------------------------------------------
class RunCodeRequest(BaseModel):
    code: str = Field(description="The program (untrusted).")
    language: str = Field("python", description=f"One of {list(PYTHON_LANGUAGES)}.")
    compile_timeout: float = Field(10.0, description="Accepted for compatibility (Python has no compile step).")
    run_timeout: float = Field(10.0, gt=0, description="CPU seconds.")
    memory_limit_MB: int = Field(-1, description="Memory limit; -1 for the default.")
    stdin: Optional[str] = Field(None, description="Text sent to stdin.")
    files: dict = Field(default_factory=dict, description="Not supported: must be empty.")
    fetch_files: list = Field(default_factory=list, description="Not supported: must be empty.")

    def to_job(self) -> JudgeJob:
        limits = {"time_limit_s": self.run_timeout}
        if self.memory_limit_MB > 0:
            limits["memory_limit_mb"] = self.memory_limit_MB
        return JudgeJob(source=self.code, tests=[StdioTestSpec(input=self.stdin or "", output="")],
                        limits=Limits(**limits))


def run_code_response(result: JudgeResult) -> dict:
    """SandboxFusion's RunCodeResponse: Success / Failed / SandboxError and a run_result."""
    if result.could_not_score or not result.tests:
        return {"status": "SandboxError", "message": result.error or "the sandbox failed",
                "compile_result": None, "run_result": None, "executor_pod_name": None, "files": {}}
    test = result.tests[0]
    if test.verdict == Verdict.TIME_LIMIT_EXCEEDED:
        run_status, return_code = "TimeLimitExceeded", None
    else:
        run_status = "Finished"
        return_code = test.exit_code if test.exit_code is not None else 1
    stderr = test.stderr
    if test.verdict == Verdict.COMPILATION_ERROR:
        stderr = test.error or stderr
    ok = run_status == "Finished" and return_code == 0
    return {
        "status": "Success" if ok else "Failed", "message": "" if ok else (test.error or ""),
        "compile_result": None,
        "run_result": {"status": run_status, "execution_time": test.wall_s, "return_code": return_code,
                       "stdout": test.stdout, "stderr": stderr, "cpu_time": test.cpu_s},
        "executor_pod_name": None, "files": {},
    }


# --- batch -------------------------------------------------------------------------------------
class BatchRequest(BaseModel):
    jobs: list[JudgeJob] = Field(min_length=1, description="Programs and their tests.")


class BatchResponse(BaseModel):
    results: list[dict] = Field(description="One JudgeResult (with pass_ratio and accepted) per job.")
