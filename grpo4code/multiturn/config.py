"""Options of multi-turn GRPO (``train.sh --multiturn repair|python_tool``), one place with help."""

from __future__ import annotations

from dataclasses import dataclass, field

MULTITURN_MODES = ("none", "repair", "python_tool")


@dataclass
class MultiTurnSettings:
    """Multi-turn rollouts: repair from judge feedback, or a Python interpreter tool."""

    multiturn: str = field(default="none", metadata={
        "help": "Multi-turn rollouts: 'none' (single turn), 'repair' (after a failed attempt the judge's "
                "feedback is the next user turn, up to --repair_turns more attempts; reward on the final "
                "attempt) or 'python_tool' (the model may call a stateful Python interpreter session of "
                "the judge; reward on its final answer)."})
    repair_turns: int = field(default=2, metadata={
        "help": "--multiturn repair: attempts after the first (each after feedback). max_completion_length "
                "bounds all attempts and feedback together."})
    repair_turn_cost: float = field(default=0.0, metadata={
        "help": "--multiturn repair: reward subtracted per extra attempt used (a reward dimension "
                "'repair_turn_cost' with weight 1; needs --use_weight_net false). 0 = none."})
    repair_attempt_max_tokens: int = field(default=0, metadata={
        "help": "--multiturn repair: longest attempt (tokens); 0 = max_completion_length / (repair_turns + 1). "
                "Attempts and feedback together stay within max_completion_length."})
    repair_feedback_value_chars: int = field(default=300, metadata={
        "help": "Longest test input / expected / actual output shown in the feedback."})
    repair_feedback_error_chars: int = field(default=600, metadata={
        "help": "Longest error or traceback shown in the feedback (its end is kept)."})
    tool_max_calls: int = field(default=10, metadata={
        "help": "--multiturn python_tool: tool calls a rollout may make (later calls are refused with a "
                "message; TRL's max_tool_calling_iterations is set to this too)."})
    tool_cell_timeout_s: float = field(default=5.0, metadata={"help": "Wall-clock seconds per tool call."})
    tool_cpu_time_s: float = field(default=30.0, metadata={"help": "CPU seconds per rollout's session."})
    tool_memory_limit_mb: int = field(default=512, metadata={"help": "Memory of a rollout's session (MiB)."})
    tool_max_output_chars: int = field(default=2000, metadata={
        "help": "Tool output returned to the model per call (the rest is cut, and said so)."})
    tool_session_ttl_s: float = field(default=600.0, metadata={
        "help": "Time-to-live of a rollout's session (a backstop: sessions are closed when the rollout ends)."})
    tool_chat_template: str = field(default="auto", metadata={
        "help": "--multiturn python_tool: 'auto' keeps the tokenizer's chat template when it can render tool "
                "calls and otherwise uses TRL's ChatML tool template (same <|im_start|> markers, e.g. for "
                "SmolLM2); 'keep' never replaces it."})

    def __post_init__(self) -> None:
        if self.multiturn not in MULTITURN_MODES:
            raise ValueError(f"--multiturn must be one of {MULTITURN_MODES}, not {self.multiturn!r}")
        if self.repair_turns < 1 and self.multiturn == "repair":
            raise ValueError("--multiturn repair needs --repair_turns >= 1")
        if self.repair_attempt_max_tokens < 0:
            raise ValueError("--repair_attempt_max_tokens must be >= 0 (0 = an equal share of the budget)")
        if self.repair_turn_cost < 0:
            raise ValueError("--repair_turn_cost must be >= 0")
        if not 1 <= self.tool_max_calls <= 10:
            raise ValueError("--tool_max_calls must be between 1 and 10")
        if self.tool_chat_template not in ("auto", "keep"):
            raise ValueError("--tool_chat_template must be 'auto' or 'keep'")
