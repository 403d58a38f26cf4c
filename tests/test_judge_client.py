"""The provider interface: JudgeClient (failover, retries, could-not-score) and
EmbeddedJudge give the same results through the same ``run_batch``."""

import asyncio

import pytest

from execeval_service import EmbeddedJudge, JudgeClient, JudgeJob
from execeval_service.client import JudgeRequestError
from execeval_service.jobs import JudgeResult, result_summary
from execeval_service.testing import JudgeServer, free_port
from grpo4code.data.schema import AssertionTest, CallTest, Problem, StdioTest

JOBS = [
    JudgeJob(source="def f(x):\n    return x * 2", entry_point="f",
             tests=[AssertionTest(code="def check(c):\n    assert c(1) == 2\n    assert c(2) == 5\n"),
                    CallTest(args=[3], expected=6)]),
    JudgeJob(source="print(input().upper())", tests=[StdioTest(input="ab", output="AB")]),
]


@pytest.fixture(scope="module")
def server():
    with JudgeServer(workers=2) as srv:
        yield srv


def summary(results):
    return [(r.status.value, r.num_passed, r.num_tests, [t.verdict.value for t in r.tests]) for r in results]


def test_client_fails_over_to_a_live_url(server):
    dead = f"http://127.0.0.1:{free_port()}"
    client = JudgeClient([dead, server.url, dead], jobs_per_request=1, retries=1, backoff_s=0.01)
    results = client.run_batch_sync(JOBS * 3)
    assert summary(results) == summary(results[:2]) * 3
    assert summary(results[:2]) == [("COMPLETED", 2, 3, ["PASSED", "WRONG_ANSWER", "PASSED"]),
                                    ("COMPLETED", 1, 1, ["PASSED"])]


def test_client_could_not_score_after_retries():
    client = JudgeClient([f"http://127.0.0.1:{free_port()}"], retries=2, backoff_s=0.01)
    results = client.run_batch_sync(JOBS)
    assert all(r.could_not_score and r.status.value == "SANDBOX_ERROR" for r in results)
    assert all("3 attempts" in r.error for r in results)
    assert not any(r.accepted for r in results)


def test_client_raises_on_bad_requests(server):
    bad = JudgeJob.model_construct(source="x", entry_point="f(", preamble="", tests=JOBS[0].tests,
                                   limits=JOBS[0].limits, measure_cost=False, stop_on_first_fail=False)
    with pytest.raises(JudgeRequestError, match="entry_point"):
        JudgeClient(server.url).run_batch_sync([bad])


def test_embedded_judge_matches_the_service(server):
    remote = JudgeClient(server.url).run_batch_sync(JOBS)
    with EmbeddedJudge(workers=2) as judge:
        first = asyncio.run(judge.run_batch(JOBS))
        second = asyncio.run(judge.run_batch(JOBS))  # another event loop, same judge
        assert summary(first) == summary(second) == summary(remote)
        assert judge.isolation in ("bwrap", "none")


def test_batch_summaries_equal_the_models_summaries():
    """The server's batch answer skips building models; it must say exactly what they say."""
    jobs = JOBS + [JudgeJob(source="import sys\nsys.exit(3)", tests=[StdioTest(input="", output="")]),
                   JudgeJob(source="def f(x)\n", entry_point="f", tests=[CallTest(args=[1], expected=1)]),
                   JudgeJob(source="def f(x):\n    return x", entry_point="f", measure_cost=True,
                            tests=[CallTest(args=[1], expected=1)])]
    with EmbeddedJudge(workers=1) as judge:
        summaries = [f.result() for f in judge.submit_many_summaries(jobs)]
        models = judge.run_batch_sync(jobs)
    for summary_dict, model in zip(summaries, models):
        assert _timeless(summary_dict) == _timeless(model.summary())
        assert list(summary_dict) == list(model.summary())
    error = {"status": "SANDBOX_ERROR", "error": "worker failed", "num_tests": 2}
    assert result_summary(error) == JudgeResult.model_validate(error).summary()


def _timeless(summary: dict) -> dict:
    """A summary without the measures that differ from run to run."""
    varying = ("wall_s", "cpu_s", "peak_memory_kb")
    tests = [{k: v for k, v in t.items() if k not in varying} for t in summary["tests"]]
    return {**{k: v for k, v in summary.items() if k not in varying}, "tests": tests}


def test_jobs_from_problems():
    problem = Problem(id="p1", source="starter", split="test", instruction="Double it.", entry_point="double",
                      tests=[AssertionTest(code="def check(c):\n    assert c(2) == 4\n"), CallTest(args=[5], expected=10)])
    job = JudgeJob.from_problem(problem, "def double(x):\n    return 2 * x")
    assert [t.kind for t in job.tests] == ["assertion", "call"] and job.entry_point == "double"
    with pytest.raises(ValueError, match="entry_point"):
        JudgeJob(source="x", tests=[CallTest(args=[], expected=1)])
