"""``python -m grpo4code.data.augment``: augment a problem file's tests and write a report.

    python -m grpo4code.data.augment --input LeetCodeDataset-v0.2.0-train.jsonl.gz \\
        --output train_augmented.jsonl --report augment_report.md [--seed 0 --max_new_tests 16]

The input is a LeetCodeDataset file (or hub name) or a jsonl of ``Problem.to_dict()`` records
(a prepared split's ``problems.jsonl``); the output is records, readable with
``load_problems("records", path)``. Options: dataclass defaults < ``--config x.yaml`` < flags.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from dataclasses import dataclass, field

from grpo4code.config_args import parse_config
from grpo4code.data.augment.augment import augment_problems
from grpo4code.data.augment.config import AugmentConfig
from grpo4code.data.augment.report import render_markdown, render_text, summarize
from grpo4code.data.augment.second_solutions import load_second_solutions
from grpo4code.data.rows import DataError, is_local_path
from grpo4code.data.sources import load_problems

SOURCES = ("auto", "leetcode", "records")


@dataclass
class AugmentArguments(AugmentConfig):
    """Where the problems come from and where the augmented ones and the report go."""

    input: str = field(default=None, metadata={"help": "LeetCodeDataset file or hub name, or a jsonl of problem records."})
    output: str = field(default=None, metadata={"help": "jsonl (or .jsonl.gz) of problem records to write."})
    report: str = field(default="augment_report.md", metadata={"help": "Markdown report to write."})
    json_report: str = field(default=None, metadata={"help": "Optional JSON summary to write."})
    source: str = field(default="auto", metadata={"help": "`leetcode`, `records`, or `auto` (records if the "
                        "first row has `tests`)."})
    split: str = field(default="train", metadata={"help": "Split of a LeetCodeDataset input."})
    second_solutions: str = field(default=None, metadata={"help": "LeetCodeDataset file whose `response` "
                                  "answers cross-check the reference; default: the input, when it is one."})
    limit: int = field(default=None, metadata={"help": "Only the first N problems (quick runs)."})

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.input or not self.output:
            raise ValueError("give --input (problems to augment) and --output (jsonl to write)")
        if self.source not in SOURCES:
            raise ValueError(f"--source must be one of {SOURCES}, not {self.source!r}")

    def augment_config(self) -> AugmentConfig:
        names = AugmentConfig.__dataclass_fields__
        return AugmentConfig(**{name: getattr(self, name) for name in names})


def detect_source(location: str) -> str:
    """``records`` when the first row of a local file has ``tests``, else ``leetcode``."""
    if not is_local_path(location):
        return "leetcode"
    if not os.path.isfile(location):
        raise DataError(location, None, "no such file")
    opener = gzip.open if location.endswith(".gz") else open
    with opener(location, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(location, number, f"not valid JSON ({exc.msg})") from None
                return "records" if isinstance(row, dict) and "tests" in row else "leetcode"
    raise DataError(location, None, "the file holds no rows")


def write_records(path: str, problems: list) -> None:
    """One ``Problem.to_dict()`` per line, as prepared splits are written."""
    if os.path.dirname(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as handle:
        for problem in problems:
            handle.write(json.dumps(problem.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_config(AugmentArguments, list(sys.argv[1:] if argv is None else argv),
                        prog="python -m grpo4code.data.augment")
    source = detect_source(args.input) if args.source == "auto" else args.source
    loaded = load_problems(source, args.input, args.split if source == "leetcode" else None)
    print(loaded.summary())
    problems = loaded.problems[: args.limit] if args.limit else loaded.problems
    second_file = args.second_solutions or (args.input if source == "leetcode" else None)
    second = load_second_solutions(second_file, args.split) if second_file and args.cross_check else {}
    if args.cross_check:
        print(f"second solutions for {sum(p.id in second for p in problems)} of {len(problems)} problems"
              + (f" (from {second_file})" if second_file else " (none given: --second_solutions)"))
    result = augment_problems(problems, args.augment_config(), second_solutions=second)
    write_records(args.output, result.problems)
    summary = summarize(result, source=f"{source}:{args.input}")
    for path in (args.report, args.json_report):
        if path and os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(args.report, "w", encoding="utf-8") as handle:
        handle.write(render_markdown(summary))
    if args.json_report:
        with open(args.json_report, "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=2)
    print(render_text(summary))
    print(f"wrote {args.output} ({len(result.problems)} problems) and {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
