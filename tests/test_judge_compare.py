"""Pure pieces of the judge: output comparison, value comparison, sanitising returned values."""

import math

import pytest

from execeval_service.compare import any_output_matches, outputs_match, render_value, values_equal
from execeval_service.metrics import percentile
from execeval_service.values import InertObject, Sanitizer, encode


@pytest.mark.parametrize("expected, actual, same", [
    ("3\n", "3", True),
    ("1 2\n3", "1 2  \n3\n\n", True),
    ("1 2 3", "1\n2\n3", True),           # token fallback
    ("0.3", "0.30000000000000004", True),  # within 1e-12
    ("0.3", "0.3001", False),
    ("YES", "yes", True),
    ("Hello", "hello", False),  # only yes/no/true/false are caseless
    ("1 2", "1 2 3", False),
    ("", "", True),
    ("nan", "nan", True),
    ("1", "nan", False),
])
def test_outputs_match_execeval_style(expected, actual, same):
    assert outputs_match(expected, actual) is same


def test_any_of_several_outputs():
    assert any_output_matches(["4", "5"], "5\n") and not any_output_matches(["4"], "5")


@pytest.mark.parametrize("expected, actual, atol, same", [
    ([1, 2], [1, 2], 0, True),
    ([1, 2], {"$tuple": [1, 2]}, 0, True),
    ([1, 2], {"$set": [2, 1]}, 0, True),
    ([1, 1], {"$set": [1]}, 0, False),
    ({"a": 1}, {"$dict": [["a", 1]]}, 0, True),
    ({"1": 1}, {"$dict": [[1, 1]]}, 0, True),
    (True, 1, 0, False),
    (1, True, 0, False),
    (1, 1.0, 0, True),
    (0.3, 0.30000000000000004, 0, False),
    (0.3, 0.30000000000000004, 1e-9, True),
    ("a", {"$object": "Anything", "attrs": {}}, 0, False),
    (None, None, 0, True),
    (1.5, {"$float": "nan"}, 0, False),
])
def test_values_equal(expected, actual, atol, same):
    assert values_equal(expected, actual, atol) is same


class Liar(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class Anything:
    def __eq__(self, other):
        return True


class Node:
    def __init__(self, val, nxt=None):
        self.val, self.next = val, nxt


def test_sanitizer_strips_lying_types():
    sanitize = Sanitizer({}).sanitize
    assert type(sanitize(Liar(3))) is int and sanitize(Liar(3)) == 3 and sanitize(Liar(3)) != 4
    assert isinstance(sanitize(Anything()), InertObject) and sanitize(Anything()) != 1
    nested = sanitize({"k": [Liar(1), (Liar(2),)]})
    assert nested == {"k": [1, (2,)]} and type(nested["k"][0]) is int


def test_sanitizer_rebuilds_trusted_classes_and_cycles():
    class TrustedNode:
        pass

    head = Node(1, Node(2))
    head.next.next = head  # a cycle
    copy = Sanitizer({"Node": TrustedNode}).sanitize(head)
    assert type(copy) is TrustedNode and copy.val == 1 and copy.next.next is copy


def test_encode_tags_and_render():
    value = encode({"a": (1, 2.5, float("inf")), 3: {4}})
    assert value == {"$dict": [["a", {"$tuple": [1, 2.5, {"$float": "inf"}]}], [3, {"$set": [4]}]]}
    assert "inf" in render_value(value)
    assert encode(10 ** 5000) == {"$opaque": "int too large"}
    assert math.isnan(float(encode(float("nan"))["$float"]))


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([3, 1, 2], 50) == 2 and percentile(list(range(100)), 99) == 98
