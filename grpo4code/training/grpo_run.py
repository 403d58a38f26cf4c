"""One GRPO run: dataset, rewards, mixer, trainer, checkpoints, and the reward summary."""

from __future__ import annotations

import json
import math
import os

from transformers import TrainerCallback

from grpo4code.rewards.judging import close_shared_judges
from grpo4code.rewards.registry import build_reward_funcs
from grpo4code.training.datasets import as_dataset, grpo_rows
from grpo4code.training.grpo import MIXER_STATE_FILE, CodeGRPOTrainer
from grpo4code.training.time_budget import train_within_budget

SUMMARY_FILE = "reward_summary.json"


def prior_weights(dimensions: list[str], fixed: list[float] | None) -> list[float]:
    """The mixer's prior: ``--fixed_weights`` if given, else 0.4 on correctness and the rest shared."""
    if fixed is not None:
        return fixed
    if len(dimensions) == 1:
        return [1.0]
    return [0.4] + [0.6 / (len(dimensions) - 1)] * (len(dimensions) - 1)


def build_mixer(args, trl_args):
    """The RewardWeightNet of this run, or None for fixed weights."""
    if not args.use_weight_net or len(args.reward_dimensions) == 1:
        return None
    from grpo4code.training.reward_mixer import RewardMixerConfig, RewardWeightNet

    config = RewardMixerConfig(dimension_names=list(args.reward_dimensions),
                               prior_weights=prior_weights(args.reward_dimensions, args.fixed_weight_values()),
                               aggregation=trl_args.multi_objective_aggregation)
    return RewardWeightNet(config)


def reward_summary(log_history: list[dict], names: list[str]) -> dict:
    """``{dimension: {"start": mean, "end": mean}}`` from the first and last logged steps."""
    summary = {}
    for name in names + ["reward"]:
        key = name if name == "reward" else f"rewards/{name}/mean"
        values = [entry[key] for entry in log_history if key in entry and isinstance(entry[key], (int, float))
                  and math.isfinite(entry[key])]
        if values:
            summary[name] = {"start": values[0], "end": values[-1], "steps_logged": len(values)}
    return summary


def format_summary(summary: dict) -> str:
    lines = ["reward dimension      start     end", "-" * 36]
    for name, row in summary.items():
        lines.append(f"{name:<20} {row['start']:>6.3f}  {row['end']:>6.3f}")
    return "\n".join(lines)


class CompletionsToTensorBoard(TrainerCallback):
    """Writes the latest completions with their rewards to TensorBoard as a text table."""

    def __init__(self, trainer, rows: int = 8):
        self.trainer, self.rows = trainer, rows

    def on_log(self, args, state, control, **kwargs):
        writer = next((getattr(cb, "tb_writer", None) for cb in self.trainer.callback_handler.callbacks
                       if getattr(cb, "tb_writer", None) is not None), None)
        logs = getattr(self.trainer, "_logs", None)
        if writer is None or not logs or not logs.get("completion") or not state.is_world_process_zero:
            return control
        names = list(logs["rewards"])
        header = "| completion | " + " | ".join(names) + " |\n|---|" + "---|" * len(names) + "\n"
        body = ""
        completions = list(logs["completion"])[-self.rows:]
        for i, completion in enumerate(completions):
            text = completion[-1]["content"] if isinstance(completion, list) else str(completion)
            text = text.replace("|", "\\|").replace("\n", "<br>")[:1500]
            values = [list(logs["rewards"][n])[-len(completions) + i] for n in names]
            body += f"| {text} | " + " | ".join(f"{v:.3f}" for v in values) + " |\n"
        writer.add_text("completions", header + body, state.global_step)
        return control


def run_grpo(args, model_args, trl_args, problems, tokenizer, system_prompt, checkpoint):
    from trl import get_peft_config

    from grpo4code.training.main import load_model

    if args.multiturn == "python_tool" and args.system_prompt is None:
        from grpo4code.multiturn.python_tool import TOOL_SYSTEM_PROMPT

        system_prompt = TOOL_SYSTEM_PROMPT  # says the tool is there
    rows = grpo_rows(problems, system_prompt)
    dataset = as_dataset(rows)
    funcs = build_reward_funcs(args.reward_dimensions, args, args.judge_config())
    mixer = build_mixer(args, trl_args)
    if mixer is None and trl_args.reward_weights is None:
        trl_args.reward_weights = args.fixed_weight_values()
    trainer_class, multiturn = CodeGRPOTrainer, {}
    if args.multiturn != "none":  # repair (TRL's rollout_func) or the interpreter tool (environment_factory)
        from grpo4code.multiturn.trainer import MultiTurnGRPOTrainer, multiturn_trainer_kwargs

        funcs, multiturn = multiturn_trainer_kwargs(args, trl_args, tokenizer, rows, funcs)
        trainer_class = MultiTurnGRPOTrainer
    if mixer is not None and trl_args.multi_objective_aggregation not in ("sum_then_normalize", "normalize_then_sum"):
        raise ValueError(f"unknown multi_objective_aggregation {trl_args.multi_objective_aggregation!r}")
    trainer = trainer_class(model=load_model(model_args), reward_funcs=funcs, args=trl_args,
                            train_dataset=dataset, processing_class=tokenizer,
                            peft_config=get_peft_config(model_args), reward_mixer=mixer, **multiturn)
    if mixer is not None:
        trainer.reward_weights = mixer.weights.clone()
    trainer.add_callback(CompletionsToTensorBoard(trainer))
    print(f"[grpo4code] GRPO on {len(problems)} problems; rewards {trainer.reward_func_names}; "
          f"{'learned mixer' if mixer else f'fixed weights {trainer.reward_weights.tolist()}'}; "
          f"judge: {', '.join(args.execute_code_url) or 'embedded'}", flush=True)
    try:
        train_within_budget(trainer, args.max_train_minutes, checkpoint)
    finally:
        close_shared_judges()
    trainer.save_model(trl_args.output_dir)
    if mixer is not None and trainer.accelerator.is_main_process:
        import torch

        torch.save(mixer.state_dict(), os.path.join(trl_args.output_dir, MIXER_STATE_FILE))
    summary = reward_summary(trainer.state.log_history, trainer.reward_func_names)
    if trainer.accelerator.is_main_process:
        with open(os.path.join(trl_args.output_dir, SUMMARY_FILE), "w") as handle:
            json.dump(summary, handle, indent=2)
        if args.print_summary:
            print(format_summary(summary), flush=True)
    return trainer
