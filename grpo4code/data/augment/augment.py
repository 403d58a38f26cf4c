"""Augmenting a problem's tests: examples -> new inputs -> reference outputs -> new assertions.

For one problem (:func:`augment_problem`):

1. read the examples from its check program (:mod:`.inputs`) and refuse problems whose
   statement says the answer is not unique ("return any of them", "in any order");
2. infer what each parameter looks like (:mod:`.specs`, :mod:`.constraints`) and draw new
   inputs, seeded by ``(seed, problem id)`` (:mod:`.mutate`);
3. run the reference -- twice per input -- and a second solution in the judge
   (:mod:`.expected`); refuse the problem if the reference fails its own tests or disagrees
   with itself, or if the second solution disagrees too often (answer not unique);
4. keep at most ``max_new_tests`` inputs (the large ones first, then spread over distinct
   outputs) within a CPU budget, append them as one more ``AssertionTest`` in the dataset's
   style, and verify in the judge that the reference passes them (failing ones are dropped).

The original tests are kept unchanged; every refusal is counted with its reason.
:func:`augment_problems` does this for many problems on a thread pool over one judge.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import random
import re
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from execeval_service import EmbeddedJudge, JudgeJob
from grpo4code.data.augment.config import AugmentConfig
from grpo4code.data.augment.constraints import INT64_MAX, output_int_bound, parse_constraints
from grpo4code.data.augment.expected import DriverRun, DriverSettings, run_reference
from grpo4code.data.augment.inputs import (Example, NodeValue, UnsupportedTests, entry_point_parameters,
                                           parse_check_examples, render_assertion, render_call,
                                           render_check_program, render_value)
from grpo4code.data.augment.mutate import InputGenerator, SizeLimits
from grpo4code.data.augment.specs import FixedSpec, infer_specs
from grpo4code.data.augment.trivial import judge_trivial
from grpo4code.data.schema import AssertionTest, Problem

AUGMENTATION_VERSION = 1

SKIP_REASONS = {
    "unsupported_tests": "tests not in the `candidate(kw = ...) == x` / is_same_list / is_same_tree forms",
    "no_reference": "no reference solution",
    "not_unique_statement": "the statement allows several answers (any order / any of them)",
    "fixed_inputs": "no parameter can be varied",
    "reference_fails_original": "the reference fails the original tests",
    "nondeterministic": "the reference returns different results for the same input",
    "not_unique_disagreement": "a second correct solution disagrees with the reference too often",
    "no_valid_inputs": "no generated input survived",
    "verification_failed": "the reference fails the new tests in the judge",
    "judge_error": "the judge could not run the reference",
    "internal_error": "a bug in the augmenter (see detail)",
}


class _Skip(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass
class ProblemOutcome:
    """What augmentation did to one problem."""

    problem: Problem                  # augmented, or the original when skipped
    status: str                       # "augmented" or "skipped"
    reason: str = ""                  # a key of SKIP_REASONS when skipped
    detail: str = ""
    tests_before: int = 0
    tests_after: int = 0
    new_tests: int = 0
    large_tests: int = 0
    inputs_generated: int = 0
    dropped: dict = field(default_factory=dict)     # why generated inputs were not used -> count
    reference_cpu_s: float = 0.0                    # reference CPU on the kept new inputs
    cross_checked: bool = False                     # a second solution had to agree on every input
    trivial: dict = field(default_factory=dict)     # kind -> {"before": [passed, total], "after": ...}


# --- the steps --------------------------------------------------------------------------------

def read_examples(problem: Problem) -> list[Example]:
    """The problem's examples; raises ``_Skip`` when its tests are not in a readable form."""
    if not problem.reference_solution.strip():
        raise _Skip("no_reference")
    if len(problem.tests) != 1 or not isinstance(problem.tests[0], AssertionTest):
        raise _Skip("unsupported_tests", f"{len(problem.tests)} tests of kinds {problem.test_kinds}")
    if not re.fullmatch(r"\s*Solution\(\)\.\w+\s*", problem.entry_point):
        raise _Skip("unsupported_tests", f"entry point {problem.entry_point!r} is not Solution().method")
    try:
        parameters = entry_point_parameters(problem.reference_solution, problem.entry_point)
        return parse_check_examples(problem.tests[0].code, parameters)
    except UnsupportedTests as exc:
        raise _Skip("unsupported_tests", str(exc)) from None


def not_unique_phrase(description: str, patterns: list[str]) -> str | None:
    """The statement's words that say the answer is not unique, or ``None``."""
    text = description.replace("\xa0", " ").lower().split("constraints:")[0]
    for pattern in patterns:
        match = re.search(pattern, text, re.I)
        if match:
            return match.group(0)
    return None


def generate_inputs(generator: InputGenerator, examples: list[Example], config: AugmentConfig) -> list[tuple]:
    """``[(size, kwargs)]``: ordinary inputs first, large ones last, no duplicates or examples."""
    total = math.ceil(config.max_new_tests * config.oversample)
    num_large = min(total, math.ceil(config.num_large_tests * config.oversample))
    ordinary = total - num_large
    num_mutated = round(ordinary * config.mutation_share)
    plan = (["mutated"] * num_mutated + ["small"] * ((ordinary - num_mutated) * 2 // 5))
    plan += ["medium"] * (ordinary - len(plan))
    generator.rng.shuffle(plan)
    plan += ["large"] * num_large
    seen = {render_call(e.kwargs) for e in examples}
    inputs = []
    for size in plan:
        for _ in range(3):  # a few retries for duplicates and unsettled relations
            kwargs = generator.mutated() if size == "mutated" else generator.fresh(size)
            if kwargs is None:
                continue
            key = render_call(kwargs)
            if key not in seen:
                seen.add(key)
                inputs.append((size, kwargs))
                break
    return inputs


@dataclass
class Candidate:
    """A generated input the reference answered, with its rendered assertion."""

    size: str            # "mutated", "small", "medium" or "large"
    kwargs: dict
    expected: object
    cpu_s: float
    assertion: str


def select_tests(candidates: list[Candidate], config: AugmentConfig) -> list[Candidate]:
    """Choose at most ``max_new_tests`` candidates, in their generated order.

    Large inputs first (up to ``num_large_tests``), then one input per distinct expected
    output in turn, so a constant answer cannot pass most of them; the reference's total CPU
    stays within ``max_reference_cpu_s``.
    """
    chosen: set[int] = set()
    cpu = 0.0

    def take(index: int) -> None:
        nonlocal cpu
        if len(chosen) < config.max_new_tests and cpu + candidates[index].cpu_s <= config.max_reference_cpu_s:
            chosen.add(index)
            cpu += candidates[index].cpu_s

    large = [i for i, c in enumerate(candidates) if c.size == "large"]
    for index in large[:config.num_large_tests]:
        take(index)
    groups: dict = {}
    for index, candidate in enumerate(candidates):
        if candidate.size != "large":
            groups.setdefault(render_value(candidate.expected), []).append(index)
    queues = list(groups.values())
    while queues and len(chosen) < config.max_new_tests:
        for queue in queues:
            take(queue.pop(0))
        queues = [q for q in queues if q]
    # one dominant output (random inputs of a yes/no problem): drop its latest ordinary tests
    while chosen:
        counts = collections.Counter(render_value(candidates[i].expected) for i in chosen)
        value, count = counts.most_common(1)[0]
        removable = [i for i in chosen if candidates[i].size != "large"
                     and render_value(candidates[i].expected) == value]
        if count <= 2 or count <= config.max_output_share * len(chosen) or not removable:
            break
        chosen.discard(max(removable))
    return [candidates[i] for i in sorted(chosen)]


BALANCE_SHARE = 0.6  # above this share of one output, a balancing round is drawn


def _dominant_output(outcomes: list) -> tuple[str | None, float]:
    """The most common answer (rendered) among usable outcomes, and its share."""
    counts = collections.Counter(render_value(o.value) for o in outcomes if o.status == "ok")
    if not counts:
        return None, 0.0
    value, count = counts.most_common(1)[0]
    return value, count / sum(counts.values())


def _largest_int(value) -> int:
    """Largest absolute int anywhere in ``value`` (0 if none)."""
    if type(value) is int:
        return abs(value)
    if isinstance(value, (list, tuple, set)):
        return max((_largest_int(v) for v in value), default=0)
    if isinstance(value, dict):
        return max((_largest_int(v) for v in list(value) + list(value.values())), default=0)
    return 0


def _out_of_range(value, top_bound: int) -> bool:
    """An int answer above the statement's promise, or any int beyond 64 bits."""
    if type(value) is int:
        return abs(value) > top_bound
    return _largest_int(value) > INT64_MAX


def _count(counter: dict, key: str, n: int = 1) -> None:
    counter[key] = counter.get(key, 0) + n


def _original_check(judge, problem: Problem, second: str | None) -> tuple[bool, bool]:
    """Does the reference pass the original tests? Does the second solution?"""
    futures = [judge.submit(JudgeJob.from_problem(problem, problem.reference_solution))]
    if second:
        futures.append(judge.submit(JudgeJob.from_problem(problem, second)))
    results = [f.result() for f in futures]
    if results[0].could_not_score:
        raise _Skip("judge_error", results[0].error or "")
    if not results[0].accepted:
        failed = [t for t in results[0].tests if t.verdict.value != "PASSED"]
        raise _Skip("reference_fails_original", f"{len(failed)} of {results[0].num_tests} fail"
                    + (f" ({failed[0].verdict.value})" if failed else ""))
    return True, bool(second) and results[1].accepted


def _verify(judge, problem: Problem, first_new: int) -> dict[int, str]:
    """``{index among the new tests: why}`` for the new tests the reference fails in the judge."""
    result = judge.submit(JudgeJob.from_problem(problem, problem.reference_solution)).result()
    if result.could_not_score:
        raise _Skip("judge_error", result.error or "")
    failing = {}
    for test in result.tests:
        if test.verdict.value != "PASSED":
            why = f"{test.verdict.value}: {(test.error or '')[:120]}"
            if test.index < first_new:
                raise _Skip("verification_failed", f"original test {test.index} failed next to the new ones ({why})")
            failing[test.index - first_new] = why
    return failing


def augment_problem(problem: Problem, judge, config: AugmentConfig,
                    second_solution: str | None = None) -> ProblemOutcome:
    """Augment one problem's tests (see the module docstring); never raises for a bad problem."""
    outcome = ProblemOutcome(problem, "skipped", tests_before=problem.num_tests, tests_after=problem.num_tests)
    examples = None
    try:
        examples = read_examples(problem)
        _augment(problem, examples, judge, config, second_solution, outcome)
    except _Skip as skip:
        outcome.reason, outcome.detail = skip.reason, skip.detail
    except Exception as exc:  # a bug here must not lose the other problems; it is reported
        outcome.reason, outcome.detail = "internal_error", f"{type(exc).__name__}: {exc}"[:500]
    if outcome.reason:
        outcome.status, outcome.problem, outcome.new_tests = "skipped", problem, 0
        outcome.tests_after = problem.num_tests
    if config.measure_trivial and examples:
        stages = {"before": problem, "after": outcome.problem}
        outcome.trivial = judge_trivial(judge, stages, examples)
    return outcome


def _augment(problem: Problem, examples: list[Example], judge, config: AugmentConfig,
             second_solution: str | None, outcome: ProblemOutcome) -> None:
    phrase = not_unique_phrase(problem.description, config.not_unique_patterns)
    if phrase:
        raise _Skip("not_unique_statement", repr(phrase))
    parameters = list(examples[0].kwargs)
    node_params = {name: value.kind for name, value in examples[0].kwargs.items() if isinstance(value, NodeValue)}
    constraints = parse_constraints(problem.description, parameters, node_params)
    try:
        spec = infer_specs(examples, constraints, max_unbounded_length=config.medium_length)
    except ValueError as exc:
        raise _Skip("unsupported_tests", str(exc)) from None
    if all(isinstance(s, FixedSpec) for s in spec.params.values()):
        raise _Skip("fixed_inputs", "every parameter mixes types the generator cannot vary")

    second = second_solution if config.cross_check else None
    _, second_ok = _original_check(judge, problem, second)
    if not second_ok:
        second = None
    outcome.cross_checked = bool(second)

    rng = random.Random(f"{config.seed}:{problem.id}")
    limits = SizeLimits(config.medium_length, config.large_elements, config.max_test_chars - 200)
    generator = InputGenerator(spec, examples, rng, limits)
    generated = generate_inputs(generator, examples, config)
    if not generated:
        raise _Skip("no_valid_inputs", "the generator produced no input")
    settings = DriverSettings(call_time_limit_s=config.call_time_limit_s,
                              run_time_limit_s=min(60.0, 2 + 3 * config.call_time_limit_s * len(generated)))

    def answer(inputs: list[tuple]) -> DriverRun:
        return run_reference(judge, problem, [kwargs for _, kwargs in inputs], spec.output_kind,
                             spec.output_signature, second, settings, config.float_tolerance)

    run = answer(generated)
    dominant, share = _dominant_output(run.outcomes)
    if config.balance_outputs and share > BALANCE_SHARE:
        minority = [e for e in examples if render_value(e.expected) != dominant]
        seen = {render_call(kwargs) for _, kwargs in generated} | {render_call(e.kwargs) for e in examples}
        extra = []
        for attempt in range(len(generated) if minority else 0):
            kwargs = generator.mutated(minority) if attempt % 2 else generator.combined(minority)
            if kwargs is not None and render_call(kwargs) not in seen:
                seen.add(render_call(kwargs))
                extra.append(("mutated", kwargs))
        if extra:
            more = answer(extra)
            generated += extra
            run = DriverRun(run.outcomes + more.outcomes, run.run_error or more.run_error)
    outcome.inputs_generated = len(generated)
    statuses = collections.Counter(o.status for o in run.outcomes)
    if statuses["nondeterministic"]:
        raise _Skip("nondeterministic", f"on {statuses['nondeterministic']} of {len(generated)} inputs")
    disagreements = statuses["second_disagrees"]
    if second and disagreements and disagreements / (disagreements + statuses["ok"]) > config.max_disagreement:
        raise _Skip("not_unique_disagreement", f"on {disagreements} of {disagreements + statuses['ok']} inputs")
    for status, count in statuses.items():
        if status != "ok":
            _count(outcome.dropped, status, count)
    if statuses["ok"] == 0 and run.run_error:
        raise _Skip("judge_error", run.run_error)

    bound = output_int_bound(problem.description)
    if any(_out_of_range(e.expected, bound) for e in examples):
        bound = max(bound, max(_largest_int(e.expected) for e in examples)) * 2
    candidates = []
    for (size, kwargs), result in zip(generated, run.outcomes):
        if result.status != "ok":
            continue
        if _out_of_range(result.value, bound):
            _count(outcome.dropped, "answer_out_of_range")
            continue
        assertion = render_assertion(Example(kwargs, result.value, spec.output_kind), config.float_tolerance)
        if len(assertion) > config.max_test_chars:
            _count(outcome.dropped, "too_long")
            continue
        candidates.append(Candidate(size, kwargs, result.value, result.cpu_s, assertion))
    chosen = select_tests(candidates, config)
    _count(outcome.dropped, "not_selected", len(candidates) - len(chosen))
    if not chosen:
        raise _Skip("no_valid_inputs", ", ".join(f"{k}: {v}" for k, v in sorted(outcome.dropped.items())))

    for attempt in range(2):
        augmented = _with_tests(problem, [c.assertion for c in chosen], config,
                                sum(c.size == "large" for c in chosen), bool(second))
        failing = _verify(judge, augmented, problem.num_tests)
        if not failing:
            break
        _count(outcome.dropped, "failed_verification", len(failing))
        chosen = [c for i, c in enumerate(chosen) if i not in failing]
        if not chosen or attempt == 1:
            raise _Skip("verification_failed", f"{len(failing)} new tests failed in the judge "
                        f"(first: {next(iter(failing.values()))})")
    outcome.status, outcome.problem = "augmented", augmented
    outcome.new_tests = len(chosen)
    outcome.large_tests = sum(c.size == "large" for c in chosen)
    outcome.tests_after = augmented.num_tests
    outcome.reference_cpu_s = round(sum(c.cpu_s for c in chosen), 6)


def _with_tests(problem: Problem, assertions: list[str], config: AugmentConfig, large: int,
                cross_checked: bool) -> Problem:
    metadata = dict(problem.metadata)
    metadata["augmentation"] = {
        "version": AUGMENTATION_VERSION, "seed": config.seed, "original_tests": problem.num_tests,
        "new_tests": len(assertions), "large_tests": large, "cross_checked": cross_checked,
    }
    return dataclasses.replace(problem, tests=list(problem.tests) + [AssertionTest(render_check_program(assertions))],
                               metadata=metadata)


# --- many problems ----------------------------------------------------------------------------

@dataclass
class AugmentResult:
    """The problems (augmented or as they were, in input order) and what happened to each."""

    problems: list
    outcomes: list
    elapsed_s: float
    config: AugmentConfig


def augment_problems(problems: list[Problem], config: AugmentConfig, judge=None,
                     second_solutions: dict | None = None, progress: bool = True) -> AugmentResult:
    """Augment every problem; ``second_solutions`` maps problem id -> an independent solution.

    ``judge`` defaults to an :class:`EmbeddedJudge` with ``config.judge_workers`` workers
    (closed at the end). Results do not depend on the thread scheduling: each problem has its
    own seeded generator.
    """
    from tqdm.auto import tqdm

    second_solutions = second_solutions or {}
    own_judge = judge is None
    judge = judge or EmbeddedJudge(workers=config.judge_workers)
    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=2 * config.judge_workers + 2) as pool:
            futures = [pool.submit(augment_problem, p, judge, config, second_solutions.get(p.id))
                       for p in problems]
            with tqdm(total=len(futures), desc="augmenting tests", unit="problem", disable=not progress) as bar:
                for _ in as_completed(futures):
                    bar.update(1)
            outcomes = [future.result() for future in futures]
    finally:
        if own_judge:
            judge.close()
    return AugmentResult([o.problem for o in outcomes], outcomes, time.perf_counter() - started, config)
