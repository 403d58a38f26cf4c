"""The augmentation report: tests per problem before and after, refusals by reason, and
how many problems trivial programs pass before and after."""

from __future__ import annotations

import collections
import statistics
import time

from grpo4code.data.augment.augment import SKIP_REASONS, AugmentResult
from grpo4code.data.augment.trivial import TRIVIAL_KINDS

MARKDOWN_EXAMPLES = 8  # problems listed per reason in the markdown (the JSON lists all)
HISTOGRAM_BINS = ((1, 1), (2, 2), (3, 3), (4, 5), (6, 10), (11, 15), (16, 20), (21, 25), (26, None))


def _stats(values: list[int]) -> dict:
    if not values:
        return {"mean": 0.0, "median": 0.0, "min": 0, "max": 0, "total": 0}
    return {"mean": round(statistics.fmean(values), 2), "median": statistics.median(values),
            "min": min(values), "max": max(values), "total": sum(values)}


def _histogram(values: list[int]) -> dict:
    counts = {}
    for lo, hi in HISTOGRAM_BINS:
        label = f"{lo}" if lo == hi else (f"{lo}-{hi}" if hi else f">={lo}")
        counts[label] = sum(1 for v in values if v >= lo and (hi is None or v <= hi))
    return counts


def _trivial_summary(outcomes: list) -> dict:
    """Per trivial program: problems it passes (all tests) and its mean pass ratio, before/after."""
    summary = {}
    for kind in TRIVIAL_KINDS:
        row = {}
        for stage in ("before", "after"):
            cells = [o.trivial[kind][stage] for o in outcomes if kind in o.trivial and o.trivial[kind][stage][0] is not None]
            row[stage] = {
                "problems_passed": sum(1 for passed, total in cells if total and passed == total),
                "mean_pass_ratio": round(statistics.fmean(p / t for p, t in cells if t), 4) if cells else 0.0,
                "problems_judged": len(cells),
            }
        summary[kind] = row
    return summary


def summarize(result: AugmentResult, source: str = "") -> dict:
    """The report as a JSON-ready dict."""
    outcomes = result.outcomes
    augmented = [o for o in outcomes if o.status == "augmented"]
    skipped = collections.defaultdict(list)
    for o in outcomes:
        if o.status == "skipped":
            skipped[o.reason].append(o)
    dropped: dict = collections.Counter()
    for o in outcomes:
        dropped.update(o.dropped)
    before = [o.tests_before for o in outcomes]
    after = [o.tests_after for o in outcomes]
    return {
        "source": source,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": result.config.to_dict(),
        "num_problems": len(outcomes),
        "augmented": len(augmented),
        "augmented_cross_checked": sum(o.cross_checked for o in augmented),
        "skipped": {reason: {"count": len(items), "meaning": SKIP_REASONS.get(reason, ""),
                             "problems": [f"{o.problem.id}: {o.detail}"[:200] for o in items]}
                    for reason, items in sorted(skipped.items(), key=lambda kv: -len(kv[1]))},
        "tests_before": _stats(before),
        "tests_after": _stats(after),
        "histogram_before": _histogram(before),
        "histogram_after": _histogram(after),
        "new_tests": _stats([o.new_tests for o in augmented]),
        "large_tests": sum(o.large_tests for o in augmented),
        "inputs_generated": sum(o.inputs_generated for o in outcomes),
        "inputs_dropped": dict(dropped.most_common()),
        "new_test_chars": sum(len(o.problem.tests[-1].code) for o in augmented),
        "reference_cpu_s_new_tests": _stats([o.reference_cpu_s for o in augmented]) if augmented else {},
        "trivial": _trivial_summary(outcomes),
        "elapsed_s": round(result.elapsed_s, 1),
    }


def render_text(summary: dict) -> str:
    """The short summary the command line prints."""
    tb, ta = summary["tests_before"], summary["tests_after"]
    lines = [
        f"test augmentation: {summary['augmented']} of {summary['num_problems']} problems augmented "
        f"in {summary['elapsed_s']:.0f}s (judge workers: {summary['config']['judge_workers']})",
        f"tests per problem: before mean {tb['mean']} median {tb['median']} min {tb['min']} max {tb['max']} "
        f"(total {tb['total']}); after mean {ta['mean']} median {ta['median']} min {ta['min']} max {ta['max']} "
        f"(total {ta['total']})",
        f"new tests: {summary['new_tests']['total']} ({summary['large_tests']} large) from "
        f"{summary['inputs_generated']} generated inputs; {summary['augmented_cross_checked']} augmented "
        f"problems cross-checked by a second solution",
        "histogram (tests: problems before -> after): " + ", ".join(
            f"{k}: {summary['histogram_before'][k]}->{summary['histogram_after'][k]}"
            for k in summary["histogram_before"]),
        "not augmented: " + (", ".join(f"{r} {v['count']}" for r, v in summary["skipped"].items()) or "none"),
        "inputs dropped: " + (", ".join(f"{r} {n}" for r, n in summary["inputs_dropped"].items()) or "none"),
    ]
    for kind, row in summary["trivial"].items():
        b, a = row["before"], row["after"]
        lines.append(f"trivial `{kind}` passes {b['problems_passed']} -> {a['problems_passed']} problems "
                     f"(mean pass ratio {b['mean_pass_ratio']:.3f} -> {a['mean_pass_ratio']:.3f})")
    return "\n".join(lines)


def render_markdown(summary: dict) -> str:
    """The full report in markdown."""
    tb, ta = summary["tests_before"], summary["tests_after"]
    out = [
        "# Test augmentation report", "",
        f"Source: `{summary['source']}`  ",
        f"Created: {summary['created_at']}; time taken: {summary['elapsed_s']:.0f} s "
        f"with {summary['config']['judge_workers']} judge workers.", "",
        f"**{summary['augmented']} of {summary['num_problems']} problems augmented**; "
        f"{summary['new_tests']['total']} new tests ({summary['large_tests']} at the large end of the "
        f"constraints), {summary['new_test_chars']:,} characters of new test code. "
        f"{summary['augmented_cross_checked']} of the augmented problems were cross-checked: a second, "
        f"independent solution agreed with the reference on every new input.", "",
        "## Tests per problem", "",
        "| | mean | median | min | max | total |", "| --- | --- | --- | --- | --- | --- |",
        f"| before | {tb['mean']} | {tb['median']} | {tb['min']} | {tb['max']} | {tb['total']} |",
        f"| after | {ta['mean']} | {ta['median']} | {ta['min']} | {ta['max']} | {ta['total']} |", "",
        "| tests | problems before | problems after |", "| --- | --- | --- |",
    ]
    out += [f"| {k} | {summary['histogram_before'][k]} | {summary['histogram_after'][k]} |"
            for k in summary["histogram_before"]]
    out += ["", "## Trivial programs (sanity: do the tests tell a guess from a solution?)", "",
            "A problem is passed when every test passes. `replay_examples` returns the original "
            "examples' outputs in order, so it passes every original test set by construction.", "",
            "| program | problems passed before | after | mean pass ratio before | after |",
            "| --- | --- | --- | --- | --- |"]
    for kind, row in summary["trivial"].items():
        b, a = row["before"], row["after"]
        out.append(f"| `{kind}` | {b['problems_passed']} | {a['problems_passed']} | "
                   f"{b['mean_pass_ratio']:.3f} | {a['mean_pass_ratio']:.3f} |")
    out += ["", "## Problems not augmented", "", "| reason | problems | meaning |", "| --- | --- | --- |"]
    for reason, item in summary["skipped"].items():
        out.append(f"| `{reason}` | {item['count']} | {item['meaning']} |")
    for reason, item in summary["skipped"].items():
        shown = item["problems"][:MARKDOWN_EXAMPLES]
        more = f" ({item['count'] - len(shown)} more in the JSON report)" if item["count"] > len(shown) else ""
        out += ["", f"`{reason}`{more}:", ""] + [f"- {line}" for line in shown]
    out += ["", "## Generated inputs not used", "",
            f"{summary['inputs_generated']} inputs generated.", "", "| why | inputs |", "| --- | --- |"]
    out += [f"| `{reason}` | {count} |" for reason, count in summary["inputs_dropped"].items()]
    cpu = summary.get("reference_cpu_s_new_tests") or {}
    if cpu:
        out += ["", f"Reference CPU on the new tests of one problem: mean {cpu['mean']} s, max {cpu['max']} s."]
    out += ["", "## Settings", "", "```"]
    out += [f"{k}: {v}" for k, v in summary["config"].items() if k != "not_unique_patterns"]
    out += ["```", ""]
    return "\n".join(out)
