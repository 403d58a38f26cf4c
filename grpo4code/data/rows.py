"""Reading source rows (local files or hub datasets) and turning them into problems.

Every loader goes through :func:`iter_source_rows` and :func:`convert_rows`, so bad input is
handled one way everywhere: a :class:`DataError` names the file (or hub dataset), the row
and what is wrong; with ``on_error="skip"`` the row is skipped, counted and reported in the
:class:`LoadResult`, never dropped silently.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from grpo4code.data.schema import Problem

LOCAL_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".json.gz", ".parquet")
ON_ERROR_CHOICES = ("raise", "skip")


class DataError(ValueError):
    """Bad input: names where (file or hub dataset), which row, and what is wrong."""

    def __init__(self, location: str, row: int | None, reason: str, row_id: str | None = None):
        self.location, self.row, self.reason, self.row_id = location, row, reason, row_id
        where = location if row is None else f"{location}, row {row}"
        if row_id:
            where += f" (id {row_id})"
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class SkippedRow:
    location: str
    row: int
    row_id: str | None
    reason: str


@dataclass
class LoadResult:
    """Problems loaded from one source, what was skipped and why, and the input files' hashes."""

    source: str
    location: str
    problems: list[Problem]
    skipped: list[SkippedRow] = field(default_factory=list)
    input_hashes: dict = field(default_factory=dict)

    def summary(self) -> str:
        text = f"{self.source} ({self.location}): {len(self.problems)} problems loaded"
        if self.skipped:
            text += f", {len(self.skipped)} rows skipped"
            reasons: dict[str, int] = {}
            for skip in self.skipped:
                reasons[skip.reason] = reasons.get(skip.reason, 0) + 1
            text += "".join(f"\n  {count} x {reason}" for reason, count in sorted(reasons.items()))
        return text


def is_local_path(location: str) -> bool:
    """True for an existing file, or a string that looks like one (so a typo fails loudly).

    Hub names (``org/name``) have no file suffix and do not start with ``/``, ``.`` or ``~``.
    """
    looks_like_path = location.startswith(("/", "./", "../", "~")) or location.endswith(LOCAL_SUFFIXES)
    return os.path.exists(location) or looks_like_path


def file_sha256(path: str) -> str:
    """sha256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_local(path: str) -> Iterator[tuple[int, dict]]:
    if not os.path.isfile(path):
        raise DataError(path, None, "no such file")
    if path.endswith(".parquet"):
        import datasets  # local import: heavy, and only parquet needs it here

        for index, row in enumerate(datasets.Dataset.from_parquet(path)):
            yield index + 1, row
        return
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            if path.endswith((".json", ".json.gz")):
                data = json.load(handle)
                rows = data if isinstance(data, list) else data.get("data") or data.get("rows")
                if not isinstance(rows, list):
                    raise DataError(path, None, "a .json file must hold a list of rows")
                for index, row in enumerate(rows):
                    yield index + 1, row
                return
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield line_number, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(path, line_number, f"not valid JSON ({exc.msg})") from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataError(path, None, f"cannot read the file ({exc})") from None


def _read_hub(name: str, config: str | None, split: str) -> Iterator[tuple[int, dict]]:
    import datasets

    try:
        dataset = datasets.load_dataset(name, config, split=split)
    except Exception as exc:  # the hub raises many types; all mean "could not load"
        raise DataError(
            f"hub:{name}", None, f"could not load split {split!r} from the hub ({exc})"
        ) from None
    for index, row in enumerate(dataset):
        yield index, row


def iter_source_rows(
    location: str, hub_split: str = "train", hub_config: str | None = None
) -> tuple[str, Iterator[tuple[int, dict]], dict]:
    """Return ``(label, rows, input_hashes)`` for a local file or a hub dataset name.

    ``rows`` yields ``(row_number, row)``; local rows are numbered by line (1-based),
    hub rows by index. ``input_hashes`` maps local files to their sha256.
    """
    if is_local_path(location):
        path = os.path.abspath(os.path.expanduser(location))
        hashes = {path: file_sha256(path)} if os.path.isfile(path) else {}
        return path, _read_local(path), hashes
    label = f"hub:{location}" + (f"/{hub_config}" if hub_config else "") + f"[{hub_split}]"
    return label, _read_hub(location, hub_config, hub_split), {}


def convert_rows(
    source: str,
    location: str,
    rows: Iterable[tuple[int, dict]],
    convert: Callable[[dict], Problem],
    on_error: str = "raise",
    input_hashes: dict | None = None,
    row_id_key: str | Callable[[dict], str] = "task_id",
) -> LoadResult:
    """Apply ``convert`` to every row; bad rows raise a :class:`DataError` or are skipped.

    ``convert`` raises ``ValueError``/``KeyError``/``TypeError`` with a short reason for a
    bad row. With ``on_error="skip"`` the row is recorded in ``LoadResult.skipped``.
    """
    if on_error not in ON_ERROR_CHOICES:
        raise ValueError(f"on_error must be one of {ON_ERROR_CHOICES}, not {on_error!r}")
    result = LoadResult(source=source, location=location, problems=[], input_hashes=input_hashes or {})
    for row_number, row in rows:
        row_id = None
        if isinstance(row, dict):
            raw_id = row_id_key(row) if callable(row_id_key) else row.get(row_id_key)
            row_id = None if raw_id is None else str(raw_id)
        try:
            if not isinstance(row, dict):
                raise TypeError(f"a row must be a JSON object, got {type(row).__name__}")
            result.problems.append(convert(row))
        except (ValueError, KeyError, TypeError, SyntaxError) as exc:
            reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            if on_error == "raise":
                raise DataError(location, row_number, reason, row_id) from None
            result.skipped.append(SkippedRow(location, row_number, row_id, reason))
    return result
