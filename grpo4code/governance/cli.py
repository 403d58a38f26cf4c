"""``grpo4code-data``: prepare splits with manifests, and audit train/test isolation.

    grpo4code-data prepare --source leetcode --location FILE_OR_HUB_NAME --split train \\
        --role train --prepared_dir data/prepared [--exclude_eval_overlap true]
    grpo4code-data audit --train leetcode:train=TRAIN.jsonl.gz \\
        --eval leetcode:test=TEST.jsonl.gz humaneval:test --report report.md

Options come from dataclass defaults < ``--config recipes/data/*.yaml`` < flags.
A split spec is a prepared folder, or ``source:split[=location]`` (location: a file or hub
name; omitted = the source's default). Preparing a training split audits it against every
known evaluation split (starter held-out, HumanEval, and the prepared ``eval`` splits) and
refuses an overlap unless ``--exclude_eval_overlap`` (drop them) or ``--allow_eval_overlap``.
``--augment_tests true`` adds tests generated from the reference solutions to a training
split (:mod:`grpo4code.data.augment`); its settings and counts go into the manifest
(``test_augmentation``) and its report next to it (``augment_report.md``).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field

from grpo4code.config_args import parse_config
from grpo4code.data.rows import LoadResult
from grpo4code.data.sources import load_problems
from grpo4code.governance.dedup import DedupConfig, find_duplicates
from grpo4code.governance.leakage import guard_training_problems, known_evaluation_splits, without_leaked
from grpo4code.governance.manifest import build_manifest, is_prepared_split, read_prepared_split, write_prepared_split
from grpo4code.governance.report import build_report, render_markdown


AUGMENT_REPORT_FILE = "augment_report.md"


@dataclass
class PrepareConfig(DedupConfig):
    """Load one source split, check it, and write it with its manifest."""

    source: str = field(default="starter", metadata={"help": "Problem source (see grpo4code.data.SOURCES)."})
    location: str = field(default=None, metadata={"help": "Local file or hub dataset name; default: the source's own."})
    split: str = field(default="train", metadata={"help": "Split to load (also the hub split)."})
    role: str = field(default="train", metadata={"help": "`train` (audited against evaluation splits) or `eval` (protected from training)."})
    name: str = field(default=None, metadata={"help": "Name of the prepared split; default: <source>-<split>."})
    prepared_dir: str = field(default="data/prepared", metadata={"help": "Folder of prepared splits; evaluation splits there are protected."})
    on_error: str = field(default="raise", metadata={"help": "`raise` on a bad row, or `skip` it (counted in the manifest)."})
    exclude_eval_overlap: bool = field(default=False, metadata={"help": "Drop training problems that duplicate evaluation problems."})
    allow_eval_overlap: bool = field(default=False, metadata={"help": "Keep training problems that duplicate evaluation problems (not recommended)."})
    augment_tests: bool = field(default=False, metadata={"help": "Add tests generated from each problem's reference solution (grpo4code.data.augment) to the training split before writing it."})
    augment_seed: int = field(default=0, metadata={"help": "Seed of the test augmentation."})
    augment_max_new_tests: int = field(default=16, metadata={"help": "Most tests the augmentation adds to one problem."})
    augment_num_large_tests: int = field(default=2, metadata={"help": "How many of them use inputs near the statement's size limits."})
    augment_second_solutions: str = field(default=None, metadata={"help": "LeetCodeDataset file whose `response` answers cross-check the reference; default: --location when the source is leetcode."})
    augment_workers: int = field(default=2, metadata={"help": "Judge workers for the augmentation."})


@dataclass
class AuditConfig(DedupConfig):
    """Report counts, duplicates and train/eval overlap of any splits."""

    train: list[str] = field(default_factory=list, metadata={"help": "Training split specs, space separated."})
    eval: list[str] = field(default_factory=list, metadata={"help": "Evaluation split specs, space separated."})
    report: str = field(default="governance_report.md", metadata={"help": "Markdown report to write."})
    json_report: str = field(default=None, metadata={"help": "Optional JSON summary to write."})


def load_spec(spec: str, on_error: str = "raise") -> tuple[str, LoadResult | None, list]:
    """``(name, load result or None, problems)`` for a prepared folder or ``source:split[=location]``."""
    if os.path.isdir(spec) and is_prepared_split(spec):
        problems, manifest = read_prepared_split(spec)
        return manifest["name"], None, problems
    head, _, location = spec.partition("=")
    source, _, split = head.partition(":")
    if not source or not split:
        raise ValueError(f"bad split spec {spec!r}: use a prepared folder or source:split[=location]")
    loaded = load_problems(source, location or None, split, on_error=on_error)
    return f"{source}/{split}", loaded, loaded.problems


def prepare(config: PrepareConfig) -> str:
    """Prepare one split; returns the folder written."""
    loaded = load_problems(config.source, config.location, config.split, on_error=config.on_error)
    print(loaded.summary())
    name = config.name or f"{config.source}-{config.split}"
    problems = loaded.problems
    duplicates = find_duplicates(problems, config)
    print(f"{name}: {len(duplicates)} duplicate pairs within the split")
    if config.role == "train":
        evaluation = known_evaluation_splits(config.prepared_dir)
        report = guard_training_problems(
            problems, evaluation, config.allow_eval_overlap or config.exclude_eval_overlap, name, config)
        if config.exclude_eval_overlap and not report.is_clean:
            problems = without_leaked(problems, report)
            print(f"{name}: dropped {len(loaded.problems) - len(problems)} problems that duplicate evaluation problems")
        print(report.describe())
    augmentation = None
    if config.augment_tests:
        if config.role != "train":
            raise ValueError("--augment_tests adds tests to training splits only (--role train)")
        problems, augmentation = augment_split(problems, config)
    manifest = build_manifest(name, config.role, loaded, problems)
    manifest["duplicates_within"] = [pair.to_dict() for pair in duplicates]
    if augmentation:
        manifest["test_augmentation"] = augmentation["manifest"]
    out_dir = os.path.join(config.prepared_dir, name)
    write_prepared_split(out_dir, problems, manifest)
    if augmentation:
        with open(os.path.join(out_dir, AUGMENT_REPORT_FILE), "w", encoding="utf-8") as handle:
            handle.write(augmentation["report"])
    print(f"wrote {out_dir} ({len(problems)} problems, split hash {manifest['split_hash'][:16]})")
    return out_dir


def augment_split(problems: list, config: PrepareConfig) -> tuple[list, dict]:
    """Augment the split's tests; returns the problems and ``{"manifest": ..., "report": markdown}``."""
    from grpo4code.data.augment import AugmentConfig, augment_problems
    from grpo4code.data.augment.report import render_markdown, render_text, summarize
    from grpo4code.data.augment.second_solutions import load_second_solutions

    settings = AugmentConfig(seed=config.augment_seed, max_new_tests=config.augment_max_new_tests,
                             num_large_tests=config.augment_num_large_tests, judge_workers=config.augment_workers)
    second_file = config.augment_second_solutions or (config.location if config.source == "leetcode" else None)
    second = load_second_solutions(second_file, config.split) if second_file else {}
    result = augment_problems(problems, settings, second_solutions=second)
    summary = summarize(result, source=f"{config.source}:{config.location}")
    print(render_text(summary))
    record = {
        "settings": {k: v for k, v in settings.to_dict().items() if k != "not_unique_patterns"},
        "second_solutions": second_file,
        "augmented_problems": summary["augmented"],
        "skipped": {reason: item["count"] for reason, item in summary["skipped"].items()},
        "tests_before": summary["tests_before"]["total"],
        "tests_after": summary["tests_after"]["total"],
        "report": AUGMENT_REPORT_FILE,
    }
    return result.problems, {"manifest": record, "report": render_markdown(summary)}


def audit(config: AuditConfig) -> dict:
    """Write the markdown (and optional JSON) report; returns the JSON summary."""
    if not config.train and not config.eval:
        raise ValueError("give at least one --train or --eval split spec")
    splits, skipped, train_names, eval_names = {}, {}, [], []
    for role_names, specs in ((train_names, config.train), (eval_names, config.eval)):
        for spec in specs:
            name, loaded, problems = load_spec(spec, on_error="skip")
            splits[name] = problems
            skipped[name] = len(loaded.skipped) if loaded else 0
            role_names.append(name)
            print(loaded.summary() if loaded else f"{name}: {len(problems)} prepared problems")
    report = build_report(splits, train_names, eval_names, skipped, config)
    for path in (config.report, config.json_report):
        if path and os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(config.report, "w", encoding="utf-8") as handle:
        handle.write(render_markdown(report))
    summary = report.to_dict()
    if config.json_report:
        with open(config.json_report, "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=2)
    print(json.dumps(summary, indent=2))
    print(f"wrote {config.report}")
    return summary


COMMANDS = {"prepare": (PrepareConfig, prepare), "audit": (AuditConfig, audit)}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        print(f"commands: {', '.join(COMMANDS)} (add --help to one for its options)")
        return 2
    config_class, command = COMMANDS[argv[0]]
    command(parse_config(config_class, argv[1:], prog=f"grpo4code-data {argv[0]}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
