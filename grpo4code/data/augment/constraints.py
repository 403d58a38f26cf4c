"""Reading a LeetCode statement's ``Constraints:`` section into bounds, relations and alphabets.

Lines such as ::

    1 <= nums.length <= 10^4          -> length of nums in [1, 10000]
    -10^9 <= nums[i] <= 10^9          -> values of nums (depth 1) in [-1e9, 1e9]
    m == grid.length; 1 <= m, n <= 50 -> m is an alias of grid's length
    0 <= k < nums.length              -> relation: k < len(nums)
    s consists of lowercase English letters.   -> alphabet of s
    The number of nodes in the tree is in the range [0, 10^4].

LeetCodeDataset v0.2 lost the statements' superscripts, so ``10^4`` reads ``104`` and
``2^31`` reads ``231``; :func:`parse_number` restores them (``10k`` with k in 3..18 is
10**k, ``231``/``232``/``263``/``264`` are powers of two). What does not parse is ignored:
the generator then stays close to the examples.
"""

from __future__ import annotations

import ast
import operator
import re
import string
from dataclasses import dataclass, field

_LOST_POWER_OF_TEN = re.compile(r"^10(1[0-8]|[3-9])$")
_LOST_POWER_OF_TWO = {"231": 2**31, "232": 2**32, "263": 2**63, "264": 2**64}
_COMPARISON = re.compile(r"(<=|>=|==|!=|≤|≥|<|>|=)")
_REF = re.compile(r"^([A-Za-z_]\w*)((?:\s*\[[^\]]*\])*)\s*(\.length|\.size\(\)|\.val)?$")
_OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt,
        "==": operator.eq, "=": operator.eq, "!=": operator.ne, "≤": operator.le, "≥": operator.ge}
_FLIP = {"<=": ">=", "<": ">", ">=": "<=", ">": "<", "==": "==", "!=": "!="}
NODE_VALUE = "Node"  # the statements' name for every node's value (``Node.val``)


@dataclass(frozen=True)
class Ref:
    """What a constraint talks about: a parameter's ``value`` or ``len`` at a nesting ``depth``.

    ``nums.length`` is ``Ref("nums", 0, "len")``, ``nums[i]`` is ``Ref("nums", 1, "value")``,
    ``grid[i].length`` is ``Ref("grid", 1, "len")``, a scalar ``k`` is ``Ref("k", 0, "value")``;
    a node parameter's values (``Node.val``) are at depth 1.
    """

    param: str
    depth: int
    attr: str


@dataclass(frozen=True)
class Relation:
    """``left op right + offset`` between two parameters (``k < nums.length``)."""

    left: Ref
    op: str
    right: Ref
    offset: int = 0

    def holds(self, left: float, right: float) -> bool:
        return _OPS[self.op](left, right + self.offset)


@dataclass
class Constraints:
    """Everything read from one statement; empty when it has no readable constraints."""

    bounds: dict = field(default_factory=dict)      # Ref -> [lo, hi] (either may be None)
    choices: dict = field(default_factory=dict)     # Ref -> sorted allowed ints ("is either 0 or 1")
    relations: list = field(default_factory=list)   # Relation
    alphabets: dict = field(default_factory=dict)   # param -> allowed characters

    def bound(self, ref: Ref) -> tuple:
        lo, hi = self.bounds.get(ref, (None, None))
        return lo, hi

    def tighten(self, ref: Ref, lo=None, hi=None) -> None:
        old_lo, old_hi = self.bounds.get(ref, (None, None))
        if lo is not None:
            old_lo = lo if old_lo is None else max(old_lo, lo)
        if hi is not None:
            old_hi = hi if old_hi is None else min(old_hi, hi)
        self.bounds[ref] = (old_lo, old_hi)


# --- numbers --------------------------------------------------------------------------------

def _restore_token(match: re.Match) -> str:
    token = match.group(0)
    power = _LOST_POWER_OF_TEN.match(token)
    if power:
        return f"(10**{power.group(1)})"
    if token in _LOST_POWER_OF_TWO:
        return f"({_LOST_POWER_OF_TWO[token]})"
    return token


def parse_number(text: str):
    """``"2 * 104"`` -> 20000, ``"231 - 1"`` -> 2**31 - 1, ``"10^9 + 7"``; ``None`` if not a number."""
    text = text.strip().replace("^", "**").replace("−", "-").replace("×", "*")
    if not text or not re.fullmatch(r"[\d\s+\-*/().]+", text):
        return None
    text = re.sub(r"(?<![\d.])\d+(?![\d.])", _restore_token, text) if "**" not in text else text
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return None
    try:
        value = _evaluate(tree.body)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value


def _evaluate(node: ast.expr):
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _evaluate(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow):
            if abs(right) > 64:
                raise ValueError("exponent too large")
            return left ** right
        ops = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
               ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv}
        if type(node.op) in ops:
            return ops[type(node.op)](left, right)
    raise ValueError("not arithmetic")


# --- statement lines ------------------------------------------------------------------------

def constraint_lines(description: str) -> list[str]:
    """The lines of the ``Constraints:`` section (up to a ``Follow up`` / ``Note``)."""
    text = description.replace("\xa0", " ")
    start = text.find("Constraints:")
    if start < 0:
        return []
    section = text[start + len("Constraints:"):]
    end = re.search(r"\n\s*(Follow[- ]?up|Note)\b", section)
    if end:
        section = section[:end.start()]
    lines = []
    for line in section.split("\n"):
        line = re.sub(r"^[•*-]\s+", "", line.strip()).rstrip(".").strip()  # bullets, not minus signs
        if line:
            lines.append(line)
    return lines


@dataclass(frozen=True)
class _Term:
    refs: tuple = ()          # ((name, depth, attr), ...) -- names unresolved
    number: object = None
    offset: int = 0


def _parse_ref(text: str):
    match = _REF.match(text.strip())
    if not match:
        return None
    name, indices, attr = match.groups()
    depth = indices.count("[")
    if attr == ".val":
        return (name, depth + 1, "value")
    return (name, depth, "len" if attr in (".length", ".size()") else "value")


def _parse_term(text: str) -> _Term | None:
    text = text.strip().strip(",").strip()
    number = parse_number(text)
    if number is not None:
        return _Term(number=number)
    offset = 0
    match = re.match(r"^(.*?)\s*([-+])\s*(\d+)$", text)
    if match and _parse_ref(match.group(1)) is not None:
        text, offset = match.group(1), int(match.group(3)) * (1 if match.group(2) == "+" else -1)
    refs = []
    for part in re.split(r",|\band\b", text):
        part = part.strip()
        if not part:
            continue
        ref = _parse_ref(part)
        if ref is None:
            return None
        refs.append(ref)
    return _Term(refs=tuple(refs), offset=offset) if refs else None


_CHAR_CLASSES = (
    (r"lower[- ]?case (english )?(letters|characters)|english lower[- ]?case letters", string.ascii_lowercase),
    (r"upper[- ]?case (english )?(letters|characters)|english upper[- ]?case letters", string.ascii_uppercase),
    (r"\bdigits\b", string.digits),
)
_UNTRUSTED_WORDS = ("symbol", "special", "printable", "punctuation", "ascii", "characters (", "non-")


def _alphabet(line: str) -> tuple[list[str], str] | None:
    """``(["s", "words[i]"], chars)`` for "s and words[i] consist of lowercase English letters"."""
    match = re.match(r"^(.+?)\s+(?:consists?|contains?|only contains?|is either|are either)\b(.*)$", line)
    if not match:
        return None
    subject, rest = match.group(1), match.group(2).lower()
    if any(word in rest for word in _UNTRUSTED_WORDS):
        return None
    chars = set(re.findall(r"'(.)'", match.group(2)))
    listed_digits = re.search(r"\bdigits?\s+(\d)((?:\s*(?:,|and|or)\s*\d\b)+)", rest)
    if listed_digits:  # "the digits 0 and 1": only those
        chars.update(re.findall(r"\d", listed_digits.group(0)))
        rest = rest.replace(listed_digits.group(0), " ")
    for pattern, letters in _CHAR_CLASSES:
        if re.search(pattern, rest):
            chars.update(letters)
    if re.search(r"english letters", rest) and not re.search(r"(lower|upper)[- ]?case", rest):
        chars.update(string.ascii_letters)
    if "space" in rest:
        chars.add(" ")
    if not chars:
        return None
    names = [n.strip() for n in re.split(r",|\band\b", subject) if n.strip()]
    return names, "".join(sorted(chars))


def _int_choices(line: str):
    """``grid[i][j] is either 0 or 1`` -> (ref text, [0, 1])."""
    match = re.match(r"^(.+?)\s+is either\s+(.+)$", line)
    if not match or "'" in match.group(2):
        return None
    values = re.findall(r"-?\d+", match.group(2))
    words = re.sub(r"-?\d+|,|\bor\b", " ", match.group(2)).split()
    if not values or words:
        return None
    return match.group(1), sorted({int(v) for v in values})


def parse_constraints(description: str, parameters: list[str], node_params: dict | None = None) -> Constraints:
    """Read the statement's constraints for ``parameters``.

    ``node_params`` maps node-valued parameter names to ``list_node`` / ``tree_node``; their
    node counts come from "The number of nodes in the list/tree is in the range [a, b]" and
    their values from ``Node.val`` lines.
    """
    node_params = node_params or {}
    params = set(parameters)
    by_lower = {}
    for name in parameters:
        by_lower.setdefault(name.lower(), []).append(name)
    result = Constraints()
    lines = constraint_lines(description)
    aliases: dict[str, Ref] = {}

    def resolve(ref) -> list[Ref]:
        name, depth, attr = ref
        if name == NODE_VALUE and attr == "value":
            return [Ref(p, 1, "value") for p in node_params]
        if name in params:
            return [Ref(name, depth, attr)]
        if name in aliases and depth == 0 and attr == "value":
            return [aliases[name]]
        if len(by_lower.get(name.lower(), [])) == 1:  # the statement's "n" for a parameter "N"
            return [Ref(by_lower[name.lower()][0], depth, attr)]
        return []

    chains = []
    for line in lines:
        pieces = _COMPARISON.split(line)
        if len(pieces) < 3:
            continue
        terms = [_parse_term(p) for p in pieces[0::2]]
        ops = pieces[1::2]
        chains.append((terms, ops))
        # aliases first: "m == grid.length", "n == grid[i].length"
        if len(terms) == 2 and ops[0] in ("==", "=") and all(terms):
            for a, b in ((terms[0], terms[1]), (terms[1], terms[0])):
                if (len(a.refs) == 1 and a.refs[0][0] not in params and a.refs[0][1:] == (0, "value")
                        and len(b.refs) == 1 and b.refs[0][0] in params and not b.offset):
                    aliases.setdefault(a.refs[0][0], Ref(*b.refs[0]))

    for terms, ops in chains:
        for left, op, right in zip(terms, ops, terms[1:]):
            if left is None or right is None:
                continue
            if left.number is not None and right.refs:
                _bound(result, [r for ref in right.refs for r in resolve(ref)], _FLIP[op], left.number)
            elif left.refs and right.number is not None:
                _bound(result, [r for ref in left.refs for r in resolve(ref)], op, right.number)
            elif left.refs and right.refs and op != "!=":
                for a in (r for ref in left.refs for r in resolve(ref)):
                    for b in (r for ref in right.refs for r in resolve(ref)):
                        if a.param != b.param and not left.offset:
                            result.relations.append(Relation(a, "==" if op == "=" else op, b, right.offset))

    for line in lines:
        nodes = re.search(r"number of nodes in (?:the|each|both)?\s*(?:linked )?(tree|list|lists|trees)?.*?"
                          r"in the range \[\s*([^,\]]+)\s*,\s*([^\]]+)\]", line, re.I)
        if nodes:
            lo, hi = parse_number(nodes.group(2)), parse_number(nodes.group(3))
            wanted = {"tree": "tree_node", "trees": "tree_node", "list": "list_node", "lists": "list_node"}
            kind = wanted.get((nodes.group(1) or "").lower())
            for name, node_kind in node_params.items():
                if kind in (None, node_kind):
                    result.tighten(Ref(name, 0, "len"), lo, hi)
            continue
        alphabet = _alphabet(line)
        if alphabet:
            for name in alphabet[0]:
                ref = _parse_ref(name)
                if ref and ref[0] in params:
                    result.alphabets[ref[0]] = alphabet[1]
        choice = _int_choices(line)
        if choice:
            ref = _parse_ref(choice[0])
            for resolved in resolve(ref) if ref else []:
                result.choices[resolved] = choice[1]
    return result


def _bound(result: Constraints, refs: list[Ref], op: str, number) -> None:
    """Apply ``ref op number`` to each ref (integers: ``<`` becomes ``<= number - 1``)."""
    is_int = isinstance(number, int)
    for ref in refs:
        if op in ("<=", "≤"):
            result.tighten(ref, hi=number)
        elif op == "<":
            result.tighten(ref, hi=number - 1 if is_int else number)
        elif op in (">=", "≥"):
            result.tighten(ref, lo=number)
        elif op == ">":
            result.tighten(ref, lo=number + 1 if is_int else number)
        elif op in ("==", "="):
            result.tighten(ref, number, number)


_BITS_SENTENCE = re.compile(r"[^.\n]*\b(?:answer|result)\b[^.\n]*?\b(32|64)[- ]bits?\b[^.\n]*", re.I)
_AT_MOST_SENTENCE = re.compile(r"\banswer (?:is guaranteed to|will|would|must|can) (?:be )?(less than or equal to|"
                               r"at most|less than|smaller than)\s+([\d\s*^+\-]+)", re.I)
INT64_MAX = 2**63 - 1


def output_int_bound(description: str) -> int:
    """Largest absolute integer a correct answer may hold, from "the answer fits in a 32-bit
    integer" / "the answer will be less than or equal to 2 * 10^9"; 2**63 - 1 otherwise.

    An input whose answer breaks it violates the statement's promise (``m = 100, n = 77`` for
    unique paths), so that input is dropped.
    """
    text = description.replace("\xa0", " ")
    match = _AT_MOST_SENTENCE.search(text)
    if match:
        number = parse_number(match.group(2))
        if isinstance(number, int) and number > 0:
            return number - 1 if match.group(1).lower() in ("less than", "smaller than") else number
    match = _BITS_SENTENCE.search(text)
    if match and re.search(r"\bfit|\brange\b|represented", match.group(0), re.I):
        return 2**31 - 1 if match.group(1) == "32" else INT64_MAX
    return INT64_MAX
