"""Does GRPO learn? Held-out accepted@1 before and after a run, and the run's reward curves.

The default model (the offline SmolLM2-135M-Instruct) trains with GRPO on the starter train
problems; the 32 starter held-out problems, which training never sees (the leakage audit
refuses them), measure it before and after, with the evaluation pipeline (``eval_process``:
generate, then judge) and identical settings both times: same decoding, ``max_new_tokens``,
seed, batch size and judge.

1. ``eval_before/``: the starting model, greedy (accepted@1, pass ratio, exec success,
   verdicts); with ``--eval_num_samples N`` also N samples at ``--eval_temperature`` per
   problem (pass@k, a less noisy signal than one greedy answer per problem).
   Reused when a previous run in the same folder had the same settings.
2. ``train/``: ``python -m grpo4code.training --config RECIPE [training flags]``. Every flag
   this script does not know goes to training (``--max_steps 40 --learning_rate 1e-5``).
3. ``eval_after/``: the final model, evaluated the same way.
4. ``learning.png``: per-step curves from ``train/trainer_state.json`` (each reward
   dimension's mean, the mixed reward, the mixer weights, the verdict shares);
   ``learning.json``: every figure; ``learning.md``: the before/after table, also printed.

Honesty: 16 problems is a small set; the table gives counts, the per-problem paired changes
(problems gained / lost, exact two-sided sign test) and a paired bootstrap interval of the
pass-ratio change. The train-set reward is the mean of the trainer's logged rewards over the
first and last quarter of the steps (on-policy samples of different problems each step).

    python bench/learning.py                                    # CPU, recipes/grpo/default_cpu.yaml
    python bench/learning.py --learning_rate 3e-5 --max_steps 10 --save_steps 5   # ~15 min of 2 idle-ish cores
    python bench/learning.py --recipe recipes/grpo/learning_gpu.yaml --eval_num_samples 8   # one GPU, ~7 min
    python bench/learning.py --train_dir outputs/grpo-smollm2-starter  # evaluate what `bash train.sh` trained
    python bench/learning.py --report_only --output_dir outputs/bench/learning   # redraw from the files
    python bench/learning.py --recipe recipes/grpo/learning_gpu_long.yaml --max_train_minutes 8   # in parts:
        # each call trains 8 minutes and stops with a checkpoint; the same command again goes on
        # from it, and the call that reaches the last step evaluates and reports

On a GPU the model is trained with float32 master weights under bf16 autocast
(``--dtype float32`` is added unless given): with bf16 weights, updates of a learning rate
around 1e-6 are below bf16's resolution and are rounded away.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shlex
import subprocess
import sys
import textwrap
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_RECIPE = os.path.join("recipes", "grpo", "default_cpu.yaml")
VERDICT_ORDER = ("accepted", "wrong_answer", "runtime_error", "time_limit_exceeded", "memory_limit_exceeded",
                 "compilation_error", "no_code")


# ----------------------------------------------------------------------------------------------
# Options
# ----------------------------------------------------------------------------------------------

def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """This script's options, and the rest (training flags, passed through)."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Any other flag goes to training (python -m grpo4code.training; bash train.sh --help lists them).")
    parser.add_argument("--recipe", default=DEFAULT_RECIPE, help="GRPO recipe (YAML) to train with.")
    parser.add_argument("--output_dir", default=os.path.join("outputs", "bench", "learning"),
                        help="Where everything goes: train/, eval_before/, eval_after/, learning.{png,json,md}.")
    parser.add_argument("--eval_dataset", default="starter", help="Evaluation problems (eval_process --dataset).")
    parser.add_argument("--eval_split", default="heldout", help="Evaluation split.")
    parser.add_argument("--eval_location", default="", help="Evaluation problem file ('' = the source's default).")
    parser.add_argument("--eval_max_problems", type=int, default=0,
                        help="Evaluate only the first N problems (0 = all); for tests, not for reported numbers.")
    parser.add_argument("--eval_max_new_tokens", type=int, default=0,
                        help="Longest evaluated answer (0 = 2x the recipe's max_completion_length, at least 256).")
    parser.add_argument("--eval_num_samples", type=int, default=0,
                        help="Also draw N samples per problem at --eval_temperature for pass@k (0 = greedy only).")
    parser.add_argument("--eval_temperature", type=float, default=0.8, help="Temperature of the sampled evaluation.")
    parser.add_argument("--eval_top_p", type=float, default=0.95, help="top_p of the sampled evaluation.")
    parser.add_argument("--eval_train_problems", type=int, default=0,
                        help="Also evaluate greedily on the first N train problems (fit, not generalisation).")
    parser.add_argument("--eval_also", action="append", default=[], metavar="DATASET:SPLIT",
                        help="Also evaluate greedily on this held-out set, e.g. humaneval:test (repeatable); a larger "
                             "set than the 32 starter problems, which training never sees either.")
    parser.add_argument("--eval_batch_size", type=int, default=0,
                        help="Sequences per generate() call (0 = 64 on a GPU, 16 on a CPU).")
    parser.add_argument("--eval_torch_threads", type=int, default=-1,
                        help="CPU threads for evaluation (-1 = the recipe's torch_threads; 0 = torch's default).")
    parser.add_argument("--eval_judge_workers", type=int, default=0, help="Judge workers for scoring (0 = one per core).")
    parser.add_argument("--eval_seed", type=int, default=0, help="Seed of the sampled evaluation.")
    parser.add_argument("--train_dir", default="",
                        help="Evaluate the model a finished run left in this folder (e.g. `bash train.sh`'s output_dir) "
                             "instead of training here; give the same --recipe and flags it was trained with.")
    parser.add_argument("--report_only", action="store_true",
                        help="Only rebuild the table, figures and plot from the files in --output_dir.")
    parser.add_argument("--evaluate_at_pause", action="store_true",
                        help="When --max_train_minutes stops training before the last step, evaluate the model as it "
                             "is then (the report says which step it reached) instead of waiting for the next part: a "
                             "hard cap on a lease's time.")
    parser.add_argument("--progress", action="store_true", help="Show the evaluation's progress bars.")
    return parser.parse_known_args(argv)


def training_flags(options: argparse.Namespace, passthrough: list[str], cuda: bool) -> list[str]:
    """The flags of the training run: the recipe, the passed-through flags, our output folder."""
    flags = ["--config", options.recipe, *passthrough]
    if cuda and not any(f == "--dtype" or f.startswith("--dtype=") for f in passthrough):
        flags += ["--dtype", "float32"]  # fp32 master weights; bf16 (if the recipe asks) as autocast
    return flags + ["--output_dir", options.train_dir or os.path.join(options.output_dir, "train")]


# ----------------------------------------------------------------------------------------------
# Evaluation (eval_process)
# ----------------------------------------------------------------------------------------------

def eval_settings(options: argparse.Namespace, train_args, trl_args, cuda: bool) -> dict:
    """What both evaluations share (the model and the folder differ)."""
    max_new_tokens = options.eval_max_new_tokens or max(256, 2 * trl_args.max_completion_length)
    threads = train_args.torch_threads if options.eval_torch_threads < 0 else options.eval_torch_threads
    return {"max_new_tokens": max_new_tokens, "batch_size": options.eval_batch_size or (64 if cuda else 16),
            "torch_threads": threads, "judge_workers": options.eval_judge_workers,
            "system_prompt": train_args.system_prompt, "progress": options.progress,
            "dtype": "auto", "device": "auto"}


def eval_runs(options: argparse.Namespace) -> list[dict]:
    """The evaluations made before and after: name, problems and decoding."""
    held_out = {"dataset": options.eval_dataset, "split": options.eval_split, "location": options.eval_location,
                "max_problems": options.eval_max_problems}
    runs = [{"name": "greedy", **held_out, "num_samples": 1, "temperature": 0.0, "top_p": 1.0}]
    if options.eval_num_samples:
        runs.append({"name": f"sampled_n{options.eval_num_samples}", **held_out,
                     "num_samples": options.eval_num_samples, "temperature": options.eval_temperature,
                     "top_p": options.eval_top_p})
    if options.eval_train_problems:
        runs.append({"name": "train_greedy", "dataset": "starter", "split": "train", "location": "",
                     "max_problems": options.eval_train_problems, "num_samples": 1, "temperature": 0.0,
                     "top_p": 1.0})
    for name in options.eval_also:
        dataset, _, split = name.partition(":")
        if not dataset or not split:
            raise ValueError(f"--eval_also {name!r}: expected DATASET:SPLIT, e.g. humaneval:test")
        runs.append({"name": f"{dataset}_{split}_greedy".replace("-", "_"), "dataset": dataset, "split": split,
                     "location": "", "max_problems": options.eval_max_problems, "num_samples": 1,
                     "temperature": 0.0, "top_p": 1.0})
    return runs


def evaluate(model: str, folder: str, run: dict, settings: dict, seed: int, overwrite: bool) -> dict:
    """Generate and judge one evaluation of ``model`` into ``folder``; its summary."""
    from eval_process.__main__ import EvalConfig, run_eval

    ks = sorted({k for k in (1, 5, 10) if k <= run["num_samples"]} | {run["num_samples"]})
    config = EvalConfig(model_name_or_path=model, output_dir=folder, overwrite=overwrite, seed=seed, ks=ks,
                        **{k: v for k, v in run.items() if k != "name"}, **settings)
    started = time.perf_counter()
    summary = run_eval(config)
    summary["eval_seconds"] = time.perf_counter() - started
    return summary


def per_problem(folder: str) -> dict[str, dict]:
    """``{task_id: {"accepted": first sample accepted, "pass_ratio": mean over samples, ...}}``."""
    groups: dict[str, list[dict]] = {}
    with open(os.path.join(folder, "results.jsonl"), encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["outcome"] != "COULD_NOT_SCORE":
                groups.setdefault(row["task_id"], []).append(row)
    out = {}
    for task, rows in groups.items():
        rows.sort(key=lambda r: r["sample_index"])
        out[task] = {"accepted": rows[0]["outcome"] == "ACCEPTED",
                     "accepted_share": sum(r["outcome"] == "ACCEPTED" for r in rows) / len(rows),
                     "pass_ratio": sum(float(r["pass_ratio"] or 0.0) for r in rows) / len(rows),
                     "outcome": rows[0]["outcome"], "difficulty": rows[0].get("difficulty") or "unknown"}
    return out


# ----------------------------------------------------------------------------------------------
# Paired statistics (pure functions)
# ----------------------------------------------------------------------------------------------

def sign_test_p(gained: int, lost: int) -> float:
    """Exact two-sided sign test of ``gained`` vs ``lost`` changed pairs (ties left out)."""
    n = gained + lost
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(0, min(gained, lost) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def paired_bootstrap_ci(differences: list[float], rounds: int = 10000, seed: int = 0,
                        level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the mean of ``differences`` (problems resampled with replacement)."""
    if not differences:
        return (math.nan, math.nan)
    rng = random.Random(seed)
    n = len(differences)
    means = sorted(sum(rng.choice(differences) for _ in range(n)) / n for _ in range(rounds))
    low = means[int((1 - level) / 2 * rounds)]
    high = means[min(rounds - 1, int((1 + level) / 2 * rounds))]
    return (low, high)


def paired_differences(diffs: list[float]) -> dict:
    """Problems better / worse, their sign test, the mean change and its bootstrap 95% CI."""
    improved, worse = sum(d > 1e-9 for d in diffs), sum(d < -1e-9 for d in diffs)
    return {"improved": improved, "worse": worse, "sign_test_p": sign_test_p(improved, worse),
            "mean_change": sum(diffs) / len(diffs) if diffs else math.nan,
            "change_ci95": list(paired_bootstrap_ci(diffs))}


def paired_change(before: dict[str, dict], after: dict[str, dict]) -> dict:
    """Per-problem comparison of two evaluations of the same problems."""
    tasks = sorted(set(before) & set(after))
    gained = [t for t in tasks if after[t]["accepted"] and not before[t]["accepted"]]
    lost = [t for t in tasks if before[t]["accepted"] and not after[t]["accepted"]]
    ratio = paired_differences([after[t]["pass_ratio"] - before[t]["pass_ratio"] for t in tasks])
    # with several samples a problem, its share of accepted samples (pass@1 per problem)
    share = paired_differences([after[t]["accepted_share"] - before[t]["accepted_share"] for t in tasks
                                if "accepted_share" in before[t] and "accepted_share" in after[t]])
    return {"problems": len(tasks), "accepted_gained": gained, "accepted_lost": lost,
            "accepted_sign_test_p": sign_test_p(len(gained), len(lost)),
            **{f"pass_ratio_{key}": value for key, value in ratio.items()},
            **{f"accepted_share_{key}": value for key, value in share.items()}}


def paired_change_per_difficulty(before: dict[str, dict], after: dict[str, dict]) -> dict[str, dict]:
    """Accepted@1 before and after within each difficulty tier (empty when there is one tier).

    A tier the starting model cannot solve at all (0 accepted) cannot show a change in
    accepted@1 whatever training does, so the report keeps the tiers apart.
    """
    tasks = sorted(set(before) & set(after))
    tiers = sorted({before[t]["difficulty"] for t in tasks})
    if len(tiers) < 2:
        return {}
    out = {}
    for tier in tiers:
        in_tier = [t for t in tasks if before[t]["difficulty"] == tier]
        gained = sum(after[t]["accepted"] and not before[t]["accepted"] for t in in_tier)
        lost = sum(before[t]["accepted"] and not after[t]["accepted"] for t in in_tier)
        out[tier] = {"problems": len(in_tier),
                     "accepted_before": sum(before[t]["accepted"] for t in in_tier),
                     "accepted_after": sum(after[t]["accepted"] for t in in_tier),
                     "accepted_gained": gained, "accepted_lost": lost,
                     "accepted_sign_test_p": sign_test_p(gained, lost),
                     "pass_ratio_mean_change": sum(after[t]["pass_ratio"] - before[t]["pass_ratio"]
                                                   for t in in_tier) / len(in_tier)}
    return out


# ----------------------------------------------------------------------------------------------
# The training run's curves (trainer_state.json)
# ----------------------------------------------------------------------------------------------

def step_logs(train_dir: str) -> list[dict]:
    """The per-step training entries of the run's log history (those with a ``reward``)."""
    path = os.path.join(train_dir, "trainer_state.json")
    if not os.path.isfile(path):
        checkpoints = sorted((d for d in os.listdir(train_dir) if d.startswith("checkpoint-")),
                             key=lambda d: int(d.split("-")[1]))
        if not checkpoints:
            raise FileNotFoundError(f"{train_dir}: no trainer_state.json (did training finish?)")
        path = os.path.join(train_dir, checkpoints[-1], "trainer_state.json")
    with open(path, encoding="utf-8") as handle:
        history = json.load(handle)["log_history"]
    return [entry for entry in history if "reward" in entry and "step" in entry]


def curves(logs: list[dict]) -> dict[str, dict[str, list]]:
    """``{group: {name: [values per step]}}`` for rewards, mixer weights, verdicts, lengths and step timings."""
    steps = [entry["step"] for entry in logs]

    def series(keys, missing=math.nan):
        return {k: [entry.get(k, missing) for entry in logs] for k in keys}

    keys = sorted({k for entry in logs for k in entry})
    return {
        "step": {"step": steps},
        "rewards": series(["reward"] + sorted((k for k in keys if k.startswith("rewards/") and k.endswith("/mean")),
                                              key=lambda k: (not k.startswith("rewards/correctness"), k))),
        "mixer": series([k for k in keys if k.startswith("mixer/")]),
        # A step logs only the verdicts it saw: a missing one had share 0.
        "verdicts": series([k for k in keys if k.startswith("verdicts/")], missing=0.0),
        "lengths": series([k for k in keys if k in ("completions/mean_length", "completions/clipped_ratio")]),
        "timing": series([k for k in keys if k in ("step_time", "judge/seconds")]),
    }


def short_name(key: str) -> str:
    """``rewards/format/mean`` -> ``format``; ``verdicts/accepted`` -> ``share accepted``."""
    if key in ("step_time", "judge/seconds"):
        return {"step_time": "seconds a step", "judge/seconds": "judge seconds a step"}[key]
    if key.startswith("verdicts/"):
        return "share " + key.split("/", 1)[1]
    if key.startswith("completions/"):
        return {"completions/mean_length": "completion mean length",
                "completions/clipped_ratio": "completion clipped share"}.get(key, key)
    return key.replace("rewards/", "").replace("/mean", "")


def window_means(values: list[float], fraction: float = 0.25) -> dict:
    """Mean over the first and the last ``fraction`` of the steps (at least one step each)."""
    finite = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    if not finite:
        return {"start": None, "end": None, "steps_each": 0}
    size = max(1, int(len(finite) * fraction))
    return {"start": sum(finite[:size]) / size, "end": sum(finite[-size:]) / size, "steps_each": size}


def plot_curves(figures: dict, path: str, title: str) -> None:
    """Four panels: reward means (+ mixed reward), mixer weights, verdict shares, completion length."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = figures["step"]["step"]
    fig, axes = plt.subplots(2, 2, figsize=(13, 8.5), sharex=True)
    panels = [("rewards", "reward dimension means (mixed: 'reward')", axes[0][0]),
              ("mixer", "mixer weights", axes[0][1]),
              ("verdicts", "verdict shares of the completions", axes[1][0]),
              ("lengths", "completion length (tokens) / clipped share", axes[1][1])]
    window = max(1, len(steps) // 10)
    for group, label, ax in panels:
        for name, values in figures[group].items():
            short = name.replace("rewards/", "").replace("/mean", "").replace("mixer/", "").replace("verdicts/", "")
            short = "mean length" if name == "completions/mean_length" else short
            if group == "lengths" and name == "completions/clipped_ratio":
                twin = ax.twinx()
                twin.plot(steps, values, color="tab:red", alpha=0.6, label="clipped share")
                twin.set_ylim(-0.02, 1.02)
                twin.legend(loc="upper right", fontsize=8)
                continue
            line, = ax.plot(steps, values, alpha=0.3 if window > 1 else 0.9,
                            linewidth=2.5 if name == "reward" else 1.2)
            if window > 1:
                ax.plot(steps, moving_average(values, window), color=line.get_color(), label=short,
                        linewidth=2.5 if name == "reward" else 1.5)
            else:
                line.set_label(short)
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3)
        if group != "lengths":
            ax.set_ylim(-0.02, 1.02)
        if ax.get_lines():
            ax.legend(fontsize=8, loc="upper left")
    for ax in axes[1]:
        ax.set_xlabel("training step" + (f" (lines: moving average of {window})" if window > 1 else ""))
    fig.suptitle("\n".join(textwrap.wrap(title, 140)), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def moving_average(values: list[float], window: int) -> list[float]:
    """Trailing mean over the last ``window`` finite values at each step."""
    out = []
    for i in range(len(values)):
        part = [v for v in values[max(0, i - window + 1): i + 1] if isinstance(v, (int, float)) and math.isfinite(v)]
        out.append(sum(part) / len(part) if part else math.nan)
    return out


# ----------------------------------------------------------------------------------------------
# The table
# ----------------------------------------------------------------------------------------------

def _fmt(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _count(share, total) -> str:
    return "n/a" if share is None else f"{share:.3f} ({round(share * total)}/{total})"


def before_after_table(report: dict) -> str:
    """Markdown: every evaluation's headline numbers before and after, then the train rewards."""
    lines = ["| evaluation | metric | before | after |", "| --- | --- | --- | --- |"]
    for name, block in report["evaluations"].items():
        b, a = block["before"], block["after"]
        n = b["num_problems"]
        lines.append(f"| {name} | accepted@1 | {_count(b['accepted@1'], n)} | {_count(a['accepted@1'], n)} |")
        for tier, row in block.get("per_difficulty", {}).items():
            lines.append(f"| {name} | accepted@1, {tier} problems (first sample; gained / lost, p) | "
                         f"{row['accepted_before']}/{row['problems']} | {row['accepted_after']}/{row['problems']} "
                         f"({row['accepted_gained']} / {row['accepted_lost']}, p={row['accepted_sign_test_p']:.3f}) |")
        for k in sorted(key for key in b if key.startswith("pass@")):
            lines.append(f"| {name} | {k} | {_fmt(b[k])} | {_fmt(a.get(k))} |")
        samples = b["num_samples"]
        lines.append(f"| {name} | pass_ratio_mean | {_fmt(b['pass_ratio_mean'])} | {_fmt(a['pass_ratio_mean'])} |")
        lines.append(f"| {name} | exec_success_rate | {_count(b['exec_success_rate'], samples)} | "
                     f"{_count(a['exec_success_rate'], samples)} |")
        if b.get("ignores_inputs_rate") is not None or a.get("ignores_inputs_rate") is not None:
            lines.append(f"| {name} | ignores_inputs_rate (constant answers) | {_fmt(b.get('ignores_inputs_rate'))} | "
                         f"{_fmt(a.get('ignores_inputs_rate'))} |")
        verdicts = lambda s: ", ".join(f"{v} {s['verdicts'][v]}" for v in VERDICT_ORDER if s["verdicts"].get(v))
        lines.append(f"| {name} | verdicts ({samples} samples) | {verdicts(b)} | {verdicts(a)} |")
        lines.append(f"| {name} | truncated_rate | {_fmt(b['truncated_rate'])} | {_fmt(a['truncated_rate'])} |")
        lines.append(f"| {name} | avg_gen_tokens | {_fmt(b['avg_gen_tokens'], 1)} | {_fmt(a['avg_gen_tokens'], 1)} |")
        if b["could_not_score"] or a["could_not_score"]:
            lines.append(f"| {name} | could not score | {b['could_not_score']} | {a['could_not_score']} |")
        change = block["paired"]
        lines.append(f"| {name} | paired: accepted gained / lost (sign test p) | | "
                     f"{len(change['accepted_gained'])} / {len(change['accepted_lost'])} "
                     f"(p={change['accepted_sign_test_p']:.3f}) |")
        if samples > n and "accepted_share_change_ci95" in change:
            low, high = change["accepted_share_change_ci95"]
            lines.append(f"| {name} | paired: accepted share of samples better / worse problems (p); mean change "
                         f"[95% CI] | | {change['accepted_share_improved']} / {change['accepted_share_worse']} "
                         f"(p={change['accepted_share_sign_test_p']:.3f}); {change['accepted_share_mean_change']:+.3f} "
                         f"[{low:+.3f}, {high:+.3f}] |")
        low, high = change["pass_ratio_change_ci95"]
        lines.append(f"| {name} | paired: pass ratio better / worse problems (p); mean change [95% CI] | | "
                     f"{change['pass_ratio_improved']} / {change['pass_ratio_worse']} "
                     f"(p={change['pass_ratio_sign_test_p']:.3f}); {change['pass_ratio_mean_change']:+.3f} "
                     f"[{low:+.3f}, {high:+.3f}] |")
    train = report["train_rewards"]
    size = next((row["steps_each"] for row in train.values()), 0)
    for name, row in train.items():
        lines.append(f"| train (logged, mean of first/last {size} steps) | {name} | {_fmt(row['start'])} | "
                     f"{_fmt(row['end'])} |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------

def run_training(flags: list[str], log_path: str) -> float:
    """``python -m grpo4code.training FLAGS`` with its output shown and kept in ``log_path``; seconds."""
    command = [sys.executable, "-m", "grpo4code.training", *flags]
    print(f"[learning] training: {shlex.join(command)}", flush=True)
    started = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
        for line in process.stdout:
            sys.stdout.write(line)
            log.write(line)
        code = process.wait()
    if code:
        raise RuntimeError(f"training failed (exit {code}); its output is in {log_path}")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    options, passthrough = parse_args(sys.argv[1:] if argv is None else argv)
    options.output_dir = os.path.abspath(options.output_dir)
    if not os.path.isfile(options.recipe) and os.path.isfile(os.path.join(REPO, options.recipe)):
        options.recipe = os.path.join(REPO, options.recipe)
    options.recipe = os.path.abspath(options.recipe)
    options.train_dir = os.path.abspath(options.train_dir) if options.train_dir else ""
    import torch

    from grpo4code.training.arguments import parse_train_args
    from grpo4code.training.time_budget import paused_run

    cuda = torch.cuda.is_available()
    os.makedirs(options.output_dir, exist_ok=True)
    flags = training_flags(options, passthrough, cuda)
    train_args, model_args, trl_args = parse_train_args(flags)  # fails early on a bad flag
    if trl_args.max_steps <= 0:
        print("[learning] note: no --max_steps: training runs the recipe's epochs", flush=True)
    settings = eval_settings(options, train_args, trl_args, cuda)
    train_dir = trl_args.output_dir
    runs = eval_runs(options)
    report_path = os.path.join(options.output_dir, "learning.json")
    timings = {}

    if not options.report_only:
        for run in runs:
            print(f"[learning] evaluating the starting model: {run['name']}", flush=True)
            summary = evaluate(model_args.model_name_or_path,
                               os.path.join(options.output_dir, "eval_before", run["name"]), run, settings,
                               options.eval_seed, overwrite=False)
            timings[f"eval_before_{run['name']}_seconds"] = summary["eval_seconds"]
            print(f"[learning]   {run['name']}: {summary['eval_seconds']:.0f} s", flush=True)
        if options.train_dir:
            print(f"[learning] not training: evaluating the run in {train_dir}", flush=True)
        else:
            paused = paused_run(train_dir)
            if paused and "--load_from_pretrained" not in passthrough:
                print(f"[learning] continuing the run paused at step {paused['step']} of {paused['max_steps']}",
                      flush=True)
                flags += ["--load_from_pretrained", train_dir]
            log_name = f"train_from_step{paused['step']}.log" if paused else "train.log"
            parts_path = os.path.join(options.output_dir, "train_parts.json")  # seconds of each part
            parts = json.load(open(parts_path, encoding="utf-8")) if paused and os.path.isfile(parts_path) else []
            parts.append(run_training(flags, os.path.join(options.output_dir, log_name)))
            with open(parts_path, "w", encoding="utf-8") as handle:
                json.dump(parts, handle)
            timings["train_seconds"], timings["train_parts"] = sum(parts), len(parts)
            paused = paused_run(train_dir)
            if paused and options.evaluate_at_pause:
                print(f"[learning] training stopped by its time budget at step {paused['step']} of "
                      f"{paused['max_steps']}: evaluating the model as it is (--evaluate_at_pause)", flush=True)
            elif paused:
                print(f"[learning] training paused at step {paused['step']} of {paused['max_steps']} "
                      "(--max_train_minutes): run the same command again to go on; evaluated after the last step",
                      flush=True)
                return 0
        for run in runs:
            print(f"[learning] evaluating the trained model: {run['name']}", flush=True)
            summary = evaluate(train_dir, os.path.join(options.output_dir, "eval_after", run["name"]), run, settings,
                               options.eval_seed, overwrite=True)
            timings[f"eval_after_{run['name']}_seconds"] = summary["eval_seconds"]
            print(f"[learning]   {run['name']}: {summary['eval_seconds']:.0f} s", flush=True)
    elif os.path.isfile(report_path):
        timings = json.load(open(report_path, encoding="utf-8")).get("timings", {})

    evaluations = {}
    for run in runs:
        folders = {when: os.path.join(options.output_dir, f"eval_{when}", run["name"]) for when in ("before", "after")}
        summaries = {when: json.load(open(os.path.join(folder, "summary.json"), encoding="utf-8"))
                     for when, folder in folders.items()}
        for when, folder in folders.items():
            info = json.load(open(os.path.join(folder, "run_info.json"), encoding="utf-8"))
            timings[f"eval_{when}_{run['name']}_judge_seconds"] = info["scoring"]["seconds"]
        problems = {when: per_problem(folder) for when, folder in folders.items()}
        evaluations[run["name"]] = {
            **summaries, "settings": {**{k: v for k, v in run.items() if k != "name"}, **settings},
            "paired": paired_change(problems["before"], problems["after"]),
            "per_difficulty": paired_change_per_difficulty(problems["before"], problems["after"]),
        }
    logs = step_logs(train_dir)
    figures = curves(logs)
    train_rewards = {short_name(name): window_means(values)
                     for group in ("rewards", "verdicts", "lengths", "timing") for name, values in figures[group].items()}
    report = {
        "command": [os.path.relpath(__file__, REPO), *(sys.argv[1:] if argv is None else argv)],
        "training_flags": flags, "model": model_args.model_name_or_path, "train_dir": train_dir,
        "device": torch.cuda.get_device_name(0) if cuda else "cpu", "steps": len(logs),
        "planned_steps": trl_args.max_steps, "stopped_by_time_budget": bool(paused_run(train_dir)),
        "evaluations": evaluations, "train_rewards": train_rewards, "curves": figures, "timings": timings,
        "load_average": os.getloadavg(), "cpu_count": os.cpu_count(),
    }
    table = before_after_table(report)
    with open(report_path, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2, default=str)
    with open(os.path.join(options.output_dir, "learning.md"), "w", encoding="utf-8") as handle:
        stopped = f" (of {trl_args.max_steps}; stopped by its time budget)" if report["stopped_by_time_budget"] else ""
        handle.write(f"# GRPO learning: {model_args.model_name_or_path}, {len(logs)} steps{stopped}\n\n"
                     f"`{shlex.join(report['command'])}`\n\n{table}\n")
    plot_path = os.path.join(options.output_dir, "learning.png")
    plot_curves(figures, plot_path, f"GRPO, {os.path.basename(options.recipe)} "
                                    f"{' '.join(passthrough)}".strip() + f" ({len(logs)} steps)")
    print(table)
    print(f"[learning] {options.output_dir}: learning.png, learning.json, learning.md; timings "
          + ", ".join(f"{k} {v:.0f}s" for k, v in timings.items()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
