"""The HTTP API through the real server on loopback: ExecEval and SandboxFusion
compatibility, the batch endpoint, 4xx naming the field, auth, size limits, health, metrics."""

import httpx
import pytest

from execeval_service.testing import JudgeServer

TOKEN = "test-token-123"


@pytest.fixture(scope="module")
def server():
    with JudgeServer(workers=2, token=TOKEN, extra_args=("--max-request-mb", "1")) as srv:
        yield srv


def post(server, path, body, **kwargs):
    return httpx.post(f"{server.url}{path}", json=body, headers=server.headers, timeout=60, **kwargs)


def test_execeval_execute_code(server):
    body = {"language": "Python 3", "source_code": "a, b = map(int, input().split())\nprint(a + b)",
            "unittests": [{"input": "1 2", "output": ["3"]}, {"input": "2 2", "output": ["5", "6"]},
                          {"input": "5 5", "output": ["10"]}],
            "limits": {"cpu": 2, "as": 1 << 30, "nofile": 4, "nproc": 4, "core": 0},
            "block_network": True, "stop_on_first_fail": False}
    data = post(server, "/api/execute_code", body).json()["data"]
    assert [d["exec_outcome"] for d in data] == ["PASSED", "WRONG_ANSWER", "PASSED"]
    assert data[0]["result"].strip() == "3" and data[1]["output"] == ["5", "6"]
    for entry in data:
        assert entry["wall_s"] > 0 and entry["cpu_s"] >= 0 and entry["peak_memory_kb"] >= 0
        assert "time_consumed" in entry and entry["peak_memory_consumed"].endswith("kB")


def test_execeval_stop_on_first_fail(server):
    body = {"language": "Python 3", "source_code": "print(1)",
            "unittests": [{"input": "", "output": ["2"]}, {"input": "", "output": ["1"]}]}
    data = post(server, "/api/execute_code", body).json()["data"]
    assert [d["exec_outcome"] for d in data] == ["WRONG_ANSWER"]


def test_all_runtimes(server):
    runtimes = httpx.get(f"{server.url}/api/all_runtimes", headers=server.headers).json()
    assert runtimes[0]["runtime_name"] == "Python 3"


def test_sandboxfusion_run_code(server):
    ok = post(server, "/run_code", {"code": "print(input()[::-1])", "language": "python", "stdin": "abc"}).json()
    assert ok["status"] == "Success"
    assert ok["run_result"]["status"] == "Finished" and ok["run_result"]["return_code"] == 0
    assert ok["run_result"]["stdout"] == "cba\n"
    failed = post(server, "/run_code", {"code": "import sys\nprint('x', file=sys.stderr)\nsys.exit(4)"}).json()
    assert failed["status"] == "Failed" and failed["run_result"]["return_code"] == 4
    assert "x" in failed["run_result"]["stderr"]
    slow = post(server, "/run_code", {"code": "while True: pass", "run_timeout": 0.5}).json()
    assert slow["status"] == "Failed" and slow["run_result"]["status"] == "TimeLimitExceeded"


def test_batch_endpoint_results_per_job_and_test(server):
    jobs = [{"source": "def f(x):\n    return x", "entry_point": "f",
             "tests": [{"kind": "call", "args": [1], "expected": 1}, {"kind": "call", "args": [2], "expected": 3}]},
            {"source": "print(input())", "tests": [{"kind": "stdio", "input": "hi", "output": "hi"}]}]
    results = post(server, "/api/judge_batch", {"jobs": jobs}).json()["results"]
    assert [r["num_passed"] for r in results] == [1, 1]
    assert [r["pass_ratio"] for r in results] == [0.5, 1.0]
    assert [r["accepted"] for r in results] == [False, True]


@pytest.mark.parametrize("path, body, field", [
    ("/api/execute_code", {"language": "Rust", "source_code": "x", "unittests": [{"input": "", "output": [""]}]}, "language"),
    ("/api/execute_code", {"language": "Python 3", "source_code": "x", "unittests": []}, "unittests"),
    ("/api/execute_code", {"language": "Python 3", "unittests": [{"input": "", "output": [""]}]}, "source_code"),
    ("/run_code", {"code": "x", "files": {"a.txt": "eA=="}}, "files"),
    ("/api/judge_batch", {"jobs": [{"source": "x", "tests": [{"kind": "assertion", "code": "def check(c): pass"}]}]}, "entry_point"),
    ("/api/judge_batch", {"jobs": [{"source": "x", "entry_point": "f", "tests": [{"kind": "assertion", "code": "def check(c): pass"}]}]}, "code"),
    ("/api/judge_batch", {"jobs": [{"source": "x", "tests": [{"kind": "nope"}]}]}, "tests"),
    ("/api/judge_batch", {"jobs": [{"source": "x", "entry_point": "f(", "tests": [{"kind": "call", "args": [], "expected": 1}]}]}, "entry_point"),
    ("/api/judge_batch", {"jobs": [{"source": "x", "tests": [{"kind": "stdio", "input": "", "output": ""}],
                                    "limits": {"time_limit_s": -1}}]}, "time_limit_s"),
])
def test_bad_requests_are_4xx_naming_the_field(server, path, body, field):
    response = post(server, path, body)
    assert 400 <= response.status_code < 500
    assert field in str(response.json()["detail"])


def test_token_is_required(server):
    body = {"code": "print(1)"}
    assert httpx.post(f"{server.url}/run_code", json=body).status_code == 401
    assert httpx.post(f"{server.url}/run_code", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(f"{server.url}/metrics").status_code == 401
    assert httpx.get(f"{server.url}/health").status_code == 200  # health needs no token


def test_request_size_is_capped(server):
    body = {"code": "#" + "x" * (2 << 20)}
    assert post(server, "/run_code", body).status_code == 413


def test_limits_are_clamped_to_server_maxima(server):
    body = {"code": "import resource\nprint(resource.getrlimit(resource.RLIMIT_CPU)[0])", "run_timeout": 10_000}
    result = post(server, "/run_code", body).json()
    assert int(result["run_result"]["stdout"]) <= 61  # max_time_limit_s (60) + 1


def test_health_and_metrics(server):
    health = httpx.get(f"{server.url}/health").json()
    assert health["status"] == "ok" and health["isolation"] in ("bwrap", "none") and health["workers"] == 2
    metrics = httpx.get(f"{server.url}/metrics", headers=server.headers).json()
    assert metrics["counts"]["jobs"] >= 1
    assert metrics["queue_depth"] >= 0 and "PASSED" in metrics["verdicts"]
    assert metrics["job_latency_s"]["p50"] > 0
