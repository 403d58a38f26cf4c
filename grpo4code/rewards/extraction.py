"""The one rule that turns a completion into code, shared by every reward and by scoring.

Rule: the last fenced code block whose language tag is ``python``, ``py``, ``python3`` or
empty; if the completion has no fenced block, the whole text if it parses as Python;
otherwise no code (``None``). An unterminated final fence (a completion cut off by the
token limit) counts as a block running to the end of the text.

Conversational completions (a list of ``{"role", "content"}`` messages, as TRL passes them)
use the content of the last assistant message.
"""

from __future__ import annotations

import ast
import re
import warnings

PYTHON_TAGS = ("", "python", "py", "python3")


def silence_model_code_warnings() -> None:
    """Drop the ``SyntaxWarning`` s (invalid escape sequences, ...) that parsing a model's code
    prints to the console as ``<unknown>:8: SyntaxWarning: ...``: the rewards parse every
    completion, and a run of thousands buries its logs under them. Only warnings from parsed
    strings (file name ``<unknown>``) are dropped, not those of real modules."""
    for category in (SyntaxWarning, DeprecationWarning):  # Python 3.12+ / 3.11 and older
        warnings.filterwarnings("ignore", category=category, module="<unknown>")


_FENCE = re.compile(r"^[ \t]*```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:^[ \t]*```[ \t]*$|\Z)", re.M | re.S)


def completion_text(completion) -> str:
    """Plain text of a completion: a string, or the last assistant message of a conversation."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        for message in reversed(completion):
            if isinstance(message, dict) and message.get("role") == "assistant":
                content = message.get("content", "")
                return content if isinstance(content, str) else "".join(
                    part.get("text", "") for part in content if isinstance(part, dict))
        return ""
    raise TypeError(f"a completion is a string or a list of messages, not {type(completion).__name__}")


def parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def extract_code(completion) -> str | None:
    """The code the rule above finds in ``completion``, or ``None``."""
    text = completion_text(completion)
    blocks = [body for tag, body in _FENCE.findall(text) if tag.lower() in PYTHON_TAGS]
    if blocks:
        return blocks[-1].rstrip() + "\n"
    if "```" not in text and text.strip() and parses(text):
        return text.rstrip() + "\n"
    return None
