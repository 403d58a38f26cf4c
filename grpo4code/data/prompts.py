"""The prompt a model sees for a problem, shared by training and evaluation.

Conversational (a list of chat messages), so each model's own chat template applies:
a short system message stating the answer format the reward extracts (one fenced
``python`` block), then the problem's instruction, followed by its starter code when the
instruction does not already show it.
"""

from __future__ import annotations

from grpo4code.data.schema import Problem

SYSTEM_PROMPT = (
    "You are an expert Python programmer. Solve the problem. Answer with a single complete "
    "Python solution in one ```python code block; do not add example usage or tests."
)


def user_message(problem: Problem) -> str:
    """The problem's instruction, with its starter code appended if not already included."""
    text = problem.instruction.strip()
    starter = problem.starter_code.strip()
    if starter and starter not in text:
        text += f"\n\nStart from this code:\n```python\n{starter}\n```"
    return text


def problem_prompt(problem: Problem, system_prompt: str = SYSTEM_PROMPT) -> list[dict]:
    """``[{"role": "system", ...}, {"role": "user", ...}]`` for ``problem``."""
    messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
    messages.append({"role": "user", "content": user_message(problem)})
    return messages


def fenced_solution(code: str) -> str:
    """A solution as the answer format asks for it (used for SFT targets)."""
    return f"```python\n{code.strip()}\n```"
