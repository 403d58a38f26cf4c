"""Reward mixing for multi-objective GRPO: gate, mix, and learn the mixing weights online.

Each completion gets one score per reward dimension, ``rewards: [N, D]`` with values in
[0, 1] or NaN ("could not score"). ``correctness`` is the test pass ratio (or 1/0 accepted);
the quality dimensions (efficiency, comments, maintainability) are *gated*: they count only
for completions that pass every test (``correctness == 1``). ``format`` is not gated: it
pays every completion whose code is found and parses (a shaping signal while few pass;
gated, it would only repeat "accepted"), and it is *implied by passing*: a completion that
passes every test had code that parsed, so its format is 1. GRPO samples
``num_generations`` completions per prompt, so the N rows are ``N / num_generations`` groups
of consecutive rows. TRL mixes ``sum_d w_d * r_d`` with ``trainer.reward_weights`` (``w: [D]``)
and normalises within each group; :class:`RewardWeightNet` chooses ``w`` every step.

The algorithm (one :meth:`RewardWeightNet.update` per training step):

1. ``group_normalized_advantages``: each dimension's advantages within each group, ``A: [N, D]``.
2. ``regularized_min_norm_weights``: the target, the multiple-gradient-descent (MGDA; Sener &
   Koltun 2018) min-norm point of the columns of ``A``, pulled towards the prior::

       w* = argmin (1/N) ||A w||^2 + prior_strength * ||w - prior||^2
            over w >= 0, sum(w) = 1, w_correctness >= prior_correctness

   Dimensions with no signal in the batch (an all-zero column) keep their prior weight.
3. The "net": a softmax-linear model of the batch's group statistics (per-dimension means and
   stds, pass rate) and training progress, moved one normalised gradient step of
   cross-entropy towards ``w*``: an EMA of the per-batch targets that may also condition on
   where training is.
4. Correctness first, by feedback on the running pass rate (EMA of the batch pass rate):
   a *rise hold* keeps a share of the weight on correctness while the pass rate is still
   rising (proportional to the rise per unit of training progress: quality counts once
   correctness stops improving), and a *guard*, an integral controller (a dual variable)
   for the constraint "running pass rate >= its best - tolerance", moves weight to
   correctness while that is violated and gives it back once it holds. The tolerance is a
   margin plus a few standard errors of the running pass rate, so noise alone does not
   trigger it.
5. For TRL's default ``multi_objective_aggregation="sum_then_normalize"`` the weights are
   divided by each dimension's typical within-group std, so that mixing raw rewards and then
   normalising gives (approximately) the direction ``A w``. Last, a floor on correctness.

Why this objective is sound:

* Common ascent. The min-norm point ``u = A w`` of the hull of the columns satisfies
  ``u . a_d >= ||u||^2 >= 0`` for every dimension d, so the mixed advantage does not point
  against any objective. A policy-gradient step is ``sum_i u_i grad log pi(y_i)``; when the
  score vectors of distinct completions are near-orthogonal with similar norms, advantage
  inner products stand in for gradient inner products, and to first order the step improves
  every dimension it can. The prior term (slack at most ``2 * prior_strength`` in the
  inequality) and the correctness bound trade a little of this for stability and priority;
  the prior term also makes the problem strictly convex: one answer, a deterministic target.
* Nothing to gain from easy dimensions. The target sees rewards only through group-normalised
  advantages, which do not change when a dimension is shifted or scaled within a group:
  a high mean, a small spread or a constant score earns no weight. A dimension with no
  within-group variation is left out and keeps its prior weight (including it would let the
  min-norm point collapse onto its zero column). Contrast :class:`VariancePenaltyWeightNet`.
* Why correctness gets a lower bound. Gated dimensions repeat correctness' pass/fail signal,
  so their normalised columns share its direction and plain MGDA moves weight from
  correctness onto them; the bound keeps the configured priority, MGDA may only raise it.
* Correctness first. With gating, ``w >= 0`` and ``w_correctness > 0``, a completion that
  passes every test scores at least ``w_correctness + w_format`` and one that does not at
  most ``w_correctness * pass_ratio + w_format < w_correctness + w_format``;
  :func:`mix_rewards` gates again itself (and sets format to 1 where all tests pass) so this
  holds for any reward vectors; the trainer does the same before TRL's weighted sum
  (:func:`grpo4code.training.grpo.gate_secondary`).

What it cannot see: per completion, gating makes passing and quality agree, so a kind of
solution that is polished but fails more often looks good sample by sample (the orthogonality
assumption above fails for completions that share such a trait). Only the pass rate shows it,
after the fact. The rise hold keeps such a trait from spreading while correctness is still
being learned (where ``bench/mixer_sim.py``, scenario ``fragile``, found most of the damage
without it); a later, slow drift is caught by the guard only once it exceeds the tolerance,
so the pass rate can sit up to about that tolerance below its best.

Everything is computed on the CPU in float64 from the gathered rewards, without randomness:
every rank gets bitwise the same weights.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field
from typing import Sequence

import torch

DEFAULT_DIMENSIONS = ["correctness", "efficiency", "comments", "maintainability"]


# --- configuration ------------------------------------------------------------------------------
@dataclass
class RewardMixerConfig:
    """Settings of :class:`RewardWeightNet`."""

    dimension_names: list[str] = field(
        default_factory=lambda: list(DEFAULT_DIMENSIONS),
        metadata={"help": "Reward dimensions, in the order of TRL's reward_funcs (columns of the rewards)."},
    )
    correctness_dimension: str = field(
        default="correctness",
        metadata={"help": "The primary dimension; the quality dimensions count only where it equals 1 (format, "
                          "not gated, is 1 there)."},
    )
    prior_weights: list[float] = field(
        default_factory=lambda: [0.4, 0.2, 0.2, 0.2],
        metadata={"help": "Prior weights, one per dimension (normalised to sum 1). The mixer starts here and "
                          "the target is regularised towards them."},
    )
    prior_strength: float = field(
        default=0.5,
        metadata={"help": "Strength of the pull of the target weights towards the prior (0: pure MGDA min-norm "
                          "point; large: the prior)."},
    )
    correctness_prior_is_floor: bool = field(
        default=True,
        metadata={"help": "The target never gives correctness less than its prior weight (the min-norm point may "
                          "raise it): gated dimensions repeat correctness' pass/fail signal, so plain MGDA tends to "
                          "shift weight from correctness onto them."},
    )
    learning_rate: float = field(
        default=0.1,
        metadata={"help": "Normalised step of the weight net towards each batch's target, in (0, 1]: about the "
                          "fraction of the way moved per step (like an EMA rate)."},
    )
    use_statistics: bool = field(
        default=True,
        metadata={"help": "Condition the weight net on the batch's group statistics and progress; False leaves only "
                          "its bias, making it an EMA of the per-batch targets."},
    )
    pass_rate_ema: float = field(
        default=0.9,
        metadata={"help": "EMA coefficient of the running pass rate (fraction of completions passing all tests)."},
    )
    rise_hold_scale: float = field(
        default=1.0,
        metadata={"help": "Correctness first in time: while the running pass rate still rises, the share "
                          "min(1, rise / rise_hold_scale) of the weight stays on correctness, the rise measured per "
                          "unit of training progress (1.0 = a rise of 1.0 over the whole run). 0 turns it off."},
    )
    guard_margin: float = field(
        default=0.01,
        metadata={"help": "The guard's constraint: running pass rate >= its best - guard_margin - guard_noise_z "
                          "standard errors; below that, weight moves to correctness."},
    )
    guard_noise_z: float = field(
        default=2.0,
        metadata={"help": "The guard also tolerates this many standard errors of the running pass rate (estimated "
                          "from its batch-to-batch variance), so sampling noise alone does not trigger it."},
    )
    guard_gain: float = field(
        default=5.0,
        metadata={"help": "Integral gain of the guard: per step, its share of weight moved to correctness grows by "
                          "guard_gain times the constraint's violation (and shrinks by the slack when it holds)."},
    )
    guard_max_share: float = field(
        default=0.9,
        metadata={"help": "Most of the weight the guard can move to correctness, in [0, 1]."},
    )
    min_correctness_weight: float = field(
        default=0.2,
        metadata={"help": "Floor on correctness' share of the returned weights; > 0 keeps 'correctness first'."},
    )
    aggregation: str = field(
        default="sum_then_normalize",
        metadata={"help": "TRL's multi_objective_aggregation the weights are for: 'sum_then_normalize' (TRL's "
                          "default; weights are rescaled by each dimension's within-group std) or "
                          "'normalize_then_sum' (the weights apply to normalised advantages as they are)."},
    )
    min_reward_std: float = field(
        default=0.05,
        metadata={"help": "Floor on a dimension's typical within-group std when rescaling for sum_then_normalize, "
                          "so near-constant dimensions do not get huge raw weights."},
    )

    def __post_init__(self):
        if len(set(self.dimension_names)) != len(self.dimension_names) or not self.dimension_names:
            raise ValueError(f"dimension_names must be distinct and non-empty, got {self.dimension_names}")
        if self.correctness_dimension not in self.dimension_names:
            raise ValueError(f"correctness_dimension {self.correctness_dimension!r} is not in dimension_names "
                             f"{self.dimension_names}; add it or name the right one")
        if len(self.dimension_names) > 10:
            raise ValueError("the exact simplex solver enumerates supports; use at most 10 dimensions")
        if len(self.prior_weights) != len(self.dimension_names):
            raise ValueError(f"prior_weights has {len(self.prior_weights)} values for "
                             f"{len(self.dimension_names)} dimensions; give one per dimension")
        if any(not math.isfinite(w) or w < 0 for w in self.prior_weights) or sum(self.prior_weights) <= 0:
            raise ValueError(f"prior_weights must be finite, >= 0 and not all 0, got {self.prior_weights}")
        self.prior_weights = [w / sum(self.prior_weights) for w in self.prior_weights]
        if self.prior_strength < 0:
            raise ValueError("prior_strength must be >= 0")
        if not 0 < self.learning_rate <= 1:
            raise ValueError("learning_rate must be in (0, 1]")
        if not 0 <= self.pass_rate_ema < 1:
            raise ValueError("pass_rate_ema must be in [0, 1)")
        if not 0 <= self.guard_max_share <= 1 or min(self.guard_margin, self.guard_gain, self.guard_noise_z) < 0:
            raise ValueError("guard_max_share must be in [0, 1]; guard_margin, guard_noise_z and guard_gain >= 0")
        if self.rise_hold_scale < 0:
            raise ValueError("rise_hold_scale must be >= 0 (0 turns the hold off)")
        if not 0 < self.min_correctness_weight <= 1:
            raise ValueError("min_correctness_weight must be in (0, 1]: a zero floor would lose 'correctness first'")
        if self.aggregation not in ("sum_then_normalize", "normalize_then_sum"):
            raise ValueError(f"aggregation must be 'sum_then_normalize' or 'normalize_then_sum', "
                             f"got {self.aggregation!r} (match GRPOConfig.multi_objective_aggregation)")
        if self.min_reward_std <= 0:
            raise ValueError("min_reward_std must be > 0")

    @property
    def correctness_index(self) -> int:
        return self.dimension_names.index(self.correctness_dimension)


# --- pure functions -----------------------------------------------------------------------------
def _as_float64(rewards: torch.Tensor) -> torch.Tensor:
    return rewards.detach().to(device="cpu", dtype=torch.float64)


def _grouped(rewards: torch.Tensor, num_generations: int) -> torch.Tensor:
    """``rewards: [N, D]`` -> ``[N / num_generations, num_generations, D]`` (float64, CPU)."""
    if rewards.dim() != 2:
        raise ValueError(f"rewards must be [N, D], got shape {tuple(rewards.shape)}")
    if num_generations < 1 or rewards.shape[0] % num_generations:
        raise ValueError(f"{rewards.shape[0]} rows do not split into groups of num_generations={num_generations}")
    return _as_float64(rewards).reshape(-1, num_generations, rewards.shape[1])


def group_normalized_advantages(rewards: torch.Tensor, num_generations: int,
                                min_std: float = 1e-6) -> torch.Tensor:
    """Per-dimension advantages ``(r - group mean) / group std``.

    Args:
        rewards: ``[N, D]``, N = groups * num_generations, consecutive rows form a group; NaN
            means "could not score" and is left out of the group's mean and std.
        num_generations: completions per prompt (group size).
        min_std: a group whose (sample) std is at most this, or with fewer than two scored
            values, carries no signal for that dimension.

    Returns:
        ``[N, D]`` float64: the advantages; 0 for NaN entries and for groups without signal.
    """
    grouped = _grouped(rewards, num_generations)
    scored = ~torch.isnan(grouped)
    count = scored.sum(dim=1, keepdim=True)
    mean = torch.where(scored, grouped, 0.0).sum(dim=1, keepdim=True) / count.clamp(min=1)
    centered = torch.where(scored, grouped - mean, 0.0)
    std = ((centered**2).sum(dim=1, keepdim=True) / (count - 1).clamp(min=1)).sqrt()
    has_signal = (count >= 2) & (std > min_std)
    advantages = torch.where(scored & has_signal, centered / torch.where(has_signal, std, 1.0), 0.0)
    return advantages.reshape(rewards.shape)


@functools.lru_cache(maxsize=16)
def _subset_masks(k: int) -> torch.Tensor:
    """All non-empty subsets of ``range(k)`` as ``[2^k - 1, k]`` bool, smallest first."""
    subsets = [s for size in range(1, k + 1) for s in itertools.combinations(range(k), size)]
    masks = torch.zeros(len(subsets), k, dtype=torch.bool)
    for row, subset in enumerate(subsets):
        masks[row, list(subset)] = True
    return masks


def solve_simplex_qp(quadratic: torch.Tensor, linear: torch.Tensor) -> torch.Tensor:
    """Exact ``argmin_{v in simplex} v^T quadratic v - 2 linear^T v``.

    Enumerates the supports (the problem is convex, so the best point among the supports'
    KKT solutions is the optimum). Among (near-)ties it returns the point of least norm,
    so duplicated directions share their weight equally. Small k only (2^k - 1 solves).

    Args:
        quadratic: ``[k, k]`` symmetric positive semi-definite.
        linear: ``[k]``.

    Returns:
        ``[k]`` float64 on the simplex.
    """
    q = quadratic.to(torch.float64)
    b = linear.to(torch.float64)
    k = q.shape[0]
    masks = _subset_masks(k)  # cached: treat as read-only
    inside = masks.to(torch.float64)
    both = inside.unsqueeze(2) * inside.unsqueeze(1)
    # KKT on support S: 2 Q_SS v_S - nu 1 = 2 b_S and 1^T v_S = 1; v_i = 0 off S.
    kkt = torch.zeros(len(masks), k + 1, k + 1, dtype=torch.float64)
    kkt[:, :k, :k] = 2 * q * both + torch.diag_embed(1 - inside)
    kkt[:, :k, k] = -inside
    kkt[:, k, :k] = inside
    rhs = torch.cat([2 * b * inside, torch.ones(len(masks), 1, dtype=torch.float64)], dim=1).unsqueeze(2)
    solution = torch.linalg.lstsq(kkt, rhs, driver="gelsd").solution
    residual = (kkt @ solution - rhs).abs().amax(dim=(1, 2))
    v = solution[:, :k, 0]
    scale = 1.0 + q.abs().max().item() + b.abs().max().item()
    feasible = (residual <= 1e-9 * scale) & (v >= -1e-10).all(dim=1)
    v = v.clamp(min=0.0) * inside
    v = v / v.sum(dim=1, keepdim=True).clamp(min=1e-300)
    objective = torch.einsum("mi,ij,mj->m", v, q, v) - 2 * v @ b
    objective = torch.where(feasible, objective, torch.inf)
    best = objective.min()
    near_best = objective <= best + 1e-12 * (1.0 + best.abs())
    spread = torch.where(near_best, (v**2).sum(dim=1), torch.inf)
    return v[int(torch.argmin(spread))].clone()  # argmin returns the first of exact ties


def _signal_columns(advantages: torch.Tensor) -> torch.Tensor:
    """``[D]`` bool: the dimensions whose advantage column is not all zero."""
    return (advantages != 0).any(dim=0)


def min_norm_weights(advantages: torch.Tensor) -> torch.Tensor:
    """MGDA weights: the min-norm point of the convex hull of the advantage columns.

    ``u = advantages @ w`` then satisfies ``u . a_d >= ||u||^2`` for every column ``a_d`` with
    signal, so it is a common ascent direction. An all-zero column (no signal, no gradient
    to protect) is left out with weight 0: it would make the min-norm point 0, an answer that
    teaches nothing. No signal at all: uniform weights.

    Args:
        advantages: ``[N, D]``, e.g. from :func:`group_normalized_advantages`.

    Returns:
        ``[D]`` float64, non-negative, summing to 1.
    """
    advantages = _as_float64(advantages)
    num_dims = advantages.shape[1]
    active = _signal_columns(advantages)
    if not active.any():
        return torch.full((num_dims,), 1.0 / num_dims, dtype=torch.float64)
    columns = advantages[:, active]
    weights = torch.zeros(num_dims, dtype=torch.float64)
    weights[active] = solve_simplex_qp(columns.T @ columns, torch.zeros(columns.shape[1]))
    return weights


def regularized_min_norm_weights(advantages: torch.Tensor, prior: torch.Tensor, strength: float,
                                 lower: torch.Tensor | None = None) -> torch.Tensor:
    """The mixer's target: ``argmin_w (1/N)||A w||^2 + strength * ||w - prior||^2`` on the simplex, ``w >= lower``.

    Dimensions without signal (all-zero column) keep their prior weight and take no part in
    the minimisation (their column would make the norm small for free); the others share
    the rest of the simplex.

    Args:
        advantages: ``[N, D]`` group-normalised advantages.
        prior: ``[D]`` non-negative, summing to 1.
        strength: >= 0; 0 gives :func:`min_norm_weights` (up to the kept prior shares).
        lower: ``[D]`` lower bounds, ``lower <= prior`` (default 0): the RewardWeightNet keeps
            correctness at least at its prior share this way.

    Returns:
        ``[D]`` float64, non-negative, summing to 1.
    """
    advantages = _as_float64(advantages)
    prior = prior.to(torch.float64)
    lower = torch.zeros_like(prior) if lower is None else torch.minimum(lower.to(torch.float64), prior)
    active = _signal_columns(advantages)
    weights = prior.clone()
    free = (prior[active] - lower[active]).sum().item()
    if not active.any() or free <= 0:  # nothing to learn from, or nothing left to choose
        return weights
    columns = advantages[:, active]
    gram = columns.T @ columns / advantages.shape[0]
    # w_S = lower_S + free * v with v on the simplex; the objective divided by free^2 is
    # v^T (G + strength I) v - 2 b^T v with b = -(G lower_S + strength (lower_S - prior_S)) / free.
    low, pri = lower[active], prior[active]
    quadratic = gram + strength * torch.eye(len(low), dtype=torch.float64)
    linear = -(gram @ low + strength * (low - pri)) / free
    weights[active] = low + free * solve_simplex_qp(quadratic, linear)
    return weights


def mix_rewards(rewards: torch.Tensor, weights: torch.Tensor, correctness_index: int = 0,
                implied: Sequence[int] = ()) -> torch.Tensor:
    """Gated weighted sum of the dimensions, one scalar per completion.

    A completion "passes" iff its correctness is exactly 1. The ``implied`` dimensions
    (format) count for every completion and are 1 for one that passes (its code parsed); every
    other dimension counts only for completions that pass (gated here again, whatever the
    reward functions did). NaN counts as 0; values are clipped to [0, 1]. So, for any
    ``weights >= 0`` with ``weights[correctness_index] > 0``, every passing completion scores
    at least ``w_c + w_implied`` and every failing one at most ``w_c * pass_ratio + w_implied``,
    which is less (strict in float64: rounding never lifts ``w_c * c`` with ``c < 1`` to ``w_c``).

    Args:
        rewards: ``[N, D]`` in [0, 1] or NaN.
        weights: ``[D]``, non-negative.
        correctness_index: the column of the correctness dimension.
        implied: the columns that are not gated but implied by passing (format's).

    Returns:
        ``[N]`` float64; NaN where correctness is NaN (the completion cannot be ranked).
    """
    rewards = _as_float64(rewards)
    weights = weights.detach().to(device="cpu", dtype=torch.float64)
    if (weights < 0).any() or not torch.isfinite(weights).all():
        raise ValueError(f"weights must be finite and non-negative, got {weights.tolist()}")
    correctness = rewards[:, correctness_index].clamp(0.0, 1.0)
    passed = correctness == 1.0
    scores = torch.nan_to_num(rewards, nan=0.0).clamp(0.0, 1.0)
    counts = passed.unsqueeze(1).expand_as(scores).clone()
    implied = [d for d in implied if d != correctness_index]
    counts[:, implied] = True
    scores[:, implied] = torch.where(passed.unsqueeze(1), 1.0, scores[:, implied])
    others = scores * counts
    others[:, correctness_index] = 0.0
    # Correctness first, then the rest (non-negative terms only ever raise the sum).
    return weights[correctness_index] * correctness + others @ weights


def group_statistics(rewards: torch.Tensor, num_generations: int,
                     correctness_index: int) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Batch summaries of the groups, the inputs of :class:`RewardWeightNet`.

    Args:
        rewards: ``[N, D]`` in [0, 1] or NaN.
        num_generations: group size.
        correctness_index: the column of the correctness dimension.

    Returns:
        ``means [D]``: mean over groups of each group's mean (NaN-aware; 0 if nothing scored);
        ``stds [D]``: mean over groups of each group's std (groups with < 2 scored values left out);
        ``pass_rate``: fraction of scored completions whose correctness is 1 (NaN if none is scored).
    """
    grouped = _grouped(rewards, num_generations)
    scored = ~torch.isnan(grouped)
    count = scored.sum(dim=1)
    group_mean = torch.where(scored, grouped, 0.0).sum(dim=1) / count.clamp(min=1)
    centered = torch.where(scored, grouped - group_mean.unsqueeze(1), 0.0)
    group_std = ((centered**2).sum(dim=1) / (count - 1).clamp(min=1)).sqrt()
    has_mean, has_std = count >= 1, count >= 2
    means = torch.where(has_mean, group_mean, 0.0).sum(dim=0) / has_mean.sum(dim=0).clamp(min=1)
    stds = torch.where(has_std, group_std, 0.0).sum(dim=0) / has_std.sum(dim=0).clamp(min=1)
    correctness = grouped[..., correctness_index]
    scored_correctness = ~torch.isnan(correctness)
    num_scored = int(scored_correctness.sum())
    pass_rate = (correctness == 1.0).sum().item() / num_scored if num_scored else math.nan
    return means, stds, pass_rate


def signal_stds(rewards: torch.Tensor, num_generations: int, min_std: float = 1e-6) -> torch.Tensor:
    """``[D]``: each dimension's root-mean-square within-group std over the groups with signal (1 if none)."""
    grouped = _grouped(rewards, num_generations)
    scored = ~torch.isnan(grouped)
    count = scored.sum(dim=1)
    mean = torch.where(scored, grouped, 0.0).sum(dim=1, keepdim=True) / count.clamp(min=1).unsqueeze(1)
    centered = torch.where(scored, grouped - mean, 0.0)
    variance = (centered**2).sum(dim=1) / (count - 1).clamp(min=1)
    has_signal = (count >= 2) & (variance.sqrt() > min_std)
    pooled = torch.where(has_signal, variance, 0.0).sum(dim=0) / has_signal.sum(dim=0).clamp(min=1)
    return torch.where(has_signal.any(dim=0), pooled.sqrt(), 1.0)


def raw_reward_weights(weights: torch.Tensor, stds: torch.Tensor, min_std: float) -> torch.Tensor:
    """Weights on normalised advantages -> weights on raw rewards for ``sum_then_normalize``.

    Mixing raw rewards and then normalising within a group gives ``sum_d w_d std_d a_d``
    (up to a positive factor), so ``w_d / std_d`` reproduces the direction ``sum_d w_d a_d``;
    ``stds`` is each dimension's typical within-group std (floored at ``min_std``).

    Args:
        weights: ``[D]`` on the simplex.
        stds: ``[D]`` positive.
        min_std: floor on ``stds``.

    Returns:
        ``[D]`` float64 on the simplex.
    """
    raw = weights.to(torch.float64) / stds.to(torch.float64).clamp(min=min_std)
    return raw / raw.sum()


def with_correctness_floor(weights: torch.Tensor, correctness_index: int, floor: float) -> torch.Tensor:
    """``[D]`` simplex weights with correctness' share raised to at least ``floor``, the rest scaled down."""
    weights = weights.to(torch.float64).clone()
    current = weights[correctness_index].item()
    if current >= floor:
        return weights
    others = 1.0 - current
    weights *= (1.0 - floor) / others if others > 0 else 0.0
    weights[correctness_index] = floor
    return weights


# --- the learned mixer --------------------------------------------------------------------------
class RewardWeightNet:
    """Online-learned reward weights whose training target is the regularised MGDA point.

    The model is softmax-linear: ``weights = softmax(W x)`` with ``x = [group means (D),
    group stds (D), pass rate, progress, 1]`` (:func:`group_statistics`). It starts at the
    prior (``W = 0`` except the bias column, ``log prior``). Each :meth:`update` computes the
    batch's target ``w*`` (:func:`regularized_min_norm_weights`) and takes one normalised
    gradient step of the cross-entropy ``-sum_d w*_d log softmax(W x)_d`` (gradient
    ``(softmax(W x) - w*) x^T``, step ``learning_rate / ||x||^2``), so the prediction moves
    about ``learning_rate`` of the way to the target. That is an EMA of the per-batch MGDA
    solutions (sound for the same reason as averaging stochastic gradients: the target is
    noisy per batch, its mean is what the objective asks for) that may also condition on
    the statistics; in ``bench/mixer_sim.py`` the conditioning neither helps nor hurts
    (``use_statistics=False`` gives the plain EMA). Then the rise hold and the pass-rate
    guard, the rescaling for ``sum_then_normalize`` and the correctness floor. A batch with no signal in any
    dimension leaves the model as it is.

    Deterministic (float64 on the CPU, no randomness), so all ranks agree bitwise;
    :meth:`state_dict` / :meth:`load_state_dict` restore it exactly. With TRL, call
    :meth:`update` on the gathered ``rewards_per_func`` (e.g. in an override of
    ``GRPOTrainer._calculate_rewards``, training steps only) and assign the result to
    ``trainer.reward_weights``; save :meth:`state_dict` with each checkpoint.
    """

    def __init__(self, config: RewardMixerConfig | None = None):
        self.config = config or RewardMixerConfig()
        num_dims = len(self.config.dimension_names)
        self.prior = torch.tensor(self.config.prior_weights, dtype=torch.float64)
        self.lower = torch.zeros(num_dims, dtype=torch.float64)
        if self.config.correctness_prior_is_floor:
            self.lower[self.config.correctness_index] = self.prior[self.config.correctness_index]
        self.linear = torch.zeros(num_dims, 2 * num_dims + 3, dtype=torch.float64)
        self.linear[:, -1] = torch.log(self.prior.clamp(min=1e-8))
        self.step = 0
        self.running_pass_rate: float | None = None
        self.best_pass_rate: float | None = None
        self.pass_rate_variance = 0.0
        self.pass_rate_rise = 0.0
        self.last_progress: float | None = None
        self.guard_share = 0.0
        self.target = self.prior.clone()
        self._weights = with_correctness_floor(self.prior, self.config.correctness_index,
                                               self.config.min_correctness_weight)

    @property
    def weights(self) -> torch.Tensor:
        """``[D]`` float32: the weights to set as ``trainer.reward_weights``."""
        return self._weights.to(torch.float32)

    def features(self, means: torch.Tensor, stds: torch.Tensor, pass_rate: float, progress: float) -> torch.Tensor:
        """``[2D + 3]`` float64: group means ``[D]``, group stds ``[D]``, pass rate, progress, bias.

        With ``use_statistics=False`` all but the bias are 0 (the model is then an EMA of the targets).
        """
        extra = torch.tensor([0.0 if math.isnan(pass_rate) else pass_rate, min(max(progress, 0.0), 1.0)],
                             dtype=torch.float64)
        x = torch.cat([means, stds, extra, torch.ones(1, dtype=torch.float64)])
        if not self.config.use_statistics:
            x[:-1] = 0.0
        return x

    def predict(self, features: torch.Tensor) -> torch.Tensor:
        """``features [2D + 3]`` -> ``[D]`` simplex weights before guard and floor."""
        return torch.softmax(self.linear @ features, dim=0)

    def update(self, rewards: torch.Tensor, num_generations: int, progress: float) -> torch.Tensor:
        """Learn from one batch and return the new weights.

        Args:
            rewards: ``[N, D]`` gathered over all ranks, consecutive groups of num_generations.
            num_generations: group size.
            progress: fraction of training done, in [0, 1].

        Returns:
            ``[D]`` float32: non-negative, summing to 1, correctness >= ``min_correctness_weight``.
        """
        config = self.config
        if rewards.shape[1] != len(config.dimension_names):
            raise ValueError(f"rewards have {rewards.shape[1]} columns, expected {config.dimension_names}")
        means, stds, pass_rate = group_statistics(rewards, num_generations, config.correctness_index)
        x = self.features(means, stds, pass_rate, progress)
        advantages = group_normalized_advantages(rewards, num_generations)
        if _signal_columns(advantages).any():
            self.target = regularized_min_norm_weights(advantages, self.prior, config.prior_strength, self.lower)
            gradient = torch.outer(self.predict(x) - self.target, x)
            self.linear -= config.learning_rate / (x @ x) * gradient
        weights = self.predict(x)

        self._track_pass_rate(pass_rate, progress)
        if self.running_pass_rate is not None:
            # Guard: integral control (a dual variable) of the constraint running >= best - tolerance.
            violation = self.best_pass_rate - self.guard_tolerance - self.running_pass_rate
            self.guard_share = min(max(self.guard_share + config.guard_gain * violation, 0.0), config.guard_max_share)
        held = 1 - (1 - self.guard_share) * (1 - self.rise_hold)
        weights = (1 - held) * weights
        weights[config.correctness_index] += held

        if config.aggregation == "sum_then_normalize":
            weights = raw_reward_weights(weights, signal_stds(rewards, num_generations), config.min_reward_std)
        self._weights = with_correctness_floor(weights, config.correctness_index, config.min_correctness_weight)
        self.step += 1
        return self.weights

    def _track_pass_rate(self, pass_rate: float, progress: float) -> None:
        """EMAs of the batch pass rate, of its batch-to-batch variance and of its rise per unit of progress."""
        beta = self.config.pass_rate_ema
        if math.isnan(pass_rate):  # nothing could be scored: no news
            return
        if self.running_pass_rate is None:
            self.running_pass_rate = pass_rate
        else:
            previous = self.running_pass_rate
            deviation = pass_rate - previous
            self.pass_rate_variance = beta * self.pass_rate_variance + (1 - beta) * deviation**2
            self.running_pass_rate = beta * previous + (1 - beta) * pass_rate
            if self.last_progress is not None and progress > self.last_progress:
                rise = (self.running_pass_rate - previous) / (progress - self.last_progress)
                self.pass_rate_rise = beta * self.pass_rate_rise + (1 - beta) * rise
        self.last_progress = progress
        self.best_pass_rate = max(self.best_pass_rate or 0.0, self.running_pass_rate)

    @property
    def rise_hold(self) -> float:
        """Share of the weight kept on correctness because the pass rate is still rising, in [0, 1]."""
        scale = self.config.rise_hold_scale
        return min(max(self.pass_rate_rise / scale, 0.0), 1.0) if scale > 0 else 0.0

    @property
    def guard_tolerance(self) -> float:
        """How far the running pass rate may sit below its best: the margin plus z standard errors of the EMA."""
        beta = self.config.pass_rate_ema
        noise = math.sqrt(self.pass_rate_variance * (1 - beta) / (1 + beta))
        return self.config.guard_margin + self.config.guard_noise_z * noise

    def state_dict(self) -> dict:
        """Everything :meth:`update` reads, copied."""
        return {
            "linear": self.linear.clone(),
            "step": self.step,
            "running_pass_rate": self.running_pass_rate,
            "best_pass_rate": self.best_pass_rate,
            "pass_rate_variance": self.pass_rate_variance,
            "pass_rate_rise": self.pass_rate_rise,
            "last_progress": self.last_progress,
            "guard_share": self.guard_share,
            "target": self.target.clone(),
            "weights": self._weights.clone(),
            "dimension_names": list(self.config.dimension_names),
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore exactly what :meth:`state_dict` saved (the config must name the same dimensions)."""
        if list(state["dimension_names"]) != list(self.config.dimension_names):
            raise ValueError(f"state is for dimensions {state['dimension_names']}, "
                             f"this mixer has {self.config.dimension_names}")
        self.linear = state["linear"].to(torch.float64).clone()
        self.step = int(state["step"])
        self.running_pass_rate = state["running_pass_rate"]
        self.best_pass_rate = state["best_pass_rate"]
        self.pass_rate_variance = float(state["pass_rate_variance"])
        self.pass_rate_rise = float(state["pass_rate_rise"])
        self.last_progress = state["last_progress"]
        self.guard_share = float(state["guard_share"])
        self.target = state["target"].to(torch.float64).clone()
        self._weights = state["weights"].to(torch.float64).clone()


# --- the anchor's design, kept only as a benchmark baseline -------------------------------------
class VariancePenaltyWeightNet(torch.nn.Module):
    """The anchor project's weight net, reimplemented as a baseline for ``bench/mixer_sim.py``.

    Do not use it for training. An MLP (D -> hidden -> D, softmax) maps each completion's
    own reward vector to that completion's weights, and its only loss is
    ``penalty * mean_d var_over_completions(weights[:, d])``, minimised by Adam. That loss
    says nothing about learning: any constant output minimises it, so the net drifts from its
    random start towards whatever constant is nearest, and because the weights depend on each
    completion's own rewards, mixing is not linear and "correctness first" can fail.
    """

    def __init__(self, num_dimensions: int, hidden_size: int = 64, learning_rate: float = 1e-4,
                 penalty: float = 0.1, seed: int = 0):
        super().__init__()
        generator_state = torch.random.get_rng_state()
        torch.manual_seed(seed)  # deterministic initialisation, global RNG restored below
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(num_dimensions, hidden_size), torch.nn.ReLU(),
            torch.nn.Linear(hidden_size, num_dimensions), torch.nn.Softmax(dim=-1),
        )
        torch.random.set_rng_state(generator_state)
        self.penalty = penalty
        self.optimizer = torch.optim.Adam(self.parameters(), lr=learning_rate)
        self._weights = torch.full((num_dimensions,), 1.0 / num_dimensions)

    def per_completion_weights(self, rewards: torch.Tensor) -> torch.Tensor:
        """``rewards [N, D]`` -> ``[N, D]`` weights, one simplex vector per completion (no grad)."""
        with torch.no_grad():
            return self.layers(torch.nan_to_num(rewards.float(), nan=0.0))

    def mix(self, rewards: torch.Tensor) -> torch.Tensor:
        """``[N]``: the anchor's mixed reward, ``sum_d r_d * w_d(r)`` per completion."""
        return (torch.nan_to_num(rewards.float(), nan=0.0) * self.per_completion_weights(rewards)).sum(dim=1)

    @property
    def weights(self) -> torch.Tensor:
        return self._weights

    def update(self, rewards: torch.Tensor, num_generations: int, progress: float) -> torch.Tensor:
        """One Adam step on the variance penalty; returns the mean per-completion weights ``[D]``."""
        weights = self.layers(torch.nan_to_num(rewards.float(), nan=0.0))
        loss = self.penalty * weights.var(dim=0).mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self._weights = weights.detach().mean(dim=0)
        return self._weights
