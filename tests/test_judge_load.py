"""Load and failure: 2000 programs at concurrency 32 with none lost or duplicated, and a
worker killed mid-run costing only its own job (SANDBOX_ERROR) while the service recovers."""

import os
import signal
import threading
import time

import httpx

from execeval_service import JudgeClient, JudgeJob, Limits
from execeval_service.testing import JudgeServer, batch
from grpo4code.data.schema import StdioTest


def child_pids(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


def test_2000_programs_at_concurrency_32_none_lost_or_duplicated():
    with JudgeServer(workers=2) as server:
        jobs = [JudgeJob(source=f"print('token-{i}', input())", tests=[StdioTest(input=str(i), output=f"token-{i} {i}")])
                for i in range(2000)]
        client = JudgeClient(server.url, max_concurrency=32, jobs_per_request=1, retries=0)
        started = time.perf_counter()
        results = client.run_batch_sync(jobs)
        elapsed = time.perf_counter() - started
        assert len(results) == 2000
        rejected = [(i, r.status, [(t.verdict, t.error) for t in r.tests]) for i, r in enumerate(results) if not r.accepted]
        assert not rejected, rejected[:5]
        tokens = [r.tests[0].stdout.split()[0] for r in results]
        assert tokens == [f"token-{i}" for i in range(2000)]  # each answer is its own program's
        metrics = httpx.get(f"{server.url}/metrics").json()
        assert metrics["counts"]["jobs"] == 2000 and metrics["counts"].get("jobs_sandbox_error", 0) == 0
        print(f"2000 programs in {elapsed:.1f}s ({2000 / elapsed:.0f}/s)")


def test_worker_killed_mid_run_costs_only_its_job_and_the_service_recovers():
    with JudgeServer(workers=2) as server:
        workers = child_pids(server.proc.pid)
        assert len(workers) == 2
        sleeper = JudgeJob(source="import time\ntime.sleep(3)\nprint('woke')",
                           tests=[StdioTest(input="", output="woke")],
                           limits=Limits(time_limit_s=5, wall_limit_s=10))
        outcome = {}
        thread = threading.Thread(target=lambda: outcome.setdefault("results", batch(server, [sleeper, sleeper])))
        thread.start()
        time.sleep(1.0)  # both workers are now running a sleeper
        os.kill(workers[0], signal.SIGKILL)
        thread.join(timeout=30)
        statuses = sorted(r["status"] for r in outcome["results"])
        assert statuses == ["COMPLETED", "SANDBOX_ERROR"]
        completed = next(r for r in outcome["results"] if r["status"] == "COMPLETED")
        assert completed["accepted"]
        lost = next(r for r in outcome["results"] if r["status"] == "SANDBOX_ERROR")
        assert "worker" in lost["error"] and lost["tests"] == []
        # the service recovers: a replacement worker answers, all jobs pass
        results = batch(server, [JudgeJob(source="print(1)", tests=[StdioTest(input="", output="1")])] * 20)
        assert all(r["accepted"] for r in results)
        assert len(child_pids(server.proc.pid)) == 2
        metrics = httpx.get(f"{server.url}/metrics").json()
        assert metrics["counts"]["worker_restarts"] == 1
