"""Compare score runs: ``python -m eval_process.analysis --runs RUN_A RUN_B ... --output_dir DIR``.

Each run is a folder written by :mod:`eval_process.score` (``metrics.json``, ``summary.json``,
``run_info.json``, ``results.jsonl``). The report -- ``report.md`` and ``report.html`` with
the same tables, and PNG plots referenced from both -- holds:

* the runs (model, dataset and its hash, decoding, judge, revision);
* headline metrics side by side, and pass@k / accepted@1 (``pass_at_k.png``);
* before/after tables: every later run against the first, with deltas and the problems
  whose first sample flipped -- only for runs on the same problems (same dataset hash);
* the verdict breakdown (``verdicts.png``), per difficulty (``difficulty.png``), per reward
  dimension (``dimensions.png``), the efficiency distribution of accepted samples
  (``efficiency.png``) and the cost.
"""

from __future__ import annotations

import html
import json
import os
import sys
import textwrap
from dataclasses import dataclass, field
from typing import Optional

from eval_process.metrics import ACCEPTED, OUTCOMES, STYLE_DIMENSIONS

HEADLINE = ("accepted@1", "pass@1", "pass@5", "pass@10", "pass_ratio_mean", "pass_ratio_p50", "pass_ratio_p90",
            "exec_success_rate", "ignores_inputs_rate", "could_not_score")
COST = ("avg_gen_tokens", "truncated_rate", "gen_seconds", "judge_seconds", "problems_per_s",
        "tokens_per_solved_problem", "judge_seconds_per_solved_problem")


@dataclass
class AnalysisConfig:
    """``python -m eval_process.analysis``: a markdown + HTML report comparing score runs."""

    runs: list[str] = field(default_factory=list, metadata={
        "help": "Score output folders (metrics.json, summary.json, run_info.json, results.jsonl). The first is "
                "'before' in the before/after tables."})
    labels: list[str] = field(default_factory=list, metadata={
        "help": "A label per run (default: each folder's last two path parts)."})
    output_dir: str = field(default="outputs/eval/report", metadata={"help": "Where the report and plots go."})
    title: str = field(default="grpo4code evaluation report", metadata={"help": "The report's title."})

    def __post_init__(self) -> None:
        if not self.runs:
            raise ValueError("--runs needs at least one score output folder")
        if self.labels and len(self.labels) != len(self.runs):
            raise ValueError(f"--labels: {len(self.labels)} labels for {len(self.runs)} runs")


@dataclass
class Run:
    label: str
    folder: str
    metrics: dict
    summary: dict
    run_info: dict
    results: list

    def value(self, name: str):
        """A headline or cost metric of the whole run."""
        overall = self.metrics["overall"]
        return overall["cost"].get(name) if name in COST else overall.get(name)


def load_run(folder: str, label: str = "") -> Run:
    """Read one score run; a missing file is an error naming it."""
    data = {}
    for name in ("metrics.json", "summary.json", "run_info.json"):
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{folder} is not a score run: {name} is missing "
                                    "(run python -m eval_process.score)")
        with open(path, encoding="utf-8") as handle:
            data[name] = json.load(handle)
    results = []
    results_path = os.path.join(folder, "results.jsonl")
    if os.path.isfile(results_path):
        with open(results_path, encoding="utf-8") as handle:
            results = [json.loads(line) for line in handle if line.strip()]
    label = label or os.path.join(*os.path.normpath(os.path.abspath(folder)).split(os.sep)[-2:])
    return Run(label, folder, data["metrics.json"], data["summary.json"], data["run_info.json"], results)


# ----------------------------------------------------------------------------------------------
# Tables: (title, header, rows, note); rendered to markdown and HTML alike
# ----------------------------------------------------------------------------------------------

def fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) >= 1000 else f"{value:.3f}"
    return str(value)


def delta(before, after) -> str:
    if not isinstance(before, (int, float)) or not isinstance(after, (int, float)):
        return "n/a"
    return f"{after - before:+.3f}"


def runs_table(runs: list[Run]) -> tuple:
    rows = []
    for run in runs:
        info, summary = run.run_info, run.summary
        model, dataset = info.get("model", {}), info.get("dataset", {})
        judge, git = info.get("judge", {}), info.get("git", {})
        generation = model.get("generation") or {}
        decoding = "greedy" if generation.get("temperature") == 0 else (
            f"T={generation.get('temperature')}, n={model.get('num_samples')}" if generation else "unknown")
        revision = (git.get("revision") or "n/a")[:10] + (" (dirty)" if git.get("dirty") else "")
        rows.append([run.label, summary.get("model"), f"{summary.get('dataset')} ({summary.get('split')})",
                     (dataset.get("dataset_hash") or "")[:12], summary.get("num_problems"), summary.get("num_samples"),
                     decoding, f"{judge.get('backend')} / {judge.get('isolation')}", revision])
    return ("Runs", ["run", "model", "dataset", "dataset hash", "problems", "samples", "decoding", "judge / isolation",
                     "revision"], rows, None)


def metric_table(runs: list[Run], title: str, names, note: Optional[str] = None) -> tuple:
    rows = [[name] + [fmt(run.value(name)) for run in runs] for name in names
            if any(run.value(name) is not None for run in runs)]
    return (title, ["metric"] + [run.label for run in runs], rows, note)


def before_after_tables(runs: list[Run]) -> list[tuple]:
    tables = []
    before = runs[0]
    for after in runs[1:]:
        title = f"Before / after: {before.label} -> {after.label}"
        if before.summary.get("dataset_hash") != after.summary.get("dataset_hash"):
            tables.append((title, [], [], "Not compared: the two runs used different problems (dataset hashes "
                                          "differ), so their deltas would mean nothing."))
            continue
        rows = [[name, fmt(before.value(name)), fmt(after.value(name)), delta(before.value(name), after.value(name))]
                for name in HEADLINE + ("avg_gen_tokens", "problems_per_s")
                if before.value(name) is not None or after.value(name) is not None]
        for dim in STYLE_DIMENSIONS:
            b, a = before.metrics["overall"]["style"][dim]["mean"], after.metrics["overall"]["style"][dim]["mean"]
            rows.append([f"{dim} (accepted samples)", fmt(b), fmt(a), delta(b, a)])
        note = None
        if before.results and after.results:
            solved_before, solved_after = first_sample_solved(before.results), first_sample_solved(after.results)
            gained = sorted(t for t in solved_after if solved_after[t] and not solved_before.get(t, False))
            lost = sorted(t for t in solved_before if solved_before[t] and not solved_after.get(t, False))
            note = (f"First sample newly accepted ({len(gained)}): {', '.join(gained) or 'none'}. "
                    f"No longer accepted ({len(lost)}): {', '.join(lost) or 'none'}.")
        tables.append((title, ["metric", "before", "after", "delta"], rows, note))
    return tables


def first_sample_solved(results: list[dict]) -> dict[str, bool]:
    first = {}
    for row in sorted(results, key=lambda r: r["sample_index"]):
        if row["task_id"] not in first and row["outcome"] != "COULD_NOT_SCORE":
            first[row["task_id"]] = row["outcome"] == ACCEPTED
    return first


def verdict_table(runs: list[Run]) -> tuple:
    rows = []
    for outcome in [o.lower() for o in OUTCOMES] + ["could_not_score"]:
        cells = []
        for run in runs:
            overall = run.metrics["overall"]
            if outcome == "could_not_score":
                cells.append(str(overall["could_not_score"]))
            else:
                count, share = overall["verdicts"].get(outcome, 0), overall["verdict_shares"].get(outcome)
                cells.append(f"{count} ({fmt(share)})")
        rows.append([outcome] + cells)
    return ("Verdict breakdown", ["outcome"] + [r.label for r in runs], rows,
            "Counts (share of scored samples). Could-not-score samples are the judge's failures, outside the shares.")


def difficulty_table(runs: list[Run]) -> tuple:
    difficulties = sorted({d for run in runs for d in run.metrics["per_difficulty"]})
    rows = []
    for d in difficulties:
        row = [d]
        for run in runs:
            block = run.metrics["per_difficulty"].get(d)
            row.append("n/a" if block is None else
                       f"{fmt(block['accepted@1'])} / {fmt(block['pass_ratio_mean'])} ({block['num_problems']})")
        rows.append(row)
    return ("Per difficulty", ["difficulty"] + [r.label for r in runs], rows,
            "accepted@1 / mean pass ratio (problems).")


def dimension_table(runs: list[Run]) -> tuple:
    rows = [["correctness (pass ratio, all samples)"] + [fmt(r.metrics["overall"]["pass_ratio_mean"]) for r in runs]]
    for dim in STYLE_DIMENSIONS:
        rows.append([f"{dim} (accepted samples)"] + [
            f"{fmt(r.metrics['overall']['style'][dim]['mean'])} (n={r.metrics['overall']['style'][dim]['num_scored']})"
            for r in runs])
    rows.append(["cost ratio to reference (geometric mean)"] + [
        fmt(r.metrics["overall"]["style"]["cost_ratio"]["geometric_mean"]) for r in runs])
    return ("Reward dimensions", ["dimension"] + [r.label for r in runs], rows,
            "Style dimensions are gated on correctness, so they are averaged over accepted samples only.")


# ----------------------------------------------------------------------------------------------
# Plots
# ----------------------------------------------------------------------------------------------

def _grouped_bars(ax, groups: list[str], series: dict[str, list], ylabel: str) -> None:
    import numpy as np

    width = 0.8 / max(1, len(series))
    x = np.arange(len(groups))
    for i, (label, values) in enumerate(series.items()):
        ax.bar(x + i * width - 0.4 + width / 2, [0 if v is None else v for v in values], width, label=label)
    ax.set_xticks(x, groups)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def make_plots(runs: list[Run], folder: str) -> dict[str, str]:
    """Write the PNGs; ``{section: file name}``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = {}

    def save(fig, name: str, section: str) -> None:
        fig.tight_layout()
        fig.savefig(os.path.join(folder, name), dpi=110)
        plt.close(fig)
        files[section] = name

    labels = [textwrap.fill(r.label.replace("/", "/ "), 18) for r in runs]  # wrapped: long run names overlap
    ks = sorted({k for r in runs for k in r.metrics["overall"] if k.startswith("pass@")}, key=lambda k: int(k[5:]))
    fig, ax = plt.subplots(figsize=(7, 4))
    _grouped_bars(ax, ["accepted@1"] + ks, {r.label: [r.value("accepted@1")] + [r.value(k) for k in ks] for r in runs},
                  "share of problems")
    ax.set_ylim(0, 1)
    ax.set_title("accepted@1 and pass@k")
    save(fig, "pass_at_k.png", "headline")

    fig, ax = plt.subplots(figsize=(7, 4))
    bottoms = [0.0] * len(runs)
    for outcome in [o.lower() for o in OUTCOMES]:
        shares = [r.metrics["overall"]["verdict_shares"].get(outcome) or 0.0 for r in runs]
        ax.bar(labels, shares, bottom=bottoms, label=outcome)
        bottoms = [b + s for b, s in zip(bottoms, shares)]
    ax.set_ylabel("share of scored samples")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("Verdict breakdown")
    save(fig, "verdicts.png", "verdicts")

    difficulties = sorted({d for r in runs for d in r.metrics["per_difficulty"]})
    fig, ax = plt.subplots(figsize=(7, 4))
    _grouped_bars(ax, difficulties, {r.label: [(r.metrics["per_difficulty"].get(d) or {}).get("accepted@1")
                                              for d in difficulties] for r in runs}, "accepted@1")
    ax.set_ylim(0, 1)
    ax.set_title("accepted@1 per difficulty")
    save(fig, "difficulty.png", "difficulty")

    dims = ["correctness"] + list(STYLE_DIMENSIONS)
    fig, ax = plt.subplots(figsize=(7, 4))
    _grouped_bars(ax, dims, {r.label: [r.metrics["overall"]["pass_ratio_mean"]] +
                             [r.metrics["overall"]["style"][d]["mean"] for d in STYLE_DIMENSIONS] for r in runs},
                  "mean score")
    ax.set_ylim(0, 1)
    ax.set_title("Reward dimensions (style: accepted samples only)")
    save(fig, "dimensions.png", "dimensions")

    fig, ax = plt.subplots(figsize=(7, 4))
    values = {r.label: [row["efficiency"] for row in r.results
                        if row.get("outcome") == ACCEPTED and row.get("efficiency") is not None] for r in runs}
    if any(values.values()):
        ax.hist([v for v in values.values()], bins=[i / 10 for i in range(11)], label=list(values), alpha=0.8)
        ax.set_xlabel("efficiency (0.5 = the reference's cost)")
        ax.set_ylabel("accepted samples")
        ax.legend(fontsize=8)
    else:
        _empty(ax, "no accepted sample has an efficiency score")
    ax.set_title("Efficiency of accepted samples")
    save(fig, "efficiency.png", "efficiency")
    return files


# ----------------------------------------------------------------------------------------------
# Rendering
# ----------------------------------------------------------------------------------------------

def to_markdown(title: str, warnings: list[str], sections: list[tuple]) -> str:
    out = [f"# {title}", ""]
    out += [f"> **Warning:** {w}" for w in warnings]
    for heading, header, rows, note, image in sections:
        out += ["", f"## {heading}", ""]
        if image:
            out += [f"![{heading}]({image})", ""]
        if header:
            out.append("| " + " | ".join(header) + " |")
            out.append("| " + " | ".join("---" for _ in header) + " |")
            out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
        if note:
            out += ["", note]
    return "\n".join(out) + "\n"


def to_html(title: str, warnings: list[str], sections: list[tuple]) -> str:
    e = html.escape
    out = ["<!DOCTYPE html>", "<html><head><meta charset='utf-8'>", f"<title>{e(title)}</title>",
           "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
           "table{border-collapse:collapse;margin:8px 0}"
           "td,th{border:1px solid #bbb;padding:3px 8px;text-align:left}th{background:#eee}"
           ".warn{background:#fee;padding:6px}</style></head><body>", f"<h1>{e(title)}</h1>"]
    out += [f"<p class='warn'>Warning: {e(w)}</p>" for w in warnings]
    for heading, header, rows, note, image in sections:
        out.append(f"<h2>{e(heading)}</h2>")
        if image:
            out.append(f"<img src='{e(image)}' alt='{e(heading)}'>")
        if header:
            out.append("<table><tr>" + "".join(f"<th>{e(str(h))}</th>" for h in header) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows]
            out.append("</table>")
        if note:
            out.append(f"<p>{e(note)}</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def build_report(config: AnalysisConfig) -> dict:
    """Write report.md, report.html and the plots; ``{"markdown", "html", "plots"}`` paths."""
    labels = config.labels or [""] * len(config.runs)
    runs = [load_run(folder, label) for folder, label in zip(config.runs, labels)]
    os.makedirs(config.output_dir, exist_ok=True)
    plots = make_plots(runs, config.output_dir)
    warnings = []
    if len({r.summary.get("dataset_hash") for r in runs}) > 1:
        warnings.append("the runs were scored on different problems (dataset hashes differ)")
    if any(r.metrics["overall"]["could_not_score"] for r in runs):
        warnings.append("some samples could not be scored (judge failures); they are outside every rate")
    tables = [(runs_table(runs), None),
              (metric_table(runs, "Headline metrics", HEADLINE), plots.get("headline"))]
    tables += [(t, None) for t in before_after_tables(runs)]
    tables += [(verdict_table(runs), plots.get("verdicts")), (difficulty_table(runs), plots.get("difficulty")),
               (dimension_table(runs), plots.get("dimensions")),
               (efficiency_table(runs), plots.get("efficiency")),
               (metric_table(runs, "Cost", COST, "Seconds are wall time; problems/s counts generation and judging."),
                None)]
    sections = [(t[0], t[1], t[2], t[3], image) for t, image in tables]
    md_path, html_path = os.path.join(config.output_dir, "report.md"), os.path.join(config.output_dir, "report.html")
    with open(md_path, "w", encoding="utf-8") as handle:
        handle.write(to_markdown(config.title, warnings, sections))
    with open(html_path, "w", encoding="utf-8") as handle:
        handle.write(to_html(config.title, warnings, sections))
    return {"markdown": md_path, "html": html_path,
            "plots": [os.path.join(config.output_dir, name) for name in plots.values()]}


def efficiency_table(runs: list[Run]) -> tuple:
    rows = []
    for run in runs:
        style = run.metrics["overall"]["style"]
        ratio = style["cost_ratio"]
        rows.append([run.label, fmt(style["efficiency"]["mean"]), fmt(style["efficiency"]["p50"]),
                     fmt(ratio["geometric_mean"]), fmt(ratio["p50"]), fmt(ratio["p90"]), ratio["num_scored"],
                     ratio.get("unit") or "n/a"])
    return ("Efficiency of accepted samples", ["run", "efficiency mean", "efficiency p50", "cost ratio geomean",
                                               "cost ratio p50", "cost ratio p90", "n", "cost unit"], rows,
            "Cost ratio = the sample's deterministic cost / the reference's, on the largest tests (1 = parity).")


def main(argv: Optional[list[str]] = None) -> int:
    from grpo4code.config_args import parse_config

    config = parse_config(AnalysisConfig, sys.argv[1:] if argv is None else argv,
                          prog="python -m eval_process.analysis")
    written = build_report(config)
    print(f"[eval] report: {written['markdown']} and {written['html']} ({len(written['plots'])} plots)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
