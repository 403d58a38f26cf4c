"""What each parameter looks like: type, sizes, value ranges and invariants.

A spec is inferred from the values the original examples pass (:func:`infer_specs`) and
narrowed or widened by the statement's constraints (:mod:`.constraints`). Invariants that
hold in every example -- a sorted list, distinct values, a permutation, a rectangular or
square grid, fixed-size pairs, a binary search tree, and relations between parameters
(``n == len(nums)``, ``edges[i][j] < n``, equal lengths) -- are kept, because an input that
breaks a precondition of the problem makes a test no correct solution needs to pass.
Without a readable bound, values and lengths stay close to the examples'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Union

from grpo4code.data.augment.constraints import Constraints, Ref, Relation
from grpo4code.data.augment.inputs import Example, NodeValue


@dataclass
class IntSpec:
    param: str
    depth: int
    lo: int
    hi: int
    seen: tuple = ()
    choices: tuple = ()  # the statement's allowed values ("is either 0 or 1")


@dataclass
class FloatSpec:
    param: str
    depth: int
    lo: float
    hi: float
    decimals: int = 2
    seen: tuple = ()


@dataclass
class BoolSpec:
    param: str
    depth: int


@dataclass
class StrSpec:
    param: str
    depth: int
    min_len: int
    max_len: int
    alphabet: str                 # characters seen in the examples
    statement_alphabet: str = ""  # what the statement allows, when it says and agrees
    seen: tuple = ()
    prefix: str = ""              # punctuation every example starts with ("/" of a path)
    suffix: str = ""              # ... or ends with


@dataclass
class ListSpec:
    param: str
    depth: int
    item: Any                     # a spec, or None when every example list is empty
    min_len: int
    max_len: int
    order: str = ""               # "", "asc", "strict_asc", "desc", "strict_desc"
    distinct: bool = False
    permutation_base: int | None = None
    rectangular: bool = False     # items are lists of one common length
    square: bool = False          # ... equal to the outer length
    seen_lengths: tuple = ()
    distinct_columns: tuple = ()  # rows of a table whose column c never repeats (ids)


@dataclass
class NodeSpec:
    """``list_node`` / ``tree_node`` of the values ``values`` generates (no ``None`` holes)."""

    param: str
    kind: str
    values: ListSpec
    bst: bool = False
    complete: bool = False        # every example tree is complete (no holes in level order)


@dataclass
class FixedSpec:
    """Values this module cannot vary: one of the examples' values is reused as it is."""

    param: str
    seen: tuple = ()


Spec = Union[IntSpec, FloatSpec, BoolSpec, StrSpec, ListSpec, NodeSpec, FixedSpec]


@dataclass
class ProblemSpec:
    """Specs of every parameter, the relations to keep, and the examples' output shape."""

    params: dict                      # name -> Spec, in call order
    relations: list = field(default_factory=list)
    output_kind: str = "value"
    output_signature: Any = None      # see :func:`signature`
    memberships: list = field(default_factory=list)  # (scalar, list): the scalar is one of the list's items


# --- helpers --------------------------------------------------------------------------------

def value_kind(value: Any) -> str:
    if isinstance(value, NodeValue):
        return value.kind
    if type(value) is bool:
        return "bool"
    if type(value) is int:
        return "int"
    if type(value) is float:
        return "float"
    if type(value) is str:
        return "str"
    if type(value) is list:
        return "list"
    return "other"


def tree_from_level_order(values: list) -> list | None:
    """``[val, left, right]`` nested lists built the way the preamble's ``tree_node`` does."""
    if not values or values[0] is None:
        return None
    root = [values[0], None, None]
    queue, i = [root], 1
    while queue and i < len(values):
        node = queue.pop(0)
        for side in (1, 2):
            if i < len(values) and values[i] is not None:
                node[side] = [values[i], None, None]
                queue.append(node[side])
            i += 1
    return root


def in_order(tree: list | None) -> list:
    out, stack, node = [], [], tree
    while stack or node is not None:
        while node is not None:
            stack.append(node)
            node = node[1]
        node = stack.pop()
        out.append(node[0])
        node = node[2]
    return out


def _is_ordered(values: list, strict: bool, descending: bool) -> bool:
    try:
        pairs = list(zip(values, values[1:]))
        if descending:
            return all(a > b if strict else a >= b for a, b in pairs)
        return all(a < b if strict else a <= b for a, b in pairs)
    except TypeError:
        return False


def _hashable(value: Any):
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return value


def _all_distinct(values: list) -> bool:
    keys = [_hashable(v) for v in values]
    return len(set(keys)) == len(keys)


def _merge_bound(statement: tuple, seen_lo, seen_hi):
    """Statement bounds, widened to what the examples show (a misread bound never excludes them)."""
    lo, hi = statement
    lo = seen_lo if lo is None else min(lo, seen_lo)
    hi = seen_hi if hi is None else max(hi, seen_hi)
    return lo, hi


# --- inference ------------------------------------------------------------------------------

def infer_spec(values: list, param: str, depth: int, constraints: Constraints, max_unbounded_length: int) -> Spec:
    """The spec of ``values`` (every value seen at this position in the examples)."""
    kinds = {value_kind(v) for v in values}
    if kinds == {"int"}:
        seen_lo, seen_hi = min(values), max(values)
        bound = constraints.bound(Ref(param, depth, "value"))
        if bound == (None, None):
            span = seen_hi - seen_lo
            # no bound read: widen only ranges that already look like free integers
            lo = seen_lo if seen_lo >= 0 or span < 10 else seen_lo - span
            hi = seen_hi if span < 10 else seen_hi + span
            lo = min(lo, 0) if seen_lo >= 0 and lo > 0 and span >= 10 else lo
        else:
            lo, hi = _merge_bound(bound, seen_lo, seen_hi)
            if lo is None or hi is None:  # one side only: the other from the examples
                span = max(10, seen_hi - seen_lo)
                lo = lo if lo is not None else min(seen_lo, hi - span)
                hi = hi if hi is not None else max(seen_hi, lo + span)
        choices = tuple(constraints.choices.get(Ref(param, depth, "value"), ()))
        if choices and not set(values) <= set(choices):
            choices = ()
        return IntSpec(param, depth, int(lo), int(hi), tuple(sorted(set(values))), choices)
    if kinds <= {"int", "float"} and "float" in kinds:
        seen_lo, seen_hi = min(values), max(values)
        lo, hi = _merge_bound(constraints.bound(Ref(param, depth, "value")), seen_lo, seen_hi)
        decimals = max((len(repr(float(v)).split(".")[-1]) for v in values if math.isfinite(v)), default=2)
        return FloatSpec(param, depth, float(lo), float(hi), min(decimals, 5), tuple(values))
    if kinds == {"bool"}:
        return BoolSpec(param, depth)
    if kinds == {"str"}:
        lengths = [len(v) for v in values]
        lo, hi = _length_bounds(constraints.bound(Ref(param, depth, "len")), lengths, max_unbounded_length, depth)
        alphabet = "".join(sorted({c for v in values for c in v}))
        allowed = constraints.alphabets.get(param, "")
        if allowed and not set(alphabet) <= set(allowed):
            allowed = ""
        spec = StrSpec(param, depth, lo, hi, alphabet, allowed, tuple(values))
        non_empty = [v for v in values if v]
        if depth == 0 and len(non_empty) >= 2 and len(non_empty) == len(values):
            # a shared first / last character that is punctuation ("/home", "(()") is format
            first, last = {v[0] for v in values}, {v[-1] for v in values}
            spec.prefix = first.pop() if len(first) == 1 and not next(iter(first)).isalnum() else ""
            spec.suffix = last.pop() if len(last) == 1 and not next(iter(last)).isalnum() else ""
            spec.min_len = max(spec.min_len, len(spec.prefix) + len(spec.suffix))
        return spec
    if kinds == {"list"}:
        return _infer_list(values, param, depth, constraints, max_unbounded_length)
    if len(kinds) == 1 and next(iter(kinds)) in ("list_node", "tree_node"):
        return _infer_node(values, param, constraints, max_unbounded_length)
    return FixedSpec(param, tuple(values))


def _length_bounds(statement: tuple, lengths: list, max_unbounded_length: int, depth: int = 0) -> tuple[int, int]:
    seen_lo, seen_hi = min(lengths), max(lengths)
    lo, hi = statement
    if lo is None and hi is None and depth > 0 and len(lengths) >= 2 and seen_lo == seen_hi:
        return seen_lo, seen_hi  # items of one size (grid cells, pairs) stay that size
    lo = seen_lo if lo is None else min(int(lo), seen_lo)
    if hi is None:
        hi = min(max(2 * seen_hi, seen_hi + 5), max(seen_hi, max_unbounded_length))
    return max(0, lo), max(int(hi), seen_hi)


def _infer_list(values: list, param: str, depth: int, constraints: Constraints, max_unbounded_length: int) -> Spec:
    items = [x for v in values for x in v]
    item = infer_spec(items, param, depth + 1, constraints, max_unbounded_length) if items else None
    if isinstance(item, FixedSpec):
        return FixedSpec(param, tuple(values))
    lengths = [len(v) for v in values]
    lo, hi = _length_bounds(constraints.bound(Ref(param, depth, "len")), lengths, max_unbounded_length, depth)
    spec = ListSpec(param, depth, item, lo, hi, seen_lengths=tuple(lengths))
    longer = [v for v in values if len(v) >= 2]
    if longer:
        for order, strict, descending in (("strict_asc", True, False), ("asc", False, False),
                                          ("strict_desc", True, True), ("desc", False, True)):
            if all(_is_ordered(v, strict, descending) for v in longer):
                spec.order = order
                break
    spec.distinct = all(_all_distinct(v) for v in values)
    if isinstance(item, IntSpec) and longer:
        for base in (0, 1):
            if all(sorted(v) == list(range(base, base + len(v))) for v in values):
                spec.permutation_base = base
    if isinstance(item, (ListSpec, StrSpec)) and any(len(v) >= 2 for v in values):
        spec.rectangular = all(len({len(x) for x in v}) <= 1 for v in values)
        spec.square = spec.rectangular and all(not v or len(v) == len(v[0]) for v in values)
    if (isinstance(item, ListSpec) and isinstance(item.item, IntSpec) and item.min_len == item.max_len
            and not item.order and not spec.square and any(len(v) >= 3 for v in values)):
        spec.distinct_columns = tuple(c for c in range(item.min_len)
                                      if all(len({row[c] for row in v}) == len(v) for v in values))
    return spec


def _infer_node(values: list, param: str, constraints: Constraints, max_unbounded_length: int) -> Spec:
    kind = values[0].kind
    if any(n.values and n.values[0] is None for n in values):
        return FixedSpec(param, tuple(values))
    plain = [[v for v in n.values if v is not None] for n in values]
    inner = _infer_list(plain, param, 0, constraints, max_unbounded_length)
    if isinstance(inner, FixedSpec) or not isinstance(inner.item, (IntSpec, type(None))):
        return FixedSpec(param, tuple(values))
    inner.rectangular = inner.square = False
    if kind == "tree_node":
        inner.order = ""  # level order is not a meaningful order; BST-ness is checked instead
        inner.permutation_base = None
    bst = kind == "tree_node" and any(len(p) >= 2 for p in plain) and all(
        _is_ordered(in_order(tree_from_level_order(n.values)), True, False) for n in values)
    complete = kind == "tree_node" and any(len(p) >= 3 for p in plain) and all(
        None not in n.values for n in values)
    return NodeSpec(param, kind, inner, bst, complete and not bst)


# --- outputs --------------------------------------------------------------------------------

def signature(value: Any):
    """A type shape: ``"int"``, ``("list", item_signature)``; ``None`` where unknown (empty list)."""
    kind = value_kind(value)
    if kind == "list":
        item = None
        for v in value:
            item = merge_signatures(item, signature(v))
        return ("list", item)
    return kind


def merge_signatures(a, b):
    """The common shape of ``a`` and ``b``; ``"any"`` where they differ."""
    if a is None:
        return b
    if b is None:
        return a
    if a == b:
        return a
    if {a, b} == {"int", "float"}:
        return "float"
    if isinstance(a, tuple) and isinstance(b, tuple):
        return ("list", merge_signatures(a[1], b[1]))
    return "any"


def fits_signature(expected, value) -> bool:
    """Does ``value`` have the examples' output shape? (an int where floats are expected is fine)."""
    actual = signature(value)
    return _fits(expected, actual)


def _fits(expected, actual) -> bool:
    if expected is None or expected == "any" or actual is None:
        return True
    if expected == "float" and actual in ("int", "float"):
        return True
    if isinstance(expected, tuple) and isinstance(actual, tuple):
        return _fits(expected[1], actual[1])
    return expected == actual


# --- the whole problem ----------------------------------------------------------------------

def infer_specs(examples: list[Example], constraints: Constraints, max_unbounded_length: int = 20) -> ProblemSpec:
    """Specs of every parameter of ``examples`` (all must pass the same parameters)."""
    names = list(examples[0].kwargs)
    for example in examples[1:]:
        if sorted(example.kwargs) != sorted(names):
            raise ValueError(f"the examples pass different parameters ({sorted(names)} vs {sorted(example.kwargs)})")
    params = {name: infer_spec([e.kwargs[name] for e in examples], name, 0, constraints, max_unbounded_length)
              for name in names}
    signature_ = None
    for example in examples:
        signature_ = merge_signatures(signature_, signature(example.expected))
    kinds = {e.output_kind for e in examples}
    if len(kinds) != 1:
        raise ValueError("the examples compare outputs in different ways")
    relations = [r for r in constraints.relations if r.left.param in params and r.right.param in params]
    for relation in relations:
        _widen_for_relation(params, relation)
    relations += example_relations(examples, params, relations)
    return ProblemSpec(params, relations, kinds.pop(), signature_, example_memberships(examples, params))


def _upper(spec, ref: Ref):
    """The largest value ``ref`` can take under ``spec`` (a length's bound, an int's ``hi``)."""
    if ref.depth == 0 and ref.attr == "len":
        if isinstance(spec, NodeSpec):
            return spec.values.max_len
        return getattr(spec, "max_len", None)
    if ref.depth == 0 and isinstance(spec, IntSpec):
        return spec.hi
    return None


def _widen_for_relation(params: dict, relation: Relation) -> None:
    """``1 <= k <= nums.length``: ``k``'s only upper bound is the relation, so let ``k`` range
    up to what ``nums.length`` can be (the relation then keeps each input consistent)."""
    left = params[relation.left.param]
    if (relation.op in ("<=", "<", "==") and relation.left.depth == 0 and relation.left.attr == "value"
            and isinstance(left, IntSpec) and not left.choices):
        upper = _upper(params[relation.right.param], relation.right)
        if upper is not None:
            left.hi = max(left.hi, upper + relation.offset)


def example_memberships(examples: list[Example], params: dict) -> list[tuple[str, str]]:
    """``(word, words)`` pairs: in every example the scalar is an item of the flat list
    ("word1 and word2 are in wordsDict", "start is a node of the graph")."""
    pairs = []
    for a, spec_a in params.items():
        if not isinstance(spec_a, (IntSpec, StrSpec)) or spec_a.depth != 0:
            continue
        for b, spec_b in params.items():
            if (a != b and isinstance(spec_b, ListSpec) and type(spec_b.item) is type(spec_a)
                    and all(e.kwargs[a] in e.kwargs[b] for e in examples)):
                pairs.append((a, b))
                break
    return pairs


def _scalar_ints(spec: Spec) -> bool:
    return isinstance(spec, IntSpec) and spec.depth == 0 and not spec.choices


def _sized(spec: Spec) -> bool:
    return isinstance(spec, (ListSpec, StrSpec, NodeSpec))


def _int_depths(spec: Spec, depth: int = 0) -> list[int]:
    """Depths at which ``spec`` holds ints (``edges``: [2])."""
    if isinstance(spec, NodeSpec):
        return [1] if isinstance(spec.values.item, IntSpec) else []
    if isinstance(spec, ListSpec) and spec.item is not None:
        if isinstance(spec.item, IntSpec):
            return [depth + 1]
        return _int_depths(spec.item, depth + 1)
    return []


def example_relations(examples: list[Example], params: dict, known: list[Relation]) -> list[Relation]:
    """Relations every example satisfies and the statement did not already state.

    Kept: ``n == len(nums)``, ``k <= len(nums)``, ``len(a) == len(b)`` and list values below
    a scalar (``edges[i][j] < n``). A relation that holds by chance only narrows the inputs.
    """
    from grpo4code.data.augment.mutate import measure  # one measuring rule for both modules

    linked = {frozenset((r.left.param, r.right.param)) for r in known}
    stated = {r.left.param for r in known} | {r.right.param for r in known}
    found = []
    names = list(params)

    def holds(relation: Relation) -> bool:
        largest = 0
        for example in examples:
            left, right = measure(relation.left, example.kwargs), measure(relation.right, example.kwargs)
            if left is None or right is None or isinstance(right, list):
                return False
            lefts = left if isinstance(left, list) else [left]
            if not all(relation.holds(x, right) for x in lefts):
                return False
            largest = max([largest, right] + lefts)
        # 1 == len([5]) and 2 == len([3, 1]) is no evidence: small numbers meet by chance
        return relation.op != "==" or largest >= 3

    for a in names:
        for b in names:
            if a == b or frozenset((a, b)) in linked or a in stated:
                continue
            spec_a, spec_b = params[a], params[b]
            candidates = []
            if _scalar_ints(spec_a) and _sized(spec_b):
                length = Ref(b, 0, "len")
                candidates = [Relation(Ref(a, 0, "value"), "==", length),
                              Relation(Ref(a, 0, "value"), "<=", length)]
            elif _sized(spec_a) and type(spec_a) is type(spec_b) and a < b and all(
                    len(_plain(e.kwargs[a])) >= 2 for e in examples):
                candidates = [Relation(Ref(a, 0, "len"), "==", Ref(b, 0, "len"))]
            elif _scalar_ints(spec_b) and _int_depths(spec_a):
                depth = _int_depths(spec_a)[0]
                candidates = [Relation(Ref(a, depth, "value"), "<", Ref(b, 0, "value")),
                              Relation(Ref(a, depth, "value"), "<=", Ref(b, 0, "value"))]
            for relation in candidates:
                if holds(relation):
                    found.append(relation)
                    linked.add(frozenset((a, b)))
                    break
    return found


def _plain(value: Any):
    return value.values if isinstance(value, NodeValue) else value
