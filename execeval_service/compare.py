"""Deciding pass or fail, in the parent: stdout against expected text, and call-test return
values against expected JSON.

Pure functions on plain data; nothing here runs or touches untrusted objects. The values
arrive already serialised by the sandboxed child (see :mod:`execeval_service.values`), so
a returned object with a patched ``__eq__`` is only ever seen as data.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal, InvalidOperation
from typing import Any

NUMBER_PRECISION = Decimal("1e-12")  # ExecEval's absolute tolerance for numeric tokens
_CASELESS_TOKENS = {"yes", "no", "true", "false"}


def _lines_match(expected: str, actual: str) -> bool:
    lines_e, lines_a = expected.strip().split("\n"), actual.strip().split("\n")
    return len(lines_e) == len(lines_a) and all(
        e.strip() == a.strip() for e, a in zip(lines_e, lines_a)
    )


def _tokens_match(expected: str, actual: str, precision: Decimal) -> bool:
    tokens_e, tokens_a = expected.split(), actual.split()
    if len(tokens_e) != len(tokens_a):
        return False
    for tok_e, tok_a in zip(tokens_e, tokens_a):
        if tok_e == tok_a:
            continue
        try:
            num_e, num_a = Decimal(tok_e), Decimal(tok_a)
            if num_e.is_nan() or num_a.is_nan() or abs(num_e - num_a) > precision:
                return False
            continue
        except (InvalidOperation, ValueError):
            pass
        low_e, low_a = tok_e.lower(), tok_a.lower()
        if low_e in _CASELESS_TOKENS and low_e == low_a:
            continue
        return False
    return True


def outputs_match(expected: str, actual: str, precision: Decimal = NUMBER_PRECISION) -> bool:
    """ExecEval's rule: lines equal after stripping, else tokens equal with numbers within
    ``precision`` and yes/no/true/false compared without case."""
    if _lines_match(expected, actual):
        return True
    return _tokens_match(expected, actual, precision)


def any_output_matches(expected: str | list[str], actual: str) -> bool:
    """True when ``actual`` matches the expected output or one of several accepted outputs."""
    accepted = [expected] if isinstance(expected, str) else list(expected)
    return any(outputs_match(e, actual) for e in accepted)


# --- call-test values ---------------------------------------------------------------------
# Tagged JSON made by the child: lists and scalars as themselves, everything else as a
# one-key object {"$tuple": [...]}, {"$set": [...]}, {"$dict": [[k, v], ...]},
# {"$float": "nan"}, {"$bytes": "hex"}, {"$complex": [re, im]},
# {"$object": "ClassName", "attrs": {...}}, {"$opaque": "why"}.


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _tag(value: Any) -> tuple[str, Any] | None:
    if isinstance(value, dict) and len(value) in (1, 2) and any(k.startswith("$") for k in value):
        key = next(k for k in value if k.startswith("$"))
        return key, value[key]
    return None


def _numbers_equal(expected: float, actual: float, atol: float) -> bool:
    if atol > 0:
        return math.isclose(actual, expected, rel_tol=0.0, abs_tol=atol)
    return actual == expected


def _key_text(key: Any) -> str:
    return key if isinstance(key, str) else json.dumps(key, sort_keys=True)


def values_equal(expected: Any, actual: Any, atol: float = 0.0) -> bool:
    """Compare a child's tagged value with an expected JSON value.

    Tuples and lists are the same sequence (JSON has no tuples); a set equals a list holding
    the same elements in any order; dict keys compare by their JSON text; bools equal only
    bools; ints and floats compare numerically (within ``atol`` when it is positive).
    """
    tag = _tag(actual)
    if tag is not None:
        name, payload = tag
        if name == "$float":
            return isinstance(expected, float) and str(expected) == payload
        if name == "$tuple":
            return values_equal(expected, payload, atol)
        if name == "$set":
            return isinstance(expected, list) and _same_elements(expected, payload, atol)
        if name == "$dict":
            if not isinstance(expected, dict) or len(expected) != len(payload):
                return False
            actual_map = {_key_text(_plain(k)): v for k, v in payload}
            return all(
                _key_text(k) in actual_map and values_equal(v, actual_map[_key_text(k)], atol)
                for k, v in expected.items()
            )
        return False  # bytes, complex, objects and opaque values never equal JSON
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if _is_number(expected) and _is_number(actual):
        return _numbers_equal(expected, actual, atol)
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(values_equal(e, a, atol) for e, a in zip(expected, actual))
        )
    if isinstance(expected, dict):
        return False  # an untagged dict cannot come from the child
    return type(expected) is type(actual) and expected == actual


def _same_elements(expected: list, actual: list, atol: float) -> bool:
    if len(expected) != len(actual):
        return False
    remaining = list(actual)
    for item in expected:
        for index, candidate in enumerate(remaining):
            if values_equal(item, candidate, atol):
                del remaining[index]
                break
        else:
            return False
    return True


def _plain(value: Any) -> Any:
    """A tagged value as plain Python, for dict keys and reports."""
    tag = _tag(value)
    if tag is None:
        return [_plain(v) for v in value] if isinstance(value, list) else value
    name, payload = tag
    if name == "$tuple":
        return tuple(_plain(v) for v in payload)
    if name == "$set":
        return {"set": [_plain(v) for v in payload]}
    if name == "$dict":
        return {_key_text(_plain(k)): _plain(v) for k, v in payload}
    if name == "$float":
        return float(payload)
    if name == "$object":
        return f"<{payload} object>"
    return f"<{name[1:]} {payload}>"


def render_value(value: Any, limit: int = 2000) -> str:
    """A readable, truncated text of a tagged value for reports."""
    try:
        text = repr(_plain(value))
    except (TypeError, ValueError, RecursionError):
        text = json.dumps(value)[:limit]
    return text if len(text) <= limit else text[: limit - 3] + "..."
