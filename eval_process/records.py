"""Run records of a score run: summary.json, run_info.json pieces, the printed table.

``run_info.json`` pins what a number depends on: the git revision (and whether the checkout
differed from it), the samples file's hash, the dataset hash, the judge (backend, a digest
of its source or the service's API version, sandbox isolation, cost unit, limits) and the
package versions.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import platform
import subprocess
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from eval_process.score import ScoreSettings
    from grpo4code.rewards.judging import CompletionJudge

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def git_revision() -> dict:
    """The checkout's commit and whether tracked files differ from it (``None`` outside git)."""
    def git(*args):
        return subprocess.run(["git", "-C", REPO_ROOT, *args], capture_output=True, text=True, timeout=20)

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return {"revision": None, "dirty": None}
        status = git("status", "--porcelain", "--untracked-files=no")
        return {"revision": head.stdout.strip(), "dirty": bool(status.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"revision": None, "dirty": None}


def judge_code_version() -> str:
    """A digest of the judge's source (execeval_service/*.py): what decides verdicts here."""
    digest = hashlib.sha256()
    for path in sorted(glob.glob(os.path.join(REPO_ROOT, "execeval_service", "*.py"))):
        with open(path, "rb") as handle:
            digest.update(os.path.basename(path).encode() + b"\x00" + handle.read())
    return digest.hexdigest()[:16]


def judge_info(settings: ScoreSettings, judge: CompletionJudge, started: bool, rows: list[dict],
               previous: dict | None = None) -> dict:
    """Which judge decided the verdicts: backend, version, isolation, cost unit, limits.

    The embedded judge is asked only when it ran; a run that reused every verdict takes
    isolation and cost unit from the results and the ``previous`` run_info's judge record.
    """
    info = {"backend": "service" if settings.execute_code_url else "embedded",
            "urls": list(settings.execute_code_url), "time_limit_s": settings.judge_time_limit_s,
            "memory_limit_mb": settings.judge_memory_limit_mb,
            "isolation_seen": sorted({r["isolation"] for r in rows if r.get("isolation")}),
            "cost_unit_seen": sorted({r["cost_unit"] for r in rows if r.get("cost_unit")})}
    if settings.execute_code_url:
        import httpx

        info["version"] = None
        for url in settings.execute_code_url:
            try:
                health = httpx.get(f"{url.rstrip('/')}/health", timeout=3.0).json()
                api = httpx.get(f"{url.rstrip('/')}/openapi.json", timeout=3.0).json()
                info.update(isolation=health.get("isolation"), cost_unit=health.get("cost_unit"),
                            version=f"execeval_service API {api.get('info', {}).get('version')}")
                break
            except (httpx.HTTPError, ValueError):
                continue
    else:
        info["version"] = f"execeval_service source {judge_code_version()}"
        backend = judge.backend if started else None
        previous = previous or {}
        for name, seen in (("isolation", "isolation_seen"), ("cost_unit", "cost_unit_seen")):
            info[name] = getattr(backend, name, None) or (info[seen] or [None])[0] or previous.get(name)
    return info


def write_json(path: str, data) -> None:
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False, default=str)
        handle.write("\n")
    os.replace(path + ".tmp", path)


def previous_judge_record(output_dir: str) -> dict:
    """The judge record of the run_info.json an earlier run left in ``output_dir``, if any."""
    try:
        with open(os.path.join(output_dir, "run_info.json"), encoding="utf-8") as handle:
            return json.load(handle).get("judge") or {}
    except (OSError, ValueError):
        return {}


def versions() -> dict:
    """Versions of what produced and judged the samples."""
    return {"python": platform.python_version(), **{name: _version(name) for name in
                                                     ("grpo4code", "transformers", "torch", "trl")}}


def _version(package: str) -> Optional[str]:
    import importlib.metadata

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def make_summary(metrics: dict, meta: dict, dataset_info: dict, records: list[dict], judged_now: int,
                 reused: int) -> dict:
    """The headline numbers of ``metrics`` (what summary.json and the printed table hold)."""
    overall = metrics["overall"]
    style, cost = overall["style"], overall["cost"]
    pass_at = {k: v for k, v in overall.items() if k.startswith("pass@")}
    return {
        "model": meta.get("model_name_or_path") or records[0].get("model"),
        "dataset": dataset_info["dataset"], "split": dataset_info["split"],
        "dataset_hash": dataset_info["dataset_hash"],
        "num_problems": overall["num_problems"], "num_samples": overall["num_samples"],
        "first_sample": metrics["meta"]["first_sample"],
        "accepted@1": overall["accepted@1"], **pass_at,
        "pass_ratio_mean": overall["pass_ratio_mean"], "pass_ratio_p50": overall["pass_ratio_p50"],
        "pass_ratio_p90": overall["pass_ratio_p90"], "exec_success_rate": overall["exec_success_rate"],
        "ignores_inputs_rate": overall["ignores_inputs_rate"],
        "verdicts": overall["verdicts"], "could_not_score": overall["could_not_score"],
        "efficiency_mean": style["efficiency"]["mean"], "cost_ratio_geomean": style["cost_ratio"]["geometric_mean"],
        "comments_mean": style["comments"]["mean"], "maintainability_mean": style["maintainability"]["mean"],
        "avg_gen_tokens": cost["avg_gen_tokens"], "truncated_rate": cost["truncated_rate"],
        "problems_per_s": cost["problems_per_s"], "gen_problems_per_s": cost["gen_problems_per_s"],
        "judge_problems_per_s": cost["judge_problems_per_s"],
        "tokens_per_solved_problem": cost["tokens_per_solved_problem"],
        "judge_seconds_per_solved_problem": cost["judge_seconds_per_solved_problem"],
        "accepted@1_per_difficulty": {d: block["accepted@1"] for d, block in metrics["per_difficulty"].items()},
        "problems_without_samples": dataset_info["problems_without_samples"],
        "judged_now": judged_now, "reused": reused,
    }


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) >= 1000 else f"{value:.3f}"
    return str(value)


def format_summary_table(summary: dict) -> str:
    """The summary as a two-column markdown table."""
    verdicts = ", ".join(f"{name} {count}" for name, count in summary["verdicts"].items() if count)
    lines = ["| metric | value |", "| --- | --- |",
             f"| model | {summary['model']} |", f"| dataset | {summary['dataset']} ({summary['split']}) |",
             f"| problems / samples | {summary['num_problems']} / {summary['num_samples']} |",
             f"| accepted@1 ({summary['first_sample']}) | {_fmt(summary['accepted@1'])} |"]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in summary.items() if k.startswith("pass@")]
    for name in ("pass_ratio_mean", "pass_ratio_p50", "pass_ratio_p90", "exec_success_rate", "ignores_inputs_rate",
                 "efficiency_mean",
                 "comments_mean", "maintainability_mean", "avg_gen_tokens", "truncated_rate", "problems_per_s",
                 "gen_problems_per_s", "judge_problems_per_s", "tokens_per_solved_problem"):
        lines.append(f"| {name} | {_fmt(summary.get(name))} |")
    lines.append(f"| verdicts | {verdicts or 'none'} |")
    lines.append(f"| could not score | {summary['could_not_score']} |")
    per = ", ".join(f"{d} {_fmt(v)}" for d, v in summary["accepted@1_per_difficulty"].items())
    lines.append(f"| accepted@1 per difficulty | {per} |")
    repair = summary.get("repair")  # present for --repair_turns runs (eval_process.repair)
    if repair:
        for turn in range(1, repair["turns"] + 1):
            lines.append(f"| accepted@1 after turn {turn} | {_fmt(repair[f'accepted@1_turn{turn}'])} |")
        lines.append(f"| recovery rate (failed turn 1, passed later) | {_fmt(repair['recovery_rate'])} "
                     f"({repair['recovered']} of {repair['failed_first_turn']}) |")
        lines.append(f"| mean attempts per problem | {_fmt(repair['mean_attempts'])} |")
    return "\n".join(lines)
