"""The training part of the starter set: 48 original problems (38 call, 7 stdin, 3 assertion).

See :mod:`grpo4code.data.starter.catalog` for the spec format. Cases with ``expect=`` are
hand-checked; the others get their expected value from the reference at build time. Large
inputs come from generators seeded by the problem name, so they never change by accident.
"""

from __future__ import annotations

import math

from grpo4code.data.starter.catalog import Spec, call, lines, randints, seeded, stdin


# ---------------------------------------------------------------- input generators


def _runs_text(name: str, total: int) -> str:
    rng = seeded(name)
    pieces, size = [], 0
    while size < total:
        run = rng.choice("abcde") * rng.randint(1, 15)
        pieces.append(run)
        size += len(run)
    return "".join(pieces)


def _prose(name: str, words: int) -> str:
    rng = seeded(name)
    vocabulary = ["".join(rng.choice("abcdefghij") for _ in range(rng.randint(1, 6))) for _ in range(300)]
    out = []
    for _ in range(words):
        word = rng.choice(vocabulary)
        if rng.random() < 0.2:
            word = word.upper()
        out.append(word + rng.choice(["", "", "", ",", ".", "!", " -", "'s"]))
    return " ".join(out)


def _bracket_text(name: str, pairs: int, tail: str) -> str:
    rng = seeded(name)
    out, stack, opened = [], [], 0
    closing = {"(": ")", "[": "]", "{": "}"}
    while opened < pairs or stack:
        if opened < pairs and (not stack or rng.random() < 0.55):
            opener = rng.choice("([{")
            stack.append(opener)
            out.append(opener)
            opened += 1
        else:
            out.append(closing[stack.pop()])
        if rng.random() < 0.1:
            out.append(rng.choice("xyz "))
    return "".join(out) + tail


def _grid(name: str, rows: int, cols: int, open_chance: float, open_char: str = ".") -> list[str]:
    rng = seeded(name)
    return ["".join(open_char if rng.random() < open_chance else "#" for _ in range(cols)) for _ in range(rows)]


def _maze(name: str, size: int) -> list[str]:
    grid = [list(row) for row in _grid(name, size, size, 0.7)]
    grid[0][0], grid[-1][-1] = "S", "E"
    return ["".join(row) for row in grid]


def _intervals(name: str, count: int) -> list[list[int]]:
    rng = seeded(name)
    out = []
    for _ in range(count):
        start = rng.randint(-10**9, 10**9)
        out.append([start, start + rng.randint(0, 10**6)])
    return out


def _expression(name: str, terms: int) -> str:
    rng = seeded(name)
    parts = [str(rng.randint(0, 99))]
    for _ in range(terms - 1):
        parts.append(rng.choice(["+", "-", "*", " + ", " - "]))
        parts.append(str(rng.randint(0, 99)))
    return "".join(parts)


def _nested(name: str, leaves: int) -> list:
    rng = seeded(name)
    root: list = []
    stack = [root]
    for value in range(leaves):
        roll = rng.random()
        if roll < 0.15:
            child: list = []
            stack[-1].append(child)
            stack.append(child)
        elif roll < 0.3 and len(stack) > 1:
            stack.pop()
        stack[-1].append(value - leaves // 2)
    return root


def _deep(depth: int) -> list:
    value: list = [depth]
    for level in range(depth - 1, 0, -1):
        value = [level, value, -level]
    return value


def _editor_commands(name: str, count: int) -> list[str]:
    rng = seeded(name)
    out = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.4:
            out.append("type " + "".join(rng.choice("ab c") for _ in range(rng.randint(0, 8))))
        elif roll < 0.6:
            out.append(f"delete {rng.randint(0, 12)}")
        elif roll < 0.8:
            out.append("undo")
        else:
            out.append("redo")
    return out


def _versions(name: str, count: int) -> list[str]:
    rng = seeded(name)
    return [".".join(str(rng.randint(0, 12)) for _ in range(rng.randint(1, 4))) for _ in range(count)]


def _queries(name: str, count: int, size: int) -> list[list[int]]:
    rng = seeded(name)
    out = []
    for _ in range(count):
        left = rng.randrange(size)
        out.append([left, rng.randrange(left, size)])
    return out


def _ledger(name: str, count: int) -> str:
    rng = seeded(name)
    names = ["ann", "ben", "cat", "dan", "eve", "fay", "gus", "hal", "ivy", "jon", "kim"]
    ops = []
    for _ in range(count):
        roll = rng.random()
        who = rng.choice(names)
        if roll < 0.1:
            ops.append(f"open {who}")
        elif roll < 0.45:
            ops.append(f"deposit {who} {rng.randint(1, 500)}")
        elif roll < 0.7:
            ops.append(f"withdraw {who} {rng.randint(1, 500)}")
        else:
            other = rng.choice([n for n in names if n != who])
            ops.append(f"transfer {who} {other} {rng.randint(1, 500)}")
    return lines(count, *ops)


def _stack_commands(name: str, pushes: int, queries: int) -> str:
    rng = seeded(name)
    ops = [f"push {rng.randint(-1000, 1000)}" for _ in range(pushes)]
    ops += [rng.choice(["max", "max", "max", "pop"]) for _ in range(queries)]
    return lines(len(ops), *ops)


def _digit_grid(name: str, size: int) -> str:
    rng = seeded(name)
    rows = ["".join(str(rng.randint(0, 9)) for _ in range(size)) for _ in range(size)]
    return lines(f"{size} {size}", *rows)


def _number_rows(name: str, rows: int, cols: int) -> str:
    rng = seeded(name)
    body = [" ".join(str(rng.randint(-1000, 1000)) for _ in range(cols)) for _ in range(rows)]
    return lines(f"{rows} {cols}", *body)


def _regular_polygon(vertices: int) -> list[list[float]]:
    return [
        [math.cos(2 * math.pi * i / vertices), math.sin(2 * math.pi * i / vertices)]
        for i in range(vertices)
    ]


# ---------------------------------------------------------------- function problems

SPECS: list[Spec] = [
    Spec(
        id="starter/rotate_list",
        difficulty="easy",
        tags=("lists",),
        signature="rotate_list(items: list[int], k: int) -> list[int]",
        statement="""
            Return a new list with the elements of `items` rotated to the right by `k`
            positions: every element moves `k` places towards the end, and elements pushed
            past the end wrap around to the front. `k` is a non-negative integer and may be
            larger than the length of the list. An empty list gives an empty list. Do not
            modify `items`.
        """,
        solution="""
            def rotate_list(items: list[int], k: int) -> list[int]:
                if not items:
                    return []
                cut = len(items) - k % len(items)
                return items[cut:] + items[:cut]
        """,
        cases=(
            call([1, 2, 3, 4, 5], 2, expect=[4, 5, 1, 2, 3]),
            call([1, 2, 3, 4], 10, expect=[3, 4, 1, 2]),
            call([7], 5, expect=[7]),
            call([], 3, expect=[]),
            call([1, 2, 3], 0),
            call([1, 2, 3], 3),
            call([-1, -1, 2], 1),
            call(randints("rotate_list", 10000, -99, 99), 123457),
        ),
    ),
    Spec(
        id="starter/compress_runs",
        difficulty="easy",
        tags=("strings",),
        signature="compress_runs(text: str) -> str",
        statement="""
            Compress `text` by replacing every maximal run of one repeated character with
            that character followed by the length of the run. A run of length 1 is written
            as the character alone, without a count. Characters are compared case-sensitively
            and `text` never contains digits. The empty string compresses to itself.
        """,
        solution="""
            def compress_runs(text: str) -> str:
                parts = []
                start = 0
                while start < len(text):
                    end = start
                    while end < len(text) and text[end] == text[start]:
                        end += 1
                    length = end - start
                    parts.append(text[start] if length == 1 else f"{text[start]}{length}")
                    start = end
                return "".join(parts)
        """,
        cases=(
            call("aaabcc", expect="a3bc2"),
            call("", expect=""),
            call("aAaa", expect="aAa2"),
            call("zzzzzzzzzzzz", expect="z12"),
            call("x"),
            call("abc"),
            call("  !!"),
            call(_runs_text("compress_runs", 50000)),
        ),
    ),
    Spec(
        id="starter/word_frequencies",
        difficulty="medium",
        tags=("strings", "dicts", "sorting"),
        signature="word_frequencies(text: str, k: int) -> list[tuple[str, int]]",
        statement="""
            A word is a maximal run of ASCII letters (`a`-`z`, `A`-`Z`); every other
            character separates words, so "dog's" holds the words "dog" and "s". Words are
            counted case-insensitively and reported in lower case. Return the `k` most
            frequent words as `(word, count)` pairs, ordered by count from high to low and
            alphabetically among equal counts. If there are fewer than `k` distinct words,
            return all of them. `k` is a non-negative integer.
        """,
        solution="""
            import re


            def word_frequencies(text: str, k: int) -> list[tuple[str, int]]:
                counts = {}
                for word in re.findall(r"[A-Za-z]+", text):
                    word = word.lower()
                    counts[word] = counts.get(word, 0) + 1
                ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
                return ranked[:k]
        """,
        cases=(
            call("the cat and the hat", 2, expect=[("the", 2), ("and", 1)]),
            call("Go go GO! stop.", 5, expect=[("go", 3), ("stop", 1)]),
            call("it's a dog's day", 10, expect=[("s", 2), ("a", 1), ("day", 1), ("dog", 1), ("it", 1)]),
            call("", 3, expect=[]),
            call("x1y2x", 1),
            call("b a", 0),
            call(_prose("word_frequencies", 20000), 25),
        ),
    ),
    Spec(
        id="starter/second_largest",
        difficulty="easy",
        tags=("lists",),
        signature="second_largest(nums: list[int]) -> int | None",
        statement="""
            Return the second largest distinct value in `nums`: the largest value that is
            strictly smaller than the maximum. Return `None` when `nums` holds fewer than
            two distinct values (including when it is empty).
        """,
        solution="""
            def second_largest(nums: list[int]) -> int | None:
                largest = second = None
                for x in nums:
                    if largest is None or x > largest:
                        largest, second = x, largest
                    elif x != largest and (second is None or x > second):
                        second = x
                return second
        """,
        cases=(
            call([3, 1, 4, 1, 5], expect=4),
            call([5, 5, 5], expect=None),
            call([-2, -7], expect=-7),
            call([], expect=None),
            call([2, 2, 1]),
            call([0]),
            call(randints("second_largest", 10000, -10**6, 10**6)),
        ),
    ),
    Spec(
        id="starter/closest_pair_sum",
        difficulty="medium",
        tags=("two pointers", "sorting", "binary search"),
        signature="closest_pair_sum(nums: list[int], target: int) -> int",
        statement="""
            `nums` holds at least two integers. Choose two elements at different positions
            so that their sum is as close as possible to `target`, and return that sum. If
            two different sums are equally close, return the smaller one. An O(n^2) scan of
            all pairs is too slow for the largest inputs (10^4 elements).
        """,
        solution="""
            from bisect import bisect_left


            def closest_pair_sum(nums: list[int], target: int) -> int:
                values = sorted(nums)
                best = None
                for i in range(len(values) - 1):
                    j = bisect_left(values, target - values[i], i + 1)
                    for k in (j - 1, j):
                        if i < k < len(values):
                            total = values[i] + values[k]
                            if best is None or (abs(total - target), total) < (abs(best - target), best):
                                best = total
                return best
        """,
        cases=(
            call([1, 4, 6, 9], 12, expect=13),
            call([-5, -1, 3, 8], 0, expect=-2),
            call([5, 5, 5], 9, expect=10),
            call([1, 2], 100, expect=3),
            call([0, 0], 0),
            call([-10, 20, 7, 7, -3], 4),
            call(randints("closest_pair_sum", 10000, -10**5, 10**5), 31337),
        ),
    ),
    Spec(
        id="starter/quietest_window",
        difficulty="easy",
        tags=("sliding window",),
        signature="quietest_window(levels: list[int], k: int) -> int",
        statement="""
            `levels[i]` is the noise level measured in minute `i`. Return the start index of
            the `k` consecutive minutes whose levels have the smallest sum
            (`1 <= k <= len(levels)`). If several windows tie, return the earliest one.
        """,
        solution="""
            def quietest_window(levels: list[int], k: int) -> int:
                window = sum(levels[:k])
                best, best_start = window, 0
                for start in range(1, len(levels) - k + 1):
                    window += levels[start + k - 1] - levels[start - 1]
                    if window < best:
                        best, best_start = window, start
                return best_start
        """,
        cases=(
            call([5, 1, 2, 8, 0, 0], 2, expect=4),
            call([-1, 4, -3, -2], 2, expect=2),
            call([0, 0, 0, 5, 0, 0], 2, expect=0),
            call([3], 1, expect=0),
            call([2, 2, 2], 2),
            call([1, 2, 3], 3),
            call(randints("quietest_window", 50000, 0, 99), 2000),
        ),
    ),
    Spec(
        id="starter/first_unbalanced",
        difficulty="medium",
        tags=("stacks", "strings"),
        signature="first_unbalanced(s: str) -> int",
        statement="""
            `s` contains the brackets `()`, `[]`, `{}` and other characters, which are
            ignored. Scan `s` from left to right. Return the index of the first closing
            bracket that does not close the most recent still-open bracket of the same kind
            (because the most recent open bracket is of another kind, or none is open). If
            every closing bracket matches but some brackets are still open at the end,
            return the index of the leftmost one of those. If `s` is balanced, return -1.
        """,
        solution="""
            def first_unbalanced(s: str) -> int:
                opener_of = {")": "(", "]": "[", "}": "{"}
                open_positions = []
                for index, char in enumerate(s):
                    if char in "([{":
                        open_positions.append(index)
                    elif char in opener_of:
                        if not open_positions or s[open_positions[-1]] != opener_of[char]:
                            return index
                        open_positions.pop()
                return open_positions[0] if open_positions else -1
        """,
        cases=(
            call("(a[b]c)", expect=-1),
            call("([)]", expect=2),
            call("(()", expect=0),
            call("x)", expect=1),
            call("{[]}(", expect=4),
            call(""),
            call("((((]"),
            call(_bracket_text("first_unbalanced", 20000, "")),
            call(_bracket_text("first_unbalanced/2", 20000, "}")),
        ),
    ),
    Spec(
        id="starter/covered_length",
        difficulty="medium",
        tags=("intervals", "sorting"),
        signature="covered_length(intervals: list[list[int]]) -> int",
        statement="""
            Each interval `[start, end]` (with `start <= end`) covers the numbers `x` with
            `start <= x < end` on the number line, so its length is `end - start`. Intervals
            may overlap, touch or be empty. Return the total length of their union.
            Coordinates can be as large as 10^9 in absolute value.
        """,
        solution="""
            def covered_length(intervals: list[list[int]]) -> int:
                total = 0
                run_start = run_end = None
                for start, end in sorted(intervals):
                    if start == end:
                        continue
                    if run_end is None or start > run_end:
                        if run_end is not None:
                            total += run_end - run_start
                        run_start, run_end = start, end
                    else:
                        run_end = max(run_end, end)
                if run_end is not None:
                    total += run_end - run_start
                return total
        """,
        cases=(
            call([[1, 3], [2, 5], [7, 8]], expect=5),
            call([[-5, -1], [-3, 2]], expect=7),
            call([[0, 10], [2, 3], [10, 12]], expect=12),
            call([], expect=0),
            call([[4, 4]]),
            call([[5, 9], [1, 2], [5, 9], [3, 3]]),
            call(_intervals("covered_length", 5000)),
        ),
    ),
    Spec(
        id="starter/count_step_paths",
        difficulty="medium",
        tags=("dynamic programming",),
        signature="count_step_paths(n: int, steps: list[int]) -> int",
        statement="""
            You stand on stair 0 and want to reach stair `n` exactly (`n >= 0`). In one move
            you climb any number of stairs listed in `steps` (distinct positive integers).
            Count the different sequences of moves that end exactly on stair `n`; the order
            of moves matters. For `n = 0` the empty sequence is the only one. Return the
            count modulo 1_000_000_007. `n` can be as large as 10^5.
        """,
        solution="""
            def count_step_paths(n: int, steps: list[int]) -> int:
                mod = 1_000_000_007
                ways = [1] + [0] * n
                for stair in range(1, n + 1):
                    ways[stair] = sum(ways[stair - step] for step in steps if step <= stair) % mod
                return ways[n]
        """,
        cases=(
            call(4, [1, 2], expect=5),
            call(7, [1, 3, 5], expect=12),
            call(5, [2], expect=0),
            call(0, [3], expect=1),
            call(3, [4]),
            call(500, [1, 2]),
            call(100000, [1, 2, 3, 7, 11]),
        ),
    ),
    Spec(
        id="starter/largest_lake",
        difficulty="medium",
        tags=("grids", "bfs"),
        signature="largest_lake(grid: list[str]) -> int",
        statement="""
            `grid` is a rectangular map given as equal-length rows; `.` is water and `#` is
            land. Water cells that share a side (up, down, left, right; not diagonally)
            belong to the same lake. Return the number of cells in the largest lake, or 0 if
            there is no water (an empty grid has none). Grids can be 200 x 200.
        """,
        solution="""
            from collections import deque


            def largest_lake(grid: list[str]) -> int:
                rows = len(grid)
                cols = len(grid[0]) if rows else 0
                seen = [[False] * cols for _ in range(rows)]
                best = 0
                for r in range(rows):
                    for c in range(cols):
                        if grid[r][c] != "." or seen[r][c]:
                            continue
                        seen[r][c] = True
                        queue = deque([(r, c)])
                        size = 0
                        while queue:
                            y, x = queue.popleft()
                            size += 1
                            for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                                if 0 <= ny < rows and 0 <= nx < cols and not seen[ny][nx] and grid[ny][nx] == ".":
                                    seen[ny][nx] = True
                                    queue.append((ny, nx))
                        best = max(best, size)
                return best
        """,
        cases=(
            call(["#..#", "#.##", "##.."], expect=3),
            call([".#.", "#.#", ".#."], expect=1),
            call(["..", ".."], expect=4),
            call([], expect=0),
            call(["###"]),
            call(["."]),
            call(_grid("largest_lake", 200, 200, 0.62)),
        ),
    ),
    Spec(
        id="starter/shortest_path",
        difficulty="medium",
        tags=("grids", "bfs"),
        signature="shortest_path(grid: list[str]) -> int",
        statement="""
            `grid` is a rectangular maze given as equal-length rows. It contains exactly one
            `S` (start) and one `E` (exit); `#` is a wall and every other cell is open. One
            step moves to a side-adjacent open cell (up, down, left or right). Return the
            smallest number of steps from `S` to `E`, or -1 if `E` cannot be reached.
        """,
        solution="""
            from collections import deque


            def shortest_path(grid: list[str]) -> int:
                rows, cols = len(grid), len(grid[0])
                start = next((r, c) for r in range(rows) for c in range(cols) if grid[r][c] == "S")
                distance = {start: 0}
                queue = deque([start])
                while queue:
                    r, c = queue.popleft()
                    if grid[r][c] == "E":
                        return distance[(r, c)]
                    for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                        if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] != "#" and (nr, nc) not in distance:
                            distance[(nr, nc)] = distance[(r, c)] + 1
                            queue.append((nr, nc))
                return -1
        """,
        cases=(
            call(["S.#", "..#", "#.E"], expect=4),
            call(["S#E"], expect=-1),
            call(["SE"], expect=1),
            call(["S", ".", "E"], expect=2),
            call(["E..", "##.", "S.."]),
            call(["S.#.", "#..#", "..#E"]),
            call(_maze("shortest_path", 150)),
        ),
    ),
    Spec(
        id="starter/count_in_ranges",
        difficulty="medium",
        tags=("binary search", "sorting"),
        signature="count_in_ranges(nums: list[int], queries: list[list[int]]) -> list[int]",
        statement="""
            For each query `[lo, hi]` (with `lo <= hi`) count how many elements `x` of `nums`
            satisfy `lo <= x <= hi`. `nums` is not sorted and may contain repeated values.
            Return the counts in the order of the queries. Both lists can hold 5000 items.
        """,
        solution="""
            from bisect import bisect_left, bisect_right


            def count_in_ranges(nums: list[int], queries: list[list[int]]) -> list[int]:
                values = sorted(nums)
                return [bisect_right(values, hi) - bisect_left(values, lo) for lo, hi in queries]
        """,
        cases=(
            call([5, 1, 3, 3, 9], [[1, 3], [4, 8], [0, 100]], expect=[3, 1, 5]),
            call([-3, -1, 0], [[-2, -1], [-3, -3]], expect=[1, 1]),
            call([], [[0, 1]], expect=[0]),
            call([2], []),
            call([7, 7, 7], [[7, 7], [8, 9]]),
            call(
                randints("count_in_ranges", 5000, -5000, 5000),
                [sorted(pair) for pair in zip(*[iter(randints("count_in_ranges/q", 10000, -6000, 6000))] * 2)],
            ),
        ),
    ),
    Spec(
        id="starter/evaluate",
        difficulty="medium",
        tags=("parsing", "strings"),
        signature="evaluate(expression: str) -> int",
        statement="""
            `expression` is made of non-negative integer literals, the binary operators `+`,
            `-` and `*`, and spaces. There are no parentheses and no unary minus, and it is
            never empty. Evaluate it with the usual precedence: `*` binds tighter than `+`
            and `-`, which are applied from left to right. Return the integer result.
        """,
        solution="""
            import re


            def evaluate(expression: str) -> int:
                tokens = re.findall(r"\\d+|[-+*]", expression)
                total, sign, term = 0, 1, int(tokens[0])
                for i in range(1, len(tokens), 2):
                    operator, value = tokens[i], int(tokens[i + 1])
                    if operator == "*":
                        term *= value
                    else:
                        total += sign * term
                        sign = 1 if operator == "+" else -1
                        term = value
                return total + sign * term
        """,
        cases=(
            call("2+3*4", expect=14),
            call(" 10 - 4 - 3 ", expect=3),
            call("2*3*4-20", expect=4),
            call("7", expect=7),
            call("0*999+1"),
            call("100 - 5*5*5"),
            call(_expression("evaluate", 5000)),
        ),
    ),
    Spec(
        id="starter/total_set_bits",
        difficulty="medium",
        tags=("bit manipulation", "math"),
        signature="total_set_bits(n: int) -> int",
        statement="""
            Return the total number of 1 bits in the binary representations of all integers
            from 0 to `n` inclusive (`n >= 0`). `n` can be as large as 10^15, so looping over
            every number is too slow.
        """,
        solution="""
            def total_set_bits(n: int) -> int:
                total = 0
                bit = 0
                while (1 << bit) <= n:
                    half = 1 << bit
                    full_cycles, rest = divmod(n + 1, half * 2)
                    total += full_cycles * half + max(0, rest - half)
                    bit += 1
                return total
        """,
        cases=(
            call(5, expect=7),
            call(7, expect=12),
            call(8, expect=13),
            call(0, expect=0),
            call(1),
            call(2**40 - 1),
            call(10**15),
        ),
    ),
    Spec(
        id="starter/count_divisors",
        difficulty="easy",
        tags=("math",),
        signature="count_divisors(n: int) -> int",
        statement="""
            Return how many positive integers divide `n` exactly, counting 1 and `n` itself.
            `1 <= n <= 10^12`.
        """,
        solution="""
            def count_divisors(n: int) -> int:
                count = 1
                factor = 2
                while factor * factor <= n:
                    exponent = 0
                    while n % factor == 0:
                        n //= factor
                        exponent += 1
                    count *= exponent + 1
                    factor += 1 if factor == 2 else 2
                if n > 1:
                    count *= 2
                return count
        """,
        cases=(
            call(12, expect=6),
            call(36, expect=9),
            call(13, expect=2),
            call(1, expect=1),
            call(10**12, expect=169),
            call(2**40),
            call(999999999989),
            call(963761198400),
        ),
    ),
    Spec(
        id="starter/caesar_shift",
        difficulty="easy",
        tags=("strings",),
        signature="caesar_shift(text: str, k: int) -> str",
        statement="""
            Shift every ASCII letter of `text` by `k` places forward in the alphabet,
            wrapping around from `z` to `a` (and from `Z` to `A`) and keeping its case. `k`
            may be negative (shift backwards) or larger than 26. Every other character,
            including non-ASCII letters, stays unchanged.
        """,
        solution="""
            def caesar_shift(text: str, k: int) -> str:
                out = []
                for char in text:
                    if "a" <= char <= "z":
                        out.append(chr((ord(char) - ord("a") + k) % 26 + ord("a")))
                    elif "A" <= char <= "Z":
                        out.append(chr((ord(char) - ord("A") + k) % 26 + ord("A")))
                    else:
                        out.append(char)
                return "".join(out)
        """,
        cases=(
            call("abc xyz", 2, expect="cde zab"),
            call("Hello, World!", -1, expect="Gdkkn, Vnqkc!"),
            call("Zz", 27, expect="Aa"),
            call("", 5, expect=""),
            call("éa1", 1),
            call("Mixed CASE text", -53),
            call(_prose("caesar_shift", 3000), 13),
        ),
    ),
    Spec(
        id="starter/invert_mapping",
        difficulty="easy",
        tags=("dicts",),
        signature="invert_mapping(mapping: dict[str, str]) -> dict[str, list[str]]",
        statement="""
            Return a new dictionary that maps every value of `mapping` to the list of keys
            that map to it, sorted in increasing order. Every value of `mapping` appears
            exactly once as a key of the result.
        """,
        solution="""
            def invert_mapping(mapping: dict[str, str]) -> dict[str, list[str]]:
                inverted = {}
                for key, value in mapping.items():
                    inverted.setdefault(value, []).append(key)
                return {value: sorted(keys) for value, keys in inverted.items()}
        """,
        cases=(
            call({"a": "x", "b": "y", "c": "x"}, expect={"x": ["a", "c"], "y": ["b"]}),
            call({"k": "k"}, expect={"k": ["k"]}),
            call({"b": "1", "a": "1", "c": "1"}, expect={"1": ["a", "b", "c"]}),
            call({}, expect={}),
            call({"apple": "fruit", "kale": "leaf", "fig": "fruit", "": "none"}),
            call({f"key{i}": f"v{i % 97}" for i in range(2000)}),
        ),
    ),
    Spec(
        id="starter/flatten",
        difficulty="easy",
        tags=("lists", "recursion"),
        signature="flatten(items: list) -> list[int]",
        statement="""
            `items` is a list whose elements are integers or lists of the same kind, nested
            to any depth. Return all the integers in left-to-right order as one flat list.
        """,
        solution="""
            def flatten(items: list) -> list[int]:
                out = []
                iterators = [iter(items)]
                while iterators:
                    for item in iterators[-1]:
                        if isinstance(item, list):
                            iterators.append(iter(item))
                            break
                        out.append(item)
                    else:
                        iterators.pop()
                return out
        """,
        cases=(
            call([1, [2, [3, 4]], 5], expect=[1, 2, 3, 4, 5]),
            call([[], [[]]], expect=[]),
            call([[[[7]]], -1], expect=[7, -1]),
            call([], expect=[]),
            call([0, [0], [[0, 1]]]),
            call(_deep(60)),
            call(_nested("flatten", 10000)),
        ),
    ),
    Spec(
        id="starter/rotate_clockwise",
        difficulty="easy",
        tags=("grids", "strings"),
        signature="rotate_clockwise(grid: list[str]) -> list[str]",
        statement="""
            `grid` is a rectangular picture given as rows of equal length (it may have no
            rows at all). Return the picture rotated 90 degrees clockwise, again as a list of
            row strings: a picture with `r` rows and `c` columns becomes `c` rows of `r`
            characters.
        """,
        solution="""
            def rotate_clockwise(grid: list[str]) -> list[str]:
                if not grid:
                    return []
                return ["".join(row[c] for row in reversed(grid)) for c in range(len(grid[0]))]
        """,
        cases=(
            call(["ab", "cd"], expect=["ca", "db"]),
            call(["abc"], expect=["a", "b", "c"]),
            call(["a", "b", "c"], expect=["cba"]),
            call([], expect=[]),
            call(["ab", "cd", "ef"]),
            call(["#"]),
            call(_grid("rotate_clockwise", 120, 80, 0.5)),
        ),
    ),
    Spec(
        id="starter/polygon_area",
        difficulty="easy",
        tags=("math", "geometry"),
        signature="polygon_area(points: list[list[float]]) -> float",
        statement="""
            `points` lists the vertices `[x, y]` of a simple polygon (its edges do not cross)
            in order around the boundary, either clockwise or counter-clockwise; there are at
            least 3. Return the polygon's area as a non-negative float. Answers within 1e-6
            of the exact area are accepted.
        """,
        solution="""
            def polygon_area(points: list[list[float]]) -> float:
                twice_area = 0.0
                for i in range(len(points)):
                    x1, y1 = points[i]
                    x2, y2 = points[(i + 1) % len(points)]
                    twice_area += x1 * y2 - x2 * y1
                return abs(twice_area) / 2
        """,
        atol=1e-6,
        cases=(
            call([[0, 0], [4, 0], [4, 3]], expect=6.0),
            call([[0, 0], [0, 2], [2, 2], [2, 0]], expect=4.0),
            call([[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]], expect=3.0),
            call([[0.5, 0.5], [1.5, 0.5], [0.5, 1.5]], expect=0.5),
            call([[-3, -3], [3, -3], [0, 4]]),
            call([[1, 1], [1, 1.5], [1.25, 1]]),
            call(_regular_polygon(1000)),
        ),
    ),
    Spec(
        id="starter/moving_average",
        difficulty="easy",
        tags=("sliding window", "math"),
        signature="moving_average(values: list[float], k: int) -> list[float]",
        statement="""
            Return the average of every window of `k` consecutive elements of `values`, from
            left to right; there are `len(values) - k + 1` windows, and none when `k` is
            larger than `len(values)`. `k >= 1`. Each average within 1e-6 of the exact value
            is accepted.
        """,
        solution="""
            def moving_average(values: list[float], k: int) -> list[float]:
                if k > len(values):
                    return []
                window = sum(values[:k])
                averages = [window / k]
                for i in range(k, len(values)):
                    window += values[i] - values[i - k]
                    averages.append(window / k)
                return averages
        """,
        atol=1e-6,
        cases=(
            call([1, 2, 3, 4], 2, expect=[1.5, 2.5, 3.5]),
            call([-1, 1, -1, 1], 4, expect=[0.0]),
            call([1, 2], 3, expect=[]),
            call([5], 1, expect=[5.0]),
            call([0.5, 0.25, 0.125, 2.0], 3),
            call(randints("moving_average", 5000, 0, 99), 500),
        ),
    ),
    Spec(
        id="starter/run_editor",
        difficulty="medium",
        tags=("stacks", "simulation", "strings"),
        signature="run_editor(commands: list[str]) -> str",
        statement="""
            Simulate a text editor whose document starts empty, and return the final
            document. The commands are:
            - `type X`: append the text X, which is everything after the first space (it may
              contain spaces or be empty);
            - `delete N`: remove the last N characters (all of them if there are fewer);
            - `undo`: revert the most recent `type` or `delete` that is not yet undone;
            - `redo`: apply again the most recently undone command.
            Every `type` and `delete` counts for undo, even one that changed nothing, and
            clears the redo history. `undo` and `redo` with nothing to undo or redo do
            nothing.
        """,
        solution="""
            def run_editor(commands: list[str]) -> str:
                document = []
                done, undone = [], []

                def apply(kind, text):
                    if kind == "type":
                        document.extend(text)
                    elif text:
                        del document[len(document) - len(text):]

                for command in commands:
                    name, _, argument = command.partition(" ")
                    if name == "undo":
                        if done:
                            kind, text = done.pop()
                            apply("delete" if kind == "type" else "type", text)
                            undone.append((kind, text))
                        continue
                    if name == "redo":
                        if undone:
                            kind, text = undone.pop()
                            apply(kind, text)
                            done.append((kind, text))
                        continue
                    if name == "type":
                        action = ("type", argument)
                    else:
                        count = min(int(argument), len(document))
                        action = ("delete", "".join(document[len(document) - count:]))
                    apply(*action)
                    done.append(action)
                    undone.clear()
                return "".join(document)
        """,
        cases=(
            call(["type hello", "type  world", "undo"], expect="hello"),
            call(["type abc", "delete 2", "undo", "redo"], expect="a"),
            call(["undo", "redo"], expect=""),
            call(["type ab", "undo", "type c", "redo"], expect="c"),
            call(["type x", "delete 5", "type y", "undo", "undo", "undo", "redo"]),
            call(["type one two", "delete 0", "undo", "undo", "redo", "redo", "redo"]),
            call(_editor_commands("run_editor", 6000)),
        ),
    ),
    Spec(
        id="starter/sort_versions",
        difficulty="medium",
        tags=("sorting", "parsing"),
        signature="sort_versions(versions: list[str]) -> list[str]",
        statement="""
            Each version is a string of non-negative integers separated by dots, such as
            `"1.10.2"`. Return the versions sorted in increasing order, comparing parts
            numerically from the left; a missing part counts as 0, so `"1.2"` and `"1.2.0"`
            are equal, and leading zeros do not matter (`"01"` equals `"1"`). Equal versions
            keep their original relative order.
        """,
        solution="""
            def sort_versions(versions: list[str]) -> list[str]:
                def key(version):
                    parts = [int(part) for part in version.split(".")]
                    while parts and parts[-1] == 0:
                        parts.pop()
                    return parts

                return sorted(versions, key=key)
        """,
        cases=(
            call(["1.10", "1.2", "1.9.1"], expect=["1.2", "1.9.1", "1.10"]),
            call(["2.0", "2", "1.0.0.1"], expect=["1.0.0.1", "2.0", "2"]),
            call(["0.1", "0.01", "0.0.9"], expect=["0.0.9", "0.1", "0.01"]),
            call([], expect=[]),
            call(["3"]),
            call(["1.0.0", "1", "0.9.9", "1.0"]),
            call(_versions("sort_versions", 3000)),
        ),
    ),
    Spec(
        id="starter/count_change",
        difficulty="medium",
        tags=("dynamic programming",),
        signature="count_change(amount: int, coins: list[int]) -> int",
        statement="""
            Count the ways to pay exactly `amount` (`amount >= 0`) using any number of coins
            of the given distinct positive denominations. The order of the coins does not
            matter: 1+2 and 2+1 are the same way. Paying 0 has exactly one way (no coins).
            Return the exact count; amounts can be as large as 5000.
        """,
        solution="""
            def count_change(amount: int, coins: list[int]) -> int:
                ways = [1] + [0] * amount
                for coin in coins:
                    for value in range(coin, amount + 1):
                        ways[value] += ways[value - coin]
                return ways[amount]
        """,
        cases=(
            call(5, [1, 2, 5], expect=4),
            call(10, [10, 3], expect=1),
            call(3, [2], expect=0),
            call(0, [7], expect=1),
            call(100, [1, 5, 10, 25, 50], expect=292),
            call(7, []),
            call(5000, [1, 2, 5, 10, 20, 50, 100, 200]),
        ),
    ),
    Spec(
        id="starter/summarize_ranges",
        difficulty="easy",
        tags=("lists", "strings"),
        signature="summarize_ranges(nums: list[int]) -> list[str]",
        statement="""
            `nums` is sorted in strictly increasing order. Describe it as its maximal runs of
            consecutive integers, in order: a run from `a` to `b` with `a < b` is written
            `"a..b"`, and a run of a single number `a` is written `"a"`.
        """,
        solution="""
            def summarize_ranges(nums: list[int]) -> list[str]:
                out = []
                start = 0
                while start < len(nums):
                    end = start
                    while end + 1 < len(nums) and nums[end + 1] == nums[end] + 1:
                        end += 1
                    out.append(str(nums[start]) if start == end else f"{nums[start]}..{nums[end]}")
                    start = end + 1
                return out
        """,
        cases=(
            call([0, 1, 2, 4, 6, 7], expect=["0..2", "4", "6..7"]),
            call([-3, -2, -1, 1], expect=["-3..-1", "1"]),
            call([5], expect=["5"]),
            call([], expect=[]),
            call([1, 3, 5]),
            call(list(range(-5, 6))),
            call(sorted(set(randints("summarize_ranges", 12000, 0, 20000)))),
        ),
    ),
    Spec(
        id="starter/parse_duration",
        difficulty="easy",
        tags=("parsing", "strings"),
        signature="parse_duration(text: str) -> int",
        statement="""
            `text` is a duration written as one or more parts `<number><unit>` with no
            spaces, where the number is a non-negative integer and the unit is `d` (days),
            `h` (hours), `m` (minutes) or `s` (seconds), for example `"1h30m"`. Units may
            come in any order and may repeat; all parts add up. Return the total number of
            seconds.
        """,
        solution="""
            import re

            SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


            def parse_duration(text: str) -> int:
                return sum(int(number) * SECONDS[unit] for number, unit in re.findall(r"(\\d+)([dhms])", text))
        """,
        cases=(
            call("1h30m", expect=5400),
            call("2d", expect=172800),
            call("10m10m", expect=1200),
            call("45s", expect=45),
            call("0s"),
            call("1d1h1m1s"),
            call("15s3h"),
            call("100000d59s"),
        ),
    ),
    Spec(
        id="starter/chunk",
        difficulty="easy",
        tags=("lists",),
        signature="chunk(items: list[int], size: int) -> list[list[int]]",
        statement="""
            Split `items` into consecutive pieces of `size` elements each (`size >= 1`), in
            order; only the last piece may be shorter. An empty list gives an empty list.
        """,
        solution="""
            def chunk(items: list[int], size: int) -> list[list[int]]:
                return [items[i:i + size] for i in range(0, len(items), size)]
        """,
        cases=(
            call([1, 2, 3, 4, 5], 2, expect=[[1, 2], [3, 4], [5]]),
            call([1, 2], 5, expect=[[1, 2]]),
            call([], 3, expect=[]),
            call([1, 2, 3], 3, expect=[[1, 2, 3]]),
            call([4, -4, 4], 1),
            call(list(range(10)), 4),
        ),
    ),
    Spec(
        id="starter/dedupe",
        difficulty="easy",
        tags=("lists", "hashing"),
        signature="dedupe(items: list[int]) -> list[int]",
        statement="""
            Return the elements of `items` with repeats removed: keep the first occurrence of
            every value, in the original order. Lists can hold 20000 elements, most of them
            distinct.
        """,
        solution="""
            def dedupe(items: list[int]) -> list[int]:
                seen = set()
                out = []
                for item in items:
                    if item not in seen:
                        seen.add(item)
                        out.append(item)
                return out
        """,
        cases=(
            call([3, 1, 3, 2, 1], expect=[3, 1, 2]),
            call([-1, -1, -1], expect=[-1]),
            call([], expect=[]),
            call([1, 2, 3], expect=[1, 2, 3]),
            call([0, -0, 5, 0]),
            call(randints("dedupe", 20000, -30000, 30000)),
        ),
    ),
    Spec(
        id="starter/merge_sorted",
        difficulty="easy",
        tags=("two pointers", "lists"),
        signature="merge_sorted(a: list[int], b: list[int]) -> list[int]",
        statement="""
            `a` and `b` are each sorted in non-decreasing order. Return one list, also sorted
            in non-decreasing order, that holds every element of both (duplicates kept).
        """,
        solution="""
            def merge_sorted(a: list[int], b: list[int]) -> list[int]:
                out = []
                i = j = 0
                while i < len(a) and j < len(b):
                    if a[i] <= b[j]:
                        out.append(a[i])
                        i += 1
                    else:
                        out.append(b[j])
                        j += 1
                return out + a[i:] + b[j:]
        """,
        cases=(
            call([1, 4, 9], [2, 3, 10], expect=[1, 2, 3, 4, 9, 10]),
            call([], [5, 5], expect=[5, 5]),
            call([1, 1], [1], expect=[1, 1, 1]),
            call([], []),
            call([-3, 0], [-5, -4, 7]),
            call(sorted(randints("merge_sorted/a", 2000, -10**4, 10**4)),
                 sorted(randints("merge_sorted/b", 1500, -10**4, 10**4))),
        ),
    ),
    Spec(
        id="starter/majority",
        difficulty="easy",
        tags=("lists", "counting"),
        signature="majority(nums: list[int]) -> int | None",
        statement="""
            Return the value that occurs at more than half of the positions of `nums`, or
            `None` if no value does (an empty list has none).
        """,
        solution="""
            def majority(nums: list[int]) -> int | None:
                candidate, lead = None, 0
                for x in nums:
                    if lead == 0:
                        candidate = x
                    lead += 1 if x == candidate else -1
                if candidate is not None and nums.count(candidate) * 2 > len(nums):
                    return candidate
                return None
        """,
        cases=(
            call([3, 3, 4], expect=3),
            call([2, 2, 1, 1], expect=None),
            call([5], expect=5),
            call([], expect=None),
            call([1, 2, 3, 2, 2]),
            call([-7] * 5001 + randints("majority", 4999, 0, 9)),
            call(randints("majority/2", 10000, 0, 1)),
        ),
    ),
    Spec(
        id="starter/range_sums",
        difficulty="easy",
        tags=("prefix sums", "lists"),
        signature="range_sums(nums: list[int], queries: list[list[int]]) -> list[int]",
        statement="""
            For each query `[left, right]` (with `0 <= left <= right < len(nums)`) compute the
            sum `nums[left] + ... + nums[right]`, both ends included. Return the sums in the
            order of the queries. Both lists can hold 5000 items.
        """,
        solution="""
            def range_sums(nums: list[int], queries: list[list[int]]) -> list[int]:
                prefix = [0]
                for x in nums:
                    prefix.append(prefix[-1] + x)
                return [prefix[right + 1] - prefix[left] for left, right in queries]
        """,
        cases=(
            call([1, 2, 3, 4], [[0, 1], [1, 3], [2, 2]], expect=[3, 9, 3]),
            call([-5, 5, -5], [[0, 2], [0, 1]], expect=[-5, 0]),
            call([7], [[0, 0]], expect=[7]),
            call([1, 2], []),
            call([0, 0, 0], [[0, 2], [1, 1]]),
            call(randints("range_sums", 5000, -1000, 1000), _queries("range_sums", 5000, 5000)),
        ),
    ),
    Spec(
        id="starter/matmul",
        difficulty="easy",
        tags=("math", "matrices"),
        signature="matmul(a: list[list[int]], b: list[list[int]]) -> list[list[int]]",
        statement="""
            `a` is an `n x m` matrix and `b` an `m x p` matrix (lists of rows, all
            dimensions at least 1). Return their product, the `n x p` matrix whose entry
            `[i][j]` is the sum of `a[i][k] * b[k][j]` over all `k`.
        """,
        solution="""
            def matmul(a: list[list[int]], b: list[list[int]]) -> list[list[int]]:
                columns = list(zip(*b))
                return [[sum(x * y for x, y in zip(row, column)) for column in columns] for row in a]
        """,
        cases=(
            call([[1, 2], [3, 4]], [[5, 6], [7, 8]], expect=[[19, 22], [43, 50]]),
            call([[2]], [[-3]], expect=[[-6]]),
            call([[1, 0, 2]], [[1], [2], [3]], expect=[[7]]),
            call([[1], [2]], [[3, 4]]),
            call([[0, 0], [0, 0]], [[9, 9], [9, 9]]),
            call([randints(f"matmul/a{i}", 30, -9, 9) for i in range(30)],
                 [randints(f"matmul/b{i}", 30, -9, 9) for i in range(30)]),
        ),
    ),
    Spec(
        id="starter/count_primes",
        difficulty="medium",
        tags=("math", "sieve"),
        signature="count_primes(n: int) -> int",
        statement="""
            Return how many prime numbers are strictly smaller than `n` (`n >= 0`). `n` can
            be as large as 2_000_000, so testing each number by trial division is too slow.
        """,
        solution="""
            def count_primes(n: int) -> int:
                if n < 3:
                    return 0
                is_prime = bytearray([1]) * n
                is_prime[0] = is_prime[1] = 0
                p = 2
                while p * p < n:
                    if is_prime[p]:
                        is_prime[p * p::p] = bytes(len(range(p * p, n, p)))
                    p += 1
                return sum(is_prime)
        """,
        cases=(
            call(10, expect=4),
            call(100, expect=25),
            call(3, expect=1),
            call(2, expect=0),
            call(0),
            call(1000),
            call(2_000_000),
        ),
    ),
    Spec(
        id="starter/to_base",
        difficulty="easy",
        tags=("math", "strings"),
        signature="to_base(n: int, base: int) -> str",
        statement="""
            Write the integer `n` in the given base (`2 <= base <= 36`), using the digits
            `0`-`9` and then the lowercase letters `a`-`z` for digit values 10 to 35. A
            negative number gets a leading `-`; zero is `"0"`. No leading zeros.
        """,
        solution="""
            DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


            def to_base(n: int, base: int) -> str:
                if n == 0:
                    return "0"
                sign = "-" if n < 0 else ""
                n = abs(n)
                out = []
                while n:
                    n, digit = divmod(n, base)
                    out.append(DIGITS[digit])
                return sign + "".join(reversed(out))
        """,
        cases=(
            call(10, 2, expect="1010"),
            call(255, 16, expect="ff"),
            call(-35, 36, expect="-z"),
            call(0, 7, expect="0"),
            call(36, 36),
            call(-1, 2),
            call(2**64, 36),
        ),
    ),
    Spec(
        id="starter/group_by_initial",
        difficulty="easy",
        tags=("dicts", "strings"),
        signature="group_by_initial(words: list[str]) -> dict[str, list[str]]",
        statement="""
            Group the words by their first character, lower-cased: the result maps that
            character to the list of words starting with it (either case), in their original
            order, repeats included. Empty strings are skipped.
        """,
        solution="""
            def group_by_initial(words: list[str]) -> dict[str, list[str]]:
                groups = {}
                for word in words:
                    if word:
                        groups.setdefault(word[0].lower(), []).append(word)
                return groups
        """,
        cases=(
            call(["apple", "Avocado", "banana", "apple"], expect={"a": ["apple", "Avocado", "apple"], "b": ["banana"]}),
            call(["", "x", ""], expect={"x": ["x"]}),
            call([], expect={}),
            call(["7up", "Zed", "zoo", "7"], expect={"7": ["7up", "7"], "z": ["Zed", "zoo"]}),
            call(["B", "b", "Bb"]),
            call(_prose("group_by_initial", 5000).split()),
        ),
    ),
    Spec(
        id="starter/interleave",
        difficulty="easy",
        tags=("strings", "two pointers"),
        signature="interleave(a: str, b: str) -> str",
        statement="""
            Build a string by taking characters alternately from `a` and `b`, starting with
            `a`: `a[0]`, `b[0]`, `a[1]`, `b[1]`, ... When one string runs out, append the rest
            of the other one unchanged.
        """,
        solution="""
            def interleave(a: str, b: str) -> str:
                shared = min(len(a), len(b))
                return "".join(x + y for x, y in zip(a, b)) + a[shared:] + b[shared:]
        """,
        cases=(
            call("abc", "12", expect="a1b2c"),
            call("", "xyz", expect="xyz"),
            call("ab", "CDEF", expect="aCbDEF"),
            call("", ""),
            call("q", "r"),
            call("a" * 3000, "b" * 5000),
        ),
    ),
    Spec(
        id="starter/knight_distance",
        difficulty="medium",
        tags=("bfs", "grids"),
        signature="knight_distance(start: str, end: str) -> int",
        statement="""
            Squares of a standard 8 x 8 chessboard are named by a file letter `a`-`h`
            followed by a rank digit `1`-`8`, for example `"b1"`. A knight moves two squares
            in one direction and one square perpendicular to it, and must stay on the board.
            Return the fewest knight moves from `start` to `end` on an otherwise empty board
            (0 when they are the same square).
        """,
        solution="""
            from collections import deque


            def knight_distance(start: str, end: str) -> int:
                def square(name):
                    return ord(name[0]) - ord("a"), int(name[1]) - 1

                source, target = square(start), square(end)
                distance = {source: 0}
                queue = deque([source])
                while queue:
                    x, y = queue.popleft()
                    if (x, y) == target:
                        return distance[(x, y)]
                    for dx, dy in ((1, 2), (2, 1), (2, -1), (1, -2), (-1, -2), (-2, -1), (-2, 1), (-1, 2)):
                        nxt = (x + dx, y + dy)
                        if 0 <= nxt[0] < 8 and 0 <= nxt[1] < 8 and nxt not in distance:
                            distance[nxt] = distance[(x, y)] + 1
                            queue.append(nxt)
                return -1
        """,
        cases=(
            call("a1", "b3", expect=1),
            call("a1", "a1", expect=0),
            call("a1", "h8", expect=6),
            call("a1", "b2", expect=4),
            call("d4", "e5", expect=2),
            call("h1", "a8"),
            call("c3", "f7"),
        ),
    ),
    Spec(
        id="starter/min_daily_pages",
        difficulty="medium",
        tags=("binary search", "greedy"),
        signature="min_daily_pages(chapters: list[int], days: int) -> int",
        statement="""
            A book has chapters with the given page counts (at least one chapter, each at
            least 1 page), read in order. Each day you read some whole chapters that come
            next, possibly none; a chapter is never split across days. Return the smallest
            daily limit `P` such that the book can be finished within `days` days
            (`days >= 1`) without ever reading more than `P` pages in a day. There can be
            10^4 chapters of up to 10^4 pages.
        """,
        solution="""
            def min_daily_pages(chapters: list[int], days: int) -> int:
                def days_needed(limit):
                    used, load = 1, 0
                    for pages in chapters:
                        if load + pages > limit:
                            used += 1
                            load = 0
                        load += pages
                    return used

                low, high = max(chapters), sum(chapters)
                while low < high:
                    middle = (low + high) // 2
                    if days_needed(middle) <= days:
                        high = middle
                    else:
                        low = middle + 1
                return low
        """,
        cases=(
            call([3, 2, 4, 1], 2, expect=5),
            call([5, 1, 1, 5], 1, expect=12),
            call([1, 1, 1, 1], 4, expect=1),
            call([10], 3, expect=10),
            call([4, 9, 2, 2, 6], 3),
            call([1, 2, 3, 4, 5, 6, 7, 8, 9], 100),
            call(randints("min_daily_pages", 10000, 1, 10000), 50),
        ),
    ),
    # ------------------------------------------------------------ stdin programs
    Spec(
        id="starter/column_sums",
        difficulty="easy",
        tags=("stdio", "matrices"),
        statement="""
            Input: the first line holds two integers `r` and `c` (both at least 1). Each of
            the next `r` lines holds `c` integers separated by single spaces.

            Output: one line with the `c` column sums (the sum of each column, from left to
            right), separated by single spaces.
        """,
        solution="""
            import sys


            def main():
                data = sys.stdin.read().split()
                rows, cols = int(data[0]), int(data[1])
                values = [int(x) for x in data[2:2 + rows * cols]]
                print(" ".join(str(sum(values[c::cols])) for c in range(cols)))


            main()
        """,
        cases=(
            stdin(lines("2 3", "1 2 3", "4 5 6"), expect="5 7 9\n"),
            stdin(lines("1 1", "-4"), expect="-4\n"),
            stdin(lines("3 2", "1 -1", "2 -2", "3 -3"), expect="6 -6\n"),
            stdin(lines("1 4", "0 0 0 0")),
            stdin(lines("4 1", "10", "20", "30", "40")),
            stdin(_number_rows("column_sums", 50, 7)),
            stdin(_number_rows("column_sums/big", 100, 60)),
        ),
    ),
    Spec(
        id="starter/bank_ledger",
        difficulty="medium",
        tags=("stdio", "dicts", "parsing", "simulation"),
        statement="""
            Input: the first line holds `n`, the number of operations. Each of the next `n`
            lines is one operation:
            - `open NAME`: create the account NAME with balance 0 (does nothing if it exists);
            - `deposit NAME AMOUNT`: add AMOUNT to the balance;
            - `withdraw NAME AMOUNT`: subtract AMOUNT from the balance;
            - `transfer FROM TO AMOUNT`: move AMOUNT from account FROM to a different account TO.
            Names are lowercase letters and AMOUNT is a positive integer. An operation that
            names an account that does not exist, or that would make a balance negative, is
            rejected and changes nothing (an `open` is never rejected).

            Output: first a line with the number of rejected operations, then one line
            `NAME BALANCE` per account, in alphabetical order of the names.
        """,
        solution="""
            import sys


            def main():
                rows = sys.stdin.read().splitlines()
                balances = {}
                rejected = 0
                for row in rows[1:1 + int(rows[0])]:
                    parts = row.split()
                    if parts[0] == "open":
                        balances.setdefault(parts[1], 0)
                        continue
                    accounts, amount = parts[1:-1], int(parts[-1])
                    if any(name not in balances for name in accounts):
                        rejected += 1
                    elif parts[0] == "deposit":
                        balances[accounts[0]] += amount
                    elif balances[accounts[0]] < amount:
                        rejected += 1
                    else:
                        balances[accounts[0]] -= amount
                        if parts[0] == "transfer":
                            balances[accounts[1]] += amount
                print(rejected)
                for name in sorted(balances):
                    print(name, balances[name])


            main()
        """,
        cases=(
            stdin(
                lines(5, "open bob", "open al", "deposit bob 10", "transfer bob al 4", "withdraw al 5"),
                expect="1\nal 4\nbob 6\n",
            ),
            stdin(lines(2, "deposit zed 5", "open zed"), expect="1\nzed 0\n"),
            stdin(lines(3, "open a", "open a", "withdraw a 1"), expect="1\na 0\n"),
            stdin(lines(4, "open x", "open y", "deposit x 3", "transfer x y 3")),
            stdin(lines(1, "transfer p q 1")),
            stdin(_ledger("bank_ledger", 40)),
            stdin(_ledger("bank_ledger/big", 3000)),
        ),
    ),
    Spec(
        id="starter/value_histogram",
        difficulty="easy",
        tags=("stdio", "counting", "sorting"),
        statement="""
            Input: the first line holds `n` (`n >= 0`); the second line holds `n` integers
            separated by single spaces (it is empty when `n` is 0).

            Output: for each distinct value, in increasing order, one line with the value,
            one space, and as many `*` characters as the number of times it occurs. Print
            nothing when `n` is 0.
        """,
        solution="""
            import sys
            from collections import Counter


            def main():
                data = sys.stdin.read().split()
                counts = Counter(int(x) for x in data[1:1 + int(data[0])])
                for value in sorted(counts):
                    print(value, "*" * counts[value])


            main()
        """,
        cases=(
            stdin(lines(5, "3 1 3 -2 3"), expect="-2 *\n1 *\n3 ***\n"),
            stdin(lines(0, ""), expect=""),
            stdin(lines(1, "0"), expect="0 *\n"),
            stdin(lines(4, "9 9 9 9")),
            stdin(lines(6, "10 -10 5 -5 0 0")),
            stdin(lines(500, " ".join(map(str, randints("value_histogram", 500, -9, 9))))),
        ),
    ),
    Spec(
        id="starter/min_path_grid",
        difficulty="medium",
        tags=("stdio", "dynamic programming", "grids"),
        statement="""
            Input: the first line holds `r` and `c` (both at least 1). Each of the next `r`
            lines holds `c` digits `0`-`9` with no spaces: the cost of each cell.

            You walk from the top-left cell to the bottom-right cell, moving only right or
            down. The cost of a walk is the sum of the costs of all cells on it, both ends
            included.

            Output: one line with the smallest possible cost. Grids can be 200 x 200.
        """,
        solution="""
            import sys


            def main():
                data = sys.stdin.read().split()
                rows, cols = int(data[0]), int(data[1])
                grid = data[2:2 + rows]
                best = [0] * cols
                for r in range(rows):
                    for c in range(cols):
                        cost = int(grid[r][c])
                        if r == 0 and c == 0:
                            best[c] = cost
                        elif r == 0:
                            best[c] = best[c - 1] + cost
                        elif c == 0:
                            best[c] += cost
                        else:
                            best[c] = min(best[c], best[c - 1]) + cost
                print(best[-1])


            main()
        """,
        cases=(
            stdin(lines("2 3", "131", "111"), expect="4\n"),
            stdin(lines("1 1", "7"), expect="7\n"),
            stdin(lines("3 3", "190", "191", "111"), expect="5\n"),
            stdin(lines("1 5", "12345")),
            stdin(lines("4 1", "0", "9", "0", "9")),
            stdin(_digit_grid("min_path_grid", 30)),
            stdin(_digit_grid("min_path_grid/big", 200)),
        ),
    ),
    Spec(
        id="starter/max_distinct_window",
        difficulty="medium",
        tags=("stdio", "sliding window", "hashing"),
        statement="""
            Input: the first line holds `n` and `k` (`1 <= k <= n`); the second line holds `n`
            integers separated by single spaces.

            Output: one line with the largest number of distinct values found among any `k`
            consecutive integers of the sequence. `n` can be 50000 and `k` a few thousand.
        """,
        solution="""
            import sys


            def main():
                data = sys.stdin.read().split()
                n, k = int(data[0]), int(data[1])
                values = [int(x) for x in data[2:2 + n]]
                counts = {}
                best = 0
                for i, value in enumerate(values):
                    counts[value] = counts.get(value, 0) + 1
                    if i >= k:
                        old = values[i - k]
                        counts[old] -= 1
                        if counts[old] == 0:
                            del counts[old]
                    if i >= k - 1:
                        best = max(best, len(counts))
                print(best)


            main()
        """,
        cases=(
            stdin(lines("6 3", "1 2 1 3 3 3"), expect="3\n"),
            stdin(lines("1 1", "-5"), expect="1\n"),
            stdin(lines("5 5", "4 4 4 4 4"), expect="1\n"),
            stdin(lines("4 2", "1 1 2 2")),
            stdin(lines("7 4", "-1 0 -1 0 2 2 3")),
            stdin(lines("50000 2000", " ".join(map(str, randints("max_distinct_window", 50000, 0, 3000))))),
        ),
    ),
    Spec(
        id="starter/word_count",
        difficulty="easy",
        tags=("stdio", "strings"),
        statement="""
            Input: any text (ASCII letters, digits, punctuation, spaces, tabs and newlines),
            possibly empty.

            Output: one line with three integers separated by single spaces: the number of
            lines, of words and of characters in the input. Lines: the number of newline
            characters, plus one if the text is non-empty and does not end with a newline.
            Words: maximal runs of characters other than spaces, tabs and newlines.
            Characters: every character read, newlines included.
        """,
        solution="""
            import sys


            def main():
                text = sys.stdin.read()
                line_count = text.count("\\n") + (1 if text and not text.endswith("\\n") else 0)
                print(line_count, len(text.split()), len(text))


            main()
        """,
        cases=(
            stdin("hello world\n", expect="1 2 12\n"),
            stdin("", expect="0 0 0\n"),
            stdin("a\n\nb", expect="3 2 4\n"),
            stdin("  x  ", expect="1 1 5\n"),
            stdin("\n\n\n"),
            stdin("tab\tseparated\twords\nand more\n"),
            stdin(_prose("word_count", 3000).replace(" -", "\n") + "\n"),
        ),
    ),
    Spec(
        id="starter/max_stack",
        difficulty="medium",
        tags=("stdio", "stacks"),
        statement="""
            Input: the first line holds `q`, the number of commands. Each of the next `q`
            lines is `push X` (X an integer), `pop` or `max`.

            Keep a stack of integers, initially empty. `push X` puts X on top. `pop`
            removes the top value and prints it. `max` prints the largest value currently on
            the stack without changing it. `pop` or `max` on an empty stack prints `EMPTY`.

            Output: one line per `pop` or `max` command, in order. There can be 20000
            commands, so `max` must not scan the whole stack.
        """,
        solution="""
            import sys


            def main():
                rows = sys.stdin.read().splitlines()
                values, maxima, out = [], [], []
                for row in rows[1:1 + int(rows[0])]:
                    parts = row.split()
                    if parts[0] == "push":
                        value = int(parts[1])
                        values.append(value)
                        maxima.append(value if not maxima else max(value, maxima[-1]))
                    elif not values:
                        out.append("EMPTY")
                    elif parts[0] == "pop":
                        maxima.pop()
                        out.append(str(values.pop()))
                    else:
                        out.append(str(maxima[-1]))
                if out:
                    print("\\n".join(out))


            main()
        """,
        cases=(
            stdin(lines(5, "push 3", "push 7", "max", "pop", "max"), expect="7\n7\n3\n"),
            stdin(lines(2, "pop", "max"), expect="EMPTY\nEMPTY\n"),
            stdin(lines(4, "push -5", "push -9", "max", "pop"), expect="-5\n-9\n"),
            stdin(lines(3, "push 1", "pop", "pop")),
            stdin(lines(6, "push 2", "push 2", "pop", "max", "pop", "max")),
            stdin(_stack_commands("max_stack", 10000, 10000)),
        ),
    ),
    # ------------------------------------------------------------ assertion programs
    Spec(
        id="starter/is_ipv4",
        difficulty="easy",
        tags=("parsing", "strings"),
        signature="is_ipv4(address: str) -> bool",
        statement="""
            Return `True` when `address` is a dotted-quad IPv4 address and `False` otherwise.
            A valid address has exactly four parts separated by `.`; each part is a decimal
            number from 0 to 255 written with the ASCII digits `0`-`9` only and without
            leading zeros (`"0"` is fine, `"01"` is not). Anything else, such as spaces, signs
            or empty parts, makes the address invalid.
        """,
        solution="""
            def is_ipv4(address: str) -> bool:
                parts = address.split(".")
                if len(parts) != 4:
                    return False
                for part in parts:
                    if not part or any(char not in "0123456789" for char in part):
                        return False
                    if (len(part) > 1 and part[0] == "0") or int(part) > 255:
                        return False
                return True
        """,
        example=call("192.168.0.1", expect=True),
        check="""
            def check(candidate):
                assert candidate("10.0.0.255") is True
                assert candidate("0.0.0.0") is True
                assert candidate("255.255.255.255") is True
                assert candidate("256.1.1.1") is False
                assert candidate("1.2.3") is False
                assert candidate("1.2.3.4.5") is False
                assert candidate("01.2.3.4") is False
                assert candidate("1..2.3") is False
                assert candidate(" 1.2.3.4") is False
                assert candidate("+1.2.3.4") is False
                assert candidate("1.2.3.\u0664") is False
                assert candidate("") is False
        """,
    ),
    Spec(
        id="starter/tidy_lines",
        difficulty="easy",
        tags=("strings",),
        signature="tidy_lines(text: str) -> str",
        statement="""
            Split `text` into lines at each newline character `\\n`. In every line, replace
            each run of spaces and tabs by a single space and remove spaces and tabs at both
            ends. Drop the lines that become empty. Return the remaining lines joined with
            `\\n`, with no newline at the end.
        """,
        solution="""
            def tidy_lines(text: str) -> str:
                tidied = (" ".join(line.split()) for line in text.split("\\n"))
                return "\\n".join(line for line in tidied if line)
        """,
        example=call("  hello   world \n\n bye", expect="hello world\nbye"),
        check=r"""
            def check(candidate):
                assert candidate("  one   two  ") == "one two"
                assert candidate("a\tb\n\n  c  ") == "a b\nc"
                assert candidate("") == ""
                assert candidate("\n\n\t\n") == ""
                assert candidate("one\ntwo\nthree") == "one\ntwo\nthree"
                assert candidate("x \t y\n  z\n") == "x y\nz"
                big = "word \t " * 10000 + "\n"
                assert candidate(big * 3) == "\n".join([" ".join(["word"] * 10000)] * 3)
        """,
    ),
    Spec(
        id="starter/days_between",
        difficulty="easy",
        tags=("dates", "parsing"),
        signature="days_between(a: str, b: str) -> int",
        statement="""
            `a` and `b` are dates written `YYYY-MM-DD` in the Gregorian calendar, with years
            from 0001 to 9999. Return the number of days between them as a non-negative
            integer (0 for the same date), whichever comes first.
        """,
        solution="""
            from datetime import date


            def days_between(a: str, b: str) -> int:
                return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)
        """,
        example=call("2024-02-28", "2024-03-01", expect=2),
        check="""
            def check(candidate):
                assert candidate("2023-02-28", "2023-03-01") == 1
                assert candidate("1900-02-28", "1900-03-01") == 1
                assert candidate("2000-02-28", "2000-03-01") == 2
                assert candidate("2021-06-15", "2021-06-15") == 0
                assert candidate("2024-01-01", "2023-01-01") == 365
                assert candidate("2023-12-31", "2024-12-31") == 366
                assert candidate("0001-01-01", "9999-12-31") == 3652058
        """,
    ),
]
