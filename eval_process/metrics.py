"""Evaluation metrics from per-sample results: small pure functions.

A per-sample result (a line of ``results.jsonl``, written by :mod:`eval_process.score`)
carries ``task_id``, ``sample_index``, ``difficulty`` and ``outcome``: ``ACCEPTED``,
``NO_CODE``, a failing verdict of the judge (``WRONG_ANSWER``, ``RUNTIME_ERROR``,
``TIME_LIMIT_EXCEEDED``, ``MEMORY_LIMIT_EXCEEDED``, ``COMPILATION_ERROR``) or
``COULD_NOT_SCORE`` (the judge failed). "Could not score" is never wrong: such samples are
counted on their own and left out of every rate and of pass@k's ``n``.

Definitions (``scored`` = every sample except could-not-score ones):

* ``accepted@1`` -- the share of problems whose first sample (``sample_index`` 0; the greedy
  one when decoding was greedy) passes every test;
* ``pass@k`` -- the unbiased estimator ``1 - C(n-c, k) / C(n, k)`` per problem (``n`` scored
  samples, ``c`` accepted), averaged over problems; reported for a ``k`` only when every
  problem has ``n >= k``;
* ``pass_ratio`` -- mean, median and 90th percentile over scored samples of the share of
  tests passed (no code: 0);
* ``exec_success_rate`` -- the share of scored samples that have code and whose run had no
  runtime or compilation error on any test (a wrong answer or a timeout still "ran");
* ``ignores_inputs_rate`` -- the share of scored samples with code whose solution never reads
  its inputs (a constant answer; :mod:`grpo4code.rewards.input_use`), over those where the
  static check can tell: partial credit earned that way is luck, not skill;
* ``verdicts`` -- counts and shares of each outcome over scored samples;
* style (``efficiency``, ``cost_ratio``, ``comments``, ``maintainability``) -- over accepted
  samples only (those dimensions are gated on correctness);
* ``cost`` -- generated tokens, generation and judge seconds, problems per second, tokens and
  judge seconds per solved problem (a problem with at least one accepted sample).
"""

from __future__ import annotations

import math
import statistics
from typing import Iterable, Optional, Sequence

from grpo4code.rewards.input_use import ignores_inputs_share

ACCEPTED, NO_CODE, COULD_NOT_SCORE = "ACCEPTED", "NO_CODE", "COULD_NOT_SCORE"
FAILING_VERDICTS = ("WRONG_ANSWER", "RUNTIME_ERROR", "TIME_LIMIT_EXCEEDED", "MEMORY_LIMIT_EXCEEDED",
                    "COMPILATION_ERROR")
OUTCOMES = (ACCEPTED,) + FAILING_VERDICTS + (NO_CODE,)  # every outcome of a scored sample
CRASH_VERDICTS = ("RUNTIME_ERROR", "COMPILATION_ERROR")
STYLE_DIMENSIONS = ("efficiency", "comments", "maintainability")
DEFAULT_KS = (1, 5, 10)


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k of one problem with ``n`` samples of which ``c`` are correct.

    The probability that at least one of ``k`` samples drawn without replacement from the
    ``n`` is correct: ``1 - C(n - c, k) / C(n, k)``.
    """
    if not 0 <= c <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"pass@k needs 1 <= k <= n, got n={n}, k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """The ``q``-th percentile (0..100) with linear interpolation; ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _mean(values: Sequence[float]) -> Optional[float]:
    return sum(values) / len(values) if values else None


def _share(count: int, total: int) -> Optional[float]:
    return count / total if total else None


def is_scored(row: dict) -> bool:
    return row["outcome"] != COULD_NOT_SCORE


def by_problem(rows: Iterable[dict]) -> dict[str, list[dict]]:
    """Rows grouped by ``task_id``, each group in ``sample_index`` order."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["task_id"], []).append(row)
    return {task: sorted(group, key=lambda r: r["sample_index"]) for task, group in groups.items()}


def correctness_metrics(rows: Sequence[dict], ks: Sequence[int] = DEFAULT_KS) -> dict:
    """accepted@1, pass@k, pass ratio, exec success and verdicts of ``rows`` (see module doc)."""
    groups = by_problem(rows)
    scored = [r for r in rows if is_scored(r)]
    firsts = [group[0] for group in groups.values() if is_scored(group[0])]
    counts = [(sum(1 for r in group if is_scored(r)), sum(1 for r in group if r["outcome"] == ACCEPTED))
              for group in groups.values()]
    counts = [(n, c) for n, c in counts if n > 0]
    pass_at = {}
    for k in sorted(set(ks)):
        if counts and all(n >= k for n, _ in counts):
            pass_at[f"pass@{k}"] = _mean([pass_at_k(n, c, k) for n, c in counts])
    ratios = [float(r["pass_ratio"] or 0.0) for r in scored]
    verdict_counts = {outcome.lower(): sum(1 for r in scored if r["outcome"] == outcome) for outcome in OUTCOMES}
    return {
        "num_problems": len(groups),
        "num_samples": len(rows),
        "num_scored_samples": len(scored),
        "could_not_score": len(rows) - len(scored),
        "problems_without_scored_samples": len(groups) - len(counts),
        "samples_per_problem": {"min": min((len(g) for g in groups.values()), default=0),
                                "max": max((len(g) for g in groups.values()), default=0)},
        "accepted@1": _mean([1.0 if r["outcome"] == ACCEPTED else 0.0 for r in firsts]),
        "accepted@1_problems": len(firsts),
        **pass_at,
        "pass_ratio_mean": _mean(ratios),
        "pass_ratio_p50": percentile(ratios, 50),
        "pass_ratio_p90": percentile(ratios, 90),
        "exec_success_rate": _mean([1.0 if r.get("exec_success") else 0.0 for r in scored]),
        "ignores_inputs_rate": ignores_inputs_share([r.get("ignores_inputs") for r in scored]),
        "verdicts": verdict_counts,
        "verdict_shares": {name: _share(count, len(scored)) for name, count in verdict_counts.items()},
        "solved_problems": sum(1 for _, c in counts if c > 0),
    }


def style_metrics(rows: Sequence[dict]) -> dict:
    """Efficiency, cost ratio, comments and maintainability over accepted samples."""
    accepted = [r for r in rows if r["outcome"] == ACCEPTED]
    out = {"num_accepted_samples": len(accepted)}
    for name in STYLE_DIMENSIONS:
        values = [float(r[name]) for r in accepted if r.get(name) is not None]
        out[name] = {"mean": _mean(values), "p50": percentile(values, 50), "num_scored": len(values)}
    ratios = [float(r["cost_ratio"]) for r in accepted if r.get("cost_ratio") is not None and r["cost_ratio"] > 0]
    out["cost_ratio"] = {
        "geometric_mean": math.exp(statistics.fmean(math.log(x) for x in ratios)) if ratios else None,
        "p50": percentile(ratios, 50), "p90": percentile(ratios, 90), "num_scored": len(ratios),
        "unit": next((r.get("cost_unit") for r in accepted if r.get("cost_unit")), None)}
    return out


def cost_metrics(rows: Sequence[dict]) -> dict:
    """Tokens, seconds and throughput of ``rows`` (generation shares + judge shares)."""
    groups = by_problem(rows)
    tokens = [int(r["num_tokens"]) for r in rows if r.get("num_tokens") is not None]
    truncated = [bool(r["truncated"]) for r in rows if r.get("truncated") is not None]
    gen_known = [r for r in rows if r.get("gen_seconds") is not None]
    gen_seconds = sum(float(r["gen_seconds"]) for r in gen_known) if len(gen_known) == len(rows) else None
    judge_seconds = sum(float(r.get("judge_wall_s") or 0.0) for r in rows)
    judge_cpu = sum(float(r.get("judge_cpu_s") or 0.0) for r in rows)
    solved = sum(1 for group in groups.values() if any(r["outcome"] == ACCEPTED for r in group))
    num = len(groups)
    total_seconds = None if gen_seconds is None else gen_seconds + judge_seconds
    return {
        "generated_tokens": sum(tokens) if tokens else None,
        "avg_gen_tokens": _mean(tokens),
        "truncated_rate": _mean([1.0 if t else 0.0 for t in truncated]),
        "gen_seconds": gen_seconds,
        "judge_seconds": judge_seconds,
        "judge_cpu_seconds": judge_cpu,
        "gen_problems_per_s": num / gen_seconds if gen_seconds else None,
        "judge_problems_per_s": num / judge_seconds if judge_seconds else None,
        "problems_per_s": num / total_seconds if total_seconds else None,
        "tokens_per_solved_problem": sum(tokens) / solved if solved and tokens else None,
        "judge_seconds_per_solved_problem": judge_seconds / solved if solved else None,
    }


def summarize(rows: Sequence[dict], ks: Sequence[int] = DEFAULT_KS) -> dict:
    """Every metric of ``rows``, overall and per difficulty."""
    def block(part: Sequence[dict]) -> dict:
        return {**correctness_metrics(part, ks), "style": style_metrics(part), "cost": cost_metrics(part)}

    difficulties = sorted({r.get("difficulty") or "unknown" for r in rows})
    return {"overall": block(rows),
            "per_difficulty": {d: block([r for r in rows if (r.get("difficulty") or "unknown") == d])
                               for d in difficulties}}
