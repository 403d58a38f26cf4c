"""The deterministic cost for the efficiency reward: repeatable, the solution's own work
(threads and module-level code included, harness excluded), and always labelled with its unit."""

import statistics

import pytest

from execeval_service import JudgeJob, Limits
from execeval_service.cost import UNIT_BYTECODES, UNIT_INSTRUCTIONS, BytecodeCounter, detect_cost_unit, hardware_counters_work
from execeval_service.testing import JudgeServer, batch
from grpo4code.data.schema import AssertionTest, CallTest, StdioTest

CHECK = "def check(candidate):\n    assert candidate(3000) == sum(i * i for i in range(3000))\n    assert candidate(10) == 285\n"
PLAIN = "def f(n):\n    total = 0\n    for i in range(n):\n        total += i * i\n    return total\n"
THREADED = ("import threading\ndef f(n):\n    out = []\n    t = threading.Thread(target=lambda: out.append(sum(i * i for i in range(n))))\n"
            "    t.start(); t.join()\n    return out[0]\n")
SETS = "def f(n):\n    s = {str(i) for i in range(n)}\n    d = {k: len(k) for k in s}\n    acc = 0\n    for k in s:\n        acc = (acc * 31 + d[k]) % 1000003\n    return sum(i * i for i in range(n))\n"


@pytest.fixture(scope="module")
def server():
    with JudgeServer(workers=2) as srv:
        yield srv


def costed(server, source, repeats=1, **job):
    jobs = [JudgeJob(source=source, entry_point="f", tests=[AssertionTest(code=CHECK)], measure_cost=True,
                     limits=Limits(time_limit_s=5), **job) for _ in range(repeats)]
    return batch(server, jobs)


def test_cost_repeats_exactly_while_wall_time_varies(server):
    results = costed(server, SETS, repeats=10)
    assert all(r["accepted"] for r in results)
    costs = [r["cost"] for r in results]
    units = {r["cost_unit"] for r in results}
    assert units <= {UNIT_BYTECODES, UNIT_INSTRUCTIONS} and len(units) == 1
    spread = (max(costs) - min(costs)) / statistics.mean(costs)
    assert spread <= 0.001, costs
    if units == {UNIT_BYTECODES}:
        assert len(set(costs)) == 1
    per_test = [[t["cost"] for t in r["tests"]] for r in results]
    assert all(p == per_test[0] for p in per_test)


def test_cost_counts_work_in_threads_and_at_module_level(server):
    plain, threaded = costed(server, PLAIN)[0], costed(server, THREADED)[0]
    assert plain["accepted"] and threaded["accepted"]
    # the thread's loop is counted: same order of work as the plain loop
    assert threaded["cost"] > 0.5 * plain["cost"]
    module_level = costed(server, "warm = [i * i for i in range(20000)]\n" + PLAIN)[0]
    assert module_level["cost"] > plain["cost"] + 20000
    # more work costs more: the per-test costs follow the argument sizes
    big, small = plain["tests"][0]["cost"], plain["tests"][1]["cost"]
    assert big > 100 * small


def test_cost_excludes_the_harness_and_is_optional(server):
    tiny = costed(server, "def f(n):\n    return 285 if n == 10 else sum(i * i for i in range(n))\n")[0]
    assert tiny["accepted"]
    unmeasured = batch(server, [JudgeJob(source=PLAIN, entry_point="f", tests=[AssertionTest(code=CHECK)])])[0]
    assert unmeasured["cost"] is None and unmeasured["cost_unit"] is None
    rejected = batch(server, [JudgeJob(source="def f(n):\n    return 0", entry_point="f", measure_cost=True,
                                       tests=[AssertionTest(code=CHECK)])])[0]
    assert rejected["cost"] is None  # cost is measured for accepted jobs


def test_stdio_and_call_tests_are_costed_with_their_unit(server):
    stdio, call = batch(server, [
        JudgeJob(source="n = int(input())\nprint(sum(i * i for i in range(n)))", measure_cost=True,
                 tests=[StdioTest(input="1000", output=str(sum(i * i for i in range(1000))))]),
        JudgeJob(source=PLAIN, entry_point="f", measure_cost=True, tests=[CallTest(args=[100], expected=328350)]),
    ])
    for result in (stdio, call):
        assert result["accepted"] and result["cost"] > 100
        assert result["cost_unit"] == result["tests"][0]["cost_unit"] in (UNIT_BYTECODES, UNIT_INSTRUCTIONS)


def test_cost_unit_detection_falls_back_without_counters():
    unit = detect_cost_unit()
    assert unit == (UNIT_INSTRUCTIONS if hardware_counters_work() else UNIT_BYTECODES)
    assert detect_cost_unit(allow_hardware=False) == UNIT_BYTECODES


def test_bytecode_counter_is_exact_in_process():
    def work():
        return sorted({i % 97 for i in range(5000)})

    counts = []
    for _ in range(5):
        counter = BytecodeCounter(frozenset())
        counter.start()
        work()
        counter.stop()
        counts.append(counter.total())
    assert len(set(counts)) == 1 and counts[0] > 5000
