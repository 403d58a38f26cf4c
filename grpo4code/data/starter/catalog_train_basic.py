"""The basic tier of the starter set's training part: 24 original problems (20 call, 3 stdin, 1 assertion).

The offline default model (SmolLM2-135M-Instruct) solves almost none of the easy and medium
problems, so a GRPO group of its completions is nearly always all-failing and carries no
learning signal. These problems are one- to five-line functions and programs, simple enough
that such a model sometimes gets one right, which gives it groups with a passing completion.

See :mod:`grpo4code.data.starter.catalog` for the spec format. Cases with ``expect=`` are
hand-checked; the others get their expected value from the reference at build time. Large
inputs come from generators seeded by the problem name, so they never change by accident.
"""

from __future__ import annotations

from grpo4code.data.starter.catalog import (
    LOWERCASE,
    Spec,
    call,
    lines,
    randints,
    random_text,
    random_words,
    seeded,
    stdin,
)

# ---------------------------------------------------------------- input generators


def _spaced(name: str, count: int) -> str:
    """Words separated by runs of one to three spaces, with spaces at both ends."""
    rng = seeded(name + "/gaps")
    gaps = [" " * rng.randint(1, 3) for _ in range(count + 1)]
    words = random_words(name, count, 8, LOWERCASE + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,'-")
    return gaps[0] + "".join(word + gap for word, gap in zip(words, gaps[1:], strict=True))


# ---------------------------------------------------------------- function problems

SPECS: list[Spec] = [
    Spec(
        id="starter/count_evens",
        difficulty="basic",
        tags=("lists", "math"),
        signature="count_evens(nums: list[int]) -> int",
        statement="""
            Return how many numbers in `nums` are even, that is divisible by 2. Zero and
            negative even numbers count as even. An empty list gives 0.
        """,
        solution="""
            def count_evens(nums: list[int]) -> int:
                return sum(1 for x in nums if x % 2 == 0)
        """,
        cases=(
            call([1, 2, 3, 4], expect=2),
            call([], expect=0),
            call([-2, 0, 7], expect=2),
            call([1, 3, 5], expect=0),
            call([8]),
            call([-3, -4, 10, 11, 12]),
            call(randints("count_evens", 10000, -10**6, 10**6)),
        ),
    ),
    Spec(
        id="starter/squares_up_to",
        difficulty="basic",
        tags=("lists", "math"),
        signature="squares_up_to(n: int) -> list[int]",
        statement="""
            Return the list of the squares of the integers from 1 to `n`, in increasing order:
            `[1, 4, 9, ..., n * n]`. `n` is a non-negative integer; for `n = 0` return an
            empty list.
        """,
        solution="""
            def squares_up_to(n: int) -> list[int]:
                return [i * i for i in range(1, n + 1)]
        """,
        cases=(
            call(3, expect=[1, 4, 9]),
            call(0, expect=[]),
            call(1, expect=[1]),
            call(6, expect=[1, 4, 9, 16, 25, 36]),
            call(2),
            call(10),
            call(5000),
        ),
    ),
    Spec(
        id="starter/reverse_words",
        difficulty="basic",
        tags=("strings",),
        signature="reverse_words(sentence: str) -> str",
        statement="""
            Return the words of `sentence` in reverse order, joined by single spaces. A word
            is a maximal run of characters that are not whitespace (spaces, tabs, newlines),
            so extra whitespace in `sentence` does not appear in the result. A sentence with
            no words gives the empty string.
        """,
        solution="""
            def reverse_words(sentence: str) -> str:
                return " ".join(reversed(sentence.split()))
        """,
        cases=(
            call("hello big world", expect="world big hello"),
            call("  one   two ", expect="two one"),
            call("", expect=""),
            call("single", expect="single"),
            call(" \t\n "),
            call("Wait, what?\tyes."),
            call(_spaced("reverse_words", 5000)),
        ),
    ),
    Spec(
        id="starter/count_char",
        difficulty="basic",
        tags=("strings",),
        signature="count_char(text: str, ch: str) -> int",
        statement="""
            `ch` is a single character. Return how many times `ch` occurs in `text`.
            Upper and lower case are different characters, so `"A"` does not match `"a"`.
        """,
        solution="""
            def count_char(text: str, ch: str) -> int:
                return sum(1 for c in text if c == ch)
        """,
        cases=(
            call("banana", "a", expect=3),
            call("Banana", "b", expect=0),
            call("", "x", expect=0),
            call("a b  c", " ", expect=3),
            call("aaaa", "a"),
            call("Mississippi", "s"),
            call(random_text("count_char", 20000, "aAbB .!"), "A"),
        ),
    ),
    Spec(
        id="starter/first_and_last",
        difficulty="basic",
        tags=("lists",),
        signature="first_and_last(nums: list[int]) -> list[int]",
        statement="""
            Return a two-element list holding the first and the last element of `nums`, in
            that order. A list with one element `x` gives `[x, x]`, and an empty list gives
            an empty list.
        """,
        solution="""
            def first_and_last(nums: list[int]) -> list[int]:
                if not nums:
                    return []
                return [nums[0], nums[-1]]
        """,
        cases=(
            call([3, 8, 1], expect=[3, 1]),
            call([], expect=[]),
            call([7], expect=[7, 7]),
            call([-4, 9], expect=[-4, 9]),
            call([5, 5, 5]),
            call([0, 1, 2, 3, 4, -1]),
            call(randints("first_and_last", 10000, -10**6, 10**6)),
        ),
    ),
    Spec(
        id="starter/celsius_to_fahrenheit",
        difficulty="basic",
        tags=("math",),
        signature="celsius_to_fahrenheit(celsius: float) -> float",
        statement="""
            Convert the temperature `celsius`, in degrees Celsius, to degrees Fahrenheit with
            the formula `F = C * 9 / 5 + 32`, and return it as a float. Answers within 1e-6
            of the exact value are accepted.
        """,
        solution="""
            def celsius_to_fahrenheit(celsius: float) -> float:
                return celsius * 9 / 5 + 32
        """,
        atol=1e-6,
        cases=(
            call(100, expect=212.0),
            call(0, expect=32.0),
            call(-40, expect=-40.0),
            call(37, expect=98.6),
            call(36.6),
            call(-273.15),
            call(1234.5),
        ),
    ),
    Spec(
        id="starter/min_of_three",
        difficulty="basic",
        tags=("math",),
        signature="min_of_three(a: int, b: int, c: int) -> int",
        statement="""
            Return the smallest of the three integers `a`, `b` and `c`. If several of them
            are equal and smallest, return that value.
        """,
        solution="""
            def min_of_three(a: int, b: int, c: int) -> int:
                smallest = a
                if b < smallest:
                    smallest = b
                if c < smallest:
                    smallest = c
                return smallest
        """,
        cases=(
            call(3, 1, 2, expect=1),
            call(-5, -5, 0, expect=-5),
            call(7, 7, 7, expect=7),
            call(4, 9, -2, expect=-2),
            call(0, -10, 10),
            call(10**12, 10**12 + 1, 10**12 - 1),
            call(-1, 0, 1),
        ),
    ),
    Spec(
        id="starter/is_leap_year",
        difficulty="basic",
        tags=("math", "dates"),
        signature="is_leap_year(year: int) -> bool",
        statement="""
            Return `True` when `year` (at least 1) is a leap year of the Gregorian calendar
            and `False` otherwise. A year is a leap year when it is divisible by 4, except
            that years divisible by 100 are leap years only when they are also divisible by
            400 (so 1900 is not a leap year and 2000 is).
        """,
        solution="""
            def is_leap_year(year: int) -> bool:
                return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        """,
        cases=(
            call(2024, expect=True),
            call(1900, expect=False),
            call(2000, expect=True),
            call(2023, expect=False),
            call(2100),
            call(2400),
            call(4),
            call(1),
        ),
    ),
    Spec(
        id="starter/sum_of_digits",
        difficulty="basic",
        tags=("math",),
        signature="sum_of_digits(n: int) -> int",
        statement="""
            `n` is a non-negative integer. Return the sum of its decimal digits; for example
            the digits of 507 sum to 12, and 0 gives 0.
        """,
        solution="""
            def sum_of_digits(n: int) -> int:
                return sum(int(d) for d in str(n))
        """,
        cases=(
            call(1234, expect=10),
            call(0, expect=0),
            call(9, expect=9),
            call(1000, expect=1),
            call(99999),
            call(405060),
            call(9876543210123),
        ),
    ),
    Spec(
        id="starter/capitalize_words",
        difficulty="basic",
        tags=("strings",),
        signature="capitalize_words(text: str) -> str",
        statement="""
            `text` holds ASCII characters without tabs or newlines. A word is a maximal run
            of characters other than the space `" "`. Return `text` with the first character
            of every word converted to upper case; every other character, including the
            spaces and the rest of each word, stays exactly as it is (a word starting with a
            digit or punctuation mark is left unchanged).
        """,
        solution="""
            def capitalize_words(text: str) -> str:
                out = []
                for i, c in enumerate(text):
                    if c != " " and (i == 0 or text[i - 1] == " "):
                        c = c.upper()
                    out.append(c)
                return "".join(out)
        """,
        cases=(
            call("hello world", expect="Hello World"),
            call("  mIxed   cASE ", expect="  MIxed   CASE "),
            call("", expect=""),
            call("3rd place, 'quoted' x", expect="3rd Place, 'quoted' X"),
            call("a b c"),
            call("Already Upper"),
            call("   "),
            call(_spaced("capitalize_words", 5000)),
        ),
    ),
    Spec(
        id="starter/count_words",
        difficulty="basic",
        tags=("strings",),
        signature="count_words(text: str) -> int",
        statement="""
            Return the number of words in `text`, where a word is a maximal run of characters
            that are not whitespace (spaces, tabs and newlines all separate words).
            Punctuation belongs to the word it touches, and a text with no words gives 0.
        """,
        solution="""
            def count_words(text: str) -> int:
                return len(text.split())
        """,
        cases=(
            call("the quick fox", expect=3),
            call("", expect=0),
            call("  lots   of\tspace\n", expect=3),
            call("well-known, isn't it?", expect=3),
            call("one"),
            call(" \n\t "),
            call(_spaced("count_words", 8000)),
        ),
    ),
    Spec(
        id="starter/average",
        difficulty="basic",
        tags=("lists", "math"),
        signature="average(nums: list[float]) -> float",
        statement="""
            Return the arithmetic mean of the numbers in `nums` (their sum divided by how
            many there are) as a float. An empty list gives `0.0`. Answers within 1e-6 of
            the exact value are accepted.
        """,
        solution="""
            def average(nums: list[float]) -> float:
                if not nums:
                    return 0.0
                return sum(nums) / len(nums)
        """,
        atol=1e-6,
        cases=(
            call([1, 2, 3, 4], expect=2.5),
            call([], expect=0.0),
            call([-1.5, 1.5], expect=0.0),
            call([7], expect=7.0),
            call([0.1, 0.2, 0.3]),
            call([-10, -20, 5]),
            call(randints("average", 10000, -1000, 1000)),
        ),
    ),
    Spec(
        id="starter/range_span",
        difficulty="basic",
        tags=("lists", "math"),
        signature="range_span(nums: list[int]) -> int",
        statement="""
            Return the difference between the largest and the smallest value in `nums`
            (largest minus smallest, so never negative). A list with one element or an
            empty list gives 0.
        """,
        solution="""
            def range_span(nums: list[int]) -> int:
                if not nums:
                    return 0
                return max(nums) - min(nums)
        """,
        cases=(
            call([3, 9, 4], expect=6),
            call([], expect=0),
            call([5], expect=0),
            call([-3, -10, 2], expect=12),
            call([4, 4, 4]),
            call([100, -100]),
            call(randints("range_span", 10000, -10**6, 10**6)),
        ),
    ),
    Spec(
        id="starter/repeat_with_dashes",
        difficulty="basic",
        tags=("strings",),
        signature="repeat_with_dashes(word: str, times: int) -> str",
        statement="""
            Return `times` copies of `word` joined by single dashes `-`, so there is a dash
            between neighbouring copies but none at either end. `times` is a non-negative
            integer, and `times = 0` gives the empty string.
        """,
        solution="""
            def repeat_with_dashes(word: str, times: int) -> str:
                return "-".join([word] * times)
        """,
        cases=(
            call("ab", 3, expect="ab-ab-ab"),
            call("x", 1, expect="x"),
            call("hi", 0, expect=""),
            call("", 3, expect="--"),
            call("go", 2),
            call("a b", 4),
            call("abc", 2000),
        ),
    ),
    Spec(
        id="starter/count_negatives",
        difficulty="basic",
        tags=("lists",),
        signature="count_negatives(nums: list[int]) -> int",
        statement="""
            Return how many numbers in `nums` are strictly less than zero; zero itself is not
            negative. An empty list gives 0.
        """,
        solution="""
            def count_negatives(nums: list[int]) -> int:
                return sum(1 for x in nums if x < 0)
        """,
        cases=(
            call([-1, 0, 2, -3], expect=2),
            call([], expect=0),
            call([0, 0], expect=0),
            call([-5], expect=1),
            call([1, 2, 3]),
            call([-1, -2, -3, -4]),
            call(randints("count_negatives", 10000, -1000, 1000)),
        ),
    ),
    Spec(
        id="starter/last_word_length",
        difficulty="basic",
        tags=("strings",),
        signature="last_word_length(text: str) -> int",
        statement="""
            Return the number of characters in the last word of `text`, where a word is a
            maximal run of characters that are not whitespace. Whitespace after the last
            word is ignored, and a text with no words gives 0.
        """,
        solution="""
            def last_word_length(text: str) -> int:
                words = text.split()
                return len(words[-1]) if words else 0
        """,
        cases=(
            call("hello world", expect=5),
            call("fly me   to the moon  ", expect=4),
            call("", expect=0),
            call("   ", expect=0),
            call("a"),
            call("end with punctuation!\n"),
            call(_spaced("last_word_length", 5000) + "characteristically "),
        ),
    ),
    Spec(
        id="starter/swap_first_last",
        difficulty="basic",
        tags=("lists",),
        signature="swap_first_last(nums: list[int]) -> list[int]",
        statement="""
            Return a new list equal to `nums` except that its first and last elements trade
            places. A list with fewer than two elements comes back unchanged (as a copy). Do
            not modify `nums`.
        """,
        solution="""
            def swap_first_last(nums: list[int]) -> list[int]:
                result = list(nums)
                if len(result) >= 2:
                    result[0], result[-1] = result[-1], result[0]
                return result
        """,
        cases=(
            call([1, 2, 3, 4], expect=[4, 2, 3, 1]),
            call([], expect=[]),
            call([9], expect=[9]),
            call([1, 2], expect=[2, 1]),
            call([5, 0, 5]),
            call([-7, 3, 8, 0, 2]),
            call(randints("swap_first_last", 10000, -10**6, 10**6)),
        ),
    ),
    Spec(
        id="starter/index_of_max",
        difficulty="basic",
        tags=("lists",),
        signature="index_of_max(nums: list[int]) -> int",
        statement="""
            Return the index (counting from 0) of the largest value in `nums`. If the
            largest value occurs several times, return the index of its first occurrence.
            An empty list gives -1.
        """,
        solution="""
            def index_of_max(nums: list[int]) -> int:
                best = -1
                for i, x in enumerate(nums):
                    if best == -1 or x > nums[best]:
                        best = i
                return best
        """,
        cases=(
            call([3, 7, 2, 7], expect=1),
            call([], expect=-1),
            call([-5, -2, -9], expect=1),
            call([4], expect=0),
            call([1, 1, 1]),
            call([0, 2, 4, 6, 8]),
            call(randints("index_of_max", 10000, -1000, 1000)),
        ),
    ),
    Spec(
        id="starter/all_same",
        difficulty="basic",
        tags=("lists",),
        signature="all_same(items: list[int]) -> bool",
        statement="""
            Return `True` when every element of `items` is equal to every other one, and
            `False` otherwise. An empty list and a one-element list give `True`.
        """,
        solution="""
            def all_same(items: list[int]) -> bool:
                return all(x == items[0] for x in items)
        """,
        cases=(
            call([4, 4, 4], expect=True),
            call([4, 4, 5], expect=False),
            call([], expect=True),
            call([0], expect=True),
            call([1, 2]),
            call([-3, -3]),
            call([7] * 10000),
            call([7] * 9999 + [8]),
        ),
    ),
    Spec(
        id="starter/initials",
        difficulty="basic",
        tags=("strings",),
        signature="initials(full_name: str) -> str",
        statement="""
            `full_name` holds words separated by one or more spaces, possibly with spaces at
            either end; each word starts with an ASCII letter. Return the first letters of the
            words, in order, converted to upper case and joined with nothing between them. A
            name with no words gives the empty string.
        """,
        solution="""
            def initials(full_name: str) -> str:
                return "".join(word[0].upper() for word in full_name.split())
        """,
        cases=(
            call("ada lovelace", expect="AL"),
            call("  grace  brewster murray hopper ", expect="GBMH"),
            call("", expect=""),
            call("X", expect="X"),
            call("mary-jane watson"),
            call("Alan mathison TURING"),
            call(" ".join(random_words("initials", 5000, 8))),
        ),
    ),
    # ------------------------------------------------------------ stdin programs
    Spec(
        id="starter/multiply_two",
        difficulty="basic",
        tags=("stdio", "math"),
        statement="""
            Input: one line with two integers `a` and `b` separated by a single space; each
            may be negative and has an absolute value of at most 10^9.

            Output: one line with the product `a * b`.
        """,
        solution="""
            import sys


            def main():
                a, b = map(int, sys.stdin.read().split())
                print(a * b)


            main()
        """,
        cases=(
            stdin(lines("3 4"), expect="12\n"),
            stdin(lines("-5 6"), expect="-30\n"),
            stdin(lines("0 -7"), expect="0\n"),
            stdin(lines("-8 -9"), expect="72\n"),
            stdin(lines("1 1")),
            stdin(lines("1000000000 1000000000")),
            stdin(lines("-999999999 123456789")),
        ),
    ),
    Spec(
        id="starter/even_or_odd",
        difficulty="basic",
        tags=("stdio", "math"),
        statement="""
            Input: the first line holds an integer `n` (at least 1); each of the next `n` lines
            holds one integer, possibly negative.

            Output: `n` lines, the word `even` or `odd` for each integer, in input order.
        """,
        solution="""
            import sys


            def main():
                data = sys.stdin.read().split()
                n = int(data[0])
                for token in data[1:1 + n]:
                    print("even" if int(token) % 2 == 0 else "odd")


            main()
        """,
        cases=(
            stdin(lines(3, 4, 7, 0), expect="even\nodd\neven\n"),
            stdin(lines(1, -3), expect="odd\n"),
            stdin(lines(2, -8, 1000000001), expect="even\nodd\n"),
            stdin(lines(1, 2)),
            stdin(lines(4, 1, 1, 2, 2)),
            stdin(lines(5000, *randints("even_or_odd", 5000, -10**9, 10**9))),
        ),
    ),
    Spec(
        id="starter/shout_line",
        difficulty="basic",
        tags=("stdio", "strings"),
        statement="""
            Input: one line of ASCII text, possibly empty, ending with a newline.

            Output: the same line with every lower-case letter `a`-`z` changed to upper case;
            all other characters, including spaces at either end, are printed unchanged.
        """,
        solution="""
            import sys


            def main():
                line = sys.stdin.readline().rstrip("\\n")
                print(line.upper())


            main()
        """,
        cases=(
            stdin(lines("hello, world!"), expect="HELLO, WORLD!\n"),
            stdin(lines(""), expect="\n"),
            stdin(lines("MiXeD 123 case"), expect="MIXED 123 CASE\n"),
            stdin(lines("  spaces stay  "), expect="  SPACES STAY  \n"),
            stdin(lines("ALREADY LOUD")),
            stdin(lines("tabs\tand-dashes_too?")),
            stdin(lines(_spaced("shout_line", 5000))),
        ),
    ),
    # ------------------------------------------------------------ assertion programs
    Spec(
        id="starter/clamp",
        difficulty="basic",
        tags=("math",),
        signature="clamp(x: int, low: int, high: int) -> int",
        statement="""
            `low` is at most `high`. Return `x` limited to the range from `low` to `high`:
            `low` when `x` is smaller than `low`, `high` when `x` is larger than `high`, and
            `x` itself otherwise (the ends of the range are included).
        """,
        solution="""
            def clamp(x: int, low: int, high: int) -> int:
                if x < low:
                    return low
                if x > high:
                    return high
                return x
        """,
        example=call(15, 0, 10, expect=10),
        check="""
            def check(candidate):
                assert candidate(5, 0, 10) == 5
                assert candidate(-3, 0, 10) == 0
                assert candidate(42, 0, 10) == 10
                assert candidate(0, 0, 10) == 0
                assert candidate(10, 0, 10) == 10
                assert candidate(7, 7, 7) == 7
                assert candidate(-100, -50, -20) == -50
                assert candidate(-30, -50, -20) == -30
                assert candidate(10**12, -10**12, 10**9) == 10**9
        """,
    ),
]
