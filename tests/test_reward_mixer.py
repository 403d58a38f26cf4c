"""The reward mixer: its pure functions, the learned RewardWeightNet, and the anchor baseline."""

from __future__ import annotations

import io
import itertools
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grpo4code.training.reward_mixer import (
    RewardMixerConfig,
    RewardWeightNet,
    VariancePenaltyWeightNet,
    group_normalized_advantages,
    group_statistics,
    min_norm_weights,
    mix_rewards,
    raw_reward_weights,
    regularized_min_norm_weights,
    with_correctness_floor,
)

NAN = float("nan")
D = 4  # correctness, efficiency, comments, maintainability


# --- random reward batches ----------------------------------------------------------------------
@st.composite
def reward_batches(draw, gated: bool = True, max_groups: int = 4):
    """``(rewards [N, 4], num_generations)``: pass ratios or 1/0, secondary scores, some NaN."""
    num_generations = draw(st.integers(2, 6))
    n = num_generations * draw(st.integers(1, max_groups))
    unit = st.floats(0.0, 1.0, allow_nan=False, width=32)
    rows = []
    for _ in range(n):
        correctness = draw(st.one_of(st.just(1.0), st.just(0.0), unit, st.just(NAN)))
        others = [draw(st.one_of(unit, st.just(NAN))) for _ in range(D - 1)]
        if gated and correctness != 1.0:
            others = [0.0 if not math.isnan(v) else v for v in others]
        rows.append([correctness, *others])
    return torch.tensor(rows, dtype=torch.float32), num_generations


def assert_correctness_first(mixed: torch.Tensor, rewards: torch.Tensor) -> None:
    passed = rewards[:, 0] == 1.0
    failed = rewards[:, 0] < 1.0  # NaN correctness is neither
    if passed.any() and failed.any():
        assert mixed[passed].min() > mixed[failed].max()


# --- group normalisation ------------------------------------------------------------------------
def test_group_normalized_advantages_known_values():
    rewards = torch.tensor([[0.0, 1.0], [1.0, 1.0], [0.5, 0.2], [0.5, 0.4]])
    advantages = group_normalized_advantages(rewards, num_generations=2)
    std = math.sqrt(0.5)  # sample std of {0, 1}
    std2 = math.sqrt(0.02)  # sample std of {0.2, 0.4}
    expected = torch.tensor([[-0.5 / std, 0.0], [0.5 / std, 0.0], [0.0, -0.1 / std2], [0.0, 0.1 / std2]])
    assert torch.allclose(advantages, expected.double())
    assert advantages.dtype == torch.float64


def test_group_normalization_nan_is_left_out_and_gets_zero():
    rewards = torch.tensor([[0.0], [NAN], [1.0], [NAN], [NAN], [0.3]])
    advantages = group_normalized_advantages(rewards, num_generations=3)
    # Group 1: {0, 1} scored; group 2: one scored value, no signal.
    std = math.sqrt(0.5)
    assert torch.allclose(advantages[:, 0], torch.tensor([-0.5 / std, 0.0, 0.5 / std, 0.0, 0.0, 0.0]).double())


def test_group_with_zero_std_gives_zeros_and_shapes_are_checked():
    assert torch.equal(group_normalized_advantages(torch.full((4, 3), 0.7), 4), torch.zeros(4, 3).double())
    with pytest.raises(ValueError, match="groups of num_generations"):
        group_normalized_advantages(torch.zeros(5, 2), 2)


@given(reward_batches())
@settings(max_examples=60, deadline=None)
def test_advantages_have_zero_mean_per_group_and_are_finite(batch):
    rewards, g = batch
    advantages = group_normalized_advantages(rewards, g)
    assert torch.isfinite(advantages).all()
    assert advantages.view(-1, g, D).sum(dim=1).abs().max() < 1e-9


# --- MGDA min-norm weights ----------------------------------------------------------------------
def test_min_norm_of_two_orthogonal_unit_vectors_is_the_midpoint():
    assert torch.allclose(min_norm_weights(torch.eye(2)), torch.tensor([0.5, 0.5]).double())


def test_a_dominated_direction_gets_no_weight():
    # a1 = (1, 0), a2 = (1, 1): the hull's min-norm point is a1 itself.
    advantages = torch.tensor([[1.0, 1.0], [0.0, 1.0]])
    assert torch.allclose(min_norm_weights(advantages), torch.tensor([1.0, 0.0]).double())


def test_min_norm_known_segment_and_conflict():
    # a1 = (1, 0), a2 = (0.5, 1): min over w of |w a1 + (1 - w) a2|^2 at w = 0.6.
    assert torch.allclose(min_norm_weights(torch.tensor([[1.0, 0.5], [0.0, 1.0]])), torch.tensor([0.6, 0.4]).double())
    # Opposite directions of equal length cancel at the midpoint.
    assert torch.allclose(min_norm_weights(torch.tensor([[1.0, -1.0]])), torch.tensor([0.5, 0.5]).double())


def test_duplicates_share_and_zero_columns_are_left_out():
    a = torch.tensor([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    assert torch.allclose(min_norm_weights(a), torch.tensor([0.25, 0.5, 0.25, 0.0]).double())
    assert torch.allclose(min_norm_weights(torch.zeros(3, 4)), torch.full((4,), 0.25).double())


@given(st.lists(st.floats(-3, 3, allow_nan=False, width=32), min_size=12, max_size=12))
@settings(max_examples=80, deadline=None)
def test_min_norm_point_is_a_common_ascent_direction_and_beats_a_grid(values):
    advantages = torch.tensor(values).view(4, 3)
    weights = min_norm_weights(advantages)
    assert (weights >= 0).all() and abs(weights.sum().item() - 1) < 1e-9
    active = (advantages != 0).any(dim=0)
    u = advantages.double() @ weights
    norm2 = (u @ u).item()
    for d in torch.nonzero(active).flatten().tolist():
        assert (advantages[:, d].double() @ u).item() >= norm2 - 1e-6
    # No point of a coarse grid on the simplex (over the active columns) is shorter.
    steps = 20
    for i, j in itertools.product(range(steps + 1), repeat=2):
        if i + j <= steps:
            w = torch.tensor([i, j, steps - i - j], dtype=torch.float64) / steps
            if (w[~active] == 0).all():
                v = advantages.double() @ w
                assert norm2 <= (v @ v).item() + 1e-9


def test_regularised_target_between_mgda_and_prior():
    advantages = torch.tensor([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 3.0]])
    prior = torch.tensor([0.2, 0.3, 0.5], dtype=torch.float64)
    assert torch.allclose(regularized_min_norm_weights(advantages, prior, 0.0), min_norm_weights(advantages))
    assert torch.allclose(regularized_min_norm_weights(advantages, prior, 1e8), prior, atol=1e-6)
    lower = torch.tensor([0.2, 0.0, 0.0], dtype=torch.float64)
    bounded = regularized_min_norm_weights(advantages * torch.tensor([10.0, 1.0, 1.0]), prior, 0.0, lower)
    assert bounded[0] >= 0.2 - 1e-12 and abs(bounded.sum().item() - 1) < 1e-12


def test_dimension_without_signal_keeps_its_prior_weight_instead_of_soaking_up_weight():
    advantages = torch.tensor([[1.0, 0.0, 1.0], [-1.0, 0.0, 0.5]])  # column 1: no signal
    prior = torch.tensor([0.4, 0.3, 0.3], dtype=torch.float64)
    target = regularized_min_norm_weights(advantages, prior, 0.01)
    assert target[1].item() == pytest.approx(0.3)
    assert target.sum().item() == pytest.approx(1.0)


# --- mixing and "correctness first" -------------------------------------------------------------
def test_mix_rewards_gates_and_handles_nan():
    rewards = torch.tensor([
        [1.0, 0.5, NAN, 1.0],  # passes; NaN comment counts 0
        [0.9, 1.0, 1.0, 1.0],  # fails: ungated secondaries are gated here
        [NAN, 1.0, 1.0, 1.0],  # cannot be scored
    ])
    mixed = mix_rewards(rewards, torch.tensor([0.4, 0.2, 0.2, 0.2]))
    assert mixed[0].item() == pytest.approx(0.4 + 0.1 + 0.2)
    assert mixed[1].item() == pytest.approx(0.36)
    assert math.isnan(mixed[2].item())
    with pytest.raises(ValueError):
        mix_rewards(rewards, torch.tensor([0.5, -0.1, 0.3, 0.3]))


@given(reward_batches(gated=False),
       st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=D - 1, max_size=D - 1),
       st.floats(1e-6, 1.0, allow_nan=False))
@settings(max_examples=200, deadline=None)
def test_passing_beats_failing_for_any_non_negative_weights(batch, others, correctness_weight):
    rewards, _ = batch  # not gated: mix_rewards must gate itself
    mixed = mix_rewards(rewards, torch.tensor([correctness_weight, *others]))
    assert_correctness_first(mixed, rewards)


@given(st.lists(reward_batches(gated=False), min_size=1, max_size=4), st.floats(0.0, 1.0))
@settings(max_examples=60, deadline=None)
def test_weights_the_mixer_outputs_keep_correctness_first_and_are_valid(batches, progress):
    net = RewardWeightNet()
    for rewards, g in batches:
        weights = net.update(rewards, g, progress)
        assert weights.dtype == torch.float32 and weights.shape == (D,)
        assert torch.isfinite(weights).all() and (weights >= 0).all()
        assert weights.sum().item() == pytest.approx(1.0, abs=1e-5)
        assert weights[0].item() >= net.config.min_correctness_weight * (1 - 1e-6)
        assert_correctness_first(mix_rewards(rewards, weights), rewards)


def test_trl_style_sum_of_gated_rewards_keeps_correctness_first():
    # TRL mixes nansum(rewards * weights); our reward functions gate, so the order holds there too.
    rewards = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.99, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [1.0, 1.0, NAN, 1.0]])
    weights = RewardWeightNet().update(rewards, 4, 0.0)
    mixed = (rewards * weights).nansum(dim=1)
    assert mixed[0] > mixed[1] > mixed[2] and mixed[3] > mixed[0]


# --- format: not gated, implied by passing -------------------------------------------------------
DIMENSIONS5 = ["correctness", "efficiency", "comments", "maintainability", "format"]


@st.composite
def five_dimension_batches(draw, max_groups: int = 4):
    """``(rewards [N, 5], num_generations)``: any values, format included, nothing gated."""
    num_generations = draw(st.integers(2, 6))
    n = num_generations * draw(st.integers(1, max_groups))
    unit = st.floats(0.0, 1.0, allow_nan=False, width=32)
    rows = []
    for _ in range(n):
        correctness = draw(st.one_of(st.just(1.0), st.just(0.0), unit, st.just(NAN)))
        quality = [draw(st.one_of(unit, st.just(NAN))) for _ in range(3)]
        rows.append([correctness, *quality, draw(st.one_of(st.just(0.0), st.just(1.0), unit))])
    return torch.tensor(rows, dtype=torch.float32), num_generations


def test_format_is_not_gated_but_implied_by_passing():
    rewards = torch.tensor([[0.5, 0.0, 0.0, 0.0, 1.0],   # fails, its code parses: format pays
                            [1.0, 0.5, 0.5, 0.5, 0.0],   # passes (format 0 cannot happen): counted as 1
                            [0.0, 0.0, 0.0, 0.0, 0.0]])
    weights = torch.tensor([0.4, 0.15, 0.15, 0.15, 0.15])
    mixed = mix_rewards(rewards, weights, implied=[4])
    assert mixed.tolist() == pytest.approx([0.2 + 0.15, 0.4 + 3 * 0.075 + 0.15, 0.0])
    assert mix_rewards(rewards, weights)[0].item() == pytest.approx(0.2)  # gated if not named implied


@given(five_dimension_batches(), st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=4, max_size=4),
       st.floats(1e-6, 1.0, allow_nan=False))
@settings(max_examples=200, deadline=None)
def test_passing_beats_failing_with_ungated_format(batch, others, correctness_weight):
    rewards, _ = batch
    mixed = mix_rewards(rewards, torch.tensor([correctness_weight, *others]), implied=[4])
    assert_correctness_first(mixed, rewards)


@given(st.lists(five_dimension_batches(), min_size=1, max_size=4), st.floats(0.0, 1.0))
@settings(max_examples=60, deadline=None)
def test_trainer_path_keeps_correctness_first_with_format(batches, progress):
    """What the trainer does: gate_secondary, the mixer's weights, TRL's weighted nansum."""
    from grpo4code.training.grpo import GATED_DIMENSIONS, IMPLIED_BY_PASSING, gate_secondary
    from grpo4code.training.grpo_run import prior_weights

    assert not set(GATED_DIMENSIONS) & set(IMPLIED_BY_PASSING)
    gated = [i for i, name in enumerate(DIMENSIONS5) if name in GATED_DIMENSIONS]
    implied = [i for i, name in enumerate(DIMENSIONS5) if name in IMPLIED_BY_PASSING]
    assert gated == [1, 2, 3] and implied == [4]
    net = RewardWeightNet(RewardMixerConfig(dimension_names=DIMENSIONS5, prior_weights=prior_weights(DIMENSIONS5, None)))
    for rewards, g in batches:
        rewards = gate_secondary(rewards, 0, gated, implied)
        weights = net.update(rewards, g, progress)
        assert_correctness_first((rewards * weights).nansum(dim=1), rewards)
        assert_correctness_first(mix_rewards(rewards, weights, implied=implied), rewards)


# --- RewardWeightNet ----------------------------------------------------------------------------
def batch_with_pass_rate(pass_rate: float, seed: int, num_groups: int = 8, num_generations: int = 8) -> torch.Tensor:
    """Gated rewards ``[groups * generations, 4]`` where about ``pass_rate`` of the completions pass."""
    generator = torch.Generator().manual_seed(seed)
    n = num_groups * num_generations
    passed = torch.rand(n, generator=generator) < pass_rate
    correctness = torch.where(passed, 1.0, 0.5 * torch.rand(n, generator=generator))
    others = torch.rand(n, D - 1, generator=generator) * passed.unsqueeze(1)
    return torch.cat([correctness.unsqueeze(1), others], dim=1)


def run(net: RewardWeightNet, seeds, pass_rate: float = 0.5) -> list[torch.Tensor]:
    return [net.update(batch_with_pass_rate(pass_rate, s), 8, s / 100) for s in seeds]


def test_starts_at_the_prior_and_moves():
    net = RewardWeightNet()
    assert torch.allclose(net.weights, torch.tensor([0.4, 0.2, 0.2, 0.2]))
    run(net, range(10))
    assert not torch.allclose(net.weights, torch.tensor([0.4, 0.2, 0.2, 0.2]))
    assert net.step == 10


def test_updates_are_deterministic_bitwise():
    first, second = RewardWeightNet(), RewardWeightNet()
    for a, b in zip(run(first, range(20)), run(second, range(20))):
        assert torch.equal(a, b)


def test_state_dict_round_trip_restores_exactly_and_later_updates_match():
    net = RewardWeightNet()
    run(net, range(5), 0.8)
    run(net, range(5, 12), 0.3)  # a drop: the guard holds some state
    buffer = io.BytesIO()
    torch.save(net.state_dict(), buffer)
    buffer.seek(0)
    restored = RewardWeightNet()
    restored.load_state_dict(torch.load(buffer))
    assert torch.equal(restored.weights, net.weights)
    assert restored.state_dict().keys() == net.state_dict().keys()
    for key, value in net.state_dict().items():
        other = restored.state_dict()[key]
        assert torch.equal(other, value) if isinstance(value, torch.Tensor) else other == value
    for a, b in zip(run(net, range(12, 30)), run(restored, range(12, 30))):
        assert torch.equal(a, b)


def test_state_dict_refuses_other_dimensions():
    other = RewardWeightNet(RewardMixerConfig(dimension_names=["correctness", "format"], prior_weights=[0.8, 0.2]))
    with pytest.raises(ValueError, match="dimensions"):
        RewardWeightNet().load_state_dict(other.state_dict())


def test_guard_raises_correctness_weight_after_a_pass_rate_drop():
    config = RewardMixerConfig()
    guarded, unguarded = RewardWeightNet(config), RewardWeightNet(RewardMixerConfig(guard_gain=0.0))
    for net in (guarded, unguarded):
        run(net, range(30), pass_rate=0.8)
    assert guarded.guard_share == 0.0
    for net in (guarded, unguarded):
        run(net, range(30, 45), pass_rate=0.3)
    assert guarded.running_pass_rate < guarded.best_pass_rate - guarded.guard_tolerance
    assert guarded.guard_share > 0.3
    assert guarded.weights[0] > unguarded.weights[0] + 0.1
    # Back at the old pass rate, the guard lets go.
    run(guarded, range(45, 120), pass_rate=0.8)
    assert guarded.guard_share == 0.0


def test_a_batch_without_signal_leaves_the_model_alone():
    net = RewardWeightNet()
    run(net, range(3))
    linear = net.linear.clone()
    net.update(torch.ones(16, D), 8, 0.5)  # everyone passes with full marks: no advantages
    assert torch.equal(net.linear, linear)


def test_rise_hold_keeps_weight_on_correctness_while_the_pass_rate_climbs():
    held, free = RewardWeightNet(), RewardWeightNet(RewardMixerConfig(rise_hold_scale=0.0))
    for step in range(20):  # the pass rate climbs from 0.2 to 0.9 over a fifth of the run
        rewards = batch_with_pass_rate(0.2 + 0.035 * step, step)
        held.update(rewards, 8, step / 100)
        free.update(rewards, 8, step / 100)
    assert held.pass_rate_rise > 0 and held.rise_hold > 0.5
    assert free.rise_hold == 0.0
    assert held.weights[0] > free.weights[0] + 0.2
    for step in range(20, 100):  # a plateau: the hold lets go
        held.update(batch_with_pass_rate(0.9, step), 8, step / 100)
    assert held.rise_hold < 0.1


def test_unscorable_batch_is_no_news_for_the_guard():
    net = RewardWeightNet()
    run(net, range(10), pass_rate=0.8)
    state = net.state_dict()
    weights = net.update(torch.full((16, D), NAN), 8, 0.5)
    assert net.running_pass_rate == state["running_pass_rate"] and net.guard_share == state["guard_share"]
    assert torch.isfinite(weights).all()
    assert math.isnan(group_statistics(torch.full((4, D), NAN), 2, 0)[2])


def test_easy_dimension_gains_no_weight_from_being_constant():
    # Maintainability is the same for every completion in every group ("easy"): it keeps its prior share
    # in the target, where a variance- or mean-seeking mixer would pile weight onto it.
    config = RewardMixerConfig(aggregation="normalize_then_sum")
    net = RewardWeightNet(config)
    for seed in range(30):
        rewards = batch_with_pass_rate(1.0, seed)
        rewards[:, 3] = 0.9
        net.update(rewards, 8, seed / 30)
        assert net.target[3].item() == pytest.approx(config.prior_weights[3])


def test_weights_for_sum_then_normalize_undo_each_dimension_scale():
    weights = torch.tensor([0.5, 0.5], dtype=torch.float64)
    assert torch.allclose(raw_reward_weights(weights, torch.tensor([0.5, 0.1]), 0.05),
                          torch.tensor([1 / 6, 5 / 6]).double())
    assert torch.allclose(raw_reward_weights(weights, torch.tensor([0.5, 0.001]), 0.05),
                          torch.tensor([1 / 11, 10 / 11]).double())  # floored std
    floored = with_correctness_floor(torch.tensor([0.1, 0.6, 0.3]), 0, 0.2)
    assert torch.allclose(floored, torch.tensor([0.2, 0.8 * 0.6 / 0.9, 0.8 * 0.3 / 0.9]).double())


def test_group_statistics():
    rewards = torch.tensor([[1.0, 0.4], [0.0, 0.0], [1.0, NAN], [1.0, 0.8]])
    means, stds, pass_rate = group_statistics(rewards, 2, correctness_index=0)
    assert torch.allclose(means, torch.tensor([0.75, 0.5]).double())
    assert torch.allclose(stds, torch.tensor([math.sqrt(0.5) / 2, math.sqrt(0.08)]).double())
    assert pass_rate == 0.75


def test_config_validation_names_the_fix():
    with pytest.raises(ValueError, match="one per dimension"):
        RewardMixerConfig(prior_weights=[1.0, 1.0])
    with pytest.raises(ValueError, match="correctness_dimension"):
        RewardMixerConfig(dimension_names=["efficiency", "comments"], prior_weights=[1.0, 1.0])
    with pytest.raises(ValueError, match="min_correctness_weight"):
        RewardMixerConfig(min_correctness_weight=0.0)
    assert sum(RewardMixerConfig(prior_weights=[2.0, 1.0, 1.0, 0.0]).prior_weights) == pytest.approx(1.0)


# --- the anchor's baseline ----------------------------------------------------------------------
def test_variance_penalty_net_is_seeded_and_leaves_the_global_rng_alone():
    state = torch.random.get_rng_state()
    first, second = VariancePenaltyWeightNet(D, seed=3), VariancePenaltyWeightNet(D, seed=3)
    assert torch.equal(torch.random.get_rng_state(), state)
    rewards = batch_with_pass_rate(0.5, 0)
    assert torch.equal(first.update(rewards, 8, 0.0), second.update(rewards, 8, 0.0))
    per_completion = first.per_completion_weights(rewards)
    assert per_completion.shape == (64, D)
    assert torch.allclose(per_completion.sum(dim=1), torch.ones(64))
    assert first.mix(rewards).shape == (64,)
