"""The SFT stage: TRL's SFTTrainer on reference solutions or on the model's own accepted samples.

* ``--sft_source reference`` -- each problem's reference solution, fenced as the answer
  format asks;
* ``--sft_source samples`` -- rejection sampling: the accepted samples (every test passes)
  of ``--samples_file`` (from ``python -m grpo4code.training.sampling``), one row per
  distinct completion.

Rows are prompt/completion conversations, so TRL's ``completion_only_loss`` (on by default
for this format) puts the loss on the completion only: the prompt's labels are -100.
"""

from __future__ import annotations

import json
import math
import os
from typing import Sequence

from grpo4code.data.schema import Problem
from grpo4code.training.datasets import as_dataset, sft_reference_rows

TRAIN_SUMMARY_FILE = "train_summary.json"


def accepted_sample_rows(samples: Sequence[dict], problems: Sequence[Problem]) -> list[dict]:
    """Prompt/completion rows of the accepted samples of ``problems``, each distinct completion once."""
    wanted = {p.id for p in problems}
    seen, rows = set(), []
    for sample in samples:
        key = (sample["problem_id"], sample["completion"].strip())
        if sample["problem_id"] in wanted and sample.get("accepted") is True and key not in seen:
            seen.add(key)
            rows.append({"prompt": sample["prompt"],
                         "completion": [{"role": "assistant", "content": sample["completion"]}]})
    return rows


def sft_rows(args, problems: Sequence[Problem], system_prompt: str) -> list[dict]:
    """The SFT rows ``args.sft_source`` asks for; an empty source is an error naming its flag."""
    if args.sft_source == "reference":
        rows = sft_reference_rows(list(problems), system_prompt)
        if not rows:
            raise ValueError(f"--sft_source reference: none of the {len(problems)} problems of --meta_data "
                             f"{args.meta_data} has a reference solution")
        return rows
    if not args.samples_file:
        raise ValueError("--sft_source samples needs --samples_file (judged samples from "
                         "`python -m grpo4code.training.sampling`)")
    from grpo4code.training.sampling import read_samples

    samples = read_samples(args.samples_file)
    rows = accepted_sample_rows(samples, problems)
    if not rows:
        raise ValueError(f"--samples_file {args.samples_file}: no accepted sample of the {len(problems)} training "
                         f"problems ({len(samples)} samples read); sample more (--num_samples, --temperature) "
                         "or use --sft_source reference")
    return rows


def loss_summary(log_history: list[dict]) -> dict:
    """The first and last logged training losses (or the run's mean loss if no step was logged)."""
    losses = [e["loss"] for e in log_history if isinstance(e.get("loss"), (int, float)) and math.isfinite(e["loss"])]
    if losses:
        return {"loss_first": losses[0], "loss_last": losses[-1], "losses_logged": len(losses)}
    mean = next((e["train_loss"] for e in log_history if "train_loss" in e), None)
    return {"loss_first": mean, "loss_last": mean, "losses_logged": 0}


def finish_stage(trainer, stage: str, output_dir: str, summary: dict) -> dict:
    """Save the model (or adapter), write and print the stage's summary."""
    trainer.save_model(output_dir)
    summary = {"stage": stage, "steps": trainer.state.global_step, **summary, **loss_summary(trainer.state.log_history)}
    if trainer.accelerator.is_main_process:
        with open(os.path.join(output_dir, TRAIN_SUMMARY_FILE), "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=2)
        first, last = summary["loss_first"], summary["loss_last"]
        loss = f"loss {first:.4f} -> {last:.4f}" if first is not None else "no loss logged"
        print(f"[grpo4code] {stage.upper()} done: {summary['steps']} steps on {summary['rows']} rows; {loss}; "
              f"saved to {output_dir}", flush=True)
    return summary


def build_sft_trainer(args, model_args, trl_args, problems, tokenizer, system_prompt):
    """TRL's SFTTrainer on this run's rows (model loaded, LoRA applied when ``--use_peft``)."""
    from trl import SFTTrainer, get_peft_config

    from grpo4code.training.main import load_model

    rows = sft_rows(args, problems, system_prompt)  # before the model: a data error should be quick
    return SFTTrainer(model=load_model(model_args), args=trl_args, train_dataset=as_dataset(rows),
                      processing_class=tokenizer, peft_config=get_peft_config(model_args))


def run_sft(args, model_args, trl_args, problems, tokenizer, system_prompt, checkpoint):
    from grpo4code.training.time_budget import train_within_budget

    trainer = build_sft_trainer(args, model_args, trl_args, problems, tokenizer, system_prompt)
    rows = len(trainer.train_dataset)
    print(f"[grpo4code] SFT on {rows} rows ({args.sft_source}"
          f"{' from ' + args.samples_file if args.sft_source == 'samples' else ''}) of {len(problems)} problems; "
          f"completion-only loss: {trainer.completion_only_loss}", flush=True)
    train_within_budget(trainer, args.max_train_minutes, checkpoint)
    finish_stage(trainer, "sft", trl_args.output_dir, {"rows": rows, "source": args.sft_source})
    return trainer
