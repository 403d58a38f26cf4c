"""GRPO over repair conversations, through TRL's ``rollout_func``.

Why ``rollout_func`` and not tools or ``environment_factory``: in a repair conversation the
*environment* speaks after every failed attempt, whether or not the model asks -- there is no
tool call to wait for, and a small model that never emits one would never get feedback.
``rollout_func`` lets us drive the turns ourselves while TRL keeps everything else (loss,
advantages, logging), and its ``env_mask`` output marks the feedback tokens as not the
model's, so they are masked from the loss exactly as tool results are.

One rollout (:class:`RepairRollout`, called by TRL with the batch's prompts)::

    prompt -> attempt 1 -> judge -> [feedback -> attempt 2 -> judge -> ...]   up to 1 + repair_turns

* each attempt is generated with TRL's own single-turn generator
  (``trainer._generate_single_turn``: transformers or vLLM, the run's sampling settings);
* each attempt is judged by the run's shared judge (so the correctness reward of the final
  attempt is a cache hit); an accepted attempt ends the conversation, so does one the judge
  could not score (no feedback can be given; its reward will be ``None``, never 0);
* the feedback is :func:`grpo4code.multiturn.feedback.feedback_message`, rendered with the
  chat template as a user turn; the completion is ``attempt 1 + feedback 1 + attempt 2 + ...``
  and ``env_mask`` is 1 on the attempts' tokens, 0 on the feedback's;
* ``max_completion_length`` bounds the whole conversation after the prompt: the last attempt
  is cut to fit, and no feedback is added when no room would be left for an answer.

The extra outputs ``final_completion`` (the last attempt's text) and ``repair_attempts`` reach
the rewards as columns: :class:`FinalAttemptReward` scores the final attempt with any reward of
the run, :class:`RepairTurnCost` subtracts a cost per extra attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Optional

from grpo4code.multiturn.feedback import (ACCEPTED, COULD_NOT_SCORE, FeedbackSettings, attempt_outcome,
                                          feedback_message)
from grpo4code.rewards.columns import spec_from_columns
from grpo4code.rewards.extraction import extract_code
from grpo4code.rewards.judging import JudgeConfig, shared_completion_judge

MIN_ANSWER_TOKENS = 16  # no feedback turn unless at least this much room is left for the next attempt


def prompt_key(prompt) -> str:
    """The identity of a dataset prompt (TRL hands ``rollout_func`` the prompts, not the rows)."""
    return json.dumps(prompt, sort_keys=True, ensure_ascii=False)


def run_on_trainer_loop(coro, trainer):
    """Run a coroutine on TRL's reward event loop (where the shared judge's rewards run)."""
    loop = getattr(trainer, "async_loop", None)  # set by GRPOTrainer only when a reward or tool is async
    if loop is None:
        return asyncio.run(coro)
    return asyncio.run_coroutine_threadsafe(coro, loop).result()


@contextlib.contextmanager
def attempt_length(trainer, max_new_tokens: int):
    """Generate at most ``max_new_tokens`` per attempt on TRL's transformers path (its
    ``generation_config``); other backends generate their usual length, then it is cut."""
    config = getattr(trainer, "generation_config", None)  # TRL sets it for the transformers path only
    if config is None or getattr(config, "max_new_tokens", None) is None:
        yield
        return
    saved = config.max_new_tokens
    config.max_new_tokens = min(saved, max_new_tokens)
    try:
        yield
    finally:
        config.max_new_tokens = saved


class RepairRollout:
    """TRL ``rollout_func`` for repair conversations (see the module docstring).

    ``rows``: the training dataset's rows (``prompt`` + reward columns), to find each prompt's
    tests. Picklable; the judge is the process's shared one for ``judge_config``.
    """

    def __init__(self, rows: list[dict], judge_config: JudgeConfig, repair_turns: int,
                 feedback: FeedbackSettings = FeedbackSettings(), attempt_max_tokens: int = 0):
        self.specs = {}
        for row in rows:
            key, spec = prompt_key(row["prompt"]), spec_from_columns(**{k: v for k, v in row.items() if k != "prompt"})
            if key in self.specs and self.specs[key].key != spec.key:
                raise ValueError(f"two problems ({self.specs[key].problem_id}, {spec.problem_id}) have the same prompt "
                                 "but different tests: repair feedback could not tell them apart")
            self.specs[key] = spec
        self.judge_config, self.repair_turns, self.feedback = judge_config, repair_turns, feedback
        self.attempt_max_tokens = attempt_max_tokens
        self.__name__ = "repair_rollout"
        self._suffix_cache: dict = {}

    def _turn_ids(self, trainer, text: str) -> list[int]:
        """Token ids that close the model's turn and open a user turn holding ``text`` and then
        the next assistant turn (the chat template's own rendering, as TRL does for tool results)."""
        dummy = [{"role": "user", "content": "dummy"}, {"role": "assistant", "content": "dummy"}]
        render = trainer.processing_class.apply_chat_template
        kwargs = dict(tokenize=True, chat_template=trainer.chat_template, return_dict=False,
                      **trainer.chat_template_kwargs)
        prefix = list(render(dummy, add_generation_prompt=False, **kwargs))
        full = list(render(dummy + [{"role": "user", "content": text}], add_generation_prompt=True, **kwargs))
        eos = trainer._tokenizer.eos_token_id
        ends = [i for i, token in enumerate(prefix) if token == eos]
        if ends:
            prefix = prefix[: ends[-1] + 1]  # the model's turn ends at its EOS; what follows is the template's
        if full[: len(prefix)] != prefix:
            raise ValueError("the chat template does not render earlier turns identically when a user turn "
                             "follows (it is not prefix-preserving); repair rollouts need one that is")
        return full[len(prefix):]

    def __call__(self, prompts: list, trainer) -> dict:
        tokenizer = trainer._tokenizer
        eos = tokenizer.eos_token_id
        budget = trainer.max_completion_length
        specs = []
        for prompt in prompts:
            spec = self.specs.get(prompt_key(prompt))
            if spec is None:
                raise KeyError("rollout_func got a prompt that is not in the training dataset")
            specs.append(spec)
        prompt_ids, _, _ = trainer._tokenize_prompts(prompts)
        prompt_ids = [list(ids) for ids in prompt_ids]
        n = len(prompts)
        completion_ids: list[list[int]] = [[] for _ in range(n)]
        env_mask: list[list[int]] = [[] for _ in range(n)]
        logprobs: Optional[list[list[float]]] = [[] for _ in range(n)]
        finals, attempts = [""] * n, [0] * n
        outcomes: list[list[str]] = [[] for _ in range(n)]
        judge = shared_completion_judge(self.judge_config)
        attempt_cap = self.attempt_max_tokens or max(1, budget // (self.repair_turns + 1))
        active = list(range(n))
        for turn in range(self.repair_turns + 1):
            contexts = [prompt_ids[i] + completion_ids[i] for i in active]
            with attempt_length(trainer, attempt_cap):
                new_ids, new_logprobs = trainer._generate_single_turn(contexts, None, {}, num_generations=1)
            codes = []
            for position, i in enumerate(active):
                ids = list(new_ids[position])[: min(attempt_cap, budget - len(completion_ids[i]))]
                completion_ids[i] += ids
                env_mask[i] += [1] * len(ids)
                if logprobs is not None and new_logprobs is not None:
                    logprobs[i] += list(new_logprobs[position])[: len(ids)]
                else:
                    logprobs = None
                finals[i] = tokenizer.decode(ids, skip_special_tokens=True)
                attempts[i] += 1
                codes.append(extract_code(finals[i]))
            results = run_on_trainer_loop(judge.judge([specs[i] for i in active], codes), trainer)
            still = []
            for i, code, result in zip(active, codes, results):
                outcome = attempt_outcome(code, result)
                outcomes[i].append(outcome)
                if outcome in (ACCEPTED, COULD_NOT_SCORE) or turn == self.repair_turns:
                    continue
                message = feedback_message(code, result, specs[i].tests, specs[i].entry_point, self.feedback)
                turn_ids = self._turn_ids(trainer, message)
                if not completion_ids[i] or completion_ids[i][-1] != eos:
                    turn_ids = [eos] + turn_ids  # a cut attempt: close its turn
                if len(completion_ids[i]) + len(turn_ids) + MIN_ANSWER_TOKENS > budget:
                    continue  # no room for another attempt
                completion_ids[i] += turn_ids
                env_mask[i] += [0] * len(turn_ids)
                if logprobs is not None:
                    logprobs[i] += [0.0] * len(turn_ids)
                still.append(i)
            active = still
            if not active:
                break
        self._log(trainer, outcomes, completion_ids, env_mask)
        return {"prompt_ids": prompt_ids, "completion_ids": completion_ids, "logprobs": logprobs,
                "env_mask": env_mask, "final_completion": finals, "repair_attempts": attempts}

    def _log(self, trainer, outcomes, completion_ids, env_mask) -> None:
        """Per-turn accepted share, recoveries, attempts and the feedback share of the tokens."""
        metrics = trainer._metrics["train" if trainer.model.training else "eval"]
        n = max(1, len(outcomes))
        for turn in range(1, self.repair_turns + 2):
            accepted = sum(ACCEPTED in o[:turn] for o in outcomes)
            metrics[f"repair/accepted_by_turn{turn}"].append(accepted / n)
        failed_first = [o for o in outcomes if o and o[0] not in (ACCEPTED, COULD_NOT_SCORE)]
        recovered = sum(ACCEPTED in o[1:] for o in failed_first)
        metrics["repair/recovery_rate"].append(recovered / len(failed_first) if failed_first else 0.0)
        metrics["repair/attempts_mean"].append(sum(len(o) for o in outcomes) / n)
        total = sum(len(ids) for ids in completion_ids)
        masked = sum(mask.count(0) for mask in env_mask)
        metrics["repair/feedback_token_share"].append(masked / total if total else 0.0)


class FinalAttemptReward:
    """Any reward of the run, applied to the final attempt of a repair conversation only.

    The completion TRL passes holds every attempt and the feedback between them; this
    replaces it with the ``final_completion`` column the rollout returned. Keeps the inner
    reward's ``__name__`` (its logs, the mixer's dimensions and the gating stay the same).
    """

    def __init__(self, inner):
        self.inner = inner
        self.__name__ = inner.__name__

    async def __call__(self, prompts=None, completions=None, final_completion=None, **kwargs):
        if final_completion is None:
            raise ValueError(f"{self.__name__}: no `final_completion` column (is the repair rollout_func in use?)")
        finals = [[{"role": "assistant", "content": text}] for text in final_completion]
        result = self.inner(prompts=prompts, completions=finals, **kwargs)
        return await result if asyncio.iscoroutine(result) else result


class RepairTurnCost:
    """``-cost x (attempts - 1)``: the optional price of every attempt after the first."""

    __name__ = "repair_turn_cost"

    def __init__(self, cost: float):
        if cost < 0:
            raise ValueError("the repair turn cost must be >= 0")
        self.cost = cost

    def __call__(self, prompts=None, completions=None, repair_attempts=None, **kwargs) -> list[float]:
        if repair_attempts is None:
            raise ValueError("repair_turn_cost: no `repair_attempts` column (is the repair rollout_func in use?)")
        return [-self.cost * (attempts - 1) for attempts in repair_attempts]
