"""Normalised text and code, so duplicates are found despite formatting differences."""

from __future__ import annotations

import ast
import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalize_text(text: str) -> str:
    """Unicode NFKC, lower case, every run of non-alphanumerics collapsed to one space."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _NON_WORD.sub(" ", text).strip()


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


def normalize_code(code: str) -> str:
    """Code with comments, docstrings and formatting removed (``ast.unparse``).

    Code that does not parse falls back to whitespace-collapsed text, so it still compares.
    """
    try:
        return ast.unparse(_strip_docstrings(ast.parse(code)))
    except (SyntaxError, ValueError):
        return " ".join(code.split())


def word_shingles(text: str, size: int = 5) -> frozenset:
    """The set of ``size``-word windows of normalised ``text`` (the whole text if shorter)."""
    words = normalize_text(text).split()
    if len(words) <= size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    """|a & b| / |a | b| (0 for two empty sets)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)
