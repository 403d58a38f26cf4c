"""Repair evaluation: up to ``--repair_turns`` more attempts, each after the judge's feedback.

Generation (``--repair_turns N``, hf backend): every sample is a conversation. The first
attempt answers the usual prompt; an attempt that fails its tests is followed by a user turn
with the judge's feedback (:func:`grpo4code.multiturn.feedback.feedback_message`) and the model
answers again, up to N more times. A sample stops at its first accepted attempt, and also at
an attempt the judge could not score (no feedback can be given; it is never counted as a
failure). The sample record's ``raw_completion`` is the last attempt (so single-turn scoring
reads it as before) and ``turns`` lists every attempt with the feedback that followed it.

Scoring: :func:`judge_turns` judges every attempt of a sample again (cached: the final one
is the sample's own job), and :func:`repair_metrics` gives, over each problem's first
sample, ``accepted@1`` after each turn (accepted at any attempt up to it) and the recovery
rate: of the problems whose first attempt failed, the share accepted at a later one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import time
from dataclasses import dataclass, field
from typing import Optional, Sequence

from grpo4code.multiturn.feedback import (ACCEPTED, COULD_NOT_SCORE, FeedbackSettings, attempt_outcome,
                                          feedback_message)
from grpo4code.rewards.columns import ProblemSpec
from grpo4code.rewards.extraction import extract_code

@dataclass
class RepairSettings:
    """Repair turns of an evaluation (generation side)."""

    repair_turns: int = field(default=0, metadata={
        "help": "Extra attempts after judge feedback (0 = single turn). Each failed attempt is followed by "
                "the failing test's input, expected and actual output or the error; hf backend only."})
    repair_feedback_value_chars: int = field(default=300, metadata={
        "help": "Longest test input / expected / actual output shown in the feedback (cut in the middle)."})
    repair_feedback_error_chars: int = field(default=600, metadata={
        "help": "Longest error or traceback shown in the feedback (its end is kept)."})

    def __post_init__(self) -> None:
        if self.repair_turns < 0:
            raise ValueError("--repair_turns must be >= 0")
        self.feedback_settings()  # validate early

    def feedback_settings(self) -> FeedbackSettings:
        return FeedbackSettings(max_value_chars=self.repair_feedback_value_chars,
                                max_error_chars=self.repair_feedback_error_chars)

    def repair_meta(self) -> dict:
        return {"repair_turns": self.repair_turns, "feedback": dataclasses.asdict(self.feedback_settings())}


def generate_repair_hf(config, work: list[tuple], emit, judge_config, model=None, tokenizer=None) -> None:
    """:func:`eval_process.generate.generate_hf` with repair turns: ``emit(..., turns=[...])`` per sample."""
    import torch
    from tqdm.auto import tqdm

    from eval_process.generate import chunk_seed, ensure_chat_template, load_generation_model
    from grpo4code.data.prompts import problem_prompt
    from grpo4code.rewards.judging import CompletionJudge
    from grpo4code.training.sampling import generate

    if config.torch_threads:
        torch.set_num_threads(config.torch_threads)
    if model is None:
        model, tokenizer = load_generation_model(config)
    ensure_chat_template(tokenizer)
    judge = CompletionJudge(judge_config)
    loop = asyncio.new_event_loop()
    feedback = config.feedback_settings()
    per_chunk = max(1, config.batch_size // config.num_samples)
    try:
        with tqdm(total=len(work), unit="problem", desc="generating (repair)", disable=not config.progress,
                  file=sys.stderr) as bar:
            for start in range(0, len(work), per_chunk):
                chunk = work[start: start + per_chunk]
                samples = [(problem, index) for problem, missing in chunk for index in missing]
                conversations = [problem_prompt(problem, config.prompt_system) for problem, _ in samples]
                specs = [ProblemSpec.from_problem(problem) for problem, _ in samples]
                turns: list[list[dict]] = [[] for _ in samples]
                tokens, truncated = [0] * len(samples), [False] * len(samples)
                active = list(range(len(samples)))
                started = time.perf_counter()
                for turn in range(config.repair_turns + 1):
                    seed = chunk_seed(config.seed + 7919 * turn, [problem.id for problem, _ in chunk])
                    settings = dataclasses.replace(config.generation_settings(), seed=seed)
                    rows = generate(model, tokenizer, [conversations[i] for i in active], 1, settings, progress=False)
                    codes = [extract_code(row[0].text) for row in rows]
                    results = loop.run_until_complete(judge.judge([specs[i] for i in active], codes))
                    still = []
                    for i, row, code, result in zip(active, rows, codes, results):
                        generation = row[0]
                        tokens[i] += generation.num_tokens
                        truncated[i] = generation.truncated
                        outcome = attempt_outcome(code, result)
                        entry = {"raw_completion": generation.text, "num_tokens": generation.num_tokens,
                                 "truncated": generation.truncated, "outcome_at_generation": outcome,
                                 "feedback": None}
                        turns[i].append(entry)
                        if outcome in (ACCEPTED, COULD_NOT_SCORE) or turn == config.repair_turns:
                            continue
                        entry["feedback"] = feedback_message(code, result, specs[i].tests, specs[i].entry_point,
                                                             feedback)
                        conversations[i] = conversations[i] + [
                            {"role": "assistant", "content": generation.text},
                            {"role": "user", "content": entry["feedback"]}]
                        still.append(i)
                    active = still
                    if not active:
                        break
                share = (time.perf_counter() - started) / len(samples)
                for i, (problem, index) in enumerate(samples):
                    emit(problem, index, turns[i][-1]["raw_completion"], tokens[i], truncated[i], share,
                         turns=turns[i])
                bar.update(len(chunk))
    finally:
        loop.close()
        judge.close()


# ----------------------------------------------------------------------------------------------
# Scoring
# ----------------------------------------------------------------------------------------------

def turn_codes(record: dict) -> Optional[list[Optional[str]]]:
    """The extracted code of each attempt of a repair sample; ``None`` for a single-turn sample."""
    turns = record.get("turns")
    if not turns:
        return None
    return [extract_code(t.get("raw_completion") or "") for t in turns]


async def judge_turns(judge, specs: Sequence[ProblemSpec], codes_per_sample: Sequence[list]) -> list[list[str]]:
    """The outcome of every attempt of each sample (one judge batch for all of them)."""
    flat_specs, flat_codes, owners = [], [], []
    for i, (spec, codes) in enumerate(zip(specs, codes_per_sample)):
        for code in codes:
            flat_specs.append(spec)
            flat_codes.append(code)
            owners.append(i)
    results = await judge.judge(flat_specs, flat_codes) if flat_codes else []
    outcomes: list[list[str]] = [[] for _ in specs]
    for owner, code, result in zip(owners, flat_codes, results):
        outcomes[owner].append(attempt_outcome(code, result))
    return outcomes


def accepted_by(outcomes: Sequence[str], turn: int) -> Optional[bool]:
    """Accepted at one of the first ``turn`` attempts; ``None`` when that cannot be said (an
    attempt the judge could not score, and none accepted before it)."""
    for outcome in outcomes[:turn]:
        if outcome == ACCEPTED:
            return True
        if outcome == COULD_NOT_SCORE:
            return None
    return False


def repair_metrics(rows: Sequence[dict]) -> Optional[dict]:
    """Per-turn accepted@1 and the recovery rate over each problem's first sample, from rows
    carrying ``turn_outcomes``; ``None`` when no row does (a single-turn run)."""
    firsts: dict[str, dict] = {}
    for row in rows:
        if row.get("turn_outcomes") and (row["task_id"] not in firsts
                                         or row["sample_index"] < firsts[row["task_id"]]["sample_index"]):
            firsts[row["task_id"]] = row
    if not firsts:
        return None
    max_turns = max(len(r["turn_outcomes"]) for r in firsts.values())
    per_turn = {}
    for turn in range(1, max_turns + 1):
        values = [accepted_by(r["turn_outcomes"], turn) for r in firsts.values()]
        scored = [v for v in values if v is not None]
        per_turn[f"accepted@1_turn{turn}"] = sum(scored) / len(scored) if scored else None
    failed_first = [r for r in firsts.values() if r["turn_outcomes"][0] not in (ACCEPTED, COULD_NOT_SCORE)]
    recovered = [r for r in failed_first if accepted_by(r["turn_outcomes"], max_turns)]
    attempts = [len(r["turn_outcomes"]) for r in firsts.values()]
    return {"turns": max_turns, **per_turn,
            "failed_first_turn": len(failed_first), "recovered": len(recovered),
            "recovery_rate": len(recovered) / len(failed_first) if failed_first else None,
            "mean_attempts": sum(attempts) / len(attempts), "problems": len(firsts)}
