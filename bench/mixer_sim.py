"""Reward mixers on a synthetic multi-objective GRPO problem whose answers are known.

The "policy" is one softmax over a few *solution types*, shared by all prompts; each type has
a known profile: how likely it is to pass every test (times the prompt's ease, uniform in
[0.6, 1]), its mean pass ratio when it does not, and its raw efficiency / comments /
maintainability. Rewards are made like
ours: correctness is the pass ratio, the other three are gated to 0 unless every test passes,
each gets a little Gaussian noise, and a few come back NaN (1% of completions unscorable, 2% of
secondary scores missing). Each step samples ``--prompts`` prompts x ``--generations``
completions, mixes the four rewards with the mixer under test, normalises the mixed reward
within each group (GRPO; TRL's ``sum_then_normalize``) and takes a policy-gradient step on
the type logits. The starting policy favours wrong types (a weak base model).

Scenarios (wrong types: stylish-but-wrong, terse-and-wrong, partly right; then):

* ``tradeoff``: four equally reliable correct types; three specialists (slow, uncommented,
  messy) have a slightly larger *sum* of quality scores than a balanced type. Fixed weights
  with the prior's equal quality weights head for one specialist.
* ``aligned``: the balanced type also has the largest sum: a control in which fixed weights
  should do as well as anything.
* ``fragile``: ``tradeoff`` plus a polished type that fails more often (pass rate and pass
  ratio lower): does a mixer trade correctness for style?

Mixers: correctness only; fixed weights (the prior, 0.4 / 0.2 / 0.2 / 0.2, through
``mix_rewards``); the learned ``RewardWeightNet`` (same prior; ``mix_rewards`` with its
weights); the anchor's ``VariancePenaltyWeightNet`` (per-completion weights from an MLP,
mixed as the anchor did). ``--ablations`` adds the learned mixer without each of its parts:
the rise hold, the guard, both, the rescaling for ``sum_then_normalize`` ("std scaling"),
the statistics inputs (a plain EMA of the targets), and the MGDA target (the prior instead).

Reported per mixer, mean +- std over the seeds, for the *final policy's expected reward
vector* (exact, over the prompt set; not a sample):

* pass (all tests): probability that a sampled completion passes every test;
* correctness: the expected correctness reward (pass ratio);
* HV: hypervolume of the expected gated reward vector (correctness = pass ratio, efficiency,
  comments, maintainability) against the reference point (0, 0, 0, 0): for one point, the
  product of its four coordinates. "best possible" is the largest HV any policy over the
  types reaches (seed 0's prompt set);
* viol: fraction of groups, over training, in which a completion that failed a test got a
  mixed reward >= that of one that passed ("correctness first" broken).

The interpretation compares runs with the same seed (same prompts, same initial draws):
mean paired difference +- its standard error.

    python bench/mixer_sim.py                 # 3 scenarios x 4 mixers x 5 seeds, ~40 s of one core
    python bench/mixer_sim.py --ablations     # also the ablations, ~80 s
    python bench/mixer_sim.py --scenario fragile --seeds 0 1 2 --show-policies
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from dataclasses import dataclass

import torch

from grpo4code.training.reward_mixer import (
    RewardMixerConfig,
    RewardWeightNet,
    VariancePenaltyWeightNet,
    mix_rewards,
)

DIMENSIONS = ["correctness", "efficiency", "comments", "maintainability"]
PRIOR = [0.4, 0.2, 0.2, 0.2]
SEEDS = [0, 1, 2, 3, 4]


# --- the problem --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SolutionType:
    name: str
    skill: float  # probability of passing every test on the easiest prompt
    partial: float  # mean pass ratio when not every test passes
    efficiency: float  # raw quality scores, before gating
    comments: float
    maintainability: float
    base_probability: float  # the starting policy (a weak "base model")


WRONG = [
    SolutionType("wrong_but_stylish", 0.02, 0.30, 0.80, 0.95, 0.95, 0.20),
    SolutionType("wrong_and_terse", 0.02, 0.15, 0.40, 0.05, 0.30, 0.20),
    SolutionType("partly_right", 0.35, 0.60, 0.50, 0.50, 0.50, 0.20),
]
SPECIALISTS = [  # equally reliable, each strong in some quality dimensions and weak in another
    SolutionType("correct_but_slow", 0.95, 0.50, 0.10, 0.85, 0.85, 0.08),
    SolutionType("fast_uncommented", 0.95, 0.50, 0.95, 0.05, 0.85, 0.08),
    SolutionType("commented_but_messy", 0.95, 0.50, 0.65, 0.95, 0.20, 0.08),
]
BALANCED = SolutionType("balanced", 0.95, 0.50, 0.60, 0.60, 0.55, 0.08)  # quality sum 1.75 < 1.80-1.85
SCENARIOS = {
    "tradeoff": WRONG + SPECIALISTS + [BALANCED],
    # The balanced type also has the largest quality sum (2.05): a control for fixed weights.
    "aligned": WRONG + SPECIALISTS + [SolutionType("balanced", 0.95, 0.50, 0.70, 0.70, 0.65, 0.08)],
    # Add a polished type that fails more often (lower pass rate and pass ratio): does a
    # mixer trade correctness for style?
    "fragile": WRONG + SPECIALISTS + [BALANCED, SolutionType("clever_but_fragile", 0.75, 0.40, 0.90, 0.85, 0.85, 0.08)],
}


@dataclass
class Problem:
    types: list[SolutionType]
    ease: torch.Tensor  # [P] per-prompt factor on the pass probability

    @property
    def pass_probability(self) -> torch.Tensor:
        """``[P, K]``."""
        skill = torch.tensor([t.skill for t in self.types])
        return self.ease.unsqueeze(1) * skill.unsqueeze(0)

    @property
    def quality(self) -> torch.Tensor:
        """``[K, 3]`` raw efficiency, comments, maintainability."""
        return torch.tensor([[t.efficiency, t.comments, t.maintainability] for t in self.types])

    def expected_rewards(self, policy: torch.Tensor) -> torch.Tensor:
        """``policy [K]`` -> ``[4]``: expected gated rewards over the prompt set (noise has mean ~0)."""
        p_pass = self.pass_probability.mean(dim=0)  # [K]
        partial = torch.tensor([t.partial for t in self.types])
        correctness = p_pass + (1 - p_pass) * partial
        quality = p_pass.unsqueeze(1) * self.quality  # [K, 3]
        return policy @ torch.cat([correctness.unsqueeze(1), quality], dim=1)

    def sample(self, policy: torch.Tensor, num_prompts: int, num_generations: int,
               generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns ``types [N]`` and gated rewards ``[N, 4]`` (with noise and NaNs), N = prompts x generations."""
        prompts = torch.randint(len(self.ease), (num_prompts,), generator=generator)
        prompts = prompts.repeat_interleave(num_generations)
        n = len(prompts)
        types = torch.multinomial(policy, n, replacement=True, generator=generator)
        passed = torch.rand(n, generator=generator) < self.pass_probability[prompts, types]
        partial = torch.tensor([t.partial for t in self.types])[types]
        ratio = (partial + 0.15 * torch.randn(n, generator=generator)).clamp(0.0, 0.95)
        correctness = torch.where(passed, 1.0, ratio)
        quality = (self.quality[types] + 0.05 * torch.randn(n, 3, generator=generator)).clamp(0.0, 1.0)
        quality = quality * passed.unsqueeze(1)  # gating, as our reward functions do
        rewards = torch.cat([correctness.unsqueeze(1), quality], dim=1)
        missing = torch.rand(n, 3, generator=generator) < 0.02
        rewards[:, 1:][missing] = float("nan")
        unscorable = torch.rand(n, generator=generator) < 0.01
        rewards[unscorable] = float("nan")
        return types, rewards


def make_problem(scenario: str, num_prompts: int, seed: int) -> Problem:
    generator = torch.Generator().manual_seed(10_000 + seed)
    ease = 0.6 + 0.4 * torch.rand(num_prompts, generator=generator)
    return Problem(SCENARIOS[scenario], ease)


# --- the mixers ---------------------------------------------------------------------------------
class FixedMixer:
    def __init__(self, weights: list[float]):
        self.weights = torch.tensor(weights, dtype=torch.float64)

    def mix(self, rewards: torch.Tensor, num_generations: int, progress: float) -> torch.Tensor:
        return mix_rewards(rewards, self.weights, correctness_index=0)


class LearnedMixer:
    def __init__(self, config: RewardMixerConfig):
        self.net = RewardWeightNet(config)

    def mix(self, rewards: torch.Tensor, num_generations: int, progress: float) -> torch.Tensor:
        weights = self.net.update(rewards, num_generations, progress)
        return mix_rewards(rewards, weights, correctness_index=0)


class AnchorMixer:
    def __init__(self, seed: int):
        self.net = VariancePenaltyWeightNet(len(DIMENSIONS), seed=seed)

    def mix(self, rewards: torch.Tensor, num_generations: int, progress: float) -> torch.Tensor:
        mixed = self.net.mix(rewards).double()  # the weights before this step's update, as the anchor did
        self.net.update(rewards, num_generations, progress)
        mixed[torch.isnan(rewards[:, 0])] = float("nan")
        return mixed


def learned(**overrides):
    def make(seed: int, args):
        settings = {"prior_strength": args.prior_strength, **overrides}
        return LearnedMixer(RewardMixerConfig(dimension_names=DIMENSIONS, prior_weights=PRIOR, **settings))
    return make


MIXERS = {
    "correctness only": lambda seed, args: FixedMixer([1.0, 0.0, 0.0, 0.0]),
    "fixed (prior)": lambda seed, args: FixedMixer(PRIOR),
    "learned (ours)": learned(),
    "anchor (variance)": lambda seed, args: AnchorMixer(seed),
}
ABLATIONS = {  # which part of the learned mixer does what
    "ours, no rise hold": learned(rise_hold_scale=0.0),
    "ours, no guard": learned(guard_gain=0.0),
    "ours, neither": learned(rise_hold_scale=0.0, guard_gain=0.0),
    "ours, no std scaling": learned(aggregation="normalize_then_sum"),
    "ours, EMA only": learned(use_statistics=False),
    "prior, no MGDA": learned(prior_strength=1e9),  # std scaling, guard and rise hold kept
}


def best_possible(problem: Problem, steps: int = 600) -> tuple[float, float]:
    """The largest pass rate and HV (ref 0) any policy over the types reaches (HV: log-concave, by Adam)."""
    best_pass = float(problem.pass_probability.mean(dim=0).max())
    logits = torch.zeros(len(problem.types), requires_grad=True)
    optimizer = torch.optim.Adam([logits], lr=0.1)
    for _ in range(steps):
        loss = -problem.expected_rewards(torch.softmax(logits, dim=0)).log().sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return best_pass, float(problem.expected_rewards(torch.softmax(logits.detach(), dim=0)).prod())


# --- GRPO on the type logits --------------------------------------------------------------------
def group_advantages(mixed: torch.Tensor, num_generations: int) -> torch.Tensor:
    """``mixed [N]`` -> ``[N]``: (r - group mean) / (group std + 1e-4), NaN rows and flat groups 0 (as TRL)."""
    grouped = mixed.view(-1, num_generations)
    mean = torch.nanmean(grouped, dim=1, keepdim=True)
    scored = ~torch.isnan(grouped)
    count = scored.sum(dim=1, keepdim=True)
    centered = torch.where(scored, grouped - mean, 0.0)
    std = ((centered**2).sum(dim=1, keepdim=True) / (count - 1).clamp(min=1)).sqrt()
    return (centered / (std + 1e-4)).view(-1)


def order_violations(mixed: torch.Tensor, rewards: torch.Tensor, num_generations: int) -> tuple[int, int]:
    """Groups with both passing and failing completions, and those where a failure ranks >= a pass."""
    passed = (rewards[:, 0] == 1.0).view(-1, num_generations)
    failed = (rewards[:, 0] < 1.0).view(-1, num_generations)
    grouped = mixed.view(-1, num_generations)
    lowest_pass = torch.where(passed, grouped, torch.inf).amin(dim=1)
    highest_fail = torch.where(failed, grouped, -torch.inf).amax(dim=1)
    mixed_groups = passed.any(dim=1) & failed.any(dim=1)
    return int(mixed_groups.sum()), int((mixed_groups & (highest_fail >= lowest_pass)).sum())


def train(problem: Problem, mixer, seed: int, args) -> dict:
    generator = torch.Generator().manual_seed(seed)
    base = torch.tensor([t.base_probability for t in problem.types])
    logits = torch.log(base / base.sum()).double()
    groups = violations = 0
    for step in range(args.steps):
        policy = torch.softmax(logits, dim=0)
        types, rewards = problem.sample(policy.float(), args.prompts, args.generations, generator)
        mixed = mixer.mix(rewards, args.generations, step / args.steps).double()
        g, v = order_violations(mixed, rewards, args.generations)
        groups, violations = groups + g, violations + v
        advantages = torch.nan_to_num(group_advantages(mixed, args.generations), nan=0.0)
        # REINFORCE with the group baseline: d log softmax(logits)[k] = onehot(k) - policy.
        score = torch.nn.functional.one_hot(types, len(problem.types)).double() - policy
        logits = logits + args.lr * (advantages.unsqueeze(1) * score).mean(dim=0)
    policy = torch.softmax(logits, dim=0).float()
    expected = problem.expected_rewards(policy)
    return {
        "pass": float(policy @ problem.pass_probability.mean(dim=0)),
        "hv": float(expected.prod()),
        "expected": expected,
        "policy": policy,
        "viol": violations / max(groups, 1),
    }


def mean_std(values: list[float]) -> str:
    t = torch.tensor(values, dtype=torch.float64)
    return f"{t.mean():.3f} +- {t.std() if len(values) > 1 else 0.0:.3f}"


def paired(ours: list[dict], theirs: list[dict], key: str) -> tuple[float, float]:
    """Mean and standard error of the per-seed differences ``ours - theirs`` in ``key``."""
    differences = torch.tensor([a[key] - b[key] for a, b in zip(ours, theirs)], dtype=torch.float64)
    error = differences.std().item() / len(differences) ** 0.5 if len(differences) > 1 else 0.0
    return differences.mean().item(), error


def verdict(difference: float, error: float, tolerance: float) -> str:
    """'same' when the difference is within two standard errors or below a practical tolerance."""
    if abs(difference) <= max(2 * error, tolerance):
        return f"same (within max(2 SE, {tolerance}))"
    return "learned higher" if difference > 0 else "learned LOWER"


def interpret(results: dict) -> None:
    """Print the comparisons the benchmark is for, from the numbers."""
    print("\ninterpretation (paired by seed, mean difference +- standard error):")
    for scenario, runs in results.items():
        ours = runs["learned (ours)"]
        d_pass, e_pass = paired(ours, runs["correctness only"], "pass")
        d_hv, e_hv = paired(ours, runs["fixed (prior)"], "hv")
        d_fixed, e_fixed = paired(runs["fixed (prior)"], runs["correctness only"], "pass")
        print(f"  {scenario}: pass, learned - correctness only: {d_pass:+.3f} +- {e_pass:.3f} "
              f"({verdict(d_pass, e_pass, 0.01)}); "
              f"fixed - correctness only: {d_fixed:+.3f} +- {e_fixed:.3f}; "
              f"HV, learned - fixed: {d_hv:+.3f} +- {e_hv:.3f} ({verdict(d_hv, e_hv, 0.002)})")
    print("  HV here counts correctness as one factor of four: a mixer can raise it by trading pass rate "
          "for style\n  (fragile), which correctness-first training must not do; read HV together with pass.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    parser.add_argument("--seeds", type=int, nargs="+", default=SEEDS)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--prompts", type=int, default=16, help="prompts per step")
    parser.add_argument("--generations", type=int, default=8, help="completions per prompt")
    parser.add_argument("--prompt-set", type=int, default=64, help="size of the prompt set")
    parser.add_argument("--lr", type=float, default=1.0, help="policy-gradient step on the type logits")
    parser.add_argument("--prior-strength", type=float, default=RewardMixerConfig.prior_strength)
    parser.add_argument("--ablations", action="store_true",
                        help="also run the learned mixer without each of its parts (about twice the time)")
    parser.add_argument("--show-policies", action="store_true", help="print each run's final type probabilities")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    print("$ python " + shlex.join(sys.argv))
    started = time.perf_counter()
    scenarios = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    table = {**MIXERS, **(ABLATIONS if args.ablations else {})}
    results: dict[str, dict[str, list[dict]]] = {}
    for scenario in scenarios:
        best_pass, best_hv = best_possible(make_problem(scenario, args.prompt_set, args.seeds[0]))
        print(f"\nscenario {scenario}: {len(args.seeds)} seeds {args.seeds}, {args.steps} steps of "
              f"{args.prompts} prompts x {args.generations} completions; best possible: pass {best_pass:.3f}, "
              f"HV {best_hv:.3f}")
        print(f"  {'mixer':<20} {'pass (all tests)':>16} {'correctness':>15} {'HV (ref 0)':>15} {'viol':>6}"
              f"   E[eff, com, maint]")
        results[scenario] = {}
        for name, make in table.items():
            if name == next(iter(ABLATIONS)):
                print("  " + "-" * 40 + " ablations")
            runs = results[scenario][name] = []
            for seed in args.seeds:
                problem = make_problem(scenario, args.prompt_set, seed)
                runs.append(train(problem, make(seed, args), seed, args))
                if args.show_policies:
                    names = [t.name for t in problem.types]
                    print("   ", name, seed, {n: round(float(p), 3) for n, p in zip(names, runs[-1]["policy"])})
            expected = torch.stack([r["expected"] for r in runs]).mean(dim=0)
            print(f"  {name:<20} {mean_std([r['pass'] for r in runs]):>16} "
                  f"{mean_std([float(r['expected'][0]) for r in runs]):>15} {mean_std([r['hv'] for r in runs]):>15} "
                  f"{sum(r['viol'] for r in runs) / len(runs):>6.3f}   " + ", ".join(f"{v:.2f}" for v in expected[1:]))
    interpret(results)
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
