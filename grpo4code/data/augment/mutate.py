"""New call inputs from a :class:`~.specs.ProblemSpec`: fresh values, and small edits of examples.

Every random draw comes from the ``random.Random`` the caller passes, so a seed fixes the
inputs. Three sizes:

* ``small``: lengths around the examples' (at most 2 longer);
* ``medium``: lengths up to ``SizeLimits.medium_length``;
* ``large``: lengths near the statement's upper bound, the parameters sharing
  ``SizeLimits.large_elements`` scalar elements (so the efficiency reward has inputs that
  tell a linear solution from a quadratic one).

Values are drawn log-uniformly over the allowed range (so ``-10^9 <= x <= 10^9`` yields
small and huge numbers), from the examples' range, at the edges of the range, or -- inside
one list -- from a narrow window so duplicates and ties occur. After drawing, relations
between parameters (``k <= len(nums)``, ``edges[i][j] < n``, equal lengths) are restored by
redrawing the dependent parameter within the range the relation leaves; an input that
cannot be settled is dropped (``None``).
"""

from __future__ import annotations

import copy
import math
import random
from dataclasses import dataclass

from grpo4code.data.augment.constraints import Ref, Relation
from grpo4code.data.augment.inputs import Example, NodeValue, render_call
from grpo4code.data.augment.specs import (BoolSpec, FixedSpec, FloatSpec, IntSpec, ListSpec, NodeSpec,
                                          ProblemSpec, StrSpec)

SIZES = ("small", "medium", "large")
_UNBOUNDED = 10**30


class _Infeasible(Exception):
    """The ranges left by the spec and the relations are empty."""


@dataclass(frozen=True)
class SizeLimits:
    medium_length: int = 20        # longest list / string in a medium input (per dimension)
    large_elements: int = 1000     # scalar elements of a large input, parameters together
    max_call_chars: int = 8000     # longest rendered call; large inputs shrink to fit


def measure(ref: Ref, kwargs: dict):
    """The quantity ``ref`` names in ``kwargs``: a number at depth 0, a list of them deeper.

    ``None`` where it does not apply (a string's characters, a missing parameter).
    """
    value = kwargs.get(ref.param)
    if isinstance(value, NodeValue):
        value = [v for v in value.values if v is not None]
    level = [value]
    for _ in range(ref.depth):
        nxt = []
        for item in level:
            if not isinstance(item, list):
                return None
            nxt.extend(item)
        level = nxt
    if ref.attr == "len":
        if not all(isinstance(item, (list, str)) for item in level):
            return None
        lengths = [len(item) for item in level]
        return lengths[0] if ref.depth == 0 else lengths
    if not all(type(item) is int for item in level):
        return None
    return level[0] if ref.depth == 0 else level


def satisfied(relation: Relation, kwargs: dict) -> bool | None:
    """Does ``kwargs`` satisfy ``relation``? ``None`` if it cannot be measured."""
    left, right = measure(relation.left, kwargs), measure(relation.right, kwargs)
    if left is None or right is None or isinstance(right, list):
        return None
    return all(relation.holds(x, right) for x in (left if isinstance(left, list) else [left]))


def _interval(op: str, value: int) -> tuple:
    """Values ``x`` with ``x op value``, as ``(lo, hi)``."""
    return {"==": (value, value), "<=": (-_UNBOUNDED, value), "<": (-_UNBOUNDED, value - 1),
            ">=": (value, _UNBOUNDED), ">": (value + 1, _UNBOUNDED)}[op]


def _flipped_interval(op: str, value: int) -> tuple:
    """Values ``y`` with ``value op y``."""
    return {"==": (value, value), "<=": (value, _UNBOUNDED), "<": (value + 1, _UNBOUNDED),
            ">=": (-_UNBOUNDED, value), ">": (-_UNBOUNDED, value - 1)}[op]


def _distinct_values(row: ListSpec, n: int) -> ListSpec:
    """A spec of ``n`` distinct values like ``row``'s items (one column of a table)."""
    return ListSpec(row.param, row.depth, row.item, n, n, distinct=True)


class InputGenerator:
    """Draws inputs for one problem; deterministic given the ``rng`` it is handed."""

    def __init__(self, spec: ProblemSpec, examples: list[Example], rng: random.Random,
                 limits: SizeLimits = SizeLimits()):
        self.spec, self.examples, self.rng, self.limits = spec, examples, rng, limits
        self.overrides: dict = {}
        self.size = "medium"

    # --- public -----------------------------------------------------------------------------

    def fresh(self, size: str) -> dict | None:
        """A new input drawn from scratch; ``None`` if the relations could not be settled."""
        if size not in SIZES:
            raise ValueError(f"size must be one of {SIZES}, not {size!r}")
        budget = self._budget(size)
        for _ in range(4):
            kwargs = self._attempt(lambda: {name: self._draw(spec, size, budget)
                                            for name, spec in self.spec.params.items()}, size, budget)
            if kwargs is None or size != "large":
                return kwargs
            chars = len(render_call(kwargs))
            if chars <= self.limits.max_call_chars:
                return kwargs
            budget = max(4.0, budget * self.limits.max_call_chars / chars * 0.8)
        return None

    def mutated(self, examples: list[Example] | None = None) -> dict | None:
        """An example's input (one of ``examples``, default all) with one or two parameters
        edited a little."""
        example = self.rng.choice(examples or self.examples)
        names = [n for n, s in self.spec.params.items() if not isinstance(s, FixedSpec)]
        if not names:
            return None
        chosen = self.rng.sample(names, min(len(names), self.rng.choice((1, 1, 2))))

        def build() -> dict:
            kwargs = copy.deepcopy(example.kwargs)
            for name in chosen:
                kwargs[name] = self._edit(self.spec.params[name], kwargs[name])
            return kwargs

        return self._attempt(build, "small", float(self.limits.large_elements))

    def combined(self, examples: list[Example] | None = None) -> dict | None:
        """An example's input whose list or string parameters are repeated or joined with
        another example's (``"()"`` -> ``"()()"``, ``"()" + "[]"``): a cheap way to keep a
        property such as "is valid" that random edits break."""
        pool = examples or self.examples
        example = self.rng.choice(pool)
        other = self.rng.choice(pool)
        names = [n for n, s in self.spec.params.items() if isinstance(s, StrSpec) or (
                 isinstance(s, ListSpec) and not (s.order or s.distinct or s.rectangular or s.distinct_columns)
                 and s.permutation_base is None)]
        if not names:
            return None

        def build() -> dict:
            kwargs = copy.deepcopy(example.kwargs)
            for name in names:
                spec, value = self.spec.params[name], kwargs[name]
                joined = value + other.kwargs[name] if self.rng.random() < 0.5 \
                    else value * self.rng.randint(2, 4)
                joined = copy.deepcopy(joined)  # no list object shared between positions
                if spec.min_len <= len(joined) <= spec.max_len:
                    kwargs[name] = joined
            return kwargs

        return self._attempt(build, "small", float(self.limits.large_elements))

    # --- relations --------------------------------------------------------------------------

    def _attempt(self, build, size: str, budget: float) -> dict | None:
        self.overrides, self.size = {}, size
        try:
            kwargs = build()
            return self._settle(kwargs, size, budget)
        except _Infeasible:
            return None

    def _settle(self, kwargs: dict, size: str, budget: float) -> dict | None:
        for _ in range(2 * len(self.spec.relations) + 2):
            for item, container in self.spec.memberships:
                if kwargs[item] not in kwargs[container]:
                    if not kwargs[container]:
                        return None
                    kwargs[item] = copy.deepcopy(self.rng.choice(kwargs[container]))
            broken = [r for r in self.spec.relations if satisfied(r, kwargs) is False]
            if not broken:
                return kwargs
            relation = broken[0]
            left, right = measure(relation.left, kwargs), measure(relation.right, kwargs)
            target = self._dependent(relation, left, right)
            if target is None:
                return None
            ref, interval = target
            self._narrow(ref, interval)
            kwargs[ref.param] = self._draw(self.spec.params[ref.param], size, budget)
        settled = all(satisfied(r, kwargs) is not False for r in self.spec.relations) and all(
            kwargs[item] in kwargs[container] for item, container in self.spec.memberships)
        return kwargs if settled else None

    def _dependent(self, relation: Relation, left, right):
        """Which side to redraw, and the interval the relation leaves it."""
        left_spec = self.spec.params[relation.left.param]
        right_spec = self.spec.params[relation.right.param]
        if relation.left.attr == "value" and relation.left.depth == 0 and isinstance(left_spec, IntSpec):
            return relation.left, _interval(relation.op, right + relation.offset)
        if (relation.right.attr == "value" and relation.right.depth == 0 and isinstance(right_spec, IntSpec)
                and not isinstance(left, list)):
            return relation.right, _flipped_interval(relation.op, left - relation.offset)
        if relation.left.attr == "value" and relation.left.depth > 0:
            return relation.left, _interval(relation.op, right + relation.offset)
        if relation.left.attr == "len" and relation.right.attr == "len" and relation.op == "==":
            if relation.left.depth == 0 and relation.right.depth == 0:
                return relation.right, (left - relation.offset, left - relation.offset)
        return None

    def _narrow(self, ref: Ref, interval: tuple) -> None:
        lo, hi = self.overrides.get(ref, (-_UNBOUNDED, _UNBOUNDED))
        lo, hi = max(lo, interval[0]), min(hi, interval[1])
        if lo > hi:
            raise _Infeasible(ref)
        self.overrides[ref] = (lo, hi)

    def _range(self, ref: Ref, lo, hi) -> tuple:
        o_lo, o_hi = self.overrides.get(ref, (-_UNBOUNDED, _UNBOUNDED))
        lo, hi = max(lo, o_lo), min(hi, o_hi)
        if lo > hi:
            raise _Infeasible(ref)
        return lo, hi

    # --- drawing ----------------------------------------------------------------------------

    def _budget(self, size: str) -> float:
        sized = sum(isinstance(s, (ListSpec, StrSpec, NodeSpec)) for s in self.spec.params.values())
        return self.limits.large_elements / max(1, sized)

    def _draw(self, spec, size: str, budget: float, length: int | None = None):
        if isinstance(spec, IntSpec):
            return self._int(spec, size)
        if isinstance(spec, FloatSpec):
            lo, hi = spec.lo, spec.hi
            return round(self.rng.uniform(lo, hi), spec.decimals) if hi > lo else lo
        if isinstance(spec, BoolSpec):
            return self.rng.random() < 0.5
        if isinstance(spec, StrSpec):
            return self._string(spec, size, budget, length)
        if isinstance(spec, ListSpec):
            return self._list(spec, size, budget, length)
        if isinstance(spec, NodeSpec):
            return self._node(spec, size, budget)
        return copy.deepcopy(self.rng.choice(spec.seen))

    def _magnitude(self, span: int) -> int:
        if span <= 0:
            return 0
        return min(span, int(math.exp(self.rng.uniform(0, math.log(span + 1)))) - 1)

    def _log_uniform(self, lo: int, hi: int) -> int:
        if lo >= 0:
            return lo + self._magnitude(hi - lo)
        if hi <= 0:
            return hi - self._magnitude(hi - lo)
        if self.rng.random() < 0.5:
            return self._magnitude(hi)
        return -self._magnitude(-lo)

    def _int(self, spec: IntSpec, size: str, window: tuple | None = None) -> int:
        lo, hi = self._range(Ref(spec.param, spec.depth, "value"), spec.lo, spec.hi)
        if spec.choices:
            allowed = [c for c in spec.choices if lo <= c <= hi]
            if not allowed:
                raise _Infeasible(spec.param)
            return self.rng.choice(allowed)
        if window is not None:
            lo, hi = max(lo, window[0]), min(hi, window[1])
            if lo > hi:
                raise _Infeasible(spec.param)
        r = self.rng.random()
        if size == "large" and r < 0.5:
            return self.rng.randint(max(lo, hi - max(1, (hi - lo) // 20)), hi)
        if r < 0.15:
            return self.rng.choice([v for v in (lo, hi, lo + 1, hi - 1, 0, 1, -1) if lo <= v <= hi])
        if r < 0.4 and spec.seen:
            seen_lo, seen_hi = max(lo, min(spec.seen)), min(hi, max(spec.seen))
            if seen_lo <= seen_hi:
                return self.rng.randint(seen_lo, seen_hi)
        return self._log_uniform(lo, hi)

    def _length(self, spec, size: str, budget: float, free_dims: int, lengths: tuple) -> int:
        lo, hi = self._range(Ref(spec.param, spec.depth, "len"), spec.min_len, spec.max_len)
        if lo == hi:
            return lo
        if size == "small":
            top = min(hi, max(lo, max(lengths, default=lo) + 2))
            return self.rng.randint(lo, top)
        if size == "medium":
            return self.rng.randint(lo, min(hi, max(lo, self.limits.medium_length)))
        cap = min(hi, max(lo, int(budget ** (1.0 / max(1, free_dims)))))
        return self.rng.randint(max(lo, (3 * cap) // 4), cap)

    def _free_dims(self, spec) -> int:
        dims = 0
        while isinstance(spec, (ListSpec, StrSpec)):
            dims += spec.min_len != spec.max_len
            spec = spec.item if isinstance(spec, ListSpec) else None
        return dims

    def _string(self, spec: StrSpec, size: str, budget: float, length: int | None) -> str:
        n = length if length is not None else self._length(
            spec, size, budget, 1, tuple(len(s) for s in spec.seen))
        if spec.prefix or spec.suffix:
            core = self._core_string(spec, max(0, n - len(spec.prefix) - len(spec.suffix)))
            return spec.prefix + core + spec.suffix
        return self._core_string(spec, n)

    def _core_string(self, spec: StrSpec, n: int) -> str:
        alphabets = [a for a in (spec.alphabet, spec.statement_alphabet) if a]
        if not alphabets:
            return "" if n == 0 else self._reject()
        alphabet = self.rng.choice(alphabets)
        r = self.rng.random()
        non_empty = [s for s in spec.seen if s]
        if r < 0.25 and non_empty and n:  # stretch an example: keeps its local structure
            base = self.rng.choice(non_empty)
            text = (base * (n // len(base) + 1))[:n]
            return self._edit_string(text, spec.alphabet or alphabet, spec, keep_length=True)
        if r < 0.5 and len(alphabet) > 2:
            alphabet = "".join(self.rng.sample(alphabet, 2))
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def _reject(self):
        raise _Infeasible("no alphabet")

    def _list(self, spec: ListSpec, size: str, budget: float, length: int | None) -> list:
        if spec.item is None:
            return []
        n = length if length is not None else self._length(
            spec, size, budget, self._free_dims(spec), spec.seen_lengths)
        if spec.permutation_base is not None:
            items = list(range(spec.permutation_base, spec.permutation_base + n))
            self.rng.shuffle(items)
            return self._ordered(spec, items)
        item = spec.item
        per_item = budget / max(1, n)
        if isinstance(item, IntSpec):
            return self._ordered(spec, self._int_items(spec, item, n, size))
        inner = None
        if spec.rectangular and isinstance(item, (ListSpec, StrSpec)):
            inner = n if spec.square else self._length(item, size, per_item, self._free_dims(item),
                                                       getattr(item, "seen_lengths", ()) or
                                                       tuple(len(s) for s in getattr(item, "seen", ())))
        items, keys = [], set()
        for _ in range(4 * n + 4):
            if len(items) == n:
                break
            value = self._draw(item, size, per_item, inner)
            key = repr(value)
            if spec.distinct and key in keys:
                continue
            keys.add(key)
            items.append(value)
        if len(items) < spec.min_len:
            raise _Infeasible(spec.param)
        for column in spec.distinct_columns:  # e.g. the ids of [id, size] rows
            values = self._int_items(_distinct_values(item, len(items)), item.item, len(items), size)
            for row, value in zip(items, values):
                row[column] = value
        return self._ordered(spec, items)

    def _int_items(self, spec: ListSpec, item: IntSpec, n: int, size: str) -> list:
        lo, hi = self._range(Ref(item.param, item.depth, "value"), item.lo, item.hi)
        distinct = spec.distinct or spec.order.startswith("strict")
        if item.choices:
            allowed = [c for c in item.choices if lo <= c <= hi]
            if not allowed or (distinct and len(allowed) < n):
                raise _Infeasible(spec.param)
            return self.rng.sample(allowed, n) if distinct else [self.rng.choice(allowed) for _ in range(n)]
        if distinct and hi - lo + 1 < n:
            n = hi - lo + 1
            if n < spec.min_len:
                raise _Infeasible(spec.param)
        r = self.rng.random()
        window = None
        if r < 0.3 and n > 1:  # narrow: duplicates, ties, runs
            width = max(1, n // 2) if not distinct else n
            start = self._int(item, size)
            start = max(lo, min(start, hi - width))
            window = (start, start + width)
        elif r < 0.5 and item.seen:
            window = (min(item.seen), max(item.seen))
            if distinct and window[1] - window[0] + 1 < n:
                window = None
        if distinct:
            w_lo, w_hi = (max(lo, window[0]), min(hi, window[1])) if window else (lo, hi)
            if w_hi - w_lo + 1 < n:
                w_lo, w_hi = lo, hi
            values, seen = [], set()
            for _ in range(20 * n + 20):
                if len(values) == n:
                    break
                v = self._int(item, size, (w_lo, w_hi))
                if v not in seen:
                    seen.add(v)
                    values.append(v)
            while len(values) < n:  # dense ranges: fill in order from a random start
                v = self.rng.randint(w_lo, w_hi)
                while v in seen:
                    v = w_lo if v >= w_hi else v + 1
                seen.add(v)
                values.append(v)
            return values
        return [self._int(item, size, window) for _ in range(n)]

    def _ordered(self, spec: ListSpec, items: list) -> list:
        if not spec.order:
            return items
        try:
            items = sorted(items, reverse=spec.order.endswith("desc"))
        except TypeError:
            raise _Infeasible(spec.param) from None
        if spec.order.startswith("strict"):
            unique = [x for i, x in enumerate(items) if i == 0 or x != items[i - 1]]
            if len(unique) < spec.min_len:
                raise _Infeasible(spec.param)
            items = unique
        return items

    def _node(self, spec: NodeSpec, size: str, budget: float) -> NodeValue:
        values = self._list(spec.values, size, budget, None)
        if spec.kind == "list_node":
            return NodeValue("list_node", values)
        if spec.bst:
            values = sorted(set(values))
        if spec.complete:  # level order without holes is a complete tree
            return NodeValue("tree_node", values)
        return NodeValue("tree_node", self._tree(values, spec.bst))

    def _tree(self, values: list, bst: bool) -> list:
        """A random binary tree holding ``values``, in LeetCode's level order."""
        n = len(values)
        if n == 0:
            return []
        left, right = [-1] * n, [-1] * n
        slots = [(0, 0), (0, 1)]
        chain = n <= 60 and self.rng.random() < 0.15
        for node in range(1, n):
            index = len(slots) - 1 - self.rng.randrange(2) if chain else self.rng.randrange(len(slots))
            index = max(0, index)
            parent, side = slots[index]
            slots[index] = slots[-1]
            slots.pop()
            (left if side == 0 else right)[parent] = node
            slots += [(node, 0), (node, 1)]
        label = list(values)
        if bst:  # values in in-order position
            order, stack, node = [], [], 0
            while stack or node != -1:
                while node != -1:
                    stack.append(node)
                    node = left[node]
                node = stack.pop()
                order.append(node)
                node = right[node]
            label = [None] * n
            for position, node in enumerate(order):
                label[node] = values[position]
        out, queue, head = [], [0], 0
        while head < len(queue):
            node = queue[head]
            head += 1
            if node == -1:
                out.append(None)
                continue
            out.append(label[node])
            queue += [left[node], right[node]]
        while out and out[-1] is None:
            out.pop()
        return out

    # --- edits of an example ----------------------------------------------------------------

    def _edit(self, spec, value):
        rng = self.rng
        if isinstance(spec, IntSpec):
            if spec.choices:
                return rng.choice(spec.choices)
            step = rng.choice((-1, 1, -2, 2, None))
            lo, hi = spec.lo, spec.hi
            return min(hi, max(lo, value + step)) if step is not None else self._int(spec, "medium")
        if isinstance(spec, FloatSpec):
            return self._draw(spec, "small", 1.0)
        if isinstance(spec, BoolSpec):
            return not value
        if isinstance(spec, StrSpec):
            edited = self._edit_string(value, spec.alphabet or spec.statement_alphabet, spec)
            if not (edited.startswith(spec.prefix) and edited.endswith(spec.suffix)):
                return value
            return edited
        if isinstance(spec, ListSpec):
            return self._edit_list(spec, value)
        if isinstance(spec, NodeSpec):
            if spec.kind == "list_node":
                return NodeValue("list_node", self._edit_list(spec.values, list(value.values)))
            return self._node(spec, "small", 1.0)
        return value

    def _edit_string(self, text: str, alphabet: str, spec: StrSpec, keep_length: bool = False) -> str:
        if not alphabet:
            return text
        chars = list(text)
        for _ in range(self.rng.randint(1, 3)):
            op = "sub" if keep_length or not chars else self.rng.choice(("sub", "ins", "del"))
            if op == "ins" and len(chars) < spec.max_len:
                chars.insert(self.rng.randint(0, len(chars)), self.rng.choice(alphabet))
            elif op == "del" and len(chars) > spec.min_len:
                del chars[self.rng.randrange(len(chars))]
            elif chars:
                chars[self.rng.randrange(len(chars))] = self.rng.choice(alphabet)
        return "".join(chars)

    def _edit_list(self, spec: ListSpec, items: list) -> list:
        rng, items = self.rng, list(items)
        if spec.item is None:
            return items
        if spec.permutation_base is not None:
            if len(items) >= 2:
                i, j = rng.sample(range(len(items)), 2)
                items[i], items[j] = items[j], items[i]
            return self._ordered(spec, items)
        ops = ["replace", "insert", "delete"] + ([] if spec.order else ["swap", "reverse"])
        if not spec.distinct:
            ops.append("duplicate")
        if spec.rectangular:
            ops = ["inner"]
        op = rng.choice(ops)
        if op == "inner" and items:
            i = rng.randrange(len(items))
            inner = items[i]
            if isinstance(spec.item, ListSpec) and inner and spec.item.item is not None:
                j = rng.randrange(len(inner))
                inner[j] = self._draw(spec.item.item, "small", 1.0)
                items[i] = self._ordered(spec.item, inner)
            elif isinstance(spec.item, StrSpec):
                items[i] = self._edit_string(inner, spec.item.alphabet, spec.item, keep_length=True)
        elif op == "replace" and items:
            items[rng.randrange(len(items))] = self._draw(spec.item, "small", 1.0)
        elif op == "insert" and len(items) < spec.max_len:
            items.insert(rng.randint(0, len(items)), self._draw(spec.item, "small", 1.0))
        elif op == "delete" and len(items) > spec.min_len:
            del items[rng.randrange(len(items))]
        elif op == "swap" and len(items) >= 2:
            i, j = rng.sample(range(len(items)), 2)
            items[i], items[j] = items[j], items[i]
        elif op == "reverse":
            items.reverse()
        elif op == "duplicate" and items and len(items) < spec.max_len:
            items.insert(rng.randint(0, len(items)), copy.deepcopy(rng.choice(items)))
        if spec.distinct and len({repr(x) for x in items}) != len(items):
            raise _Infeasible(spec.param)
        if any(len({repr(row[c]) for row in items}) != len(items) for c in spec.distinct_columns):
            raise _Infeasible(spec.param)
        return self._ordered(spec, items)
