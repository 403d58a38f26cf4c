"""Counters and latency figures of the engine, for ``GET /metrics`` and ``EmbeddedJudge.metrics()``."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, deque


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by nearest rank; ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100.0 * len(ordered)) - 1))
    return ordered[rank]


class Metrics:
    """Thread-safe counts (jobs, runs, verdicts, statuses) and recent job latencies."""

    def __init__(self, window: int = 10000):
        self._lock = threading.Lock()
        self.counts: Counter = Counter()
        self.verdicts: Counter = Counter()
        self.latencies: deque = deque(maxlen=window)
        self.started = time.time()

    def count(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self.counts[name] += amount

    def job_finished(self, result: dict, latency_s: float) -> None:
        with self._lock:
            self.counts["jobs"] += 1
            self.counts[f"jobs_{str(result.get('status', 'UNKNOWN')).lower()}"] += 1
            for test in result.get("tests") or ():
                self.verdicts[test.get("verdict")] += 1
            self.latencies.append(latency_s)

    def snapshot(self) -> dict:
        with self._lock:
            latencies = list(self.latencies)
            return {
                "uptime_s": time.time() - self.started,
                "counts": dict(self.counts),
                "verdicts": dict(self.verdicts),
                "job_latency_s": {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
                                  "window": len(latencies)},
            }
