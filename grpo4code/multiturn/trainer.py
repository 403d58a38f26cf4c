"""The multi-turn GRPO trainer and the set-up that selects repair or the interpreter tool.

:class:`MultiTurnGRPOTrainer` is :class:`~grpo4code.training.grpo.CodeGRPOTrainer` (rewards,
gating, mixer) plus, at the point where TRL's ``_generate`` returns each batch's rollouts:

* the share of completion tokens masked from the loss (tool results or feedback), logged as
  ``multiturn/masked_token_share``, and the last batch kept in :attr:`last_rollouts` (token
  ids and masks; the tests check what was masked);
* the interpreter tool's own counts (:class:`~grpo4code.multiturn.python_tool.ToolStats`) as
  ``tools/python_*`` rates next to TRL's ``tools/call_frequency`` and ``tools/failure_frequency``;

and it closes the rollouts' interpreter sessions when training ends.

:func:`multiturn_trainer_kwargs` turns the run's options into TRL's multi-turn arguments:
``rollout_func`` for repair, ``environment_factory`` for the tool (see the two modules for
why each).
"""

from __future__ import annotations

import sys
from typing import Optional

from grpo4code.training.grpo import CodeGRPOTrainer


class MultiTurnGRPOTrainer(CodeGRPOTrainer):
    """CodeGRPOTrainer for repair or tool rollouts (see the module docstring)."""

    def __init__(self, *args, tool_stats=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tool_stats = tool_stats
        self.last_rollouts: Optional[dict] = None

    def _generate(self, prompts: list):
        output = super()._generate(prompts)
        _, completion_ids, tool_mask = output[0], output[1], output[2]
        mode = "train" if self.model.training else "eval"
        metrics = self._metrics[mode]
        total = sum(len(ids) for ids in completion_ids)
        masked = sum(list(mask).count(0) for mask in tool_mask) if tool_mask is not None else 0
        metrics["multiturn/masked_token_share"].append(masked / total if total else 0.0)
        self.last_rollouts = {"completion_ids": [list(ids) for ids in completion_ids],
                              "mask": [list(mask) for mask in tool_mask] if tool_mask is not None else None,
                              "completions": output[3]}
        if self.tool_stats is not None:
            counts = self.tool_stats.take()
            calls = counts["calls"]
            rollouts = max(1, counts["rollouts"])
            metrics["tools/python_calls_per_rollout"].append(calls / rollouts)
            for name in ("cell_errors", "timeouts", "refused", "failures", "session_ended"):
                metrics[f"tools/python_{name}_rate"].append(counts[name] / calls if calls else 0.0)
        return output

    def close_tool_sessions(self) -> None:
        """End every rollout's interpreter session (they would otherwise live to their TTL)."""
        for pool in (getattr(self, "_environment_pool", None) or {}).values():
            for environment in pool:
                close = getattr(environment, "_close", None)
                if close is not None:
                    close()

    def train(self, *args, **kwargs):
        try:
            return super().train(*args, **kwargs)
        finally:
            self.close_tool_sessions()


def use_tool_chat_template(tokenizer, setting: str) -> bool:
    """Give ``tokenizer`` a chat template that renders tool calls if it lacks one; True if replaced.

    TRL's ChatML tool template (its Qwen2.5 one) uses ``<|im_start|>``/``<|im_end|>``, so it fits
    ChatML models such as SmolLM2; TRL then knows how to parse its ``<tool_call>`` blocks.
    """
    from trl.chat_template_utils import qwen2_5_chat_template, supports_tool_calling

    if supports_tool_calling(tokenizer):
        return False
    if setting == "keep":
        raise ValueError("the tokenizer's chat template cannot render tool calls; use --tool_chat_template auto")
    special = set(tokenizer.all_special_tokens) | set(tokenizer.get_vocab())
    if not {"<|im_start|>", "<|im_end|>"} <= special:
        raise ValueError("the tokenizer's chat template cannot render tool calls and it has no ChatML tokens "
                         "(<|im_start|>, <|im_end|>) for TRL's tool template: give it a tool-capable chat template")
    tokenizer.chat_template = qwen2_5_chat_template
    print("[grpo4code] --multiturn python_tool: the chat template cannot render tool calls; using TRL's ChatML "
          "tool template", file=sys.stderr, flush=True)
    return True


def multiturn_trainer_kwargs(args, trl_args, tokenizer, rows: list[dict], reward_funcs: list) -> tuple[list, dict]:
    """``(reward funcs, extra trainer kwargs)`` for ``args.multiturn`` (``repair`` or ``python_tool``).

    May change ``trl_args`` (the tool's call cap, the turn cost's weight) and the tokenizer's
    chat template (tool mode, see :func:`use_tool_chat_template`).
    """
    if args.multiturn == "repair":
        from grpo4code.multiturn.feedback import FeedbackSettings
        from grpo4code.multiturn.repair_rollout import FinalAttemptReward, RepairRollout, RepairTurnCost

        rollout = RepairRollout(rows, args.judge_config(), args.repair_turns,
                                FeedbackSettings(max_value_chars=args.repair_feedback_value_chars,
                                                 max_error_chars=args.repair_feedback_error_chars),
                                attempt_max_tokens=args.repair_attempt_max_tokens)
        funcs = [FinalAttemptReward(f) for f in reward_funcs]
        if args.repair_turn_cost > 0:
            if args.use_weight_net and len(args.reward_dimensions) > 1:
                raise ValueError("--repair_turn_cost needs --use_weight_net false (the learned mixer would "
                                 "re-weight the cost); set --fixed_weights for the dimensions instead")
            funcs.append(RepairTurnCost(args.repair_turn_cost))
            if trl_args.reward_weights is not None:
                trl_args.reward_weights = list(trl_args.reward_weights) + [1.0]
        return funcs, {"rollout_func": rollout}
    if args.multiturn == "python_tool":
        from execeval_service.sessions import SessionLimits
        from grpo4code.multiturn.python_tool import PythonToolFactory, ToolStats

        use_tool_chat_template(tokenizer, args.tool_chat_template)
        trl_args.max_tool_calling_iterations = args.tool_max_calls
        limits = SessionLimits(ttl_s=args.tool_session_ttl_s, cell_timeout_s=args.tool_cell_timeout_s,
                               cpu_time_s=args.tool_cpu_time_s, memory_limit_mb=args.tool_memory_limit_mb,
                               max_output_chars=args.tool_max_output_chars)
        stats = ToolStats()
        factory = PythonToolFactory(args.judge_config(), limits, args.tool_max_calls, stats)
        return list(reward_funcs), {"environment_factory": factory, "tool_stats": stats}
    raise ValueError(f"multiturn_trainer_kwargs: --multiturn {args.multiturn!r} is not a multi-turn mode")
