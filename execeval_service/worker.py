"""A warm worker process: receives prepared jobs, runs them sandboxed, decides verdicts.

Started once by the pool (inside bubblewrap when available), it has its fork server
(:mod:`execeval_service.forkserver`, with the modules solutions use already imported) fork
a child per run, so a run costs a millisecond or two instead of a fresh interpreter. The
worker never executes untrusted code itself:
:func:`untrusted_check` runs a job's programs through :func:`execeval_service.runs.execute_run`
and decides each verdict from the kernel's account of the child (exit status, signal,
rusage) and the nonce-stamped records, comparing outputs and return values here, in the
parent. Protocol with the pool: 4-byte big-endian length + JSON frames on the worker's
original stdin/stdout.
"""

from __future__ import annotations

import signal
import json
import os
import sys
import traceback

from execeval_service import cost, runs, sandbox
from execeval_service.compare import any_output_matches, render_value, values_equal
from execeval_service.forkserver import HARNESS_FAILURE_STATUS, ForkServer, ForkServerDied
from execeval_service.frames import read_frame, write_frame

HARNESS_FAILURE = "the judge's harness failed in the child"

V_PASSED, V_WA, V_TLE = "PASSED", "WRONG_ANSWER", "TIME_LIMIT_EXCEEDED"
V_RE, V_CE, V_MLE = "RUNTIME_ERROR", "COMPILATION_ERROR", "MEMORY_LIMIT_EXCEEDED"


class _CodeCache(dict):
    """Compiled trusted code (preambles, check steps, entry points), shared across jobs."""

    def compile(self, source: str, filename: str, mode: str = "exec"):
        key = (source, filename, mode)
        code = self.get(key)
        if code is None:
            if len(self) > 20000:
                self.clear()
            code = self[key] = compile(source, filename, mode, dont_inherit=True)
        return code


class Worker:
    def __init__(self, index: int, isolation: str, cost_unit: str, server: ForkServer):
        self.index, self.isolation = index, isolation
        self.cost_unit, self.server = cost_unit, server
        self.codes = _CodeCache()

    # ---- the trust boundary: everything below runs in the parent and decides --------------
    def untrusted_check(self, job: dict) -> dict:
        """Run ``job``'s programs in sandboxed children and judge them."""
        limits = job["limits"]
        cap = limits["max_file_size_mb"] << 20
        slots, function_tests, stdio_tests = self._layout(job)
        results: list = [None] * len(slots)
        totals = {"wall": 0.0, "cpu": 0.0, "mem": 0, "hw": 0}
        hardware = self.cost_unit == cost.UNIT_INSTRUCTIONS and job.get("measure_cost", False)

        def account(outcome: runs.RunOutcome) -> None:
            totals["wall"] += outcome.wall_s
            totals["cpu"] += outcome.cpu_s
            totals["mem"] = max(totals["mem"], outcome.peak_memory_kb)
            totals["hw"] += outcome.hardware_cost or 0

        if function_tests:
            plan = self._function_plan(job, function_tests, count_bytecodes=False)
            outcome = runs.execute_run(plan, server=self.server, limits=limits, output_cap=cap,
                                       hardware_cost=hardware)
            account(outcome)
            for slot, result in zip(function_tests, self._judge_function(outcome, function_tests, job)):
                results[slot["index"]] = result
        stop = job.get("stop_on_first_fail", False)
        for slot in stdio_tests:
            if stop and any(r is not None and r["verdict"] != V_PASSED for r in results):
                break
            plan = {"mode": "stdio", "source": job["source"]}
            outcome = runs.execute_run(plan, server=self.server, limits=limits,
                                       stdin=slot["input"].encode(), output_cap=cap,
                                       hardware_cost=hardware)
            account(outcome)
            results[slot["index"]] = self._judge_stdio(outcome, slot, job)
            if results[slot["index"]]["verdict"] == V_CE:
                for rest in stdio_tests:  # it will not compile for the others either
                    results[rest["index"]] = dict(results[slot["index"]], index=rest["index"])
                break
        reported = [r for r in results if r is not None]
        if stop:
            first_fail = next((i for i, r in enumerate(reported) if r["verdict"] != V_PASSED), None)
            reported = reported if first_fail is None else reported[: first_fail + 1]
        num_passed = sum(r["verdict"] == V_PASSED for r in reported)
        result = {
            "status": "COMPLETED", "tests": reported, "num_tests": len(slots),
            "num_passed": num_passed, "wall_s": totals["wall"], "cpu_s": totals["cpu"],
            "peak_memory_kb": totals["mem"], "isolation": self.isolation,
        }
        if job.get("measure_cost") and num_passed == len(slots):
            if hardware:
                result.update(cost=totals["hw"], cost_unit=cost.UNIT_INSTRUCTIONS)
            else:
                self._measure_bytecodes(job, result, function_tests, stdio_tests)
        return result

    def _layout(self, job: dict):
        """Number the counted tests (an assertion program counts one per assertion)."""
        slots, function_tests, stdio_tests = [], [], []
        for group, test in enumerate(job["tests"]):
            if test["kind"] == "stdio":
                slot = {"index": len(slots), "kind": "stdio", **test}
                slots.append(slot)
                stdio_tests.append(slot)
            elif test["kind"] == "call":
                slot = {"index": len(slots), "kind": "call", **test}
                slots.append(slot)
                function_tests.append(slot)
            else:
                for code, is_test in test["steps"]:
                    if is_test:
                        slot = {"index": len(slots), "kind": "assertion", "code": code}
                        slots.append(slot)
                        function_tests.append(slot)
        return slots, function_tests, stdio_tests

    def _function_plan(self, job: dict, function_tests: list, count_bytecodes: bool) -> dict:
        groups, tests = [], []
        for test in job["tests"]:
            if test["kind"] == "call":
                tests.append({"kind": "call", "args_json": json.dumps(
                    {"args": test["args"], "kwargs": test["kwargs"]})})
            elif test["kind"] == "assertion":
                group = len(groups)
                groups.append({"module_code": self.codes.compile(test["module_code"], "<check>"),
                               "candidate_name": test["candidate_name"]})
                for code, is_test in test["steps"]:
                    tests.append({"kind": "step", "group": group, "is_test": is_test,
                                  "code": self.codes.compile(code, "<check>")})
        return {
            "mode": "function", "source": job["source"], "groups": groups, "tests": tests,
            "preamble_code": self.codes.compile(job["preamble"], "<preamble>") if job["preamble"].strip() else None,
            "entry_point_code": self.codes.compile(job["entry_point"].strip(), "<entry_point>", "eval"),
            "count_bytecodes": count_bytecodes,
        }

    def _text(self, data, job: dict) -> str:
        limit = job.get("report_chars", 2000)
        text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else str(data)
        return text if len(text) <= limit else text[: limit - 3] + "..."

    def _ended_early(self, outcome: runs.RunOutcome) -> tuple[str, str]:
        """Verdict and reason for a test that has no record: how did the run end?"""
        if outcome.killed_for in ("cpu", "wall"):
            what = "CPU" if outcome.killed_for == "cpu" else "wall-clock"
            return V_TLE, f"{what} time limit exceeded ({outcome.cpu_s:.2f}s CPU, {outcome.wall_s:.2f}s wall)"
        if outcome.killed_for == "results":
            return V_RE, "the run wrote too much result data"
        if outcome.signal is not None:
            name = _signal_name(outcome.signal)
            if outcome.signal == 25:  # SIGXFSZ
                return V_RE, "file size limit exceeded (output or files too large)"
            return V_RE, f"the program was killed by {name}"
        if outcome.exit_status == HARNESS_FAILURE_STATUS and outcome.record("done") is None:
            return V_RE, f"the program exited with status {outcome.exit_status} before this test finished"
        return V_RE, f"the program exited (status {outcome.exit_status}) before this test finished"

    def _base(self, slot: dict, verdict: str, **extra) -> dict:
        return {"index": slot["index"], "kind": slot["kind"], "verdict": verdict, **extra}

    def _judge_function(self, outcome: runs.RunOutcome, function_tests: list, job: dict) -> list:
        stdout, stderr = self._text(outcome.stdout, job), self._text(outcome.stderr, job)
        common = {"stdout": stdout, "stderr": stderr}
        compile_error = outcome.record("compile_error")
        if compile_error:
            return [self._base(s, V_CE, error=self._text(compile_error["error"], job), **common)
                    for s in function_tests]
        module_error = outcome.record("module_error")
        if module_error:
            verdict = V_MLE if module_error.get("exc") == "MemoryError" else V_RE
            return [self._base(s, verdict, error="at import: " + self._text(module_error["error"], job),
                               **common) for s in function_tests]
        by_index = {}
        for record in outcome.records:
            if record.get("t") == "test" and isinstance(record.get("i"), int):
                by_index.setdefault(record["i"], record)
        setup_errors = {r.get("before"): r for r in outcome.records if r.get("t") == "setup_error"}
        judged = []
        for i, slot in enumerate(function_tests):
            record = by_index.get(i)
            if record is None:
                verdict, reason = self._ended_early(outcome)
                judged.append(self._base(slot, verdict, error=reason, **common))
                continue
            measures = {"wall_s": record.get("wall"), "cpu_s": record.get("cpu"),
                        "peak_memory_kb": record.get("mem")}
            result = self._base(slot, V_PASSED, **measures, **common)
            kind = record.get("outcome")
            if slot["kind"] == "call":
                result["expected"] = self._text(render_value(slot["expected"]), job)
                if kind == "value":
                    result["actual"] = self._text(render_value(record.get("value")), job)
                    if not values_equal(slot["expected"], record.get("value"), slot.get("atol", 0.0)):
                        result.update(verdict=V_WA, error="the returned value differs")
                    judged.append(result)
                    continue
            else:
                result["expected"] = self._text(slot["code"], job)
                if kind == "pass":
                    judged.append(result)
                    continue
            if kind == "fail":
                error = "assertion failed"
                if i in setup_errors:
                    error += f" (set-up before it failed: {setup_errors[i].get('error')})"
                result.update(verdict=V_WA, error=error)
            elif kind == "error":
                verdict = V_MLE if record.get("exc") == "MemoryError" else V_RE
                result.update(verdict=verdict, error=self._text(record.get("error", ""), job))
            else:
                result.update(verdict=V_RE, error=f"malformed test record ({kind!r})")
            judged.append(result)
        return judged

    def _judge_stdio(self, outcome: runs.RunOutcome, slot: dict, job: dict) -> dict:
        stdout = outcome.stdout.decode("utf-8", errors="replace")
        common = {"wall_s": outcome.wall_s, "cpu_s": outcome.cpu_s, "exit_code": outcome.exit_status,
                  "peak_memory_kb": outcome.peak_memory_kb, "stdout": self._text(stdout, job),
                  "stderr": self._text(outcome.stderr, job), "actual": self._text(stdout, job),
                  "expected": self._text(slot["output"][0] if slot["output"] else "", job)}
        if outcome.hardware_cost is not None:
            common.update(cost=outcome.hardware_cost, cost_unit=cost.UNIT_INSTRUCTIONS)
        compile_error = outcome.record("compile_error")
        if compile_error:
            return self._base(slot, V_CE, error=self._text(compile_error["error"], job), **common)
        done = outcome.record("done")
        if outcome.killed_for or outcome.signal is not None:
            verdict, reason = self._ended_early(outcome)
            return self._base(slot, verdict, error=reason, **common)
        if outcome.exit_status != 0:
            exc = (done or {}).get("exc")
            verdict = V_MLE if exc == "MemoryError" else V_RE
            return self._base(slot, verdict, error=f"exit status {outcome.exit_status}"
                              + (f" ({exc})" if exc else ""), **common)
        if any_output_matches(slot["output"], stdout):
            return self._base(slot, V_PASSED, **common)
        return self._base(slot, V_WA, error="the output differs", **common)

    def _measure_bytecodes(self, job: dict, result: dict, function_tests: list,
                           stdio_tests: list) -> None:
        """Second, instrumented run of an accepted job: the deterministic bytecode cost."""
        factor = job.get("cost_time_factor", 30.0)
        limits = dict(job["limits"])
        limits["time_limit_s"] *= factor
        limits["wall_limit_s"] *= factor
        cap = limits["max_file_size_mb"] << 20
        total = 0
        by_index = {r["index"]: r for r in result["tests"]}
        if function_tests:
            plan = self._function_plan(job, function_tests, count_bytecodes=True)
            outcome = runs.execute_run(plan, server=self.server, limits=limits, output_cap=cap)
            done = outcome.record("done")
            if not done or done.get("cost") is None:
                return
            total += done["cost"]
            costs = {r["i"]: r.get("cost") for r in outcome.records if r.get("t") == "test"}
            for i, slot in enumerate(function_tests):
                if slot["index"] in by_index:
                    by_index[slot["index"]].update(cost=costs.get(i), cost_unit=cost.UNIT_BYTECODES)
        for slot in stdio_tests:
            plan = {"mode": "stdio", "source": job["source"], "count_bytecodes": True}
            outcome = runs.execute_run(plan, server=self.server, limits=limits,
                                       stdin=slot["input"].encode(), output_cap=cap)
            done = outcome.record("done")
            if not done or done.get("cost") is None:
                return
            total += done["cost"]
            if slot["index"] in by_index:
                by_index[slot["index"]].update(cost=done["cost"], cost_unit=cost.UNIT_BYTECODES)
        result.update(cost=total, cost_unit=cost.UNIT_BYTECODES)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# ---- the process: protocol loop --------------------------------------------------------------
def main(argv: list[str]) -> int:
    settings = json.loads(argv[0])
    # Keep the protocol on private fds; stray prints of ours go to stderr, never to it.
    control_in, control_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    run_root = settings.get("run_root") or "/tmp"
    os.makedirs(run_root, exist_ok=True)
    run_dir = os.path.join(run_root, f"run-{settings['index']}")
    sandbox.prepare_worker(run_dir)
    sandbox.become_subreaper()  # the fork server's runs come back here if it dies
    unit = cost.detect_cost_unit(settings.get("hardware_counters", True))
    server = ForkServer(settings["uid"], run_dir,
                        parent_death_signal=settings["isolation"] != sandbox.ISOLATION_BWRAP)
    server.start()
    worker = Worker(settings["index"], settings["isolation"], unit, server)
    write_frame(control_out, {"ready": True, "pid": os.getpid(), "cost_unit": unit})
    while True:
        try:
            job = read_frame(control_in)
        except EOFError:
            return 0
        try:
            result = worker.untrusted_check(job)
        except ForkServerDied as exc:  # restarted for the next job; this one could not be run
            result = {"status": "SANDBOX_ERROR", "error": f"the fork server died during the job: {exc}"}
        except Exception as exc:  # the worker's own fault: a SANDBOX_ERROR, never a verdict
            result = {"status": "SANDBOX_ERROR",
                      "error": f"worker error: {exc!r}\n{traceback.format_exc()[-1500:]}"}
        result["id"] = job.get("id")
        write_frame(control_out, result)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
