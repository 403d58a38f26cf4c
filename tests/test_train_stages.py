"""SFT and DPO stages, sampling and pair building, on the tiny random Llama (CPU, seconds).

Problems are three hand-made one-liners with a short system prompt, so sequences stay
around a hundred tokens: the tiny model's cost is its 49k-token output layer.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
import torch
from safetensors.torch import load_file

from grpo4code.data.prompts import fenced_solution, problem_prompt
from grpo4code.data.schema import CallTest, Problem
from grpo4code.training.dpo_pairs import PairSettings, build_pairs, format_report
from grpo4code.training.dpo_pairs import main as pairs_main
from grpo4code.training.main import main as train_main

SYSTEM = "Answer in Python."
PROBLEMS = [
    Problem(id="stages/triple_it", source="test", split="train", entry_point="triple_it",
            instruction="Write triple_it(x) that returns 3 * x.",
            tests=[CallTest(args=[n], expected=3 * n) for n in (0, 2, 7)],
            reference_solution="def triple_it(x):\n    return 3 * x\n"),
    Problem(id="stages/shout_it", source="test", split="train", entry_point="shout_it",
            instruction="Write shout_it(s) that returns s in upper case followed by '!'.",
            tests=[CallTest(args=[s], expected=s.upper() + "!") for s in ("a", "hey", "")],
            reference_solution="def shout_it(s):\n    return s.upper() + '!'\n"),
    Problem(id="stages/last_of", source="test", split="train", entry_point="last_of",
            instruction="Write last_of(items) that returns the last item of a non-empty list.",
            tests=[CallTest(args=[xs], expected=xs[-1]) for xs in ([1], [1, 2], [3, 2, 1])],
            reference_solution="def last_of(items):\n    return items[-1]\n"),
]
WRONG = {"stages/triple_it": "def triple_it(x):\n    return x\n",
         "stages/shout_it": "def shout_it(s):\n    return s\n",
         "stages/last_of": "def last_of(items):\n    return items[0]\n"}

FAST = ["--max_steps", "2", "--per_device_train_batch_size", "2", "--gradient_accumulation_steps", "1",
        "--learning_rate", "1e-3", "--max_length", "192", "--logging_steps", "1", "--report_to", "none",
        "--save_strategy", "no", "--torch_threads", "1", "--activation_checkpointing", "false",
        "--dataloader_pin_memory", "false", "--disable_tqdm", "true", "--seed", "0"]


@pytest.fixture(scope="module")
def problems_file(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("problems") / "problems.jsonl"
    path.write_text("".join(json.dumps(p.to_dict()) + "\n" for p in PROBLEMS))
    return str(path)


@pytest.fixture(scope="module")
def samples_file(tmp_path_factory) -> str:
    """Hand-judged samples: per problem, the reference (accepted) and a wrong answer."""
    rows = []
    for problem in PROBLEMS:
        prompt = problem_prompt(problem, SYSTEM)
        for index, (code, accepted) in enumerate([(problem.reference_solution, True), (WRONG[problem.id], False)]):
            rows.append({"problem_id": problem.id, "sample_index": index, "prompt": prompt,
                         "completion": fenced_solution(code), "scores": {"correctness": float(accepted)},
                         "accepted": accepted, "pass_ratio": float(accepted), "num_tokens": 20, "truncated": False})
    path = tmp_path_factory.mktemp("samples") / "samples.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def stage_flags(stage: str, model_dir: str, output_dir, problems_file: str, *extra: str) -> list[str]:
    return ["--stage", stage, "--model_name_or_path", model_dir, "--meta_data", problems_file,
            "--system_prompt", SYSTEM, "--output_dir", str(output_dir), *FAST, *extra]


def assert_all_parameters_changed(initial_dir: str, trained_dir) -> None:
    before = load_file(os.path.join(initial_dir, "model.safetensors"))
    after = load_file(os.path.join(trained_dir, "model.safetensors"))
    assert before.keys() == after.keys()
    unchanged = [name for name in before if torch.equal(before[name], after[name])]
    assert not unchanged, f"parameters not trained: {unchanged}"


def test_sft_on_reference_solutions_trains(tiny_model_dir, problems_file, tmp_path):
    assert train_main(stage_flags("sft", tiny_model_dir, tmp_path, problems_file)) == 0
    assert_all_parameters_changed(tiny_model_dir, tmp_path)
    summary = json.loads((tmp_path / "train_summary.json").read_text())
    assert summary["stage"] == "sft" and summary["rows"] == len(PROBLEMS) and summary["steps"] == 2
    assert summary["losses_logged"] == 2


def test_sft_loss_is_on_the_completion_only(tiny_model_dir, problems_file, tmp_path):
    from grpo4code.training.arguments import parse_train_args
    from grpo4code.training.datasets import load_training_problems
    from grpo4code.training.model_loading import load_tokenizer
    from grpo4code.training.sft import build_sft_trainer

    args, model_args, trl_args = parse_train_args(stage_flags("sft", tiny_model_dir, tmp_path, problems_file))
    tokenizer = load_tokenizer(tiny_model_dir)
    problems = load_training_problems(problems_file)
    trainer = build_sft_trainer(args, model_args, trl_args, problems, tokenizer, SYSTEM)
    batch = trainer.data_collator([trainer.train_dataset[i] for i in range(len(problems))])
    for problem, input_ids, labels, mask in zip(problems, batch["input_ids"], batch["labels"], batch["attention_mask"]):
        prompt_ids = tokenizer.apply_chat_template(problem_prompt(problem, SYSTEM), add_generation_prompt=True,
                                                   tokenize=True, return_dict=True)["input_ids"]
        length = int(mask.sum())
        assert input_ids[:len(prompt_ids)].tolist() == list(prompt_ids)
        assert (labels[:len(prompt_ids)] == -100).all()
        completion = labels[len(prompt_ids):length]
        assert (completion == input_ids[len(prompt_ids):length]).all()
        assert problem.entry_point in tokenizer.decode(completion)


def test_dpo_trains_on_pairs_from_the_pairs_cli(tiny_model_dir, problems_file, samples_file, tmp_path):
    pairs_path, report_path = tmp_path / "pairs.jsonl", tmp_path / "pairs.md"
    assert pairs_main(["--samples", samples_file, "--output", str(pairs_path), "--report", str(report_path),
                       "--margin", "0.2"]) == 0
    pairs = [json.loads(line) for line in pairs_path.read_text().splitlines()]
    assert len(pairs) == len(PROBLEMS)
    assert pairs[0]["chosen"][0]["role"] == "assistant" and "3 * x" in pairs[0]["chosen"][0]["content"]
    assert json.loads((tmp_path / "pairs.json").read_text())["problems_with_pairs"] == len(PROBLEMS)
    assert "| stages/triple_it | 2 | 2 | 2 | 1 | 1 |" in report_path.read_text()

    out = tmp_path / "dpo"
    assert train_main(stage_flags("dpo", tiny_model_dir, out, problems_file, "--dpo_pairs_file", str(pairs_path),
                                  "--beta", "0.5")) == 0
    assert_all_parameters_changed(tiny_model_dir, out)
    summary = json.loads((out / "train_summary.json").read_text())
    assert summary["stage"] == "dpo" and summary["rows"] == len(PROBLEMS) and summary["steps"] == 2


def test_lora_sft_on_accepted_samples_saves_an_adapter_that_sampling_loads(tiny_model_dir, problems_file,
                                                                          samples_file, tmp_path):
    from grpo4code.training.sampling import GenerationSettings, generate_completions, load_sampling_model
    from grpo4code.training.sampling import load_sampling_tokenizer

    out = tmp_path / "lora"
    assert train_main(stage_flags("sft", tiny_model_dir, out, problems_file, "--sft_source", "samples",
                                  "--samples_file", samples_file, "--use_peft", "--lora_r", "4",
                                  "--lora_target_modules", "q_proj", "v_proj")) == 0
    assert (out / "adapter_config.json").is_file() and not (out / "model.safetensors").exists()
    assert json.loads((out / "train_summary.json").read_text())["rows"] == len(PROBLEMS)  # the accepted ones

    model = load_sampling_model(str(out))
    base = load_file(os.path.join(tiny_model_dir, "model.safetensors"))
    merged = model.state_dict()
    q, k = "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight"
    assert not torch.equal(merged[q], base[q])  # the trained adapter is merged in ...
    assert torch.equal(merged[k], base[k])  # ... where it was, and only there
    tokenizer = load_sampling_tokenizer(str(out))
    [[text]] = generate_completions(model, tokenizer, [problem_prompt(PROBLEMS[0], SYSTEM)], 1,
                                    GenerationSettings(temperature=0, max_new_tokens=3), progress=False)
    assert isinstance(text, str)

    # An adapter whose weights do not fit its config must not load as a half-trained model.
    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    config = json.loads((broken / "adapter_config.json").read_text())
    config["target_modules"] = ["q_proj", "v_proj", "k_proj"]
    (broken / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(RuntimeError, match="does not fit"):
        load_sampling_model(str(broken))


def test_sampling_writes_judged_samples_and_resumes(tiny_model_dir, problems_file, tmp_path):
    from grpo4code.rewards.judging import JudgeConfig, close_shared_judges
    from grpo4code.rewards.registry import build_reward_funcs
    from grpo4code.training.sampling import SamplingConfig, judge_samples, run_sampling
    from grpo4code.training.sampling import main as sampling_main

    output = tmp_path / "samples.jsonl"
    flags = ["--model_name_or_path", tiny_model_dir, "--meta_data", problems_file, "--system_prompt", SYSTEM,
             "--num_samples", "2", "--max_new_tokens", "4", "--batch_size", "4", "--judge_workers", "1",
             "--torch_threads", "1", "--progress", "false", "--output", str(output)]
    assert sampling_main(flags + ["--max_problems", "2"]) == 0
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert [(r["problem_id"], r["sample_index"]) for r in rows] == [
        (p.id, i) for p in PROBLEMS[:2] for i in range(2)]
    for row in rows:
        assert row["prompt"] == problem_prompt(next(p for p in PROBLEMS if p.id == row["problem_id"]), SYSTEM)
        assert set(row["scores"]) == {"correctness", "efficiency", "comments", "maintainability", "format"}
        assert row["accepted"] is False and row["pass_ratio"] == 0.0 and row["scores"]["correctness"] == 0.0
        assert 1 <= row["num_tokens"] <= 4 and isinstance(row["completion"], str)
    first = output.read_text()

    def config(**overrides):
        return SamplingConfig(model_name_or_path=tiny_model_dir, meta_data=problems_file, system_prompt=SYSTEM,
                              num_samples=2, max_new_tokens=4, batch_size=4, judge_workers=1, torch_threads=1,
                              progress=False, output=str(output), **overrides)

    assert run_sampling(config(max_problems=2))["sampled"] == 0  # all there: nothing sampled, no model loaded
    summary = run_sampling(config())
    assert (summary["resumed"], summary["sampled"], summary["samples"]) == (2, 1, 2)
    text = output.read_text()
    assert text.startswith(first) and len(text.splitlines()) == 6
    output.write_text(text[: -len(text.splitlines()[-1]) // 2 - 1])  # a run killed mid-write
    assert run_sampling(config())["sampled"] == 1
    assert len(output.read_text().splitlines()) == 6
    with pytest.raises(ValueError, match="generation"):
        run_sampling(config(temperature=0.5))

    # The judging path itself, on known answers: the reference passes, prose does not.
    funcs = build_reward_funcs(["correctness", "format"], judge_config=JudgeConfig(workers=1))
    try:
        [[good, bad]] = judge_samples(PROBLEMS[:1], [problem_prompt(PROBLEMS[0], SYSTEM)],
                                      [[fenced_solution(PROBLEMS[0].reference_solution), "no idea"]], funcs,
                                      ["correctness", "format"])
    finally:
        close_shared_judges()
    assert good["accepted"] is True and good["pass_ratio"] == 1.0 and good["scores"]["correctness"] == 1.0
    assert bad["accepted"] is False and bad["pass_ratio"] == 0.0 and bad["scores"]["correctness"] == 0.0


def sample(problem_id: str, text: str, correctness, accepted: bool, **scores) -> dict:
    return {"problem_id": problem_id, "prompt": [{"role": "user", "content": problem_id}], "completion": text,
            "scores": {"correctness": correctness, **scores}, "accepted": accepted, "pass_ratio": correctness}


HAND_MADE = [
    sample("ranked", "best", 1.0, True), sample("ranked", "worst", 0.0, False), sample("ranked", "half", 0.5, False),
    sample("ranked", "nearly", 0.9, False), sample("ranked", "worst ", 0.0, False),  # a repeat (whitespace)
    sample("all_pass", "a", 1.0, True), sample("all_pass", "b", 1.0, True),
    sample("all_fail", "a", 0.0, False), sample("all_fail", "b", 0.1, False),
    sample("unscored", "a", None, False), sample("unscored", "b", None, False),
    sample("close", "a", 1.0, True), sample("close", "b", 0.9, False),
]


def test_pairs_margin_k_report_and_determinism():
    pairs, report = build_pairs(HAND_MADE, PairSettings(margin=0.2, max_pairs_per_problem=2))
    # Least-used samples first, then the widest gap: best>worst, then nearly>half (not best>half).
    assert [(p["chosen"][0]["content"], p["rejected"][0]["content"]) for p in pairs] == [
        ("best", "worst"), ("nearly", "half")]
    assert all(p["chosen_score"] - p["rejected_score"] >= 0.2 for p in pairs)
    assert report["problems_without_pairs"] == {"all_pass": 1, "all_fail": 1, "within_margin": 1, "unscored": 1}
    assert (report["problems"], report["problems_with_pairs"], report["pairs"]) == (5, 1, 2)
    ranked = report["per_problem"][0]
    assert (ranked["samples"], ranked["distinct"], ranked["accepted"], ranked["pairs"]) == (5, 4, 1, 2)
    assert build_pairs(HAND_MADE, PairSettings(margin=0.2, max_pairs_per_problem=2)) == (pairs, report)
    assert "all samples pass: 1; all fail: 1" in format_report(report)

    wide, _ = build_pairs(HAND_MADE, PairSettings(margin=0.05, max_pairs_per_problem=10))
    assert len([p for p in wide if p["problem_id"] == "ranked"]) == 6  # every ordered pair of 4 distinct scores
    assert len([p for p in wide if p["problem_id"] in ("close", "all_fail")]) == 2
    must_pass, _ = build_pairs(HAND_MADE, PairSettings(margin=0.2, max_pairs_per_problem=3, chosen_must_pass=True))
    assert [(p["chosen"][0]["content"], p["rejected"][0]["content"]) for p in must_pass] == [
        ("best", "worst"), ("best", "half")]

    styled = [sample("p", "fast", 1.0, True, efficiency=1.0), sample("p", "slow", 1.0, True, efficiency=0.0)]
    assert build_pairs(styled, PairSettings())[0] == []
    mixed, _ = build_pairs(styled, PairSettings(score="mixed", weights='{"correctness": 1, "efficiency": 1}'))
    assert [(p["chosen"][0]["content"], p["chosen_score"], p["rejected_score"]) for p in mixed] == [("fast", 1.0, 0.5)]
    with pytest.raises(ValueError, match="--score 'speed'"):
        build_pairs(styled, PairSettings(score="speed"))


def test_bad_inputs_name_the_flag(tiny_model_dir, problems_file, samples_file, tmp_path):
    def run(*extra):
        return train_main(stage_flags(extra[0], tiny_model_dir, tmp_path, problems_file, *extra[1:]))

    with pytest.raises(ValueError, match="--dpo_pairs_file .*--samples_file"):
        run("dpo")
    all_pass = tmp_path / "all_pass.jsonl"
    all_pass.write_text("".join(line + "\n" for line in open(samples_file).read().splitlines()[::2]))
    with pytest.raises(ValueError, match="--samples_file .*no DPO pair"):
        run("dpo", "--samples_file", str(all_pass))
    with pytest.raises(FileNotFoundError, match="--dpo_pairs_file"):
        run("dpo", "--dpo_pairs_file", str(tmp_path / "missing.jsonl"))
    with pytest.raises(ValueError, match="--sft_source samples needs --samples_file"):
        run("sft", "--sft_source", "samples")
    with pytest.raises(FileNotFoundError, match="--samples_file"):
        run("sft", "--sft_source", "samples", "--samples_file", str(tmp_path / "missing.jsonl"))
    none_pass = tmp_path / "none_pass.jsonl"
    none_pass.write_text("".join(line + "\n" for line in open(samples_file).read().splitlines()[1::2]))
    with pytest.raises(ValueError, match="--samples_file .*no accepted sample"):
        run("sft", "--sft_source", "samples", "--samples_file", str(none_pass))


def test_recipes_parse():
    from grpo4code.config_args import parse_config
    from grpo4code.training.arguments import parse_train_args
    from grpo4code.training.sampling import SamplingConfig

    root = os.path.join(os.path.dirname(__file__), "..", "recipes")
    for stage in ("sft", "dpo"):
        args, model_args, trl_args = parse_train_args(["--config", os.path.join(root, stage, "default_cpu.yaml")])
        assert args.stage == stage and model_args.model_name_or_path == "local:smollm2-135m-instruct"
    args, _, _ = parse_train_args(["--config", os.path.join(root, "sft", "samples_cpu.yaml")])
    assert args.sft_source == "samples" and args.samples_file
    config = parse_config(SamplingConfig, ["--config", os.path.join(root, "dpo", "sampling_cpu.yaml")])
    assert config.num_samples > 1 and config.output == args.samples_file
