"""Training-time pieces that sit beside TRL's trainers.

:mod:`grpo4code.training.reward_mixer` -- the reward weights that TRL's GRPO trainer reads each
step (``trainer.reward_weights``): gating, mixing, and the online-learned ``RewardWeightNet``.
"""
