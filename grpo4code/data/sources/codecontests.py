"""DeepMind CodeContests (deepmind/code_contests): a hub name or a local file.

Fields (dataset card and contest_problem.proto): ``name, description``; ``public_tests``,
``private_tests``, ``generated_tests`` as ``{input: [str], output: [str]}``; ``solutions``
and ``incorrect_solutions`` as ``{language: [int], solution: [str]}``; ``source``,
``difficulty`` (class labels, below); ``cf_contest_id, cf_index, cf_points, cf_rating,
cf_tags``; ``time_limit`` (``{seconds, nanos}`` or null), ``memory_limit_bytes``;
``input_file, output_file`` (set when a problem reads/writes files instead of stdio).

On the hub ``source``, ``difficulty`` and ``language`` are class-label indices, which differ
from the proto's enum numbers for some values (the proto skips numbers); the tables below
are the hub's. Local exports may hold the label names instead; both are accepted.

Mapping: tests are :class:`StdioTest` from the public then private tests (plus the
generated ones with ``include_generated_tests``), exact duplicates dropped. The reference
is the first PYTHON3 solution (empty when there is none). Difficulty rule, documented in
:func:`map_difficulty`. Time and memory limits are kept in ``metadata``.
"""

from __future__ import annotations

from grpo4code.data.rows import LoadResult, convert_rows, iter_source_rows
from grpo4code.data.schema import Problem, StdioTest

HUB_NAME = "deepmind/code_contests"
SOURCE = "codecontests"
# Hub class labels, by index.
LANGUAGES = ("UNKNOWN_LANGUAGE", "PYTHON", "CPP", "PYTHON3", "JAVA")  # PYTHON is Python 2
SOURCES = ("UNKNOWN_SOURCE", "CODECHEF", "CODEFORCES", "HACKEREARTH", "CODEJAM", "ATCODER", "AIZU")
DIFFICULTY_LABELS = (
    "UNKNOWN_DIFFICULTY", "EASY", "MEDIUM", "HARD", "HARDER", "HARDEST", "EXTERNAL",
) + tuple("ABCDEFGHIJKLMNOPQRSTUV")
# cf_rating bands: rating <= CF_EASY_MAX is easy, <= CF_MEDIUM_MAX medium, above hard.
CF_EASY_MAX = 1200
CF_MEDIUM_MAX = 1900
_LABEL_DIFFICULTY = {
    "EASY": "easy", "MEDIUM": "medium", "HARD": "hard", "HARDER": "hard", "HARDEST": "hard"
}
_LETTER_DIFFICULTY = {"A": "easy", "B": "easy", "C": "medium", "D": "medium"}  # E..V: hard
HUB_SPLITS = {"train": "train", "validation": "valid", "test": "test"}
INSTRUCTION_TEMPLATE = (
    "Solve the following competitive programming problem in Python 3. Your program reads "
    "the input from standard input and writes the answer to standard output. Return the "
    "whole program in a ```python code block.\n\n{description}"
)


def class_label(value, labels: tuple, field: str) -> str:
    """A class label's name from its hub index (int) or its name (str)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"`{field}` is {value!r}, not a class label")
    if isinstance(value, int):
        if not 0 <= value < len(labels):
            raise ValueError(f"`{field}` index {value} is out of range 0..{len(labels) - 1}")
        return labels[value]
    name = str(value).strip().upper()
    if name not in labels:
        raise ValueError(f"`{field}` label {value!r} is not one of {list(labels)}")
    return name


def map_difficulty(label: str, cf_rating: int | None) -> str:
    """Map onto easy/medium/hard/unknown.

    1. A positive ``cf_rating`` decides (the card calls it the more reliable measure):
       <= 1200 easy, <= 1900 medium, above hard.
    2. Else the label: EASY -> easy, MEDIUM -> medium, HARD/HARDER/HARDEST -> hard; a
       Codeforces problem letter A-B -> easy, C-D -> medium, E and later -> hard.
    3. UNKNOWN_DIFFICULTY and EXTERNAL -> unknown.
    """
    if cf_rating and cf_rating > 0:
        if cf_rating <= CF_EASY_MAX:
            return "easy"
        return "medium" if cf_rating <= CF_MEDIUM_MAX else "hard"
    if label in _LABEL_DIFFICULTY:
        return _LABEL_DIFFICULTY[label]
    if len(label) == 1:
        return _LETTER_DIFFICULTY.get(label, "hard")
    return "unknown"


def stdio_tests(group, field: str) -> list[StdioTest]:
    """``{input: [...], output: [...]}`` -> StdioTests; lengths must agree."""
    if not group:
        return []
    if not isinstance(group, dict) or not {"input", "output"} <= set(group):
        raise ValueError(f"`{field}` is not an {{input, output}} mapping")
    inputs, outputs = group["input"] or [], group["output"] or []
    if len(inputs) != len(outputs):
        raise ValueError(f"`{field}` has {len(inputs)} inputs but {len(outputs)} outputs")
    return [StdioTest(input=i, output=o) for i, o in zip(inputs, outputs)]


def first_python3_solution(solutions) -> str:
    """The first solution whose language is PYTHON3 ("" when there is none)."""
    if not solutions:
        return ""
    for language, code in zip(solutions.get("language") or [], solutions.get("solution") or []):
        if class_label(language, LANGUAGES, "solutions.language") == "PYTHON3":
            return code
    return ""


def time_limit_seconds(limit) -> float | None:
    """``{seconds, nanos}`` (a protobuf Duration) -> seconds; None when absent."""
    if not limit:
        return None
    return float(limit.get("seconds") or 0) + float(limit.get("nanos") or 0) / 1e9


def row_to_problem(row: dict, split: str, include_generated_tests: bool = False) -> Problem:
    """Map one CodeContests row onto a :class:`Problem`."""
    required = {"name", "description", "public_tests", "private_tests"}
    if not required <= set(row):
        raise ValueError(
            f"unknown CodeContests field layout (fields: {sorted(row)}); "
            f"expected {sorted(required)}"
        )
    input_file, output_file = row.get("input_file") or "", row.get("output_file") or ""
    if input_file or output_file:
        raise ValueError(
            f"the problem uses files ({input_file or '-'} / {output_file or '-'}), not stdio"
        )
    groups = ["public_tests", "private_tests"]
    if include_generated_tests:
        groups.append("generated_tests")
    tests: list[StdioTest] = []
    seen: set[tuple[str, str]] = set()
    for field in groups:
        for test in stdio_tests(row.get(field), field):
            if (test.input, test.output) not in seen:
                seen.add((test.input, test.output))
                tests.append(test)
    if not tests:
        raise ValueError("no tests (public and private tests are empty)")
    if not (row["description"] or "").strip():
        raise ValueError("empty description")
    source_label = class_label(row.get("source") or 0, SOURCES, "source")
    difficulty_label = class_label(row.get("difficulty") or 0, DIFFICULTY_LABELS, "difficulty")
    cf_rating = row.get("cf_rating") or None
    return Problem(
        id=f"{SOURCE}/{source_label.lower()}/{row['name']}",
        source=SOURCE,
        split=split,
        instruction=INSTRUCTION_TEMPLATE.format(description=row["description"].strip()),
        tests=tests,
        reference_solution=first_python3_solution(row.get("solutions")),
        description=row["description"],
        difficulty=map_difficulty(difficulty_label, cf_rating),
        tags=list(row.get("cf_tags") or []),
        metadata={
            "name": row["name"],
            "source": source_label,
            "difficulty_label": difficulty_label,
            "cf_rating": cf_rating,
            "cf_contest_id": row.get("cf_contest_id"),
            "cf_index": row.get("cf_index"),
            "time_limit_seconds": time_limit_seconds(row.get("time_limit")),
            "memory_limit_bytes": row.get("memory_limit_bytes"),
            "test_groups": groups,
        },
    )


def load_codecontests(
    location: str | None = None,
    split: str = "test",
    on_error: str = "raise",
    hub_split: str | None = None,
    include_generated_tests: bool = False,
) -> LoadResult:
    """Load CodeContests from a local file or the hub.

    ``split`` labels the problems; the hub split defaults to its name there ("train",
    "valid", "test"). ``include_generated_tests`` adds the generated tests (many per
    problem) to the public and private ones.
    """
    label, rows, hashes = iter_source_rows(
        location or HUB_NAME, hub_split=hub_split or HUB_SPLITS.get(split, split)
    )
    return convert_rows(
        SOURCE,
        label,
        rows,
        lambda row: row_to_problem(row, split, include_generated_tests),
        on_error,
        hashes,
        row_id_key="name",
    )
