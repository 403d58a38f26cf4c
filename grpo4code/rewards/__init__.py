"""Reward callables for TRL's trainers, one module per dimension.

Shared by every reward and by scoring: :mod:`grpo4code.rewards.extraction`, the one rule
that turns a completion into code.
"""
