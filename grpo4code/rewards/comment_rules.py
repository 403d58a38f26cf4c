"""Static comment-quality rules: pure functions on source code, each testable alone.

The static comment score (:func:`static_comment_score`) of a program is::

    score = quality * (docstring_weight * docstrings + density_weight * density)
                    / (docstring_weight + density_weight)

with three sub-scores in [0, 1] (:func:`comment_report` returns them all, for logs):

* ``docstrings`` (:func:`docstring_score`) -- each definition of the solution (functions,
  methods, nested helper functions, classes) earns ``presence_credit`` for a docstring of
  at least ``min_docstring_words`` words besides its parameter names and section words like
  ``Args``/``Returns`` (a ``TODO``-style one, or one holding only ``nums target Returns``,
  counts as missing), and the rest for agreeing with its signature: every parameter named
  (``self``/``cls``/``_`` ignored; a parameter named ``a`` only counts in a structured form,
  since "a" is an English word), the return (or yield) described when the function returns
  a value, and no parameter listed in an ``Args:``/``Parameters``/``:param x:`` section
  that the signature lacks. Google, numpy, reST and prose docstrings all work: a name
  counts wherever it appears as a word. A class needs only its docstring. Weights: the
  entry point's definition holds ``entry_docstring_share`` and the other definitions share
  the rest equally (all of it goes to the entry when it is alone; definitions share equally
  when the entry is not found). Dunder methods are exempt (``__init__``'s parameters belong
  in the class docstring), and so is the class that holds the entry method (LeetCode's
  given ``class Solution``). A program with no definition is scored on its module docstring.
* ``density`` (:func:`density_score`) -- commentary lines per code line. Commentary lines
  are comment lines plus the non-blank lines of docstrings (and of bare string statements);
  code lines are physical lines holding code tokens (a line with code and an inline comment
  is both). Below ``density_low`` the score rises linearly with the *credited* density
  (only comments and docstrings that earn credit, so junk cannot fill the band); inside
  ``[density_low, density_high]`` it is 1; above ``density_high`` the *total* density
  (credited or not) makes it fall linearly to 0 at ``density_zero``, so padding never pays.
* ``quality`` -- ``1 - uncredited_penalty * bad / (good + bad)`` over commentary lines,
  where ``good`` is capped at ``density_high`` times the code lines (so padding past the
  band cannot dilute the bad lines). It is 1 for a program with no commentary.

A comment line earns no credit (:func:`comment_verdicts`) when it is

* ``placeholder`` -- empty, ``TODO``/``FIXME``/``XXX``/``TBD``/``HACK`` notes, ``...``,
  "your code here" and the like (an empty ``#`` line *between* two comment lines of one
  block is a paragraph break and is ignored);
* ``commented_out_code`` -- parses as Python holding a statement or expression of code
  (a call, an assignment, a ``return``, an ``if``/``for`` header, ...; bare words, ``x: y``
  notes and big-O notes like ``O(n log n)`` are prose);
* ``not_prose`` -- letters are under ``min_prose_letters`` of its non-space characters
  (rulers like ``# -----``, number tables, ASCII art);
* ``too_long`` -- a line over ``max_comment_chars`` characters, or the lines of a comment
  block past its first ``max_block_lines``;
* ``too_short`` -- a comment (an inline comment or a block of adjacent comment lines)
  under ``min_comment_words`` words, or whose words are all stop words;
* ``restating`` -- the comment repeats the code it annotates (:func:`restating_overlap`):
  the share of its content words that match the words of the code line (an inline
  comment's own line, or the first code line after a comment block) is at least
  ``restating_overlap``. Words are lower-cased, identifiers split at ``_`` and camelCase,
  suffixes ``-ing/-ed/-es/-s/-e`` stripped, stop words dropped; code operators and
  keywords stand for the words that describe them (``+=`` -> add/increment, ``for`` ->
  loop/iterate, ``len`` -> length, ...), and words of 3+ letters match by prefix
  (``num``/``numbers``). So ``i += 1  # increment i`` and ``# loop over nums`` above
  ``for n in nums:`` earn nothing.

Ignored (neither credited nor counted): tool directives (``# noqa``, ``# type: ...``,
``# pragma``, ``# pylint:``, ``# fmt:``, a coding line, a shebang), and commented-out lines
that copy a line of the code the problem gives (``given_code``, the problem's preamble:
LeetCode's starter shows ``# class ListNode: ...`` whose real definition is in the
preamble, and keeping the starter as given is not the model's doing). Code that does not
parse scores 0.
"""

from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
from dataclasses import asdict, dataclass, field
from typing import Optional, Sequence


@dataclass
class CommentRulesConfig:
    """Thresholds and weights of the static comment rules (see the module docstring)."""

    docstring_weight: float = field(default=0.5, metadata={
        "help": "Weight of the docstring sub-score in the static comment score."})
    density_weight: float = field(default=0.5, metadata={
        "help": "Weight of the comment-density sub-score in the static comment score."})
    entry_docstring_share: float = field(default=0.5, metadata={
        "help": "Share of the docstring sub-score held by the entry point's definition when the "
                "solution defines others (they share the rest equally)."})
    presence_credit: float = field(default=0.5, metadata={
        "help": "Credit of a definition for having a docstring at all; the rest is for the "
                "docstring agreeing with the signature (parameters named, return described)."})
    min_docstring_words: int = field(default=3, metadata={
        "help": "Words a docstring needs, besides parameter names and section words (Args, Returns), "
                "to count as present."})
    density_low: float = field(default=0.15, metadata={
        "help": "Commentary lines per code line where full density credit starts (below it the "
                "credit rises linearly from 0)."})
    density_high: float = field(default=1.5, metadata={
        "help": "Commentary lines per code line where full density credit ends (above it the "
                "credit falls)."})
    density_zero: float = field(default=4.0, metadata={
        "help": "Commentary lines per code line at which the density credit reaches 0."})
    uncredited_penalty: float = field(default=0.5, metadata={
        "help": "How much uncredited commentary (restating, placeholder, commented-out code, ...) "
                "lowers the score: quality = 1 - penalty * uncredited share of commentary lines."})
    restating_overlap: float = field(default=0.7, metadata={
        "help": "Share of a comment's content words found in the code line it annotates at which "
                "the comment counts as restating the code."})
    min_comment_words: int = field(default=2, metadata={
        "help": "Words a comment (an inline comment or a block of adjacent comment lines) needs."})
    max_comment_chars: int = field(default=160, metadata={
        "help": "Longest comment line (characters after '#') that can earn credit."})
    max_block_lines: int = field(default=12, metadata={
        "help": "Lines of one comment block that can earn credit; the lines past it earn none."})
    min_prose_letters: float = field(default=0.5, metadata={
        "help": "Share of a comment's non-space characters that must be letters for it to count "
                "as prose (rulers, tables and ASCII art earn nothing)."})

    def __post_init__(self) -> None:
        if min(self.docstring_weight, self.density_weight) < 0 or self.docstring_weight + self.density_weight <= 0:
            raise ValueError("CommentRulesConfig: docstring_weight and density_weight must be >= 0, "
                             "with a positive sum")
        for name in ("entry_docstring_share", "presence_credit", "uncredited_penalty", "min_prose_letters"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"CommentRulesConfig.{name} must lie in [0, 1]")
        if not 0.0 < self.restating_overlap <= 1.0:
            raise ValueError("CommentRulesConfig.restating_overlap must lie in (0, 1]")
        if not 0.0 < self.density_low <= self.density_high < self.density_zero:
            raise ValueError("CommentRulesConfig needs 0 < density_low <= density_high < density_zero "
                             f"(got {self.density_low}, {self.density_high}, {self.density_zero})")
        if min(self.min_docstring_words, self.min_comment_words, self.max_comment_chars, self.max_block_lines) < 1:
            raise ValueError("CommentRulesConfig: word, character and line limits must be >= 1")


# --- words ------------------------------------------------------------------------------------
STOP_WORDS = frozenset(
    "a an the of to in on at by for with from into onto over and or as is are be been it its this "
    "that these those then we our us let do does just so each every all here there now which will "
    "can should would".split())
PLACEHOLDER = re.compile(
    r"^(?:(?:todo|fixme|xxx|tbd|hack)\b.*|\.{2,}|…|etc\.?|pass|placeholder\b.*|"
    r"(?:write |insert |add |put )?(?:your )?(?:code|solution|implementation|logic) (?:goes )?here\b.*|"
    r"implement(?: me| this| here)?)$", re.I)
DIRECTIVE = re.compile(r"^(?:noqa\b|type:|pragma\b|pylint:|fmt:|mypy:|isort:|ruff:|-\*-|vim?:|.*coding[:=])", re.I)
BIG_O = re.compile(r"\bO\([^()]*\)")
_WORD = re.compile(r"[^\W\d_]+|\d+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")
_TEXT_WORD = re.compile(r"[^\W\d]\w*|\d+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

# Words a reader would use to say what an operator, keyword or builtin in the line does.
_CODE_SYNONYMS = {
    "+=": "add increment increase plus update", "-=": "subtract decrement decrease minus reduce",
    "*=": "multiply times", "/=": "divide", "//=": "divide", "%=": "modulo remainder",
    "==": "equal compare", "!=": "equal differ compare", "<=": "less compare", ">=": "greater compare",
    "<": "less smaller compare", ">": "greater larger bigger compare", "=": "set assign store initialize init save",
    "+": "add plus", "-": "subtract minus", "*": "multiply times", "%": "modulo remainder",
    "for": "loop iterate go through traverse", "while": "loop repeat until", "if": "check test whether",
    "elif": "check otherwise", "else": "otherwise", "return": "return", "break": "stop exit",
    "continue": "skip next", "def": "define function", "append": "add push insert", "extend": "add",
    "pop": "remove pop", "len": "length size", "sort": "sort order", "sorted": "sort order",
    "max": "maximum largest", "min": "minimum smallest", "sum": "sum total", "print": "print output",
    "reversed": "reverse", "abs": "absolute", "none": "nothing", "deque": "queue",
    "heappush": "heap push", "heappop": "heap pop", "counter": "count", "defaultdict": "dictionary default",
    "dict": "dictionary map", "[]": "empty list", "{}": "empty dictionary", "()": "empty tuple call",
    "[": "list index element item", "{": "dictionary set map", "0": "zero", "1": "one", "2": "two",
    "true": "true", "false": "false",
}
_OPERATORS = re.compile(r"//=|\+=|-=|\*=|/=|%=|==|!=|<=|>=|(?<![=!<>])=(?!=)|\[\]|\{\}|\(\)|[+\-*%<>\[{]")
_IRREGULAR = {"indices": "index", "indexes": "index", "matrices": "matrix", "vertices": "vertex",
              "children": "child", "entries": "entry", "queries": "query"}


def stem(word: str) -> str:
    """A light suffix stripper (``-ing/-ed/-es/-s``, then a final ``e``), enough to match
    ``loops``/``loop`` and ``iterating``/``iterate``."""
    word = word.lower()
    word = _IRREGULAR.get(word, word)
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[:-len(suffix)]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def split_identifier(name: str) -> list[str]:
    """``max_profit``/``maxProfit`` -> ``["max", "profit"]`` (lower-cased)."""
    return [part.lower() for piece in name.split("_") if piece for part in _CAMEL.findall(piece)]


def word_count(text: str, skip: frozenset = frozenset()) -> int:
    """Words in ``text`` that are not in ``skip`` (lower-case); a run of CJK characters
    counts one word per two characters."""
    return sum(max(1, len(w) // 2) if _CJK.match(w) else 1 for w in _WORD.findall(text) if w.lower() not in skip)


def comment_words(text: str) -> list[str]:
    """Content words of a comment: identifiers split, stems, stop words dropped."""
    words = []
    for token in _TEXT_WORD.findall(text):
        words += [w for w in split_identifier(token) or [token.lower()] if w not in STOP_WORDS]
    return [stem(w) for w in words]


def code_words(line: str) -> set[str]:
    """Words of a code line, with the words that describe its operators and keywords."""
    words: set[str] = set()
    for token in _IDENTIFIER.findall(line):
        parts = split_identifier(token)
        for key in [token.lower()] + parts:
            words.update(_CODE_SYNONYMS.get(key, "").split())
        words.update(parts)
    for operator in _OPERATORS.findall(line):
        words.update(_CODE_SYNONYMS.get(operator, "").split())
    return {stem(w) for w in words}


def _matches(word: str, vocabulary: set[str]) -> bool:
    if word in vocabulary:
        return True
    return any(min(len(word), len(v)) >= 3 and (word.startswith(v) or v.startswith(word)) for v in vocabulary)


def restating_overlap(comment: str, code_line: str) -> float:
    """Share of the comment's content words found in ``code_line`` (0 without content words)."""
    words = set(comment_words(comment))
    if not words:
        return 0.0
    vocabulary = code_words(code_line)
    return sum(_matches(w, vocabulary) for w in words) / len(words)


# --- single comment lines -----------------------------------------------------------------------
_CODE_NODES = (ast.Call, ast.Assign, ast.AugAssign, ast.Return, ast.Import, ast.ImportFrom, ast.FunctionDef,
               ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While, ast.If, ast.With, ast.Try, ast.Subscript,
               ast.Attribute, ast.Compare, ast.BinOp, ast.Lambda, ast.Yield, ast.Raise, ast.Delete, ast.Assert,
               ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp)


def is_placeholder(text: str) -> bool:
    """An empty comment, a TODO-style note or a "your code here" stub."""
    stripped = text.strip().rstrip(".!:").strip()
    return not stripped or bool(PLACEHOLDER.match(stripped))


def is_commented_out_code(text: str) -> bool:
    """``text`` (a comment without its ``#``) parses as Python that does something."""
    text = text.strip()
    if not text or BIG_O.search(text):
        return False
    for candidate in (text, text + " pass" if text.endswith(":") else None):
        if candidate is None:
            continue
        try:
            tree = ast.parse(candidate)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.AnnAssign):
                if node.value is not None:
                    return True
            elif isinstance(node, _CODE_NODES):
                return True
    return False


def is_prose(text: str, min_letters: float = 0.5) -> bool:
    """Letters make at least ``min_letters`` of the non-space characters."""
    chars = [c for c in text if not c.isspace()]
    return bool(chars) and sum(c.isalpha() for c in chars) / len(chars) >= min_letters


def is_directive(text: str, row: int = 0) -> bool:
    """A tool directive (``noqa``, ``type:``, ``pragma``, a coding line, a shebang on line 1)."""
    return (row == 1 and text.startswith("!")) or bool(DIRECTIVE.match(text.strip()))


def line_verdict(text: str, config: CommentRulesConfig) -> str:
    """The verdict on one comment line by itself (``"ok"`` when no line rule applies)."""
    if is_placeholder(text):
        return "placeholder"
    if is_commented_out_code(text):
        return "commented_out_code"
    if not is_prose(text, config.min_prose_letters):
        return "not_prose"
    if len(text.strip()) > config.max_comment_chars:
        return "too_long"
    return "ok"


# --- the program's comments, docstrings and code lines --------------------------------------------
@dataclass(frozen=True)
class CommentLine:
    """One ``#`` comment: its 1-based row, text after the ``#``, whether code precedes it."""

    row: int
    col: int
    text: str
    inline: bool
    verdict: str = ""


@dataclass
class SourceLayout:
    """What :func:`source_layout` finds: comment lines, code rows, string statements."""

    comments: list
    code_rows: set
    lines: list
    docstrings: list      # (node, text): docstrings of the module, classes and functions
    bare_strings: list    # text of string statements that are not docstrings


_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def is_string_statement(node: ast.AST) -> bool:
    """A statement that is only a string literal: a docstring, or a string used as a comment."""
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _string_statements(tree: ast.AST) -> tuple[list, list]:
    docstrings, bare = [], []
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            statements = getattr(node, name, None)
            if not isinstance(statements, list):
                continue
            for position, stmt in enumerate(statements):
                if is_string_statement(stmt):
                    is_doc = name == "body" and position == 0 and isinstance(node, _DOCUMENTED)
                    (docstrings if is_doc else bare).append((node, stmt))
    return docstrings, bare


def _inside(position: tuple, node: ast.AST) -> bool:
    return (node.lineno, node.col_offset) <= position < (node.end_lineno, node.end_col_offset)


def source_layout(code: str, tree: ast.AST) -> SourceLayout:
    """Comments, code rows and string statements of parsed ``code`` (``tree`` is its AST)."""
    docstrings, bare = _string_statements(tree)
    string_nodes = [stmt for _, stmt in docstrings + bare]
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER, tokenize.ENCODING}
    comments, code_rows = [], set()
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT:
            comments.append((token.start, token.string[1:].strip()))
        elif token.type not in skip:
            if token.type == tokenize.STRING and any(_inside(token.start, n) for n in string_nodes):
                continue
            code_rows.update(range(token.start[0], token.end[0] + 1))
    found = [CommentLine(row, col, text, row in code_rows) for (row, col), text in comments]
    return SourceLayout(found, code_rows, code.splitlines(),
                        [(node, stmt.value.value) for node, stmt in docstrings],
                        [stmt.value.value for _, stmt in bare])


def _blocks(comments: list) -> list[list]:
    """Inline comments alone; standalone comment lines on adjacent rows together."""
    blocks: list[list] = []
    for comment in comments:
        if not comment.inline and blocks and not blocks[-1][-1].inline and blocks[-1][-1].row == comment.row - 1:
            blocks[-1].append(comment)
        else:
            blocks.append([comment])
    return blocks


def normalized_lines(code: str) -> frozenset:
    """The non-blank lines of ``code`` with runs of whitespace collapsed."""
    return frozenset(" ".join(line.split()) for line in code.splitlines() if line.strip())


def comment_verdicts(layout: SourceLayout, config: CommentRulesConfig,
                     given_lines: frozenset = frozenset()) -> list[CommentLine]:
    """Every comment line with its verdict: ``credited``, ``ignored`` (directives, paragraph
    breaks, commented-out copies of ``given_lines``) or the reason it earns nothing (see the
    module docstring)."""
    out = []
    code_rows = sorted(layout.code_rows)
    for block in _blocks(layout.comments):
        verdicts = {}
        for index, comment in enumerate(block):
            if is_directive(comment.text, comment.row):
                verdicts[index] = "ignored"
            elif not comment.text and 0 < index < len(block) - 1 and block[index - 1].text and block[index + 1].text:
                verdicts[index] = "ignored"
            else:
                verdicts[index] = line_verdict(comment.text, config)
                if verdicts[index] == "commented_out_code" and " ".join(comment.text.split()) in given_lines:
                    verdicts[index] = "ignored"
        kept = [i for i in range(len(block)) if verdicts[i] == "ok"]
        text = " ".join(block[i].text for i in kept)
        if kept:
            first = block[0]
            if first.inline:
                code_line = layout.lines[first.row - 1][:first.col]
            else:
                after = bisect.bisect_right(code_rows, block[-1].row)
                code_line = layout.lines[code_rows[after] - 1] if after < len(code_rows) else ""
            if word_count(text) < config.min_comment_words or not comment_words(text):
                unit_verdict = "too_short"
            elif code_line and restating_overlap(text, code_line) >= config.restating_overlap:
                unit_verdict = "restating"
            else:
                unit_verdict = "credited"
            for rank, i in enumerate(kept):
                past_limit = unit_verdict == "credited" and rank >= config.max_block_lines
                verdicts[i] = "too_long" if past_limit else unit_verdict
        out += [CommentLine(c.row, c.col, c.text, c.inline, verdicts[i]) for i, c in enumerate(block)]
    return out


# --- docstrings -------------------------------------------------------------------------------------
_PARAM_SECTION = re.compile(r"^(\s*)(args|arguments|parameters|params|keyword args|keyword arguments|"
                            r"other parameters)\s*:?\s*$", re.I)
_ANY_SECTION = re.compile(r"^(\s*)(args|arguments|parameters|params|keyword args|keyword arguments|other parameters|"
                          r"returns?|yields?|raises?|examples?|notes?|see also|attributes|references)\s*:?\s*$", re.I)
_GOOGLE_ENTRY = re.compile(r"^\s*\*{0,2}([A-Za-z_]\w*)\s*(?:\([^)]*\))?\s*:")
_NUMPY_ENTRY = re.compile(r"^\s*\*{0,2}([A-Za-z_]\w*(?:\s*,\s*\*{0,2}[A-Za-z_]\w*)*)\s*(?::.*)?$")
_REST_PARAM = re.compile(r"[:@]param\s+(?:[^:]*\s)?\*{0,2}([A-Za-z_]\w*)\s*:")
_RETURN = re.compile(r"\b(?:returns?|returned|returning|yields?|yielded|yielding)\b|:r?type:|:returns?:", re.I)
IGNORED_PARAMETERS = frozenset({"self", "cls", "_"})


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def documented_parameters(doc: str) -> set[str]:
    """Names listed as parameters in structured sections (Google, numpy, reST, epytext)."""
    names = set(_REST_PARAM.findall(doc))
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        header = _PARAM_SECTION.match(lines[i])
        if not header:
            i += 1
            continue
        base = len(header.group(1))
        numpy = i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}
        i += 2 if numpy else 1
        entry_indent = None
        while i < len(lines):
            line = lines[i]
            if not line.strip():
                i += 1
                continue
            if numpy and i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}:
                break  # the next numpy section
            if _ANY_SECTION.match(line) and _indent(line) <= base:
                break
            if not numpy and _indent(line) <= base:
                break
            if entry_indent is None:
                entry_indent = _indent(line)
            if _indent(line) == entry_indent:
                if numpy:
                    match = _NUMPY_ENTRY.match(line)
                    if match:
                        names.update(n.strip().lstrip("*") for n in match.group(1).split(","))
                else:
                    match = _GOOGLE_ENTRY.match(line)
                    if match:
                        names.add(match.group(1))
            i += 1
    return names


def mentions(doc: str, name: str) -> bool:
    """``doc`` names the parameter ``name`` as a word (``a`` only in a structured form)."""
    escaped = re.escape(name)
    if name == "a":
        structured = (rf"(?:`{escaped}`|[:@]param\s+(?:\S+\s+)?{escaped}\b|^\s*{escaped}\s*(?:\(|:|,|-)"
                      rf"|\b{escaped}\s*(?:,|:|\())")
        return bool(re.search(structured, doc, re.M))
    flags = 0 if len(name) == 1 else re.I
    return bool(re.search(rf"(?<![\w']){escaped}(?![\w'])", doc, flags))


def describes_return(doc: str) -> bool:
    """The docstring says what comes back (``Returns:``, ``:returns:``, "Return the ...", yields)."""
    return bool(_RETURN.search(doc))


def returns_value(function: ast.AST) -> bool:
    """The function returns something other than ``None``, or yields (own body only)."""
    stack = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Return) and node.value is not None:
            if not (isinstance(node.value, ast.Constant) and node.value.value is None):
                return True
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        stack.extend(ast.iter_child_nodes(node))
    return False


def parameter_names(function: ast.AST) -> list[str]:
    """The function's parameters, ``self``/``cls``/``_`` left out (``*args`` -> ``args``)."""
    args = function.args
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    return [n for n in names if n not in IGNORED_PARAMETERS]


_SECTION_WORDS = frozenset("args arguments parameters params param returns return rtype type yields yield "
                           "raises".split())


def has_real_docstring(doc: Optional[str], config: CommentRulesConfig, names: Sequence[str] = ()) -> bool:
    """A docstring of ``min_docstring_words`` words besides the parameter ``names`` and section
    words (so ``nums target Returns`` does not count), and not a TODO-style stub."""
    if not doc or not doc.strip():
        return False
    skip = _SECTION_WORDS | {w.lower() for name in names for w in _WORD.findall(name)}
    if word_count(doc, frozenset(skip)) < config.min_docstring_words:
        return False
    return not is_placeholder(doc.strip().splitlines()[0])


def _parameters_of(node: ast.AST) -> list[str]:
    return parameter_names(node) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else []


def signature_consistency(function: ast.AST, doc: str) -> float:
    """Share of the signature's requirements the docstring meets: each parameter named, the
    return described (if it returns a value), minus parameters it documents that do not exist."""
    params = parameter_names(function)
    needs_return = returns_value(function)
    met = sum(mentions(doc, p) for p in params) + (needs_return and describes_return(doc))
    phantom = documented_parameters(doc) - set(params) - IGNORED_PARAMETERS
    total = len(params) + needs_return + len(phantom)
    return 1.0 if total == 0 else met / total


def definition_score(node: ast.AST, config: CommentRulesConfig) -> float:
    """One class or function's docstring credit in [0, 1]."""
    doc = ast.get_docstring(node, clean=True)
    if not has_real_docstring(doc, config, _parameters_of(node)):
        return 0.0
    if isinstance(node, ast.ClassDef):
        return 1.0
    return config.presence_credit + (1 - config.presence_credit) * signature_consistency(node, doc)


def entry_name(entry_point: str) -> str:
    """The function name in an entry point: ``"Solution().twoSum"`` -> ``"twoSum"``."""
    names = re.findall(r"[A-Za-z_]\w*", entry_point or "")
    return names[-1] if names else ""


def documented_definitions(tree: ast.Module, entry_point: str = "") -> tuple[list, Optional[ast.AST]]:
    """The definitions the docstring rule scores, and the entry point's among them (or None)."""
    name = entry_name(entry_point)
    found: list = []
    holders: set = set()

    def visit(node: ast.AST, enclosing_class: Optional[ast.ClassDef]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                found.append(child)
                visit(child, child)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if name and child.name == name and enclosing_class is not None:
                    holders.add(id(enclosing_class))
                if not (child.name.startswith("__") and child.name.endswith("__")):
                    found.append(child)
                visit(child, None)
            else:
                visit(child, enclosing_class)

    visit(tree, None)
    definitions = [d for d in found if id(d) not in holders]
    entry = next((d for d in definitions if name and not isinstance(d, ast.ClassDef) and d.name == name), None)
    return definitions, entry


def docstring_score(tree: ast.Module, entry_point: str = "", config: CommentRulesConfig | None = None) -> float:
    """The docstring sub-score of a parsed program, weighted as the module docstring says."""
    config = config or CommentRulesConfig()
    definitions, entry = documented_definitions(tree, entry_point)
    if not definitions:
        return 1.0 if has_real_docstring(ast.get_docstring(tree, clean=True), config) else 0.0
    if entry is None or len(definitions) == 1:
        return sum(definition_score(d, config) for d in definitions) / len(definitions)
    others = [d for d in definitions if d is not entry]
    return (config.entry_docstring_share * definition_score(entry, config)
            + (1 - config.entry_docstring_share) * sum(definition_score(d, config) for d in others) / len(others))


# --- density and the total ------------------------------------------------------------------------------
def density_score(credited_density: float, total_density: float, config: CommentRulesConfig | None = None) -> float:
    """Rising to ``density_low`` (credited commentary), 1 in the band, falling past
    ``density_high`` to 0 at ``density_zero`` (all commentary)."""
    config = config or CommentRulesConfig()
    rising = min(1.0, credited_density / config.density_low)
    if total_density <= config.density_high:
        falling = 1.0
    else:
        falling = max(0.0, (config.density_zero - total_density) / (config.density_zero - config.density_high))
    return max(0.0, min(rising, falling))


def _nonblank_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


@dataclass
class CommentReport:
    """The static comment score of one program and how it was reached (for logs)."""

    score: float
    parses: bool
    docstrings: float = 0.0
    density: float = 0.0
    quality: float = 0.0
    code_lines: int = 0
    commentary_lines: int = 0
    credited_lines: int = 0
    credited_density: float = 0.0
    total_density: float = 0.0
    verdicts: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def _parse(code: str) -> Optional[ast.Module]:
    try:
        tree = ast.parse(code)
        list(tokenize.generate_tokens(io.StringIO(code).readline))
        return tree
    except (SyntaxError, ValueError, RecursionError, MemoryError, tokenize.TokenError):
        return None


def comment_report(code: str, entry_point: str = "", config: CommentRulesConfig | None = None,
                   given_code: str = "") -> CommentReport:
    """All sub-scores of :func:`static_comment_score` for ``code``."""
    config = config or CommentRulesConfig()
    tree = _parse(code) if isinstance(code, str) else None
    if tree is None:
        return CommentReport(score=0.0, parses=False)
    layout = source_layout(code, tree)
    lines = comment_verdicts(layout, config, normalized_lines(given_code or ""))
    verdicts: dict[str, int] = {}
    for line in lines:
        verdicts[line.verdict] = verdicts.get(line.verdict, 0) + 1
    comment_lines = [line for line in lines if line.verdict != "ignored"]
    credited = sum(line.verdict == "credited" for line in comment_lines)
    total = len(comment_lines)
    for owner, doc in layout.docstrings:
        size = _nonblank_lines(doc)
        total += size
        credited += size if has_real_docstring(doc, config, _parameters_of(owner)) else 0
    total += sum(_nonblank_lines(text) for text in layout.bare_strings)
    code_lines = max(1, len(layout.code_rows))
    docstrings = docstring_score(tree, entry_point, config)
    density = density_score(credited / code_lines, total / code_lines, config)
    good = min(credited, config.density_high * code_lines)
    bad = total - credited
    quality = 1.0 if good + bad == 0 else 1.0 - config.uncredited_penalty * bad / (good + bad)
    weights = config.docstring_weight + config.density_weight
    score = quality * (config.docstring_weight * docstrings + config.density_weight * density) / weights
    return CommentReport(score=min(1.0, max(0.0, score)), parses=True, docstrings=docstrings, density=density,
                         quality=quality, code_lines=len(layout.code_rows), commentary_lines=total,
                         credited_lines=credited, credited_density=credited / code_lines,
                         total_density=total / code_lines, verdicts=verdicts)


def static_comment_score(code: str, entry_point: str = "", config: CommentRulesConfig | None = None,
                         given_code: str = "") -> float:
    """The static comment-quality score of ``code`` in [0, 1]; 0 when it does not parse.
    ``given_code`` is code the problem supplies (its preamble): commented-out copies of its
    lines are ignored."""
    return comment_report(code, entry_point, config, given_code).score
