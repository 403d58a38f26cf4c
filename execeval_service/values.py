"""Turning what a solution returns into trusted data (runs in the sandboxed child).

A hostile solution can return an object whose ``__eq__`` always says True, or a subclass of
``int``/``list`` that lies about itself. Before a check compares anything, the harness
rebuilds the return value out of exact builtin types (:func:`Sanitizer.sanitize`), reading
containers through the base type's own C methods (``list.__iter__(x)``, ``dict.items(x)``)
so no overridden method decides the content. Objects of classes the trusted preamble also
defines (``ListNode``, ``TreeNode``) are rebuilt as instances of the trusted class; other
objects become inert records that equal nothing but themselves.

For call tests the sanitised value is then serialised to tagged JSON (:func:`encode`) and
compared in the parent (:func:`execeval_service.compare.values_equal`).
"""

from __future__ import annotations

import collections
import math
import operator

_SCALARS = (type(None), bool, int, float, str, bytes, complex)
_MAX_DEPTH = 2000
_MAX_INT_BITS = 13_000  # about 4000 digits: json and int->str refuse longer ones


class InertObject:
    """Stands for a returned object of a class the judge does not trust; compares by identity."""

    def __init__(self, class_name: str):
        self.__dict__["__class_name__"] = class_name

    def __repr__(self) -> str:
        return f"<returned {self.__dict__['__class_name__']} object>"


class Sanitizer:
    """Deep-copies returned values into exact builtin types and trusted classes."""

    def __init__(self, trusted_classes: dict[str, type]):
        self.trusted_classes = trusted_classes

    def sanitize(self, value):
        return self._copy(value, {}, 0)

    def _copy(self, obj, memo: dict, depth: int):
        kind = type(obj)
        if kind in _SCALARS:
            return obj
        key = id(obj)
        if key in memo:
            return memo[key]
        if depth > _MAX_DEPTH:
            raise ValueError("the returned value is nested too deeply")
        depth += 1
        # Subclasses of builtin types are read through the base type's own methods.
        if isinstance(obj, bool):
            return bool(int.__int__(obj))
        if isinstance(obj, int):
            return int.__int__(obj)
        if isinstance(obj, float):
            return float.__float__(obj)
        if isinstance(obj, str):
            return str.__str__(obj)
        if isinstance(obj, (bytes, bytearray)):
            return bytes(memoryview(obj))
        if isinstance(obj, list):
            out: list = []
            memo[key] = out
            out.extend(self._copy(x, memo, depth) for x in list.__iter__(obj))
            return out
        if isinstance(obj, collections.deque):
            out_deque: collections.deque = collections.deque()
            memo[key] = out_deque
            out_deque.extend(self._copy(x, memo, depth) for x in collections.deque.__iter__(obj))
            return out_deque
        if isinstance(obj, tuple):
            return tuple(self._copy(x, memo, depth) for x in tuple.__iter__(obj))
        if isinstance(obj, dict):
            out_dict: dict = {}
            memo[key] = out_dict
            for k, v in dict.items(obj):
                out_dict[self._copy(k, memo, depth)] = self._copy(v, memo, depth)
            return out_dict
        if isinstance(obj, frozenset):
            return frozenset(self._copy(x, memo, depth) for x in frozenset.__iter__(obj))
        if isinstance(obj, set):
            return set(self._copy(x, memo, depth) for x in set.__iter__(obj))
        return self._copy_object(obj, memo, depth)

    def _copy_object(self, obj, memo: dict, depth: int):
        kind = type(obj)
        if getattr(kind, "tolist", None) is not None:
            return self._copy(obj.tolist(), memo, depth)  # numpy arrays and scalars
        if getattr(kind, "__index__", None) is not None:
            return self._copy(operator.index(obj), memo, depth)  # other integer-like types
        name = getattr(kind, "__name__", "object")
        name = str.__str__(name) if isinstance(name, str) else "object"
        trusted = self.trusted_classes.get(name)
        copy = object.__new__(trusted) if trusted is not None else InertObject(name)
        memo[id(obj)] = copy
        try:
            attrs = object.__getattribute__(obj, "__dict__")
        except (AttributeError, TypeError):
            attrs = {}
        if not isinstance(attrs, dict):
            attrs = {}
        target = object.__getattribute__(copy, "__dict__")
        for k, v in dict.items(attrs):
            if isinstance(k, str):
                target[str.__str__(k)] = self._copy(v, memo, depth)
        return copy


def encode(value, _seen: set | None = None, _depth: int = 0):
    """Tagged JSON of a sanitised value (see :mod:`execeval_service.compare` for the tags)."""
    seen = set() if _seen is None else _seen
    if _depth > _MAX_DEPTH:
        return {"$opaque": "nested too deeply"}
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is int:
        return value if value.bit_length() <= _MAX_INT_BITS else {"$opaque": "int too large"}
    if kind is float:
        return value if math.isfinite(value) else {"$float": repr(value)}
    if kind is bytes:
        return {"$bytes": value.hex()}
    if kind is complex:
        return {"$complex": [encode(value.real), encode(value.imag)]}
    if id(value) in seen:
        return {"$opaque": "cycle"}
    seen.add(id(value))
    try:
        d = _depth + 1
        if kind is list:
            return [encode(v, seen, d) for v in value]
        if kind in (tuple, collections.deque):
            return {"$tuple": [encode(v, seen, d) for v in value]}
        if kind in (set, frozenset):
            return {"$set": [encode(v, seen, d) for v in value]}
        if kind is dict:
            return {"$dict": [[encode(k, seen, d), encode(v, seen, d)] for k, v in value.items()]}
        attrs = object.__getattribute__(value, "__dict__")
        name = attrs.get("__class_name__", kind.__name__)
        fields = {k: encode(v, seen, d) for k, v in attrs.items() if k != "__class_name__"}
        return {"$object": name, "attrs": fields}
    finally:
        seen.discard(id(value))
