"""The held-out part of the starter set: 16 original problems (12 call, 3 stdin, 1 assertion).

These are evaluation-only problems, chosen to be different tasks from every training
problem (not rewordings), so a score on them measures transfer rather than recall. See
:mod:`grpo4code.data.starter.catalog` for the spec format.
"""

from __future__ import annotations

from grpo4code.data.starter.catalog import Spec, call, lines, randints, random_words, seeded, stdin


# ---------------------------------------------------------------- input generators


def _meetings(name: str, count: int) -> list[list[int]]:
    rng = seeded(name)
    out = []
    for _ in range(count):
        start = rng.randint(0, 10**6)
        out.append([start, start + rng.randint(1, 5000)])
    return out


def _burn_grid(name: str, size: int) -> list[str]:
    rng = seeded(name)
    grid = [["." if rng.random() < 0.8 else "#" for _ in range(size)] for _ in range(size)]
    for _ in range(3):
        grid[rng.randrange(size)][rng.randrange(size)] = "F"
    return ["".join(row) for row in grid]


def _rotated(count: int, shift: int) -> list[int]:
    values = [3 * i - 10000 for i in range(count)]
    return values[shift:] + values[:shift]


def _grades(name: str, count: int) -> str:
    rng = seeded(name)
    names = rng.sample([f"{a}{b}{c}" for a in "bdfgk" for b in "aeiou" for c in "lmnrst"], count)
    # `count` is kept coprime to 10 by the callers, so no average ends in an exact ...5 and
    # rounding to two decimals is never a tie.
    return lines(count, *(f"{name} {rng.randint(0, 100)}" for name in names))


def _roads(name: str, nodes: int, edges: int) -> str:
    rng = seeded(name)
    rows = [f"{rng.randint(1, nodes)} {rng.randint(1, nodes)} {rng.randint(1, 100)}" for _ in range(edges)]
    return lines(f"{nodes} {edges}", *rows)


def _rules(name: str, tasks: int, count: int, cycle: bool) -> str:
    rng = seeded(name)
    rank = list(range(1, tasks + 1))
    rng.shuffle(rank)
    rows = []
    for _ in range(count):
        i, j = sorted(rng.sample(range(tasks), 2))
        rows.append(f"{rank[i]} {rank[j]}")
    if cycle:
        rows.append(f"{rank[-1]} {rank[0]}")
        rows.append(f"{rank[0]} {rank[tasks // 2]}")
        rows.append(f"{rank[tasks // 2]} {rank[-1]}")
    return lines(f"{tasks} {len(rows)}", *rows)


# ---------------------------------------------------------------- function problems

SPECS: list[Spec] = [
    Spec(
        id="starter/max_overlap",
        difficulty="medium",
        tags=("intervals", "sweep line", "sorting"),
        signature="max_overlap(meetings: list[list[int]]) -> int",
        statement="""
            Each meeting `[start, end]` (with `start < end`) takes place during the times `t`
            with `start <= t < end`, so a meeting ending at 5 and one starting at 5 do not
            overlap. Return the largest number of meetings taking place at the same moment
            (0 when there are no meetings). There can be 5000 meetings.
        """,
        solution="""
            def max_overlap(meetings: list[list[int]]) -> int:
                events = []
                for start, end in meetings:
                    events.append((start, 1))
                    events.append((end, -1))
                events.sort()  # at equal times -1 sorts first: a meeting ends before the next starts
                best = current = 0
                for _, change in events:
                    current += change
                    best = max(best, current)
                return best
        """,
        cases=(
            call([[1, 4], [2, 5], [4, 6]], expect=2),
            call([[0, 10], [1, 2], [1, 3], [2, 3]], expect=3),
            call([[1, 2], [2, 3], [3, 4]], expect=1),
            call([], expect=0),
            call([[5, 6]]),
            call([[-3, 3], [-3, 3], [0, 1]]),
            call(_meetings("max_overlap", 5000)),
        ),
    ),
    Spec(
        id="starter/can_split_evenly",
        difficulty="medium",
        tags=("dynamic programming", "subset sum"),
        signature="can_split_evenly(weights: list[int]) -> bool",
        statement="""
            `weights` are positive integers. Decide whether they can be divided into two
            groups with the same total weight, every weight going to exactly one group.
            Return `True` or `False`; an empty list splits into two empty groups (`True`).
            There can be 200 weights of up to 500 each, far too many to try every subset.
        """,
        solution="""
            def can_split_evenly(weights: list[int]) -> bool:
                total = sum(weights)
                if total % 2:
                    return False
                reachable = 1  # bit s is set when some subset sums to s
                for weight in weights:
                    reachable |= reachable << weight
                return bool(reachable >> (total // 2) & 1)
        """,
        cases=(
            call([3, 1, 2], expect=True),
            call([2, 3], expect=False),
            call([4, 4], expect=True),
            call([7], expect=False),
            call([], expect=True),
            call([1, 2, 4, 8, 16]),
            call([6, 1, 2, 3, 4]),
            call(randints("can_split_evenly", 200, 1, 500)),
            call([2 * w for w in randints("can_split_evenly/odd", 199, 1, 250)] + [1]),
        ),
    ),
    Spec(
        id="starter/longest_increasing_subsequence",
        difficulty="medium",
        tags=("binary search", "dynamic programming"),
        signature="longest_increasing_subsequence(nums: list[int]) -> int",
        statement="""
            Return the length of the longest strictly increasing subsequence of `nums`: the
            most elements you can keep, in their original order, after deleting any others,
            such that every kept element is larger than the one before it. An empty list
            gives 0. Lists can hold 10^4 elements, so an O(n^2) method is too slow.
        """,
        solution="""
            from bisect import bisect_left


            def longest_increasing_subsequence(nums: list[int]) -> int:
                tails = []  # tails[i]: smallest tail of an increasing subsequence of length i + 1
                for x in nums:
                    i = bisect_left(tails, x)
                    if i == len(tails):
                        tails.append(x)
                    else:
                        tails[i] = x
                return len(tails)
        """,
        cases=(
            call([3, 1, 2, 5, 4], expect=3),
            call([2, 2, 2], expect=1),
            call([-3, -2, 10, 0, 1, 2], expect=5),
            call([], expect=0),
            call([5, 4, 3]),
            call([1, 3, 2, 4, 3, 5]),
            call(randints("longest_increasing_subsequence", 10000, -10**5, 10**5)),
        ),
    ),
    Spec(
        id="starter/wrap_words",
        difficulty="medium",
        tags=("strings", "greedy"),
        signature="wrap_words(text: str, width: int) -> list[str]",
        statement="""
            Split `text` into words (maximal runs of non-whitespace characters) and fill lines
            greedily, in order: a line holds as many of the next words as fit within `width`
            characters with single spaces between them. A word longer than `width` is not
            broken; it gets a line of its own. Return the lines (no leading or trailing
            spaces); text with no words gives an empty list. `width >= 1`.
        """,
        solution="""
            def wrap_words(text: str, width: int) -> list[str]:
                result = []
                current = ""
                for word in text.split():
                    if not current:
                        current = word
                    elif len(current) + 1 + len(word) <= width:
                        current += " " + word
                    else:
                        result.append(current)
                        current = word
                if current:
                    result.append(current)
                return result
        """,
        cases=(
            call("the quick brown fox", 10, expect=["the quick", "brown fox"]),
            call("supercalifragilistic is long", 6, expect=["supercalifragilistic", "is", "long"]),
            call("a b c d", 3, expect=["a b", "c d"]),
            call("", 5, expect=[]),
            call("  spaced   out\n\tthere ", 20),
            call("exactly ten", 11),
            call(" ".join(random_words("wrap_words", 5000, 12, "etaoinshrdlu")), 72),
        ),
    ),
    Spec(
        id="starter/minutes_to_burn",
        difficulty="medium",
        tags=("grids", "bfs"),
        signature="minutes_to_burn(grid: list[str]) -> int",
        statement="""
            `grid` is a rectangular field given as equal-length rows: `F` is burning, `.` is
            dry grass and `#` is rock, which never burns. Every minute the fire spreads from
            each burning cell to the grass cells sharing a side with it (up, down, left,
            right). Return the number of minutes until no grass is left, 0 if there is no
            grass to begin with, or -1 if some grass never catches fire. Fields can be
            200 x 200.
        """,
        solution="""
            from collections import deque


            def minutes_to_burn(grid: list[str]) -> int:
                rows = len(grid)
                cols = len(grid[0]) if rows else 0
                minute = [[-1] * cols for _ in range(rows)]
                queue = deque()
                grass = 0
                for r in range(rows):
                    for c in range(cols):
                        if grid[r][c] == "F":
                            minute[r][c] = 0
                            queue.append((r, c))
                        elif grid[r][c] == ".":
                            grass += 1
                latest = 0
                while queue:
                    r, c = queue.popleft()
                    for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                        if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] == "." and minute[nr][nc] < 0:
                            minute[nr][nc] = latest = minute[r][c] + 1
                            grass -= 1
                            queue.append((nr, nc))
                return latest if grass == 0 else -1
        """,
        cases=(
            call(["F..", "#.#", "..."], expect=4),
            call(["..."], expect=-1),
            call(["F.F"], expect=1),
            call(["F#."], expect=-1),
            call(["F"]),
            call(["#", "#"]),
            call(_burn_grid("minutes_to_burn", 200)),
        ),
    ),
    Spec(
        id="starter/find_rotation",
        difficulty="medium",
        tags=("binary search",),
        signature="find_rotation(nums: list[int]) -> int",
        statement="""
            `nums` (at least one element) was a strictly increasing list that was then
            rotated: some number of elements, possibly zero, were moved from its end to its
            front, keeping their order. Return the index of the smallest element. Aim for
            O(log n) time.
        """,
        solution="""
            def find_rotation(nums: list[int]) -> int:
                low, high = 0, len(nums) - 1
                while low < high:
                    middle = (low + high) // 2
                    if nums[middle] > nums[high]:
                        low = middle + 1
                    else:
                        high = middle
                return low
        """,
        cases=(
            call([4, 5, 6, 1, 2, 3], expect=3),
            call([1, 2, 3], expect=0),
            call([2, 1], expect=1),
            call([7], expect=0),
            call([-5, -9, -7]),
            call([10, 20, 30, 40, 0]),
            call(_rotated(3000, 1729)),
            call(_rotated(3000, 1)),
        ),
    ),
    Spec(
        id="starter/expand",
        difficulty="medium",
        tags=("stacks", "parsing", "strings"),
        signature="expand(pattern: str) -> str",
        statement="""
            `pattern` is made of lowercase letters and groups `k[body]`, where `k` is a
            positive decimal integer and `body` is itself such a pattern (possibly empty);
            a group stands for `body` written `k` times in a row. Groups may be nested.
            Return the fully expanded string.
        """,
        solution="""
            def expand(pattern: str) -> str:
                pieces = [[]]  # pieces[-1]: the parts of the group being read
                repeats = []
                number = 0
                for char in pattern:
                    if char.isdigit():
                        number = number * 10 + int(char)
                    elif char == "[":
                        repeats.append(number)
                        number = 0
                        pieces.append([])
                    elif char == "]":
                        body = "".join(pieces.pop())
                        pieces[-1].append(body * repeats.pop())
                    else:
                        pieces[-1].append(char)
                return "".join(pieces[0])
        """,
        cases=(
            call("ab2[c]", expect="abcc"),
            call("3[a2[b]]", expect="abbabbabb"),
            call("10[z]", expect="z" * 10),
            call("", expect=""),
            call("x"),
            call("2[]q1[r]"),
            call("4[ab3[c2[d]]e]f12[g]"),
            call("5[4[3[2[1[xy]z]w]v]u]" * 20),
        ),
    ),
    Spec(
        id="starter/lcm_all",
        difficulty="easy",
        tags=("math",),
        signature="lcm_all(nums: list[int]) -> int",
        statement="""
            Return the least common multiple of the positive integers in `nums`: the
            smallest positive integer that every one of them divides. The result of an empty
            list is 1. Results can be far larger than 2^64 (Python integers do not overflow).
        """,
        solution="""
            from math import gcd


            def lcm_all(nums: list[int]) -> int:
                result = 1
                for x in nums:
                    result = result * x // gcd(result, x)
                return result
        """,
        cases=(
            call([4, 6], expect=12),
            call([2, 3, 4, 5, 6], expect=60),
            call([7], expect=7),
            call([], expect=1),
            call([10**9, 10**9 - 1]),
            call([12, 18, 30, 45]),
            call(list(range(1, 51))),
        ),
    ),
    Spec(
        id="starter/is_subsequence",
        difficulty="easy",
        tags=("strings", "two pointers"),
        signature="is_subsequence(needle: str, haystack: str) -> bool",
        statement="""
            Return `True` if the characters of `needle` appear in `haystack` in the same
            order, not necessarily next to each other (you can get `needle` by deleting some
            characters of `haystack`), and `False` otherwise. The empty string is a
            subsequence of every string. Strings can be 40000 characters long.
        """,
        solution="""
            def is_subsequence(needle: str, haystack: str) -> bool:
                position = 0
                for char in haystack:
                    if position < len(needle) and needle[position] == char:
                        position += 1
                return position == len(needle)
        """,
        cases=(
            call("ace", "abcde", expect=True),
            call("aec", "abcde", expect=False),
            call("", "", expect=True),
            call("a", "", expect=False),
            call("aa", "a"),
            call("xyz", "xxyyzz"),
            call("ab" * 10000, "a" * 20000 + "b" * 20000),
            call("ab" * 10000, "ab" * 20000),
        ),
    ),
    Spec(
        id="starter/saddle_points",
        difficulty="easy",
        tags=("grids", "matrices"),
        signature="saddle_points(matrix: list[list[int]]) -> list[list[int]]",
        statement="""
            A cell of `matrix` (a list of equal-length rows) is a saddle point when its value
            is greater than or equal to every value in its row and less than or equal to
            every value in its column. Return the `[row, column]` positions of all saddle
            points, ordered by row and then by column. An empty matrix has none.
        """,
        solution="""
            def saddle_points(matrix: list[list[int]]) -> list[list[int]]:
                if not matrix or not matrix[0]:
                    return []
                row_max = [max(row) for row in matrix]
                column_min = [min(column) for column in zip(*matrix)]
                return [
                    [r, c]
                    for r, row in enumerate(matrix)
                    for c, value in enumerate(row)
                    if value == row_max[r] and value == column_min[c]
                ]
        """,
        cases=(
            call([[9, 8, 7], [5, 3, 2], [6, 6, 7]], expect=[[1, 0]]),
            call([[1, 2], [3, 4]], expect=[[0, 1]]),
            call([[1, 1], [1, 1]], expect=[[0, 0], [0, 1], [1, 0], [1, 1]]),
            call([], expect=[]),
            call([[3]]),
            call([[-1, -2, -3]]),
            call([randints(f"saddle_points/{i}", 60, 0, 3) for i in range(60)]),
        ),
    ),
    Spec(
        id="starter/headline",
        difficulty="easy",
        tags=("strings",),
        signature="headline(text: str) -> str",
        statement="""
            `text` is made of words of ASCII letters separated by single spaces (no leading
            or trailing spaces; it may be empty). Return it in headline style: every word is
            written with its first letter upper-case and the rest lower-case, except that
            the short words `a`, `an`, `the`, `of`, `and`, `in` and `on` are written all in
            lower case, unless they are the first or the last word.
        """,
        solution="""
            SHORT_WORDS = {"a", "an", "the", "of", "and", "in", "on"}


            def headline(text: str) -> str:
                words = text.split(" ") if text else []
                out = []
                for i, word in enumerate(words):
                    lower = word.lower()
                    if lower in SHORT_WORDS and 0 < i < len(words) - 1:
                        out.append(lower)
                    else:
                        out.append(lower[:1].upper() + lower[1:])
                return " ".join(out)
        """,
        cases=(
            call("war AND peace IN the east", expect="War and Peace in the East"),
            call("into the wild", expect="Into the Wild"),
            call("of", expect="Of"),
            call("", expect=""),
            call("an apple a day"),
            call("what we stand ON"),
            call(" ".join(["tHe", "quiet", "of", "a", "river"] * 400)),
        ),
    ),
    Spec(
        id="starter/total_hamming_distance",
        difficulty="medium",
        tags=("bit manipulation",),
        signature="total_hamming_distance(nums: list[int]) -> int",
        statement="""
            `nums` holds non-negative integers below 2^30. Return the sum, over all pairs of
            positions `i < j`, of the number of bit positions in which `nums[i]` and `nums[j]`
            differ. Lists can hold 10^4 elements, so comparing every pair is too slow.
        """,
        solution="""
            def total_hamming_distance(nums: list[int]) -> int:
                total = 0
                for bit in range(30):
                    ones = sum(x >> bit & 1 for x in nums)
                    total += ones * (len(nums) - ones)
                return total
        """,
        cases=(
            call([1, 2, 3], expect=4),
            call([0, 7], expect=3),
            call([4, 4, 4], expect=0),
            call([], expect=0),
            call([5]),
            call([0, 2**29, 2**30 - 1]),
            call(randints("total_hamming_distance", 10000, 0, 2**30 - 1)),
        ),
    ),
    # ------------------------------------------------------------ stdin programs
    Spec(
        id="starter/grade_report",
        difficulty="easy",
        tags=("stdio", "parsing", "formatting"),
        statement="""
            Input: the first line holds `n` (at least 1). Each of the next `n` lines holds a
            student's name (lowercase letters) and integer score from 0 to 100, separated by
            one space.

            Output: exactly three lines:
            - `average A`, where A is the mean score rounded to two decimal places and
              always written with two decimals (e.g. `70.50`);
            - `best NAME`, the student with the highest score (the alphabetically first
              name among equal highest scores);
            - `passed K`, the number of students scoring at least 50.
        """,
        solution="""
            import sys


            def main():
                rows = sys.stdin.read().splitlines()
                n = int(rows[0])
                scores = [(name, int(score)) for name, score in (row.split() for row in rows[1:1 + n])]
                best_name = min(scores, key=lambda item: (-item[1], item[0]))[0]
                print(f"average {sum(score for _, score in scores) / n:.2f}")
                print(f"best {best_name}")
                print(f"passed {sum(1 for _, score in scores if score >= 50)}")


            main()
        """,
        cases=(
            stdin(lines(3, "ana 90", "bo 45", "cy 72"), expect="average 69.00\nbest ana\npassed 2\n"),
            stdin(lines(1, "zed 0"), expect="average 0.00\nbest zed\npassed 0\n"),
            stdin(lines(2, "bob 50", "amy 50"), expect="average 50.00\nbest amy\npassed 2\n"),
            stdin(lines(4, "a 100", "b 41", "c 0", "d 1"), expect="average 35.50\nbest a\npassed 1\n"),
            stdin(lines(3, "x 100", "y 99", "w 99")),
            stdin(_grades("grade_report", 7)),
            stdin(_grades("grade_report/big", 149)),
        ),
    ),
    Spec(
        id="starter/shortest_route",
        difficulty="medium",
        tags=("stdio", "graphs", "dijkstra"),
        statement="""
            Input: the first line holds `n` and `m`: towns are numbered 1 to `n` (`n >= 2`)
            and `m >= 0` roads follow. Each of the next `m` lines holds `u v w`: a two-way
            road of length `w >= 1` between towns `u` and `v` (there may be several roads
            between the same towns, or a road from a town to itself).

            Output: one line with the length of the shortest route from town 1 to town `n`,
            or `-1` if there is none. There can be 3000 towns and 10^4 roads.
        """,
        solution="""
            import heapq
            import sys


            def main():
                data = sys.stdin.read().split()
                n, m = int(data[0]), int(data[1])
                roads = [[] for _ in range(n + 1)]
                for i in range(m):
                    u, v, w = (int(x) for x in data[2 + 3 * i:5 + 3 * i])
                    roads[u].append((v, w))
                    roads[v].append((u, w))
                distance = [None] * (n + 1)
                heap = [(0, 1)]
                while heap:
                    d, town = heapq.heappop(heap)
                    if distance[town] is not None:
                        continue
                    distance[town] = d
                    for nxt, length in roads[town]:
                        if distance[nxt] is None:
                            heapq.heappush(heap, (d + length, nxt))
                print(-1 if distance[n] is None else distance[n])


            main()
        """,
        cases=(
            stdin(lines("3 3", "1 2 4", "2 3 1", "1 3 7"), expect="5\n"),
            stdin(lines("2 0"), expect="-1\n"),
            stdin(lines("4 2", "1 2 1", "3 4 1"), expect="-1\n"),
            stdin(lines("2 3", "1 2 5", "1 2 3", "1 1 1"), expect="3\n"),
            stdin(lines("5 6", "1 2 2", "2 5 9", "1 3 4", "3 4 1", "4 5 2", "2 4 1")),
            stdin(_roads("shortest_route", 50, 80)),
            stdin(_roads("shortest_route/big", 3000, 10000)),
        ),
    ),
    Spec(
        id="starter/task_order",
        difficulty="medium",
        tags=("stdio", "graphs", "topological sort"),
        statement="""
            Input: the first line holds `n` and `m`: tasks are numbered 1 to `n` (`n >= 1`)
            and `m >= 0` rules follow. Each of the next `m` lines holds `a b`, meaning task
            `a` must be done before task `b`.

            Output: if the tasks can be ordered so that every rule holds, print one line
            with all `n` task numbers in such an order, separated by single spaces, choosing
            at every step the smallest-numbered task whose prerequisites are all done (this
            makes the order unique). If no such order exists, print `IMPOSSIBLE`.
        """,
        solution="""
            import heapq
            import sys


            def main():
                data = sys.stdin.read().split()
                n, m = int(data[0]), int(data[1])
                followers = [[] for _ in range(n + 1)]
                waiting_on = [0] * (n + 1)
                for i in range(m):
                    a, b = int(data[2 + 2 * i]), int(data[3 + 2 * i])
                    followers[a].append(b)
                    waiting_on[b] += 1
                ready = [task for task in range(1, n + 1) if waiting_on[task] == 0]
                heapq.heapify(ready)
                order = []
                while ready:
                    task = heapq.heappop(ready)
                    order.append(task)
                    for nxt in followers[task]:
                        waiting_on[nxt] -= 1
                        if waiting_on[nxt] == 0:
                            heapq.heappush(ready, nxt)
                print(" ".join(map(str, order)) if len(order) == n else "IMPOSSIBLE")


            main()
        """,
        cases=(
            stdin(lines("3 2", "3 1", "2 1"), expect="2 3 1\n"),
            stdin(lines("3 0"), expect="1 2 3\n"),
            stdin(lines("2 2", "1 2", "2 1"), expect="IMPOSSIBLE\n"),
            stdin(lines("1 1", "1 1"), expect="IMPOSSIBLE\n"),
            stdin(lines("4 3", "4 2", "4 2", "3 1")),
            stdin(_rules("task_order", 30, 40, cycle=False)),
            stdin(_rules("task_order/big", 5000, 10000, cycle=False)),
            stdin(_rules("task_order/cycle", 500, 1000, cycle=True)),
        ),
    ),
    # ------------------------------------------------------------ assertion programs
    Spec(
        id="starter/luhn_valid",
        difficulty="easy",
        tags=("strings", "checksums"),
        signature="luhn_valid(number: str) -> bool",
        statement="""
            Decide whether `number` passes the Luhn checksum. Spaces in `number` are ignored;
            any other character that is not an ASCII digit makes it invalid, and so does
            having fewer than two digits. Otherwise, going from the rightmost digit to the
            left, double every second digit (the 2nd, 4th, ... from the right), subtracting 9
            from any doubled value above 9, and add up all the digits; the number is valid
            when that sum is a multiple of 10. Return `True` or `False`.
        """,
        solution="""
            def luhn_valid(number: str) -> bool:
                digits = number.replace(" ", "")
                if len(digits) < 2 or any(char not in "0123456789" for char in digits):
                    return False
                total = 0
                for position, char in enumerate(reversed(digits)):
                    value = int(char)
                    if position % 2 == 1:
                        value *= 2
                        if value > 9:
                            value -= 9
                    total += value
                return total % 10 == 0
        """,
        example=call("059", expect=True),
        check="""
            def check(candidate):
                assert candidate("18") is True
                assert candidate("19") is False
                assert candidate("91") is True
                assert candidate("4 2") is True
                assert candidate("00") is True
                assert candidate("0") is False
                assert candidate("12a4") is False
                assert candidate("") is False
                assert candidate("   ") is False
                assert candidate("1 8 ") is True
                assert candidate("0" * 999 + "18") is True
        """,
    ),
]
