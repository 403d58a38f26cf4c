"""GRPO on code: TRL's GRPOTrainer, our rewards, and the reward mixer hooked in per step.

:class:`CodeGRPOTrainer` changes one thing in TRL's loop, at the place TRL already reads its
state each step: after the rewards of a generation batch are computed and gathered over
ranks (``_calculate_rewards``, ``[N, D]``), it

1. re-applies the gating rule defensively (a quality dimension counts only where
   correctness is 1, and format, which is not gated, is 1 there; the rewards already do
   this, the trainer does not rely on it), and
2. lets the mixer (:class:`grpo4code.training.reward_mixer.RewardWeightNet`) learn from the
   batch and sets ``self.reward_weights``, which TRL's aggregation then uses. Rank 0's
   weights are broadcast so every rank mixes identically.

The mixer's state is written into every checkpoint (``reward_mixer.pt``) and read back on
resume; its weights are logged every step (``mixer/<dimension>``).
"""

from __future__ import annotations

import os
from typing import Optional

import torch
from transformers import TrainerCallback
from trl import GRPOTrainer

MIXER_STATE_FILE = "reward_mixer.pt"


# Quality dimensions: they count only for a completion that passes every test.
GATED_DIMENSIONS = ("efficiency", "comments", "maintainability")
# Not gated, implied by passing: format pays every completion whose code is found and parses
# (a shaping signal while few pass; gated it would merely repeat "accepted"), and a completion
# that passes every test had code that parsed, so its format is 1.
IMPLIED_BY_PASSING = ("format",)


def gate_secondary(rewards: torch.Tensor, correctness_index: int, gated: list[int],
                   implied: list[int] = ()) -> torch.Tensor:
    """``[N, D]`` rewards with the ``gated`` columns set to 0 where correctness < 1 and the
    ``implied`` columns set to 1 where correctness == 1.

    The quality dimensions are gated; format is not, it is implied by passing (the rewards
    already give it 1 there; enforcing it keeps "any passing completion out-scores any failing
    one" true for any non-negative weights). NaN ("could not score") correctness leaves the
    row as it is; a NaN gated score stays NaN.
    """
    gated_rewards = rewards.clone()
    correctness = rewards[:, correctness_index]
    failing = (correctness < 1.0) & ~torch.isnan(correctness)
    others = [d for d in gated if d != correctness_index]
    if others:
        block = gated_rewards[:, others]
        block[failing] = torch.where(torch.isnan(block[failing]), block[failing], torch.zeros_like(block[failing]))
        gated_rewards[:, others] = block
    implied = [d for d in implied if d != correctness_index]
    if implied:
        block = gated_rewards[:, implied]
        block[correctness == 1.0] = 1.0
        gated_rewards[:, implied] = block
    return gated_rewards


class MixerCheckpointCallback(TrainerCallback):
    """Writes the mixer state next to each checkpoint TRL saves."""

    def __init__(self, trainer: "CodeGRPOTrainer"):
        self.trainer = trainer

    def on_save(self, args, state, control, **kwargs):
        mixer = self.trainer.reward_mixer
        if mixer is not None and state.is_world_process_zero:
            folder = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
            os.makedirs(folder, exist_ok=True)
            torch.save(mixer.state_dict(), os.path.join(folder, MIXER_STATE_FILE))
        return control


class CodeGRPOTrainer(GRPOTrainer):
    """GRPOTrainer whose reward weights come from a mixer (or stay fixed when it is None)."""

    def __init__(self, *args, reward_mixer=None, correctness_index: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.reward_mixer = reward_mixer
        self.correctness_index = correctness_index
        self.add_callback(MixerCheckpointCallback(self))

    def load_mixer_state(self, checkpoint_dir: str) -> bool:
        """Restore the mixer from ``checkpoint_dir``; False when it holds no mixer state."""
        path = os.path.join(checkpoint_dir, MIXER_STATE_FILE)
        if self.reward_mixer is None or not os.path.isfile(path):
            return False
        self.reward_mixer.load_state_dict(torch.load(path, weights_only=False))
        self.reward_weights = self.reward_mixer.weights.clone()
        return True

    def train(self, resume_from_checkpoint: Optional[str] = None, **kwargs):
        if isinstance(resume_from_checkpoint, str) and self.reward_mixer is not None:
            if not self.load_mixer_state(resume_from_checkpoint):
                raise FileNotFoundError(f"{resume_from_checkpoint} has no {MIXER_STATE_FILE}; the mixer "
                                        "state cannot be restored (was it trained with --use_weight_net?)")
        return super().train(resume_from_checkpoint=resume_from_checkpoint, **kwargs)

    def _calculate_rewards(self, inputs, prompts, completions, completion_ids_list):
        rewards = super()._calculate_rewards(inputs, prompts, completions, completion_ids_list)
        gated = [i for i, name in enumerate(self.reward_func_names) if name in GATED_DIMENSIONS]
        implied = [i for i, name in enumerate(self.reward_func_names) if name in IMPLIED_BY_PASSING]
        rewards = gate_secondary(rewards, self.correctness_index, gated, implied)
        mode = "train" if self.model.training else "eval"
        if self.reward_mixer is not None and mode == "train":
            progress = self.state.global_step / max(1, self.state.max_steps)
            weights = self.reward_mixer.update(rewards.detach().float().cpu(), self.num_generations, progress)
            weights = weights.to(self.accelerator.device, torch.float32)
            if self.accelerator.num_processes > 1:
                from accelerate.utils import broadcast

                weights = broadcast(weights, from_process=0)
            self.reward_weights = weights.cpu()
        for name, weight in zip(self.reward_func_names, self.reward_weights.tolist()):
            self._metrics[mode][f"mixer/{name}"].append(weight)
        return rewards
