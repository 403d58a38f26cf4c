"""Score a samples file: ``python -m eval_process.score --samples run/samples.jsonl [flags]``.

Every sample's code (re-extracted from ``raw_completion`` with the one extraction rule) runs
through the judge -- embedded (warm sandboxed workers in this process) or the service at
``--execute_code_url`` -- against its problem's tests. Accepted samples also get the style
dimensions of :mod:`grpo4code.rewards` (efficiency against the reference's deterministic
cost, static comment rules, maintainability). Written to the output folder (default: the
samples file's folder):

* ``results.jsonl`` -- one line per sample: outcome, pass ratio, per-test verdict counts,
  judge seconds, style scores, tokens;
* ``metrics.json`` -- every metric of :mod:`eval_process.metrics`, overall and per difficulty;
* ``summary.json`` -- the headline numbers;
* ``run_info.json`` -- the configuration, git revision, model, dataset hash, samples file hash
  and the judge (backend, version, isolation, cost unit); see :mod:`eval_process.records`.

Resumable by content: a sample whose (problem content hash, code, scoring settings) already
has a result in ``results.jsonl`` is not judged again. A sample the judge could not score
(``COULD_NOT_SCORE``: service unreachable, worker died) is never counted as wrong: it is
reported on its own, left out of the rates, and judged again by the next run.
"""

from __future__ import annotations

import asyncio
import collections
import datetime
import hashlib
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Optional

from eval_process.metrics import (ACCEPTED, COULD_NOT_SCORE, CRASH_VERDICTS, DEFAULT_KS, FAILING_VERDICTS, NO_CODE,
                                  STYLE_DIMENSIONS, summarize)
from eval_process.problems import ProblemSelection, load_eval_problems
from eval_process.records import (format_summary_table, git_revision, judge_info, make_summary,
                                  previous_judge_record, versions, write_json)
from eval_process.repair import judge_turns, repair_metrics, turn_codes
from eval_process.samples import read_meta, read_sample_file, unique_samples
from grpo4code.data.rows import file_sha256
from grpo4code.rewards.columns import ProblemSpec
from grpo4code.rewards.extraction import extract_code
from grpo4code.rewards.input_use import ignores_inputs
from grpo4code.rewards.judging import CompletionJudge, JudgeConfig


@dataclass
class ScoreSettings:
    """How samples are judged and what is measured (shared by score.py and inference.sh)."""

    execute_code_url: list[str] = field(default_factory=list, metadata={
        "help": "Judge service URL(s) (round robin, failover). Absent: the embedded judge."})
    judge_token_env: str = field(default="EXECEVAL_TOKEN", metadata={
        "help": "Environment variable holding the judge service's bearer token."})
    judge_workers: int = field(default=0, metadata={"help": "Embedded judge workers (0 = one per core)."})
    judge_time_limit_s: float = field(default=5.0, metadata={"help": "CPU seconds per sample's run."})
    judge_memory_limit_mb: int = field(default=1024, metadata={"help": "Address space per run (MiB)."})
    judge_retries: int = field(default=3, metadata={
        "help": "Retries of a failed service call before a sample is 'could not score'."})
    style_metrics: list[str] = field(default_factory=lambda: list(STYLE_DIMENSIONS), metadata={
        "help": f"Style dimensions measured on accepted samples, from {list(STYLE_DIMENSIONS)}; 'none' for none."})
    efficiency_num_tests: int = field(default=3, metadata={
        "help": "Efficiency is measured on this many tests with the largest inputs."})
    efficiency_span: float = field(default=4.0, metadata={
        "help": "Cost ratio to the reference that maps to efficiency 1 (cheaper) or 0 (dearer)."})
    ks: list[int] = field(default_factory=lambda: list(DEFAULT_KS), metadata={
        "help": "k of pass@k (reported where every problem has at least k scored samples)."})
    score_batch_size: int = field(default=64, metadata={
        "help": "Samples judged per batch (results are appended after each)."})

    def __post_init__(self) -> None:
        if [s.lower() for s in self.style_metrics] == ["none"]:
            self.style_metrics = []
        unknown = [s for s in self.style_metrics if s not in STYLE_DIMENSIONS]
        if unknown:
            raise ValueError(f"--style_metrics: unknown {unknown}; choose from {list(STYLE_DIMENSIONS)} or 'none'")
        if any(k < 1 for k in self.ks):
            raise ValueError("--ks must all be >= 1")
        if self.score_batch_size < 1 or self.judge_time_limit_s <= 0:
            raise ValueError("--score_batch_size must be >= 1 and --judge_time_limit_s > 0")

    def judge_config(self) -> JudgeConfig:
        return JudgeConfig(execute_code_url=tuple(self.execute_code_url), token_env=self.judge_token_env,
                           workers=self.judge_workers, time_limit_s=self.judge_time_limit_s,
                           memory_limit_mb=self.judge_memory_limit_mb, retries=self.judge_retries)

    def settings_key(self) -> str:
        """What a verdict or a style score depends on besides the problem and the code."""
        data = {"time_limit_s": self.judge_time_limit_s, "memory_limit_mb": self.judge_memory_limit_mb,
                "style_metrics": sorted(self.style_metrics), "efficiency_num_tests": self.efficiency_num_tests,
                "efficiency_span": self.efficiency_span}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    def score_settings(self) -> "ScoreSettings":
        return ScoreSettings(**{name: getattr(self, name) for name in ScoreSettings.__dataclass_fields__})


@dataclass
class ScoreConfig(ScoreSettings):
    """``python -m eval_process.score``: judge a samples file, write results and metrics."""

    samples: str = field(default="", metadata={"help": "The samples file (jsonl) to score. Required."})
    output_dir: str = field(default="", metadata={"help": "Where results go (default: the samples file's folder)."})
    dataset: str = field(default="", metadata={"help": "Problem source ('' = the one the samples' meta file names)."})
    split: str = field(default="", metadata={"help": "Split ('' = the samples' meta file's)."})
    location: str = field(default="", metadata={"help": "Problem file or hub name ('' = the samples' meta file's)."})
    check_dataset_hash: bool = field(default=True, metadata={
        "help": "Refuse to score when the problems changed since the samples were generated."})
    overwrite: bool = field(default=False, metadata={"help": "Judge everything again (ignore results.jsonl)."})
    progress: bool = field(default=True, metadata={"help": "Show a progress bar."})

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.samples:
            raise ValueError("--samples is required (a samples jsonl from python -m eval_process.generate)")


# ----------------------------------------------------------------------------------------------
# One sample's result
# ----------------------------------------------------------------------------------------------

def sample_code(record: dict) -> Optional[str]:
    """The code to judge: extracted from ``raw_completion``; else ``solution``; else ``completion``."""
    if record.get("raw_completion") is not None:
        return extract_code(record["raw_completion"])
    for key in ("solution", "completion"):
        if (record.get(key) or "").strip():
            return record[key]
    return None


def judge_key(problem_hash: str, settings_key: str, code: str) -> str:
    return hashlib.sha256("\x00".join((problem_hash, settings_key, code)).encode("utf-8", "surrogatepass")).hexdigest()


def outcome_of(result) -> tuple[str, Optional[str]]:
    """``(outcome, error)`` of a judge result (see :mod:`eval_process.metrics`).

    A ``SANDBOX_ERROR`` anywhere, or a failed run without a failing test to show for it, is
    the judge's failure: ``COULD_NOT_SCORE``.
    """
    if result.could_not_score:
        return COULD_NOT_SCORE, result.error
    verdicts = [t.verdict.value for t in result.tests]
    if "SANDBOX_ERROR" in verdicts:
        return COULD_NOT_SCORE, next(t.error for t in result.tests if t.verdict.value == "SANDBOX_ERROR")
    if result.accepted:
        return ACCEPTED, None
    for test in result.tests:
        if test.verdict.value in FAILING_VERDICTS:
            return test.verdict.value, (test.error or "")[:500] or None
    return COULD_NOT_SCORE, f"the judge reported {result.num_passed}/{result.num_tests} passed without a failing test"


def judged_row(result) -> dict:
    """The judge's part of a results line."""
    outcome, error = outcome_of(result)
    verdicts = collections.Counter(t.verdict.value for t in result.tests)
    scored = outcome != COULD_NOT_SCORE
    return {"outcome": outcome, "accepted": outcome == ACCEPTED if scored else None,
            "pass_ratio": result.pass_ratio if scored else None,
            "num_tests": result.num_tests, "num_passed": result.num_passed,
            "exec_success": (not any(v in verdicts for v in CRASH_VERDICTS)) if scored else None,
            "test_verdicts": dict(sorted(verdicts.items())), "judge_cpu_s": result.cpu_s,
            "isolation": result.isolation, "error": error}


def no_code_row() -> dict:
    return {"outcome": NO_CODE, "accepted": False, "pass_ratio": 0.0, "num_tests": None, "num_passed": 0,
            "exec_success": False, "test_verdicts": {}, "judge_cpu_s": 0.0, "judge_wall_s": 0.0, "isolation": None,
            "error": "no code found in the completion"}


# ----------------------------------------------------------------------------------------------
# Judging a batch
# ----------------------------------------------------------------------------------------------

def build_style_rewards(settings: ScoreSettings, judge: CompletionJudge) -> dict:
    """The reward objects of the style dimensions, sharing ``judge`` (and its cache)."""
    rewards = {}
    if "efficiency" in settings.style_metrics:
        from grpo4code.rewards.efficiency import EfficiencyReward

        rewards["efficiency"] = EfficiencyReward(num_tests=settings.efficiency_num_tests,
                                                 span=settings.efficiency_span, judge=judge)
    if "comments" in settings.style_metrics:
        from grpo4code.rewards.comments import CommentReward

        rewards["comments"] = CommentReward(judge=judge)
    if "maintainability" in settings.style_metrics:
        from grpo4code.rewards.maintainability import MaintainabilityReward

        rewards["maintainability"] = MaintainabilityReward(judge=judge)
    return rewards


async def judge_batch(judge: CompletionJudge, rewards: dict, specs: list[ProblemSpec], codes: list[str]) -> list[dict]:
    """The judge's and the style rewards' part of each sample's results line."""
    results = await judge.judge(specs, codes)
    rows = [judged_row(r) for r in results]
    accepted = [i for i, row in enumerate(rows) if row["outcome"] == ACCEPTED]
    if accepted and rewards:
        acc_codes, acc_specs = [codes[i] for i in accepted], [specs[i] for i in accepted]
        acc_results = [results[i] for i in accepted]
        for name, reward in rewards.items():
            values = await reward.score_accepted(acc_codes, acc_specs, acc_results)
            for i, value in zip(accepted, values):
                rows[i][name] = None if value is None else min(1.0, max(0.0, float(value)))
        if "efficiency" in rewards:
            # The raw costs behind the efficiency score (cached by the judge: no new runs).
            reward = rewards["efficiency"]
            references = await reward.reference_costs(acc_specs)
            measured = await judge.judge(acc_specs, acc_codes, measure_cost=True,
                                         tests=[reward.subset(s) for s in acc_specs], tests_key=reward.tests_key)
            for i, reference, result in zip(accepted, references, measured):
                cost = result.cost if result is not None and result.accepted else None
                rows[i].update(cost=cost, reference_cost=reference, cost_unit=getattr(result, "cost_unit", None),
                               cost_ratio=max(cost, 1) / max(reference, 1) if cost is not None and reference else None)
    return rows


def read_results_cache(path: str, settings_key: str) -> dict[str, dict]:
    """Finished results of earlier runs by judge key (could-not-score ones are not kept)."""
    cache = {}
    if not os.path.isfile(path):
        return cache
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn line of an interrupted run
            reusable = row.get("settings_key") == settings_key and row.get("outcome") != COULD_NOT_SCORE
            if row.get("judge_key") and reusable:
                cache[row["judge_key"]] = row
    return cache


JUDGE_FIELDS = ("outcome", "accepted", "pass_ratio", "num_tests", "num_passed", "exec_success", "test_verdicts",
                "judge_cpu_s", "judge_wall_s", "isolation", "error", "efficiency", "comments", "maintainability",
                "cost", "reference_cost", "cost_unit", "cost_ratio", "turn_outcomes")


def plan_judging(records: list[dict], by_id: dict, settings_key: str, cache: dict) -> tuple[dict, list, int]:
    """Split samples into finished rows (no code, or a cached verdict for the same problem
    content, code and settings) and the jobs still to judge: ``(rows, todo, reused)``."""
    problem_hashes = {pid: p.content_hash() for pid, p in by_id.items()}
    rows, todo, reused = {}, [], 0
    for record in records:
        problem = by_id[record["task_id"]]
        key = (record["task_id"], int(record["sample_index"]))
        identity = {"task_id": problem.id, "sample_index": key[1], "difficulty": problem.difficulty,
                    "num_tokens": record.get("num_tokens"), "truncated": record.get("truncated"),
                    "gen_seconds": record.get("gen_seconds"), "problem_hash": problem_hashes[problem.id],
                    "settings_key": settings_key}
        code = sample_code(record)
        if code is None:
            rows[key] = {**identity, "code_sha": None, "judge_key": None, **no_code_row()}
            continue
        attempts = turn_codes(record)  # a repair sample's verdicts depend on every attempt
        keyed = code if attempts is None else "\x00".join([code, "turns"] + [c or "" for c in attempts])
        jkey = judge_key(problem_hashes[problem.id], settings_key, keyed)
        identity.update(code_sha=hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()[:16], judge_key=jkey,
                        ignores_inputs=ignores_inputs(code, problem.entry_point or ""))
        if jkey in cache:
            rows[key] = {**identity, **{f: cache[jkey].get(f) for f in JUDGE_FIELDS}}
            reused += 1
        else:
            todo.append((key, identity, ProblemSpec.from_problem(problem), code))
    return rows, todo, reused


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------

def score_samples(config: ScoreConfig) -> dict:
    """Judge ``config.samples``, write the result files, return the summary."""
    from tqdm.auto import tqdm

    started_at = time.perf_counter()
    meta = read_meta(config.samples)
    records, repeats = unique_samples(read_sample_file(config.samples))
    if not records:
        raise ValueError(f"{config.samples} holds no samples")
    selection = ProblemSelection(dataset=config.dataset or meta.get("dataset") or records[0].get("dataset") or "",
                                 split=config.split or meta.get("split") or records[0].get("split") or "",
                                 location=config.location or meta.get("location") or "")
    if not selection.dataset:
        raise ValueError(f"{config.samples}: no meta file and no `dataset` field; pass --dataset (and --split)")
    problems = load_eval_problems(selection)
    if config.check_dataset_hash and meta.get("dataset_hash") and meta["dataset_hash"] != problems.dataset_hash:
        raise ValueError(f"the problems of {selection.dataset} ({problems.location}) changed since {config.samples} "
                         f"was generated (dataset hash {problems.dataset_hash[:12]} != {meta['dataset_hash'][:12]}); "
                         "generate again, or pass --check_dataset_hash false to score anyway")
    by_id = problems.by_id
    unknown = sorted({r["task_id"] for r in records} - set(by_id))
    if unknown:
        raise ValueError(f"{config.samples}: {len(unknown)} task_ids are not problems of {selection.dataset} "
                         f"({problems.location}): {unknown[:5]}")
    output_dir = config.output_dir or os.path.dirname(os.path.abspath(config.samples))
    os.makedirs(output_dir, exist_ok=True)
    results_path = os.path.join(output_dir, "results.jsonl")
    settings_key = config.settings_key()
    if config.overwrite and os.path.exists(results_path):
        os.remove(results_path)
    cache = read_results_cache(results_path, settings_key)

    rows, todo, reused = plan_judging(records, by_id, settings_key, cache)
    attempts_by_key = {(r["task_id"], int(r["sample_index"])): turn_codes(r) for r in records if r.get("turns")}

    judge = CompletionJudge(config.judge_config())
    rewards = build_style_rewards(config, judge)
    loop = asyncio.new_event_loop()
    try:
        with open(results_path, "a", encoding="utf-8") as append, tqdm(
                total=len(todo), unit="sample", desc="judging", disable=not config.progress or not todo,
                file=sys.stderr) as bar:
            for start in range(0, len(todo), config.score_batch_size):
                batch = todo[start: start + config.score_batch_size]
                began = time.perf_counter()
                specs, codes = [b[2] for b in batch], [b[3] for b in batch]
                judged = loop.run_until_complete(judge_batch(judge, rewards, specs, codes))
                repaired = [i for i, b in enumerate(batch) if b[0] in attempts_by_key]
                if repaired:  # repair samples: the outcome of every attempt
                    outcomes = loop.run_until_complete(judge_turns(
                        judge, [specs[i] for i in repaired], [attempts_by_key[batch[i][0]] for i in repaired]))
                    for i, turn_outcomes in zip(repaired, outcomes):
                        judged[i]["turn_outcomes"] = turn_outcomes
                share = (time.perf_counter() - began) / len(batch)
                lines = []
                for (key, identity, _, _), part in zip(batch, judged):
                    rows[key] = {**identity, **part, "judge_wall_s": share}
                    lines.append(json.dumps(rows[key], ensure_ascii=False, default=str) + "\n")
                append.write("".join(lines))  # appended as we go: an interrupted run keeps its results
                append.flush()
                bar.update(len(batch))
        # A repair sample whose last attempt has no code was never judged above: its attempts are.
        no_code = [k for k in attempts_by_key if rows[k].get("turn_outcomes") is None]
        if no_code:
            outcomes = loop.run_until_complete(judge_turns(
                judge, [ProblemSpec.from_problem(by_id[k[0]]) for k in no_code], [attempts_by_key[k] for k in no_code]))
            for k, turn_outcomes in zip(no_code, outcomes):
                rows[k]["turn_outcomes"] = turn_outcomes
        info = judge_info(config, judge, bool(todo), list(rows.values()), previous_judge_record(output_dir))
    finally:
        loop.close()
        judge.close()

    order = {p.id: i for i, p in enumerate(problems.problems)}
    ordered = [rows[k] for k in sorted(rows, key=lambda k: (order[k[0]], k[1]))]
    with open(results_path + ".tmp", "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in ordered)
    os.replace(results_path + ".tmp", results_path)

    metrics = summarize(ordered, config.ks)
    repair = repair_metrics(ordered)
    if repair is not None:
        metrics["repair"] = repair
    sampled = {r["task_id"] for r in ordered}
    missing = [p.id for p in problems.problems if p.id not in sampled]
    greedy = meta.get("greedy")
    dataset_info = problems.info()
    dataset_info.update(problems_scored=len(sampled), problems_without_samples=len(missing))
    metrics["meta"] = {"first_sample": "greedy" if greedy else "first sample", "ks": sorted(set(config.ks)),
                       "problems_without_samples": missing, "repeated_samples_dropped": repeats}
    write_json(os.path.join(output_dir, "metrics.json"), metrics)
    summary = make_summary(metrics, meta, dataset_info, records, judged_now=len(todo), reused=reused)
    if repair is not None:
        summary["repair"] = repair
    write_json(os.path.join(output_dir, "summary.json"), summary)
    run_info = {
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": [os.path.basename(sys.argv[0])] + sys.argv[1:],
        "config": asdict(config), "git": git_revision(),
        "model": {"model_name_or_path": meta.get("model_name_or_path") or records[0].get("model"),
                  "base_model_name_or_path": meta.get("base_model_name_or_path"),
                  "backend": meta.get("backend") or records[0].get("backend"),
                  "num_samples": meta.get("num_samples"), "generation": meta.get("generation"),
                  "system_prompt": meta.get("system_prompt")},
        "dataset": {**dataset_info, "dataset_hash_at_generation": meta.get("dataset_hash")},
        "samples_file": {"path": os.path.abspath(config.samples), "sha256": file_sha256(config.samples),
                         "samples": len(records), "repeated_samples_dropped": repeats},
        "judge": info, "scoring": {"settings_key": settings_key, "judged_now": len(todo), "reused": reused,
                                   "seconds": time.perf_counter() - started_at},
        "versions": versions(),
    }
    write_json(os.path.join(output_dir, "run_info.json"), run_info)
    if missing:
        print(f"[eval] warning: {len(missing)} problems of {selection.dataset} have no samples and are not in the "
              f"metrics (e.g. {missing[:3]})", file=sys.stderr, flush=True)
    return summary


def main(argv: Optional[list[str]] = None) -> int:
    from grpo4code.config_args import parse_config

    config = parse_config(ScoreConfig, sys.argv[1:] if argv is None else argv, prog="python -m eval_process.score")
    summary = score_samples(config)
    output_dir = config.output_dir or os.path.dirname(os.path.abspath(config.samples))
    print(format_summary_table(summary))
    print(f"[eval] judged {summary['judged_now']} samples, reused {summary['reused']}; results in {output_dir}",
          flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
