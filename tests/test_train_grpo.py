"""GRPO: gating in the trainer, the mixer hook, checkpoints and resume, and the default path."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest
import torch

from grpo4code.data.schema import CallTest, Problem
from grpo4code.training.grpo import MIXER_STATE_FILE, gate_secondary
from grpo4code.training.main import main, resume_checkpoint
from grpo4code.training.time_budget import over_budget, paused_run

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_gate_secondary_zeroes_style_of_failing_rows_only():
    nan = float("nan")
    rewards = torch.tensor([[1.0, 0.7, 0.9, 1.0], [0.5, 0.7, 0.9, 1.0], [nan, nan, nan, 1.0], [0.0, nan, 0.3, 0.0]])
    gated = gate_secondary(rewards, 0, [1, 2])
    assert gated[0].tolist() == [1.0, pytest.approx(0.7), pytest.approx(0.9), 1.0]
    assert gated[1].tolist() == [0.5, 0.0, 0.0, 1.0]  # format (column 3) is not gated
    assert torch.isnan(gated[2, :3]).all() and gated[2, 3] == 1.0
    assert math.isnan(gated[3, 1]) and gated[3, 2] == 0.0


def easy_problems() -> list[Problem]:
    add = Problem(id="easy-add", source="test", split="train", entry_point="add",
                  instruction="Write a Python function `add(a, b)` that returns the sum of the integers a and b.",
                  tests=[CallTest(args=[a, b], expected=a + b) for a, b in [(1, 2), (0, 0), (-3, 3), (10, 5), (7, -9)]],
                  reference_solution="def add(a, b):\n    return a + b\n")
    rev = Problem(id="easy-reverse", source="test", split="train", entry_point="reverse_string",
                  instruction="Write a Python function `reverse_string(s)` that returns the string s reversed.",
                  tests=[CallTest(args=[s], expected=s[::-1]) for s in ["abc", "", "a", "hello", "racecar", "ab"]],
                  reference_solution="def reverse_string(s):\n    return s[::-1]\n")
    return [add, rev]


def write_records(path, problems) -> str:
    with open(path, "w") as handle:
        for problem in problems:
            handle.write(json.dumps(problem.to_dict()) + "\n")
    return str(path)


def tiny_flags(model_dir, data, output_dir, *extra) -> list[str]:
    return ["--config", os.path.join(REPO, "recipes/grpo/default_cpu.yaml"), "--model_name_or_path", model_dir,
            "--meta_data", data, "--output_dir", str(output_dir), "--max_steps", "2", "--save_steps", "1",
            "--max_completion_length", "8", "--num_generations", "2", "--per_device_train_batch_size", "4",
            "--report_to", "none", "--torch_threads", "1", "--judge_workers", "1", "--print_summary", "false",
            "--seed", "3", *extra]


def test_grpo_checkpoints_hold_the_mixer_and_resume_continues_exactly(tiny_model_dir, tmp_path):
    data = write_records(tmp_path / "easy.jsonl", easy_problems())
    first = tmp_path / "first"
    assert main(tiny_flags(tiny_model_dir, data, first)) == 0
    for step in (1, 2):
        assert os.path.isfile(first / f"checkpoint-{step}" / MIXER_STATE_FILE)
        for name in ("optimizer.pt", "scheduler.pt", "trainer_state.json"):
            assert os.path.isfile(first / f"checkpoint-{step}" / name), name
    assert resume_checkpoint(str(first)) == str(first / "checkpoint-2")
    assert resume_checkpoint(str(first), 1) == str(first / "checkpoint-1")

    # Resume from step 1 into a fresh folder: one more step, same mixer trajectory.
    second = tmp_path / "second"
    assert main(tiny_flags(tiny_model_dir, data, second, "--load_from_pretrained", str(first),
                           "--load_from_pretrained_step", "1")) == 0
    state = json.load(open(second / "checkpoint-2" / "trainer_state.json"))
    original = json.load(open(first / "checkpoint-2" / "trainer_state.json"))
    assert state["global_step"] == 2 and [e["step"] for e in state["log_history"] if "loss" in e] == [1, 2]
    assert not os.path.isdir(second / "checkpoint-1")  # step 1 was not trained again
    steps = [{k: v for k, v in e.items() if k.startswith(("rewards/", "mixer/"))} for e in (state, original)
             for e in [e["log_history"][1]]]
    assert steps[0] == steps[1]  # RNG restored: the resumed step generated and scored the same
    reference = torch.load(first / "checkpoint-2" / MIXER_STATE_FILE, weights_only=False)
    resumed = torch.load(second / "checkpoint-2" / MIXER_STATE_FILE, weights_only=False)
    assert resumed["step"] == reference["step"] == 2
    for key, value in reference.items():
        if isinstance(value, torch.Tensor):
            assert torch.equal(value, resumed[key]), key
        else:
            assert value == resumed[key], key

    with pytest.raises(FileNotFoundError, match="has steps"):
        resume_checkpoint(str(first), 7)


def test_time_budget_pauses_with_a_checkpoint_and_the_same_command_goes_on(tiny_model_dir, tmp_path):
    assert not over_budget(0.0, 10.0, 0.0) and not over_budget(0.0, 9.9, 10.0) and over_budget(0.0, 10.0, 10.0)
    data = write_records(tmp_path / "easy.jsonl", easy_problems())
    out = tmp_path / "run"
    flags = tiny_flags(tiny_model_dir, data, out, "--save_steps", "5", "--max_train_minutes", "1e-6")
    assert main(flags) == 0  # the budget is spent after the first step
    assert paused_run(str(out))["step"] == 1 and paused_run(str(out))["max_steps"] == 2
    assert os.path.isfile(out / "checkpoint-1" / MIXER_STATE_FILE)  # saved although save_steps is 5
    assert main(flags + ["--load_from_pretrained", str(out)]) == 0  # never pauses at the last step
    assert paused_run(str(out)) is None
    state = json.load(open(os.path.join(resume_checkpoint(str(out)), "trainer_state.json")))
    assert state["global_step"] == 2 and [e["step"] for e in state["log_history"] if "loss" in e] == [1, 2]
    with pytest.raises(ValueError, match="--max_train_minutes"):
        main(tiny_flags(tiny_model_dir, data, out, "--max_train_minutes", "-1"))


def test_fixed_weights_and_unknown_options_fail_clearly(tiny_model_dir, tmp_path):
    data = write_records(tmp_path / "easy.jsonl", easy_problems())
    with pytest.raises(ValueError, match="not among reward_dimensions"):
        main(tiny_flags(tiny_model_dir, data, tmp_path / "o", "--fixed_weights", '{"speed": 1}'))
    with pytest.raises(ValueError, match="--bogus_option"):
        main(tiny_flags(tiny_model_dir, data, tmp_path / "o", "--bogus_option", "1"))
    with pytest.raises(ValueError, match="--meta_data"):
        main(tiny_flags(tiny_model_dir, "nowhere:else", tmp_path / "o"))


def test_train_sh_default_path_trains_smollm2_for_a_step(tmp_path):
    """`bash train.sh` with its default recipe (offline SmolLM2, embedded judge), step-limited,
    on two easy problems the model sometimes solves, so the group rewards differ."""
    data = write_records(tmp_path / "easy.jsonl", easy_problems())
    out = tmp_path / "run"
    venv = os.path.dirname(os.path.dirname(sys.executable))
    done = subprocess.run(
        ["bash", "train.sh", "--meta_data", data, "--output_dir", str(out), "--max_steps", "1",
         "--num_generations", "4", "--per_device_train_batch_size", "8", "--max_completion_length", "96",
         "--save_steps", "1", "--learning_rate", "1e-5"],
        cwd=REPO, capture_output=True, text=True, timeout=900, env={**os.environ, "GRPO4CODE_VENV": venv})
    assert done.returncode == 0, done.stderr[-4000:]
    assert "reward dimension" in done.stdout and "correctness" in done.stdout
    summary = json.load(open(out / "reward_summary.json"))
    assert set(summary) >= {"correctness", "efficiency", "comments", "maintainability", "format", "reward"}
    assert os.path.isfile(out / "checkpoint-1" / MIXER_STATE_FILE)
    assert any(name.startswith("events.out.tfevents") for _, _, files in os.walk(out) for name in files)

    from safetensors.torch import load_file

    from grpo4code.training.model_loading import resolve_model_path

    before = load_file(os.path.join(resolve_model_path(None), "model.safetensors"))
    after = load_file(str(out / "model.safetensors"))
    changed = [name for name in before if not torch.equal(before[name], after[name])]
    assert changed, "no parameter changed after a GRPO step"
