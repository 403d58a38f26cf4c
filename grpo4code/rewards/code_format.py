"""Format: the completion holds code (by the shared extraction rule) and that code parses.

No judge involved; 1.0 or 0.0 for every completion.
"""

from __future__ import annotations

from typing import Optional

from grpo4code.rewards.extraction import extract_code, parses


class FormatReward:
    """1.0 when a code block is found and parses as Python, else 0.0."""

    name = "format"

    def __init__(self):
        self.__name__ = self.name

    def __call__(self, prompts=None, completions=None, **_columns) -> list[Optional[float]]:
        if completions is None:
            raise ValueError("format: called without `completions`")
        scores = []
        for completion in completions:
            code = extract_code(completion)
            scores.append(1.0 if code is not None and parses(code) else 0.0)
        return scores
