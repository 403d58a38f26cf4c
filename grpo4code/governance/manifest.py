"""Prepared splits on disk: ``problems.jsonl`` plus a ``manifest.json`` of content hashes.

A manifest records what a split holds (per-problem content hashes, a hash of the whole
split), where it came from (source, location, input file hashes, skipped rows) and its role:
``train`` or ``eval``. Evaluation splits are what training refuses to learn from.
Reading a prepared split re-hashes it, so a file edited after preparation is caught.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from dataclasses import asdict

import grpo4code
from grpo4code.data.rows import LoadResult
from grpo4code.data.schema import Problem
from grpo4code.data.sources.records import load_records

ROLES = ("train", "eval")
MANIFEST_FILE = "manifest.json"
PROBLEMS_FILE = "problems.jsonl"


class ManifestMismatchError(ValueError):
    """A prepared split no longer matches the hashes in its manifest."""


def split_hash(problems: list[Problem]) -> str:
    """sha256 over the sorted per-problem content hashes: order-independent identity of a split."""
    digest = hashlib.sha256()
    for content_hash in sorted(p.content_hash() for p in problems):
        digest.update(content_hash.encode())
    return digest.hexdigest()


def build_manifest(name: str, role: str, loaded: LoadResult, problems: list[Problem] | None = None) -> dict:
    """The manifest of a prepared split (``problems`` defaults to ``loaded.problems``)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    problems = loaded.problems if problems is None else problems
    return {
        "name": name,
        "role": role,
        "source": loaded.source,
        "location": loaded.location,
        "input_hashes": loaded.input_hashes,
        "num_problems": len(problems),
        "num_tests": sum(p.num_tests for p in problems),
        "skipped_rows": [asdict(s) for s in loaded.skipped],
        "split_hash": split_hash(problems),
        "problems": [{"id": p.id, "content_hash": p.content_hash()} for p in problems],
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "grpo4code_version": grpo4code.__version__,
    }


def write_prepared_split(directory: str, problems: list[Problem], manifest: dict) -> None:
    """Write ``problems.jsonl`` and ``manifest.json`` into ``directory``."""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, PROBLEMS_FILE), "w", encoding="utf-8") as handle:
        for problem in problems:
            handle.write(json.dumps(problem.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
    with open(os.path.join(directory, MANIFEST_FILE), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2, sort_keys=True)


def read_prepared_split(directory: str) -> tuple[list[Problem], dict]:
    """Read a prepared split and verify it against its manifest."""
    manifest_path = os.path.join(directory, MANIFEST_FILE)
    if not os.path.isfile(manifest_path):
        raise FileNotFoundError(f"{directory} is not a prepared split: no {MANIFEST_FILE}")
    with open(manifest_path, encoding="utf-8") as handle:
        manifest = json.load(handle)
    problems = load_records(os.path.join(directory, PROBLEMS_FILE)).problems
    actual = split_hash(problems)
    if actual != manifest.get("split_hash"):
        raise ManifestMismatchError(
            f"{directory}: {PROBLEMS_FILE} does not match its manifest (split hash {actual[:12]} "
            f"!= {str(manifest.get('split_hash'))[:12]}); re-run `grpo4code-data prepare`"
        )
    return problems, manifest


def is_prepared_split(path: str) -> bool:
    return os.path.isfile(os.path.join(path, MANIFEST_FILE))
