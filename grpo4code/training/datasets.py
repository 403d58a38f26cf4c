"""Training data: which problems (``--meta_data``), leakage-guarded, as TRL dataset rows.

``--meta_data`` accepts:

* ``starter`` -- the bundled starter train split (the offline default);
* a prepared split folder (``problems.jsonl`` + ``manifest.json``, from ``grpo4code-data
  prepare``), verified against its manifest;
* ``SOURCE:LOCATION`` -- any loader of :mod:`grpo4code.data.sources` with a file or hub
  name, e.g. ``leetcode:newfacade/LeetCodeDataset`` or ``kodcode:/data/kodcode.jsonl``;
* a ``.jsonl`` file in our records format.

Before any training, :func:`load_training_problems` audits the problems against every
known evaluation split and refuses to train on leaked problems unless told otherwise.
"""

from __future__ import annotations

import os

from grpo4code.data import load_problems
from grpo4code.data.prompts import SYSTEM_PROMPT, fenced_solution, problem_prompt
from grpo4code.data.schema import Problem
from grpo4code.data.sources import SOURCES
from grpo4code.governance.leakage import guard_training_problems, known_evaluation_splits
from grpo4code.governance.manifest import read_prepared_split
from grpo4code.rewards.columns import reward_columns


def read_meta_data(meta_data: str, split: str = "train") -> list[Problem]:
    """The problems ``meta_data`` names (see the module docstring)."""
    if meta_data == "starter":
        return load_problems("starter", split=split).problems
    if os.path.isdir(meta_data):
        return read_prepared_split(meta_data)[0]
    source, _, location = meta_data.partition(":")
    if source in SOURCES and location:
        return load_problems(source, location).problems
    if meta_data.endswith((".jsonl", ".jsonl.gz")) and os.path.isfile(meta_data):
        return load_problems("records", meta_data).problems
    raise ValueError(
        f"--meta_data {meta_data!r}: not 'starter', a prepared split folder, a records .jsonl file, "
        f"or SOURCE:LOCATION with SOURCE one of {sorted(SOURCES)}")


def load_training_problems(meta_data: str, prepared_dir: str | None = None, allow_eval_overlap: bool = False,
                           max_problems: int = 0) -> list[Problem]:
    """Read, leakage-guard and (optionally) cap the training problems."""
    problems = read_meta_data(meta_data)
    if not problems:
        raise ValueError(f"--meta_data {meta_data!r} holds no problems")
    guard_training_problems(problems, known_evaluation_splits(prepared_dir), allow_eval_overlap,
                            train_name=meta_data)
    return problems[:max_problems] if max_problems else problems


def prompt_length(tokenizer, prompt: list[dict]) -> int:
    ids = tokenizer.apply_chat_template(prompt, tokenize=True, add_generation_prompt=True)
    if isinstance(ids, dict) or hasattr(ids, "keys"):
        ids = ids["input_ids"]
    return len(ids)


def fitting_problems(problems: list[Problem], tokenizer, max_prompt_length: int,
                     system_prompt: str = SYSTEM_PROMPT) -> tuple[list[Problem], list[str]]:
    """Problems whose prompt fits ``max_prompt_length`` tokens, and the ids left out.

    A statement cut short is a different, often unsolvable, problem, so long prompts are
    dropped (and reported), never truncated.
    """
    kept, dropped = [], []
    for problem in problems:
        if max_prompt_length and prompt_length(tokenizer, problem_prompt(problem, system_prompt)) > max_prompt_length:
            dropped.append(problem.id)
        else:
            kept.append(problem)
    return kept, dropped


def grpo_rows(problems: list[Problem], system_prompt: str = SYSTEM_PROMPT) -> list[dict]:
    """GRPO rows: a conversational ``prompt`` plus the reward columns."""
    return [{"prompt": problem_prompt(p, system_prompt), **reward_columns(p)} for p in problems]


def sft_reference_rows(problems: list[Problem], system_prompt: str = SYSTEM_PROMPT) -> list[dict]:
    """SFT rows on reference solutions: prompt/completion, so the loss is on the completion."""
    rows = []
    for problem in problems:
        if problem.reference_solution.strip():
            rows.append({"prompt": problem_prompt(problem, system_prompt),
                         "completion": [{"role": "assistant", "content": fenced_solution(problem.reference_solution)}]})
    return rows


def as_dataset(rows: list[dict]):
    """Rows as a :class:`datasets.Dataset` (an error names an empty one)."""
    from datasets import Dataset

    if not rows:
        raise ValueError("no training rows left (check --meta_data, --max_prompt_length and the stage's data)")
    return Dataset.from_list(rows)
