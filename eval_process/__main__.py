"""``python -m eval_process [--config recipes/eval/x.yaml] [flags]``: generate, then score.

What ``bash inference.sh`` runs: :mod:`eval_process.generate` fills
``<output_dir>/samples.jsonl`` (resumable), :mod:`eval_process.score` judges it into the same
folder (resumable), and the summary table is printed. Flags are the union of both steps'
(``--help`` lists them); each step alone is ``python -m eval_process.generate`` /
``python -m eval_process.score``.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import sys
from dataclasses import dataclass
from typing import Optional

from eval_process.generate import GenerateConfig, run_generate
from eval_process.records import format_summary_table
from eval_process.score import ScoreConfig, ScoreSettings, score_samples


@dataclass
class EvalConfig(ScoreSettings, GenerateConfig):
    """Generation and scoring settings of one evaluation run."""

    def __post_init__(self) -> None:
        GenerateConfig.__post_init__(self)
        ScoreSettings.__post_init__(self)

    def score_config(self) -> ScoreConfig:
        settings = {f.name: getattr(self, f.name) for f in dataclasses.fields(ScoreSettings)}
        samples = self.samples_path()
        return ScoreConfig(samples=samples, output_dir=os.path.dirname(os.path.abspath(samples)),
                           progress=self.progress, **settings)


def run_eval(config: EvalConfig) -> dict:
    """Generate then score; the score summary."""
    generated = run_generate(config, judge_config=config.judge_config())
    gc.collect()  # the model is gone before the judge's workers start
    summary = score_samples(config.score_config())
    summary["generated_now"] = generated["written"]
    return summary


def main(argv: Optional[list[str]] = None) -> int:
    from grpo4code.config_args import parse_config

    config = parse_config(EvalConfig, sys.argv[1:] if argv is None else argv, prog="bash inference.sh")
    summary = run_eval(config)
    print(format_summary_table(summary))
    print(f"[eval] generated {summary['generated_now']} samples, judged {summary['judged_now']} "
          f"(reused {summary['reused']}); files in {os.path.dirname(os.path.abspath(config.samples_path()))}",
          flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
