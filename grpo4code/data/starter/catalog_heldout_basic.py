"""The basic tier of the starter set's held-out part: 16 original problems (12 call, 3 stdin, 1 assertion).

Like the rest of the held-out part, these are evaluation-only problems, chosen to be
different tasks from every training problem (not rewordings), so a score on them measures
transfer rather than recall. The tier exists because the offline default model
(SmolLM2-135M-Instruct) solves none of the other held-out starter problems (0 of 16 greedy,
1 of 256 samples), so a before/after accepted@1 on them cannot move. These tasks are one- to
five-line functions and programs, at the level of the simplest HumanEval tasks. See
:mod:`grpo4code.data.starter.catalog` for the spec format.
"""

from __future__ import annotations

from grpo4code.data.starter.catalog import Spec, call, lines, randints, random_text, random_words, seeded, stdin

# ---------------------------------------------------------------- input generators


def _digits_number(name: str, count: int) -> int:
    rng = seeded(name)
    return int("".join(rng.choice("123456789") for _ in range(count)))


# ---------------------------------------------------------------- function problems

SPECS: list[Spec] = [
    Spec(
        id="starter/sum_of_odds",
        difficulty="basic",
        tags=("lists", "arithmetic"),
        signature="sum_of_odds(nums: list[int]) -> int",
        statement="""
            Return the sum of the odd numbers in `nums`; negative odd numbers such as -3 are
            odd too. A list without odd numbers (including the empty list) gives 0.
        """,
        solution="""
            def sum_of_odds(nums: list[int]) -> int:
                return sum(x for x in nums if x % 2 != 0)
        """,
        cases=(
            call([1, 2, 3, 4, 5], expect=9),
            call([2, 4, 6], expect=0),
            call([], expect=0),
            call([-3, -2, 7], expect=4),
            call([0]),
            call([11]),
            call([-1, -1, -1]),
            call(randints("sum_of_odds", 1000, -10**6, 10**6)),
        ),
    ),
    Spec(
        id="starter/cube_all",
        difficulty="basic",
        tags=("lists", "arithmetic"),
        signature="cube_all(nums: list[int]) -> list[int]",
        statement="""
            Return a new list holding the cube (`x * x * x`) of every number `x` in `nums`, in
            the same order. An empty list gives an empty list.
        """,
        solution="""
            def cube_all(nums: list[int]) -> list[int]:
                return [x ** 3 for x in nums]
        """,
        cases=(
            call([1, 2, 3], expect=[1, 8, 27]),
            call([-2, 0], expect=[-8, 0]),
            call([], expect=[]),
            call([10], expect=[1000]),
            call([-1, 1, -1]),
            call([5, 4, 3, 2, 1]),
            call(randints("cube_all", 500, -1000, 1000)),
        ),
    ),
    Spec(
        id="starter/longest_word",
        difficulty="basic",
        tags=("strings",),
        signature="longest_word(text: str) -> str",
        statement="""
            Split `text` into words the way `text.split()` does (at runs of whitespace) and
            return the longest word. When several words share the greatest length, return the
            first of them. Return `""` when `text` holds no words.
        """,
        solution="""
            def longest_word(text: str) -> str:
                best = ""
                for word in text.split():
                    if len(word) > len(best):
                        best = word
                return best
        """,
        cases=(
            call("the quick brown fox", expect="quick"),
            call("a bb cc", expect="bb"),
            call("", expect=""),
            call("   ", expect=""),
            call("  one\ttwo\nthree ", expect="three"),
            call("hello"),
            call("x yy zzz yy x"),
            call(" ".join(random_words("longest_word", 1000, 9))),
        ),
    ),
    Spec(
        id="starter/count_digit_chars",
        difficulty="basic",
        tags=("strings", "counting"),
        signature="count_digit_chars(text: str) -> int",
        statement="""
            Return how many characters of `text` are ASCII digits, `'0'` to `'9'`. Letters,
            spaces, signs, decimal points and every other character are not counted; an empty
            string gives 0.
        """,
        solution="""
            def count_digit_chars(text: str) -> int:
                return sum(1 for ch in text if ch in "0123456789")
        """,
        cases=(
            call("abc123", expect=3),
            call("", expect=0),
            call("no digits!", expect=0),
            call("-4.05", expect=3),
            call("2024-01-31", expect=8),
            call("0"),
            call("a1b2c3d4e5f6g7h8i9j0"),
            call(random_text("count_digit_chars", 2000, "abcxyz0123456789 .,-")),
        ),
    ),
    Spec(
        id="starter/split_seconds",
        difficulty="basic",
        tags=("arithmetic", "time"),
        signature="split_seconds(total: int) -> list[int]",
        statement="""
            `total` is a number of seconds, at least 0. Return `[minutes, seconds]`: the number
            of whole minutes in `total` and the seconds left over (0 to 59). Minutes are not
            turned into hours, so 3600 gives `[60, 0]`.
        """,
        solution="""
            def split_seconds(total: int) -> list[int]:
                return [total // 60, total % 60]
        """,
        cases=(
            call(125, expect=[2, 5]),
            call(0, expect=[0, 0]),
            call(59, expect=[0, 59]),
            call(60, expect=[1, 0]),
            call(3600, expect=[60, 0]),
            call(61),
            call(7199),
            call(10**9),
        ),
    ),
    Spec(
        id="starter/middle_of_three",
        difficulty="basic",
        tags=("comparisons",),
        signature="middle_of_three(a: int, b: int, c: int) -> int",
        statement="""
            Return the median of the three integers `a`, `b` and `c`: the one in the middle once
            they are put in order. Values may repeat; for example `middle_of_three(4, 4, 1)`
            is 4.
        """,
        solution="""
            def middle_of_three(a: int, b: int, c: int) -> int:
                return sorted([a, b, c])[1]
        """,
        cases=(
            call(1, 2, 3, expect=2),
            call(3, 1, 2, expect=2),
            call(4, 4, 1, expect=4),
            call(5, 5, 5, expect=5),
            call(-1, -10, 0, expect=-1),
            call(2, 9, 9),
            call(7, 3, 5),
            call(10**9, -10**9, 0),
        ),
    ),
    Spec(
        id="starter/is_vowel",
        difficulty="basic",
        tags=("strings", "characters"),
        signature="is_vowel(ch: str) -> bool",
        statement="""
            `ch` is a single ASCII letter, lowercase or uppercase. Return `True` if it is one of
            the vowels a, e, i, o, u (in either case) and `False` otherwise; `y` is not a vowel.
        """,
        solution="""
            def is_vowel(ch: str) -> bool:
                return ch.lower() in ("a", "e", "i", "o", "u")
        """,
        cases=(
            call("a", expect=True),
            call("E", expect=True),
            call("b", expect=False),
            call("y", expect=False),
            call("U", expect=True),
            call("z"),
            call("Y"),
            call("o"),
            call("Q"),
        ),
    ),
    Spec(
        id="starter/product_of_digits",
        difficulty="basic",
        tags=("arithmetic", "digits"),
        signature="product_of_digits(n: int) -> int",
        statement="""
            `n` is at least 0. Return the product of all the decimal digits of `n`. A number
            with a 0 among its digits gives 0, and so does `n = 0` itself (its only digit is 0).
        """,
        solution="""
            def product_of_digits(n: int) -> int:
                product = 1
                for digit in str(n):
                    product *= int(digit)
                return product
        """,
        cases=(
            call(234, expect=24),
            call(0, expect=0),
            call(7, expect=7),
            call(105, expect=0),
            call(999, expect=729),
            call(1111),
            call(987654321),
            call(_digits_number("product_of_digits", 15)),
        ),
    ),
    Spec(
        id="starter/remove_spaces",
        difficulty="basic",
        tags=("strings",),
        signature="remove_spaces(text: str) -> str",
        statement="""
            Return `text` with every space character `' '` removed. All other characters,
            tabs and newlines included, stay as they are and in the same order.
        """,
        solution="""
            def remove_spaces(text: str) -> str:
                return text.replace(" ", "")
        """,
        cases=(
            call("a b c", expect="abc"),
            call("", expect=""),
            call("   ", expect=""),
            call("no\tspace here", expect="no\tspacehere"),
            call("hello", expect="hello"),
            call("  two  words  "),
            call("line one\nline two"),
            call(random_text("remove_spaces", 2000, "ab  c\t")),
        ),
    ),
    Spec(
        id="starter/count_lowercase",
        difficulty="basic",
        tags=("strings", "counting"),
        signature="count_lowercase(text: str) -> int",
        statement="""
            Return how many characters of `text` are lowercase ASCII letters, `'a'` to `'z'`.
            Uppercase letters, digits, spaces and punctuation are not counted; an empty string
            gives 0.
        """,
        solution="""
            def count_lowercase(text: str) -> int:
                return sum(1 for ch in text if "a" <= ch <= "z")
        """,
        cases=(
            call("Hello World", expect=8),
            call("", expect=0),
            call("ABC 123!", expect=0),
            call("abc", expect=3),
            call("camelCaseName", expect=11),
            call("x"),
            call("MiXeD cAsE, 42 times."),
            call(random_text("count_lowercase", 2000, "aBcDeF 1!zZ")),
        ),
    ),
    Spec(
        id="starter/sum_first_k",
        difficulty="basic",
        tags=("lists", "slicing"),
        signature="sum_first_k(nums: list[int], k: int) -> int",
        statement="""
            Return the sum of the first `k` numbers of `nums` (`k >= 0`). When `k` is larger
            than the length of `nums`, sum all of them; `k = 0` or an empty list gives 0.
        """,
        solution="""
            def sum_first_k(nums: list[int], k: int) -> int:
                return sum(nums[:k])
        """,
        cases=(
            call([1, 2, 3, 4], 2, expect=3),
            call([5, 6], 10, expect=11),
            call([], 3, expect=0),
            call([7, 8], 0, expect=0),
            call([-1, -2, -3], 3, expect=-6),
            call([4], 1),
            call([9, -9, 9, -9, 9], 4),
            call(randints("sum_first_k", 1000, -1000, 1000), 600),
        ),
    ),
    Spec(
        id="starter/join_with_commas",
        difficulty="basic",
        tags=("strings", "lists"),
        signature="join_with_commas(words: list[str]) -> str",
        statement="""
            Return one string holding the words of `words` in order, with a comma and a space
            (`", "`) between each word and the next and nothing before the first or after the
            last. An empty list gives `""`; a single word is returned unchanged.
        """,
        solution="""
            def join_with_commas(words: list[str]) -> str:
                return ", ".join(words)
        """,
        cases=(
            call(["a", "b", "c"], expect="a, b, c"),
            call([], expect=""),
            call(["solo"], expect="solo"),
            call(["x", "y"], expect="x, y"),
            call(["red", "green", "blue", "red"]),
            call(["two words", "more"]),
            call(random_words("join_with_commas", 500, 9)),
        ),
    ),
    # ------------------------------------------------------------ stdin programs
    Spec(
        id="starter/count_up",
        difficulty="basic",
        tags=("stdio", "loops"),
        statement="""
            Input: one line holding an integer `n` (at least 1).

            Output: one line with the numbers 1, 2, ..., `n` in increasing order, separated by
            single spaces.
        """,
        solution="""
            n = int(input())
            print(" ".join(str(i) for i in range(1, n + 1)))
        """,
        cases=(
            stdin(lines(3), expect="1 2 3\n"),
            stdin(lines(1), expect="1\n"),
            stdin(lines(5), expect="1 2 3 4 5\n"),
            stdin(lines(2), expect="1 2\n"),
            stdin(lines(10)),
            stdin(lines(12)),
            stdin(lines(1000)),
        ),
    ),
    Spec(
        id="starter/line_length",
        difficulty="basic",
        tags=("stdio", "strings"),
        statement="""
            Input: a single line of text; it may be empty, and it may contain spaces, including
            at its start and end.

            Output: one line with the number of characters on the input line, counting every
            space but not the newline that ends the line.
        """,
        solution="""
            import sys

            line = sys.stdin.readline()
            print(len(line.rstrip("\\n")))
        """,
        cases=(
            stdin(lines("hello"), expect="5\n"),
            stdin(lines(""), expect="0\n"),
            stdin(lines("a b c"), expect="5\n"),
            stdin(lines("  two  "), expect="7\n"),
            stdin(lines("Hello, World!")),
            stdin(lines("1234567890")),
            stdin(lines(random_text("line_length", 1000, "abc xyz,.!"))),
        ),
    ),
    Spec(
        id="starter/sum_of_line",
        difficulty="basic",
        tags=("stdio", "parsing", "arithmetic"),
        statement="""
            Input: one line of integers separated by single spaces; there is at least one, and
            they may be negative.

            Output: one line with their sum.
        """,
        solution="""
            print(sum(int(x) for x in input().split()))
        """,
        cases=(
            stdin(lines("1 2 3"), expect="6\n"),
            stdin(lines("-5"), expect="-5\n"),
            stdin(lines("10 -10"), expect="0\n"),
            stdin(lines("100 200 300 400"), expect="1000\n"),
            stdin(lines("0 0 0")),
            stdin(lines("-1 -2 -3 4")),
            stdin(lines(" ".join(str(x) for x in randints("sum_of_line", 1000, -10**6, 10**6)))),
        ),
    ),
    # ------------------------------------------------------------ assertion programs
    Spec(
        id="starter/abs_difference",
        difficulty="basic",
        tags=("arithmetic",),
        signature="abs_difference(a: int, b: int) -> int",
        statement="""
            Return how far apart the integers `a` and `b` are: the larger minus the smaller,
            which is never negative. Equal numbers give 0.
        """,
        solution="""
            def abs_difference(a: int, b: int) -> int:
                return abs(a - b)
        """,
        example=call(2, 9, expect=7),
        check="""
            def check(candidate):
                assert candidate(3, 10) == 7
                assert candidate(10, 3) == 7
                assert candidate(-4, 4) == 8
                assert candidate(5, 5) == 0
                assert candidate(-7, -2) == 5
                assert candidate(0, -9) == 9
                assert candidate(10**12, -10**12) == 2 * 10**12
        """,
    ),
]
