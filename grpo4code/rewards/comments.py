"""Comments: the static comment rules, optionally blended with an LLM judge's rating.

``score = (1 - llm_weight) * static + llm_weight * llm`` where ``static`` is
:func:`grpo4code.rewards.comment_rules.static_comment_score` (with the problem's entry
point, and its preamble as the given code) and ``llm`` is the rating of
:class:`grpo4code.rewards.llm_judge.LLMCommentJudge`. With ``llm_weight = 0`` (the
default) the LLM is never called. With ``llm_weight > 0``, a
completion the LLM judge could not rate (endpoint down, timed out, unparseable answer)
gets ``None`` -- "could not score" -- rather than the static score alone: falling back
silently would change what the reward measures from one completion to the next.

The LLM judge sees the code only: the rewards' ``score_accepted`` hook receives no prompts,
so the problem statement is not part of its prompt.

Gated like every style reward: 0 for a completion that fails a test (however well it is
commented), ``None`` when the code judge could not run it.
"""

from __future__ import annotations

from typing import Optional

from grpo4code.rewards.base import GatedReward
from grpo4code.rewards.comment_rules import CommentRulesConfig, static_comment_score
from grpo4code.rewards.llm_judge import LLMCommentJudge, LLMJudgeConfig


def blend(static: float, llm: Optional[float], llm_weight: float) -> Optional[float]:
    """The blended score; ``None`` when the LLM part is needed but missing."""
    if llm_weight == 0:
        return static
    if llm is None:
        return None
    return (1 - llm_weight) * static + llm_weight * llm


class CommentReward(GatedReward):
    """Comment and docstring quality of an accepted completion."""

    name = "comments"

    def __init__(self, config: CommentRulesConfig | None = None, llm_weight: float = 0.0,
                 llm_config: LLMJudgeConfig | None = None, llm_judge: LLMCommentJudge | None = None, **judge):
        if not 0.0 <= llm_weight <= 1.0:
            raise ValueError(f"comments llm_weight must lie in [0, 1], not {llm_weight}")
        if llm_weight > 0 and llm_config is None and llm_judge is None:
            raise ValueError("comments llm_weight > 0 needs an LLM judge: pass "
                             "llm_config=LLMJudgeConfig(base_url=..., model=...)")
        self.config = config or CommentRulesConfig()
        self.llm_weight = float(llm_weight)
        if llm_judge is None and llm_config is not None:
            llm_judge = LLMCommentJudge(llm_config)
        self.llm_judge = llm_judge
        super().__init__(**judge)

    async def score_accepted(self, codes, specs, results):
        static = [static_comment_score(code, spec.entry_point, self.config, given_code=spec.preamble)
                  for code, spec in zip(codes, specs)]
        if self.llm_weight == 0:
            return static
        rated = await self.llm_judge.score(codes)
        return [blend(s, r, self.llm_weight) for s, r in zip(static, rated)]
