"""Problem data: one schema for every source, loaders, and the starter set."""

from grpo4code.data.rows import DataError, LoadResult, SkippedRow
from grpo4code.data.schema import AssertionTest, CallTest, Problem, StdioTest
from grpo4code.data.sources import SOURCES, load_problems

__all__ = [
    "AssertionTest", "CallTest", "DataError", "LoadResult", "Problem", "SOURCES",
    "SkippedRow", "StdioTest", "load_problems",
]
