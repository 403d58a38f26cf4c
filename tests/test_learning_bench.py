"""bench/learning.py end to end on a tiny model: the files, the figures and the table (not the learning)."""

from __future__ import annotations

import importlib.util
import json
import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_bench():
    spec = importlib.util.spec_from_file_location("learning_bench", os.path.join(REPO, "bench", "learning.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_paired_statistics():
    bench = load_bench()
    assert bench.sign_test_p(0, 0) == 1.0
    assert bench.sign_test_p(5, 0) == pytest.approx(2 / 32)
    assert bench.sign_test_p(3, 3) == 1.0
    low, high = bench.paired_bootstrap_ci([0.1] * 8, rounds=200)
    assert low == pytest.approx(0.1) and high == pytest.approx(0.1)
    change = bench.paired_change({"a": {"accepted": False, "pass_ratio": 0.0}, "b": {"accepted": True, "pass_ratio": 1.0}},
                                 {"a": {"accepted": True, "pass_ratio": 1.0}, "b": {"accepted": True, "pass_ratio": 1.0}})
    assert change["accepted_gained"] == ["a"] and change["accepted_lost"] == []
    assert change["pass_ratio_improved"] == 1 and change["pass_ratio_mean_change"] == pytest.approx(0.5)
    shares = bench.paired_change({"a": {"accepted": False, "pass_ratio": 0.0, "accepted_share": 0.0},
                                  "b": {"accepted": True, "pass_ratio": 1.0, "accepted_share": 0.5}},
                                 {"a": {"accepted": False, "pass_ratio": 0.5, "accepted_share": 0.25},
                                  "b": {"accepted": True, "pass_ratio": 1.0, "accepted_share": 0.25}})
    assert (shares["accepted_share_improved"], shares["accepted_share_worse"]) == (1, 1)
    assert shares["accepted_share_mean_change"] == pytest.approx(0.0)
    assert bench.window_means([1.0, 2.0, 3.0, 4.0, float("nan")]) == {"start": 1.0, "end": 4.0, "steps_each": 1}


def test_per_difficulty_change_keeps_the_tiers_apart():
    bench = load_bench()
    row = lambda accepted, tier: {"accepted": accepted, "pass_ratio": float(accepted), "difficulty": tier}
    before = {"a": row(False, "basic"), "b": row(True, "basic"), "c": row(False, "medium"), "d": row(False, "medium")}
    after = {"a": row(True, "basic"), "b": row(True, "basic"), "c": row(False, "medium"), "d": row(True, "medium")}
    tiers = bench.paired_change_per_difficulty(before, after)
    assert sorted(tiers) == ["basic", "medium"]
    assert (tiers["basic"]["accepted_before"], tiers["basic"]["accepted_after"], tiers["basic"]["problems"]) == (1, 2, 2)
    assert tiers["medium"]["accepted_gained"] == 1 and tiers["medium"]["accepted_lost"] == 0
    assert tiers["medium"]["pass_ratio_mean_change"] == pytest.approx(0.5)
    one_tier = {task: row(False, "easy") for task in "ab"}
    assert bench.paired_change_per_difficulty(one_tier, one_tier) == {}


def test_learning_bench_end_to_end_on_a_tiny_model(tiny_model_dir, tmp_path, capsys):
    bench = load_bench()
    out = tmp_path / "learning"
    command = ["--output_dir", str(out), "--eval_max_problems", "2", "--eval_max_new_tokens", "8",
               "--eval_num_samples", "2", "--eval_train_problems", "2", "--eval_also", "humaneval:test",
               "--eval_judge_workers", "1", "--eval_torch_threads", "1",
               # training flags, passed through; the time budget ends the first call after one step
               "--model_name_or_path", tiny_model_dir, "--max_train_problems", "2", "--max_steps", "2",
               "--max_completion_length", "8", "--num_generations", "2", "--per_device_train_batch_size", "4",
               "--save_steps", "2", "--report_to", "none", "--torch_threads", "1", "--judge_workers", "1",
               "--print_summary", "false", "--max_train_minutes", "1e-6"]
    assert bench.main(command) == 0
    assert "training paused at step 1 of 2" in capsys.readouterr().out
    assert os.path.isfile(out / "eval_before" / "greedy" / "summary.json") and not os.path.isdir(out / "eval_after")
    assert bench.main(command) == 0  # the same command goes on from step 1, then evaluates
    for name in ("learning.png", "learning.json", "learning.md", "train.log", "train_from_step1.log",
                 "train/checkpoint-2/trainer_state.json"):
        assert os.path.isfile(out / name), name
    for when in ("before", "after"):
        for run in ("greedy", "sampled_n2", "train_greedy", "humaneval_test_greedy"):
            assert os.path.isfile(out / f"eval_{when}" / run / "summary.json"), (when, run)
    with open(out / "eval_after" / "greedy" / "samples.jsonl.meta.json") as handle:
        assert json.load(handle)["model_name_or_path"] == str(out / "train")  # the trained model, not the base
    report = json.load(open(out / "learning.json"))
    assert report["steps"] == 2 and report["curves"]["step"]["step"] == [1, 2]
    assert report["timings"]["train_parts"] == 2
    assert report["evaluations"]["humaneval_test_greedy"]["before"]["num_problems"] == 2
    assert "reward" in report["curves"]["rewards"] and report["curves"]["mixer"]
    greedy = report["evaluations"]["greedy"]
    assert greedy["before"]["num_problems"] == 2 and greedy["after"]["num_problems"] == 2
    assert greedy["before"]["num_samples"] == 2 and report["evaluations"]["sampled_n2"]["after"]["num_samples"] == 4
    assert greedy["settings"]["max_new_tokens"] == 8 and greedy["settings"]["temperature"] == 0.0
    assert set(report["train_rewards"]) >= {"correctness", "format", "reward", "seconds a step", "judge seconds a step"}
    printed = capsys.readouterr().out
    assert "| greedy | accepted@1 |" in printed and "| sampled_n2 | pass@2 |" in printed
    assert "| train_greedy | accepted@1 |" in printed and "train (logged" in printed
    assert open(out / "learning.md").read().count("| greedy |") >= 6

    # The report can be rebuilt from the files alone.
    os.remove(out / "learning.png")
    assert bench.main(["--report_only", "--output_dir", str(out), "--eval_max_problems", "2", "--eval_max_new_tokens",
                       "8", "--eval_num_samples", "2", "--eval_train_problems", "2", "--eval_also", "humaneval:test",
                       "--model_name_or_path", tiny_model_dir]) == 0
    assert os.path.isfile(out / "learning.png")
