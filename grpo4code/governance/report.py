"""The governance report (markdown): counts, duplicates within splits, train/eval overlap."""

from __future__ import annotations

import datetime
import statistics
from collections import Counter
from dataclasses import dataclass, field

import grpo4code
from grpo4code.data.schema import DIFFICULTIES
from grpo4code.governance.dedup import DUPLICATE_KINDS, DedupConfig, DuplicatePair, find_duplicates
from grpo4code.governance.leakage import audit_leakage
from grpo4code.governance.manifest import split_hash

MAX_EXAMPLES = 10


@dataclass
class SplitSummary:
    """One split's counts and within-split duplicates."""

    name: str
    problems: list
    skipped: int = 0
    duplicates: list = field(default_factory=list)

    @property
    def problems_in_duplicates(self) -> int:
        return len({i for pair in self.duplicates for i in (pair.first, pair.second)})


@dataclass
class GovernanceReport:
    splits: list  # list[SplitSummary]
    leakage: list  # list[LeakageReport]
    config: DedupConfig

    def to_dict(self) -> dict:
        return {
            "splits": {s.name: {"problems": len(s.problems), "skipped_rows": s.skipped,
                                "duplicate_pairs": len(s.duplicates),
                                "problems_in_duplicates": s.problems_in_duplicates,
                                "split_hash": split_hash(s.problems)} for s in self.splits},
            "overlaps": {f"{r.train_name} vs {name}": {
                "pairs": len(pairs),
                "train_problems": len({p.first for p in pairs}),
                "eval_problems": len({p.second for p in pairs}),
                "by_kind": _kind_counts(pairs)} for r in self.leakage for name, pairs in r.overlaps.items()},
        }


def _kind_counts(pairs: list[DuplicatePair]) -> dict:
    counts = Counter(kind for pair in pairs for kind in pair.kinds)
    return {kind: counts.get(kind, 0) for kind in DUPLICATE_KINDS}


def build_report(splits: dict, train_names: list[str], eval_names: list[str],
                 skipped: dict | None = None, config: DedupConfig | None = None) -> GovernanceReport:
    """Deduplicate every split and audit each training split against each evaluation split.

    ``splits`` maps a split name to its problems; ``skipped`` maps it to its skipped-row count.
    """
    config = config or DedupConfig()
    summaries = [SplitSummary(name, problems, (skipped or {}).get(name, 0), find_duplicates(problems, config))
                 for name, problems in splits.items()]
    evaluation = {name: splits[name] for name in eval_names}
    leakage = [audit_leakage(splits[name], evaluation, name, config) for name in train_names]
    return GovernanceReport(summaries, leakage, config)


def _pair_rows(pairs: list[DuplicatePair]) -> list[str]:
    rows = [f"| {p.first} | {p.second} | {', '.join(p.kinds)} | {p.similarity:.2f} |" for p in pairs[:MAX_EXAMPLES]]
    if len(pairs) > MAX_EXAMPLES:
        rows.append(f"| ... {len(pairs) - MAX_EXAMPLES} more | | | |")
    return ["| first | second | signals | jaccard |", "| --- | --- | --- | --- |", *rows]


def render_markdown(report: GovernanceReport) -> str:
    """The report as markdown."""
    cfg = report.config
    out = [
        "# Data governance report", "",
        f"Generated {datetime.date.today().isoformat()} by grpo4code {grpo4code.__version__}. "
        f"Near-duplicates: Jaccard of word {cfg.shingle_size}-gram shingles of the statements >= "
        f"{cfg.threshold} (MinHash LSH, {cfg.num_perm} permutations in {cfg.bands} bands, verified exactly).",
        "", "## Splits", "",
        "| split | problems | tests (median / min per problem) | " + " / ".join(DIFFICULTIES)
        + " | skipped rows | split hash |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for s in report.splits:
        tests = [p.num_tests for p in s.problems] or [0]
        levels = Counter(p.difficulty for p in s.problems)
        out.append(f"| {s.name} | {len(s.problems)} | {statistics.median(tests):g} / {min(tests)} | "
                   + " / ".join(str(levels.get(d, 0)) for d in DIFFICULTIES)
                   + f" | {s.skipped} | `{split_hash(s.problems)[:16]}` |")
    out += ["", "## Duplicates within each split", "",
            "| split | pairs | problems involved | " + " | ".join(DUPLICATE_KINDS) + " |",
            "| --- | --- | --- | " + " | ".join("---" for _ in DUPLICATE_KINDS) + " |"]
    for s in report.splits:
        kinds = _kind_counts(s.duplicates)
        out.append(f"| {s.name} | {len(s.duplicates)} | {s.problems_in_duplicates} | "
                   + " | ".join(str(kinds[k]) for k in DUPLICATE_KINDS) + " |")
    for s in report.splits:
        if s.duplicates:
            out += ["", f"### {s.name}: examples", "", *_pair_rows(s.duplicates)]
    out += ["", "## Overlap of training splits with evaluation splits", "",
            "| train | evaluation | pairs | train problems | evaluation problems | "
            + " | ".join(DUPLICATE_KINDS) + " |",
            "| --- | --- | --- | --- | --- | " + " | ".join("---" for _ in DUPLICATE_KINDS) + " |"]
    for leak in report.leakage:
        for name, pairs in leak.overlaps.items():
            kinds = _kind_counts(pairs)
            out.append(f"| {leak.train_name} | {name} | {len(pairs)} | {len({p.first for p in pairs})} | "
                       f"{len({p.second for p in pairs})} | " + " | ".join(str(kinds[k]) for k in DUPLICATE_KINDS) + " |")
    for leak in report.leakage:
        for name, pairs in leak.overlaps.items():
            if pairs:
                out += ["", f"### {leak.train_name} vs {name}: examples", "", *_pair_rows(pairs)]
    return "\n".join(out) + "\n"
