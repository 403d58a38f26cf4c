"""``train.sh``'s options: ours, TRL's model options, and the stage's TRL config.

Precedence as in TRL: dataclass defaults < ``--config recipe.yaml`` < flags; an unknown key,
in the recipe or on the command line, is an error naming it. The stage (``--stage``, from
the flags or the recipe) picks TRL's config class, so every TRL option of that trainer
(``--loss_type``, ``--beta``, ``--use_vllm``, ``--vllm_mode`` ...) is a flag too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Optional

from grpo4code.config_args import yaml_to_flags
from grpo4code.multiturn.config import MultiTurnSettings
from grpo4code.rewards.judging import JudgeConfig
from grpo4code.rewards.registry import DIMENSIONS, RewardSettings, check_dimensions

STAGES = ("grpo", "sft", "dpo")


@dataclass
class Grpo4codeArguments(MultiTurnSettings, RewardSettings):
    """What a grpo4code run trains on, how it is judged and rewarded, and where it resumes."""

    stage: str = field(default="grpo", metadata={"help": "Training stage: grpo, sft or dpo."})
    meta_data: str = field(default="starter", metadata={
        "help": "Training problems: 'starter', a prepared split folder, a records .jsonl, or "
                "SOURCE:LOCATION (e.g. leetcode:newfacade/LeetCodeDataset)."})
    prepared_dir: Optional[str] = field(default=None, metadata={
        "help": "Folder of prepared splits; its evaluation splits join the leakage audit."})
    allow_eval_overlap: bool = field(default=False, metadata={
        "help": "Train even if the training problems overlap an evaluation split (logged)."})
    max_train_problems: int = field(default=0, metadata={"help": "Use at most this many problems (0 = all)."})
    max_prompt_length: int = field(default=512, metadata={
        "help": "Problems whose prompt is longer (tokens) are left out, never truncated."})
    execute_code_url: list[str] = field(default_factory=list, metadata={
        "help": "Judge service URL(s), several for load spreading. Absent: the embedded judge."})
    judge_workers: int = field(default=0, metadata={"help": "Embedded judge workers (0 = one per core)."})
    judge_time_limit_s: float = field(default=5.0, metadata={"help": "CPU seconds per judged completion."})
    reward_dimensions: list[str] = field(default_factory=lambda: ["correctness", "efficiency", "comments",
                                                                  "maintainability", "format"],
                                         metadata={"help": f"Reward dimensions, from {list(DIMENSIONS)}."})
    use_weight_net: bool = field(default=True, metadata={
        "help": "Mix the dimensions with the learned RewardWeightNet (else --fixed_weights or TRL's "
                "reward_weights)."})
    fixed_weights: str = field(default="", metadata={
        "help": 'Fixed weights as JSON, e.g. \'{"correctness": 1, "efficiency": 0.2}\' (missing dims: 0). '
                "With --use_weight_net they are its prior."})
    load_from_pretrained: str = field(default="", metadata={
        "help": "Resume from this output folder (or a checkpoint folder inside it)."})
    load_from_pretrained_step: int = field(default=0, metadata={
        "help": "Resume from checkpoint-<step> of --load_from_pretrained (0 = the latest)."})
    max_train_minutes: float = field(default=0.0, metadata={
        "help": "Stop training after this many wall-clock minutes, at a step boundary, with a checkpoint "
                "and a PAUSED.json marker; the same command plus --load_from_pretrained OUTPUT_DIR goes on "
                "(0 = no limit). For job time limits and leased GPUs."})
    system_prompt: Optional[str] = field(default=None, metadata={"help": "System prompt (default: ours)."})
    sft_source: str = field(default="reference", metadata={
        "help": "SFT targets: 'reference' solutions, or 'samples' (the model's own accepted samples, "
                "from --samples_file: rejection sampling)."})
    samples_file: str = field(default="", metadata={
        "help": "Judged samples (jsonl from `python -m grpo4code.training.sampling`), for SFT on accepted "
                "samples and for DPO pairs."})
    dpo_pairs_file: str = field(default="", metadata={"help": "DPO pairs jsonl (from build_dpo_pairs)."})
    torch_threads: int = field(default=0, metadata={
        "help": "CPU threads for torch (0 = leave torch's default). On a CPU machine shared with the "
                "embedded judge, set it to the cores left to the model."})
    print_summary: bool = field(default=True, metadata={
        "help": "Print each reward dimension at the start and the end of a GRPO run."})

    def __post_init__(self) -> None:
        if self.stage not in STAGES:
            raise ValueError(f"--stage must be one of {STAGES}, not {self.stage!r}")
        self.reward_dimensions = check_dimensions(self.reward_dimensions)
        self.fixed_weight_values()  # validate early
        if self.max_train_minutes < 0:
            raise ValueError(f"--max_train_minutes must be >= 0, not {self.max_train_minutes}")
        if self.load_from_pretrained_step and not self.load_from_pretrained:
            raise ValueError("--load_from_pretrained_step needs --load_from_pretrained")
        if self.sft_source not in ("reference", "samples"):
            raise ValueError("--sft_source must be 'reference' or 'samples'")
        MultiTurnSettings.__post_init__(self)
        if self.multiturn != "none" and self.stage != "grpo":
            raise ValueError(f"--multiturn {self.multiturn} is for --stage grpo")

    def fixed_weight_values(self) -> Optional[list[float]]:
        """``--fixed_weights`` as one weight per dimension (in reward_dimensions order)."""
        if not self.fixed_weights:
            return None
        try:
            data = json.loads(self.fixed_weights)
        except json.JSONDecodeError as exc:
            raise ValueError(f"--fixed_weights is not JSON ({exc}): {self.fixed_weights!r}") from None
        if isinstance(data, list):
            if len(data) != len(self.reward_dimensions):
                raise ValueError(f"--fixed_weights lists {len(data)} weights for {len(self.reward_dimensions)} "
                                 f"dimensions {self.reward_dimensions}")
            return [float(w) for w in data]
        if not isinstance(data, dict):
            raise ValueError("--fixed_weights must be a JSON object {dimension: weight} or a list")
        unknown = sorted(set(data) - set(self.reward_dimensions))
        if unknown:
            raise ValueError(f"--fixed_weights names {unknown}, not among reward_dimensions {self.reward_dimensions}")
        weights = [float(data.get(d, 0.0)) for d in self.reward_dimensions]
        if any(w < 0 for w in weights) or weights[0] <= 0:
            raise ValueError("--fixed_weights must be >= 0 with a positive correctness weight")
        return weights

    def judge_config(self) -> JudgeConfig:
        return JudgeConfig(execute_code_url=tuple(self.execute_code_url), workers=self.judge_workers,
                           time_limit_s=self.judge_time_limit_s)


def stage_config_class(stage: str):
    """TRL's config dataclass for ``stage``."""
    from trl import DPOConfig, GRPOConfig, SFTConfig

    return {"grpo": GRPOConfig, "sft": SFTConfig, "dpo": DPOConfig}[stage]


def _stage_of(tokens: list[str]) -> str:
    stage = "grpo"
    for i, token in enumerate(tokens):  # the last mention wins, as argparse does
        if token == "--stage" and i + 1 < len(tokens):
            stage = tokens[i + 1]
        elif token.startswith("--stage="):
            stage = token.split("=", 1)[1]
    return stage


def _device_defaults() -> list[str]:
    """TRL's configs default to bf16, which a CPU-only machine refuses; default it off there."""
    import torch

    return [] if torch.cuda.is_available() else ["--bf16", "false"]


def parse_train_args(argv: list[str]):
    """``(Grpo4codeArguments, ModelConfig, stage TRL config)`` from ``argv``."""
    from transformers import HfArgumentParser
    from trl import ModelConfig

    argv = list(argv)
    recipe_flags: list[str] = []
    if "--config" in argv:
        position = argv.index("--config")
        if position + 1 >= len(argv):
            raise ValueError("--config needs a YAML file")
        recipe_flags = yaml_to_flags(argv[position + 1])
        del argv[position: position + 2]
    tokens = _device_defaults() + recipe_flags + argv
    stage = _stage_of(tokens)
    if stage not in STAGES:
        raise ValueError(f"--stage must be one of {STAGES}, not {stage!r}")
    parser = HfArgumentParser((Grpo4codeArguments, ModelConfig, stage_config_class(stage)), prog="train.sh")
    args, model_args, trl_args = parser.parse_args_into_dataclasses(tokens)
    return args, model_args, trl_args
