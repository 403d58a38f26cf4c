"""DPO preference pairs from judged samples.

    python -m grpo4code.training.dpo_pairs --samples samples.jsonl --output pairs.jsonl \\
        --report pairs.md --margin 0.2

For each problem, a sample is *chosen* over another when its preference score (the
correctness score by default, or a weighted mix of the dimensions) is higher by at least
``margin``; with ``chosen_must_pass`` the chosen one must also pass every test. At most
``max_pairs_per_problem`` pairs are kept per problem, preferring pairs whose samples are
used least (so one good sample is not paired with every bad one), then the widest gaps.
The result depends only on the samples file: no randomness.

A problem gets no pair when all its samples pass, when all fail, when their scores
lie within the margin, or when none could be scored; the report counts each case, which
tells whether the sampling temperature or the number of samples should change.

Pair rows are TRL's conversational preference format plus bookkeeping columns::

    {"problem_id", "prompt": [messages], "chosen": [{"role": "assistant", "content": ...}],
     "rejected": [...], "chosen_score", "rejected_score"}
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Optional, Sequence

NO_PAIR_REASONS = ("all_pass", "all_fail", "within_margin", "unscored")


@dataclass
class PairSettings:
    """How pairs are chosen from a problem's judged samples."""

    margin: float = field(default=0.2, metadata={
        "help": "The chosen sample's score must exceed the rejected one's by at least this much."})
    max_pairs_per_problem: int = field(default=4, metadata={"help": "At most this many pairs per problem."})
    score: str = field(default="correctness", metadata={
        "help": "Preference score: a dimension recorded in the samples' scores (e.g. correctness), "
                "'pass_ratio', or 'mixed' (weighted mean of the dimensions, see --weights)."})
    weights: str = field(default="", metadata={
        "help": 'Weights of --score mixed as JSON, e.g. \'{"correctness": 1, "efficiency": 0.3}\' '
                "(default: every recorded dimension alike)."})
    chosen_must_pass: bool = field(default=False, metadata={
        "help": "Only samples that pass every test may be chosen."})

    def __post_init__(self) -> None:
        if self.margin < 0:
            raise ValueError("--margin must be >= 0")
        if self.max_pairs_per_problem < 1:
            raise ValueError("--max_pairs_per_problem must be >= 1")
        self.weight_values()  # validate early

    def weight_values(self) -> Optional[dict[str, float]]:
        if not self.weights:
            return None
        try:
            data = json.loads(self.weights)
        except json.JSONDecodeError as exc:
            raise ValueError(f"--weights is not JSON ({exc}): {self.weights!r}") from None
        if not isinstance(data, dict) or not data or any(float(w) < 0 for w in data.values()) \
                or sum(float(w) for w in data.values()) <= 0:
            raise ValueError("--weights must be a JSON object {dimension: weight >= 0} with a positive total")
        return {name: float(w) for name, w in data.items()}


def preference_score(sample: dict, settings: PairSettings) -> Optional[float]:
    """The score a sample is ranked by, or None when it could not be scored."""
    scores = sample.get("scores") or {}
    if settings.score == "pass_ratio":
        return sample.get("pass_ratio")
    if settings.score == "mixed":
        weights = settings.weight_values() or {name: 1.0 for name in scores}
        unknown = sorted(set(weights) - set(scores))
        if unknown:
            raise ValueError(f"--weights names {unknown}, but the samples have scores {sorted(scores)}")
        values = {name: scores[name] for name in weights if weights[name] > 0}
        if not values or any(v is None for v in values.values()):
            return None
        return sum(weights[n] * v for n, v in values.items()) / sum(weights[n] for n in values)
    if settings.score not in scores:
        raise ValueError(f"--score {settings.score!r}: the samples have scores {sorted(scores)} "
                         "(or use 'pass_ratio' or 'mixed')")
    return scores[settings.score]


def problem_pairs(samples: Sequence[dict], settings: PairSettings) -> tuple[list[dict], dict]:
    """The pairs of one problem's samples and its report row."""
    distinct: dict[str, dict] = {}
    for sample in samples:  # a repeated completion adds no preference information
        distinct.setdefault(sample["completion"].strip(), sample)
    ranked = [(sample, preference_score(sample, settings)) for sample in distinct.values()]
    scored = [(i, sample, score) for i, (sample, score) in enumerate(ranked) if score is not None]
    candidates = [(c, r) for c in scored for r in scored
                  if c[2] > r[2] and c[2] - r[2] >= settings.margin
                  and (c[1].get("accepted") or not settings.chosen_must_pass)]
    uses = [0] * len(ranked)
    chosen_pairs = []
    while candidates and len(chosen_pairs) < settings.max_pairs_per_problem:
        # Least-used samples first, then the widest gap; indices break ties (file order).
        best = min(candidates, key=lambda p: (uses[p[0][0]] + uses[p[1][0]], -(p[0][2] - p[1][2]), p[0][0], p[1][0]))
        candidates.remove(best)
        uses[best[0][0]] += 1
        uses[best[1][0]] += 1
        chosen_pairs.append(best)
    pairs = [{"problem_id": c[1]["problem_id"], "prompt": c[1]["prompt"],
              "chosen": [{"role": "assistant", "content": c[1]["completion"]}],
              "rejected": [{"role": "assistant", "content": r[1]["completion"]}],
              "chosen_score": c[2], "rejected_score": r[2]} for c, r in chosen_pairs]
    accepted = sum(bool(s.get("accepted")) for _, s, _ in scored)
    reason = None
    if not pairs:
        if not scored:
            reason = "unscored"
        elif accepted == len(scored):
            reason = "all_pass"
        elif accepted == 0:
            reason = "all_fail"
        else:
            reason = "within_margin"
    row = {"problem_id": samples[0]["problem_id"], "samples": len(samples), "distinct": len(ranked),
           "scored": len(scored), "accepted": accepted, "pairs": len(pairs), "no_pair_reason": reason}
    return pairs, row


def build_pairs(samples: Sequence[dict], settings: PairSettings | None = None) -> tuple[list[dict], dict]:
    """``(pairs, report)`` for judged samples (rows of :mod:`grpo4code.training.sampling`).

    Problems keep the order of their first sample; the report is a dict (see
    :func:`format_report` for its markdown form).
    """
    settings = settings or PairSettings()
    groups: dict[str, list[dict]] = {}
    for sample in samples:
        groups.setdefault(sample["problem_id"], []).append(sample)
    pairs, rows = [], []
    for group in groups.values():
        group_pairs, row = problem_pairs(group, settings)
        pairs += group_pairs
        rows.append(row)
    no_pairs = {reason: sum(r["no_pair_reason"] == reason for r in rows) for reason in NO_PAIR_REASONS}
    report = {"settings": dataclasses.asdict(settings), "samples": len(samples), "problems": len(rows),
              "pairs": len(pairs), "problems_with_pairs": sum(r["pairs"] > 0 for r in rows),
              "problems_without_pairs": no_pairs, "per_problem": rows}
    return pairs, report


def format_report(report: dict) -> str:
    """The pair report as markdown: the totals, then one table row per problem."""
    no_pairs = report["problems_without_pairs"]
    settings = report["settings"]
    lines = [
        "# DPO pairs", "",
        f"Score `{settings['score']}`, margin {settings['margin']}, at most {settings['max_pairs_per_problem']} "
        f"pairs per problem{', chosen must pass' if settings['chosen_must_pass'] else ''}.", "",
        f"- samples: {report['samples']} over {report['problems']} problems",
        f"- pairs: {report['pairs']}, from {report['problems_with_pairs']} problems",
        f"- problems without pairs: {sum(no_pairs.values())} "
        f"(all samples pass: {no_pairs['all_pass']}; all fail: {no_pairs['all_fail']}; "
        f"scores within the margin: {no_pairs['within_margin']}; none scored: {no_pairs['unscored']})", "",
        "| problem | samples | distinct | scored | accepted | pairs | no pair because |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in report["per_problem"]:
        lines.append(f"| {row['problem_id']} | {row['samples']} | {row['distinct']} | {row['scored']} | "
                     f"{row['accepted']} | {row['pairs']} | {row['no_pair_reason'] or ''} |")
    return "\n".join(lines) + "\n"


def read_pairs(path: str, flag: str = "--dpo_pairs_file") -> list[dict]:
    """Pair rows of a jsonl file; a malformed row is an error naming ``flag`` and the line."""
    if not path or not os.path.isfile(path):
        raise FileNotFoundError(f"{flag} {path!r}: no such file "
                                "(write one with `python -m grpo4code.training.dpo_pairs`)")
    pairs = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                pair = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{flag} {path}, line {number}: not JSON ({exc})") from None
            missing = [k for k in ("problem_id", "prompt", "chosen", "rejected") if k not in pair]
            if missing:
                raise ValueError(f"{flag} {path}, line {number}: not a preference pair (no {missing})")
            pairs.append(pair)
    return pairs


def write_jsonl(path: str, rows: Sequence[dict]) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


@dataclass
class PairsConfig(PairSettings):
    """``python -m grpo4code.training.dpo_pairs``: judged samples in, preference pairs out."""

    samples: str = field(default="", metadata={"help": "Judged samples (jsonl from grpo4code.training.sampling)."})
    output: str = field(default="", metadata={"help": "Where to write the pairs (jsonl)."})
    report: str = field(default="", metadata={
        "help": "Where to write the report (markdown; its dict goes beside it as .json). Empty: print it."})

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.samples or not self.output:
            raise ValueError("--samples and --output are required")


def main(argv: Optional[list[str]] = None) -> int:
    from grpo4code.config_args import parse_config
    from grpo4code.training.sampling import read_samples

    config = parse_config(PairsConfig, sys.argv[1:] if argv is None else argv,
                          prog="python -m grpo4code.training.dpo_pairs")
    settings = PairSettings(**{f.name: getattr(config, f.name) for f in dataclasses.fields(PairSettings)})
    pairs, report = build_pairs(read_samples(config.samples, "--samples"), settings)
    write_jsonl(config.output, pairs)
    markdown = format_report(report)
    if config.report:
        with open(config.report, "w", encoding="utf-8") as handle:
            handle.write(markdown)
        json_path = os.path.splitext(config.report)[0] + ".json"
        with open(json_path if json_path != config.report else config.report + ".json", "w",
                  encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
    else:
        print(markdown)
    print(f"[grpo4code] {config.output}: {report['pairs']} pairs from {report['problems_with_pairs']} of "
          f"{report['problems']} problems", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
