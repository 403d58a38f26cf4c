"""Build the reward callables a run asks for, sharing one judge.

    funcs = build_reward_funcs(["correctness", "efficiency", "comments", "maintainability"],
                               RewardSettings(), JudgeConfig())

Correctness always comes first (the mixer and the gating rule key on it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grpo4code.rewards.judging import JudgeConfig

DIMENSIONS = ("correctness", "efficiency", "comments", "maintainability", "format")


@dataclass
class RewardSettings:
    """Settings of the individual reward dimensions."""

    correctness_mode: str = field(default="guarded", metadata={
        "help": "guarded: the pass ratio over the tests, with no partial credit for a solution that never reads its "
                "inputs (a constant answer); dense: the pass ratio alone (a policy can learn constant answers from "
                "it); sparse: 1 only if every test passes."})
    efficiency_num_tests: int = field(default=3, metadata={
        "help": "Efficiency is measured on this many tests with the largest inputs."})
    efficiency_span: float = field(default=4.0, metadata={
        "help": "Cost ratio to the reference that maps to efficiency 1 (cheaper) or 0 (dearer)."})
    comments_llm_weight: float = field(default=0.0, metadata={
        "help": "Share of the LLM judge in the comments reward (0 = static rules only)."})
    comments_llm_base_url: str = field(default="", metadata={
        "help": "OpenAI-compatible base URL of the comment judge (needed when comments_llm_weight > 0)."})
    comments_llm_model: str = field(default="", metadata={"help": "Model name of the comment judge."})
    comments_llm_api_key_env: str = field(default="OPENAI_API_KEY", metadata={
        "help": "Environment variable holding the comment judge's API key."})


def check_dimensions(dimensions) -> list[str]:
    """Validated dimension names, correctness first; an unknown one is an error naming it."""
    dimensions = list(dict.fromkeys(dimensions))
    unknown = [d for d in dimensions if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown reward dimensions {unknown}; known: {list(DIMENSIONS)}")
    if "correctness" not in dimensions:
        raise ValueError("reward_dimensions must include correctness (style is never paid for wrong code)")
    return ["correctness"] + [d for d in dimensions if d != "correctness"]


def build_reward_funcs(dimensions, settings: RewardSettings | None = None,
                       judge_config: JudgeConfig | None = None) -> list:
    """One reward callable per dimension, in :func:`check_dimensions` order."""
    settings = settings or RewardSettings()
    judge = {"judge_config": judge_config or JudgeConfig()}
    funcs = []
    for dimension in check_dimensions(dimensions):
        if dimension == "correctness":
            from grpo4code.rewards.correctness import CorrectnessReward

            funcs.append(CorrectnessReward(mode=settings.correctness_mode, **judge))
        elif dimension == "efficiency":
            from grpo4code.rewards.efficiency import EfficiencyReward

            funcs.append(EfficiencyReward(num_tests=settings.efficiency_num_tests, span=settings.efficiency_span,
                                          **judge))
        elif dimension == "comments":
            funcs.append(_comment_reward(settings, judge))
        elif dimension == "maintainability":
            from grpo4code.rewards.maintainability import MaintainabilityReward

            funcs.append(MaintainabilityReward(**judge))
        else:
            from grpo4code.rewards.code_format import FormatReward

            funcs.append(FormatReward())
    return funcs


def _comment_reward(settings: RewardSettings, judge: dict):
    from grpo4code.rewards.comments import CommentReward

    if settings.comments_llm_weight <= 0:
        return CommentReward(**judge)
    if not settings.comments_llm_base_url or not settings.comments_llm_model:
        raise ValueError("comments_llm_weight > 0 needs comments_llm_base_url and comments_llm_model")
    from grpo4code.rewards.llm_judge import LLMJudgeConfig

    llm = LLMJudgeConfig(base_url=settings.comments_llm_base_url, model=settings.comments_llm_model,
                         api_key_env=settings.comments_llm_api_key_env)
    return CommentReward(llm_weight=settings.comments_llm_weight, llm_config=llm, **judge)
