"""What every reward of this package shares: TRL's calling convention and the gating rule.

A reward is an async callable class instance::

    rewards = await reward(prompts=..., completions=..., tests=[...], entry_point=[...], ...)

returning one ``float`` in [0, 1] or ``None`` ("could not score") per completion. TRL runs
async rewards of one batch concurrently on its event loop, and logs each under
``rewards/<__name__>/mean``. Outside a trainer, :func:`score_sync` runs one.

:class:`GatedReward` is the base of the style dimensions (efficiency, comments,
maintainability): they pay only for a completion that passes all its tests, so style is
never bought with wrong code. A completion whose tests the judge could not run gets
``None`` from every judged reward.
"""

from __future__ import annotations

import asyncio
from typing import Optional, Sequence

from execeval_service.jobs import JudgeResult
from grpo4code.rewards.columns import ProblemSpec, problem_specs
from grpo4code.rewards.extraction import extract_code
from grpo4code.rewards.judging import CompletionJudge, JudgeConfig, shared_completion_judge


class CodeReward:
    """Base class: extracts the code, reads the problem columns, calls :meth:`score`."""

    name = "code_reward"

    def __init__(self, judge_config: JudgeConfig | None = None, judge: CompletionJudge | None = None):
        self.judge_config = judge_config or (judge.config if judge else JudgeConfig())
        self._judge = judge
        self.__name__ = self.name

    @property
    def judge(self) -> CompletionJudge:
        return self._judge if self._judge is not None else shared_completion_judge(self.judge_config)

    async def __call__(self, prompts=None, completions=None, **kwargs) -> list[Optional[float]]:
        if completions is None:
            raise ValueError(f"{self.name}: called without `completions`")
        codes = [extract_code(c) for c in completions]
        specs = problem_specs(len(codes), kwargs)
        self.batch_metrics = {}
        scores = await self.score(codes, specs)
        if len(scores) != len(codes):
            raise RuntimeError(f"{self.name} returned {len(scores)} scores for {len(codes)} completions")
        log_metric = kwargs.get("log_metric")  # TRL's per-step scalar logger, when in a trainer
        if log_metric is not None:
            for metric, value in self.batch_metrics.items():
                log_metric(metric, value)
        return scores

    async def score(self, codes: Sequence[Optional[str]], specs: Sequence[ProblemSpec]) -> list[Optional[float]]:
        raise NotImplementedError

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        if state.get("_judge") is not None:  # a private judge travels as its config
            state["_judge"] = None
        return state

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def gate(codes: Sequence[Optional[str]], results: Sequence[Optional[JudgeResult]]) -> tuple[list, list[int]]:
    """Apply the gating rule: ``(scores, accepted indices)``.

    ``scores[i]`` is ``0.0`` for no code or a completion that fails a test, ``None`` when the
    judge could not score it, and left ``None`` for accepted ones (listed in the indices) for
    the caller to fill in.
    """
    scores: list[Optional[float]] = [None] * len(codes)
    accepted = []
    for i, (code, result) in enumerate(zip(codes, results)):
        if code is None or result is None:
            scores[i] = 0.0
        elif result.could_not_score:
            scores[i] = None
        elif result.accepted:
            accepted.append(i)
        else:
            scores[i] = 0.0
    return scores, accepted


class GatedReward(CodeReward):
    """A style reward: 0 unless every test passes, ``None`` if the judge could not say.

    Subclasses implement :meth:`score_accepted` for the accepted completions only.
    """

    async def score(self, codes, specs):
        results = await self.judge.judge(specs, codes)
        scores, accepted = gate(codes, results)
        if accepted:
            values = await self.score_accepted([codes[i] for i in accepted], [specs[i] for i in accepted],
                                               [results[i] for i in accepted])
            for i, value in zip(accepted, values):
                scores[i] = None if value is None else min(1.0, max(0.0, float(value)))
        return scores

    async def score_accepted(self, codes: list[str], specs: list[ProblemSpec],
                             results: list[JudgeResult]) -> list[Optional[float]]:
        raise NotImplementedError


def score_sync(reward, completions: Sequence, prompts: Sequence | None = None, **columns) -> list[Optional[float]]:
    """Run one reward outside a trainer (scripts, scoring, tests)."""
    prompts = list(prompts) if prompts is not None else [""] * len(completions)
    return asyncio.run(reward(prompts=prompts, completions=list(completions), **columns))
