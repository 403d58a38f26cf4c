"""Loaders, one module per source, all producing :class:`grpo4code.data.schema.Problem`.

``load_problems("leetcode", "path/or/hub-name", split="train")`` dispatches by source name.
Every loader takes ``location`` (a local file or a hub dataset name; ``None`` = the source's
default), ``split`` and ``on_error`` ("raise" or "skip") and returns a ``LoadResult``.
"""

from __future__ import annotations

import importlib

from grpo4code.data.rows import LoadResult

# source name -> (module, loader function); imported lazily so one source's heavy
# dependencies never slow down loading another.
SOURCES = {
    "starter": ("grpo4code.data.sources.starter", "load_starter"),
    "records": ("grpo4code.data.sources.records", "load_records"),
    "leetcode": ("grpo4code.data.sources.leetcode", "load_leetcode"),
    "humaneval": ("grpo4code.data.sources.humaneval", "load_humaneval"),
    "humaneval_plus": ("grpo4code.data.sources.evalplus", "load_humaneval_plus"),
    "mbpp_plus": ("grpo4code.data.sources.evalplus", "load_mbpp_plus"),
    "mbpp": ("grpo4code.data.sources.mbpp", "load_mbpp"),
    "kodcode": ("grpo4code.data.sources.kodcode", "load_kodcode"),
    "codecontests": ("grpo4code.data.sources.codecontests", "load_codecontests"),
}


def load_problems(source: str, location: str | None = None, split: str | None = None,
                  on_error: str = "raise", **options) -> LoadResult:
    """Load ``source`` from ``location`` (file or hub name; ``None`` = its default)."""
    if source not in SOURCES:
        raise ValueError(f"unknown problem source {source!r}; known sources: {sorted(SOURCES)}")
    module_name, function_name = SOURCES[source]
    loader = getattr(importlib.import_module(module_name), function_name)
    kwargs = dict(options, on_error=on_error)
    if location is not None:
        kwargs["location"] = location
    if split is not None:
        kwargs["split"] = split
    return loader(**kwargs)
