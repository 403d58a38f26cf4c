"""Evaluation: pass@k, scoring end to end, resuming, the OpenAI-compatible generator against a
real loopback server, HF generation on the tiny model, LoRA adapters that do not load, reports."""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import threading
import time

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from eval_process.__main__ import EvalConfig, run_eval
from eval_process.analysis import AnalysisConfig, build_report
from eval_process.generate import AdapterLoadError, GenerateConfig, load_generation_model, run_generate
from eval_process.metrics import pass_at_k, percentile, summarize
from eval_process.samples import META_SUFFIX, read_sample_file, sample_record
from eval_process.score import ScoreConfig, score_samples
from execeval_service.testing import free_port
from grpo4code.data import load_problems
from grpo4code.data.prompts import user_message

STARTER = {p.id: p for p in load_problems("starter", split="heldout").problems}


def fenced(code: str) -> str:
    return f"Sure:\n```python\n{code}```\n"


# ----------------------------------------------------------------------------------------------
# pass@k
# ----------------------------------------------------------------------------------------------

def brute_force_pass_at_k(n: int, c: int, k: int) -> float:
    """Share of the k-subsets of n samples (the first c correct) holding a correct one."""
    subsets = list(itertools.combinations(range(n), k))
    return sum(1 for s in subsets if any(i < c for i in s)) / len(subsets)


def test_pass_at_k_matches_enumeration():
    for n in range(1, 8):
        for c in range(n + 1):
            for k in range(1, n + 1):
                assert pass_at_k(n, c, k) == pytest.approx(brute_force_pass_at_k(n, c, k), abs=1e-12), (n, c, k)
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    for bad in [(3, 4, 1), (3, 1, 0), (3, 1, 4), (3, -1, 1)]:
        with pytest.raises(ValueError):
            pass_at_k(*bad)


def test_percentile_and_pass_at_k_needs_enough_samples():
    assert percentile([], 50) is None
    assert percentile([0.0, 1.0], 50) == 0.5
    assert percentile([0.0, 0.5, 1.0], 90) == pytest.approx(0.9)
    rows = [{"task_id": t, "sample_index": i, "outcome": o, "pass_ratio": 1.0 if o == "ACCEPTED" else 0.0,
             "exec_success": True, "difficulty": "easy"}
            for t, i, o in [("a", 0, "ACCEPTED"), ("a", 1, "WRONG_ANSWER"), ("b", 0, "COULD_NOT_SCORE"),
                            ("b", 1, "ACCEPTED"), ("b", 2, "ACCEPTED")]]
    overall = summarize(rows, ks=(1, 2, 3))["overall"]
    # b's could-not-score sample leaves it n=2: pass@3 is not reported, pass@2 is.
    assert "pass@3" not in overall and overall["pass@2"] == pytest.approx((1.0 + 1.0) / 2)
    assert overall["pass@1"] == pytest.approx((0.5 + 1.0) / 2)
    assert overall["accepted@1"] == 1.0 and overall["accepted@1_problems"] == 1  # b's first sample: not scored
    assert overall["could_not_score"] == 1 and overall["num_scored_samples"] == 4


# ----------------------------------------------------------------------------------------------
# score.py end to end on hand-written samples (embedded judge)
# ----------------------------------------------------------------------------------------------

LCM_WRONG = "def lcm_all(nums):\n    return max(nums) if nums else 1\n"  # right on [7] and [] only: 2/7
HAND_SAMPLES = {
    "starter/lcm_all": [fenced(STARTER["starter/lcm_all"].reference_solution), fenced(LCM_WRONG)],
    "starter/luhn_valid": ["I am not sure how to do this.", fenced(STARTER["starter/luhn_valid"].reference_solution)],
    "starter/grade_report": [fenced("print(\n"), fenced("x = input()\nprint(1 / 0)\n")],
    "starter/can_split_evenly": [fenced("def can_split_evenly(weights):\n    while True:\n        pass\n"),
                                 fenced(STARTER["starter/can_split_evenly"].reference_solution)],
}


def write_samples(path, answers: dict, greedy: bool = False, tokens: int = 10) -> str:
    records = []
    for task_id, texts in answers.items():
        for index, text in enumerate(texts):
            records.append(sample_record(STARTER[task_id], index, text, num_tokens=tokens + index, truncated=False,
                                         gen_seconds=0.5, model="hand", dataset="starter", split="heldout",
                                         backend="hand"))
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(path, "w") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)
    meta = {"model_name_or_path": "hand", "dataset": "starter", "split": "heldout", "location": "",
            "greedy": greedy, "num_samples": max(len(t) for t in answers.values())}
    with open(str(path) + META_SUFFIX, "w") as handle:
        json.dump(meta, handle)
    return str(path)


def score(samples: str, **options) -> dict:
    config = ScoreConfig(samples=samples, judge_workers=2, judge_time_limit_s=1.0, progress=False, **options)
    return score_samples(config)


@pytest.fixture(scope="module")
def scored_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scored")
    samples = write_samples(folder / "samples.jsonl", HAND_SAMPLES)
    started = time.perf_counter()
    summary = score(samples)
    return {"folder": str(folder), "samples": samples, "summary": summary, "seconds": time.perf_counter() - started}


def test_score_writes_every_file_with_the_right_numbers(scored_run):
    folder = scored_run["folder"]
    for name in ("results.jsonl", "metrics.json", "summary.json", "run_info.json"):
        assert os.path.isfile(os.path.join(folder, name)), name
    metrics = json.load(open(os.path.join(folder, "metrics.json")))
    overall = metrics["overall"]
    assert overall["num_problems"] == 4 and overall["num_samples"] == 8 and overall["could_not_score"] == 0
    assert overall["accepted@1"] == 0.25  # only lcm_all's first sample
    assert overall["pass@1"] == pytest.approx((0.5 + 0.5 + 0.0 + 0.5) / 4)
    assert "pass@5" not in overall  # n = 2
    assert overall["verdicts"] == {"accepted": 3, "wrong_answer": 1, "runtime_error": 1, "time_limit_exceeded": 1,
                                   "memory_limit_exceeded": 0, "compilation_error": 1, "no_code": 1}
    # ran without a runtime/compilation error: lcm x2, luhn's reference, the infinite loop, can_split's reference
    assert overall["exec_success_rate"] == pytest.approx(5 / 8)
    # of the 6 samples the static check can read (no code and "print(" cannot be), only the infinite
    # loop never reads its input
    assert overall["ignores_inputs_rate"] == pytest.approx(1 / 6)
    ratios = sorted([1.0, 2 / 7, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0])
    assert overall["pass_ratio_mean"] == pytest.approx(sum(ratios) / 8)
    assert overall["pass_ratio_p50"] == pytest.approx(percentile(ratios, 50))
    style = overall["style"]
    assert style["num_accepted_samples"] == 3
    assert style["efficiency"]["mean"] == 0.5  # the references themselves: parity
    assert style["cost_ratio"]["geometric_mean"] == pytest.approx(1.0)
    assert 0 < style["maintainability"]["mean"] <= 1 and 0 <= style["comments"]["mean"] <= 1
    cost = overall["cost"]
    assert cost["avg_gen_tokens"] == 10.5 and cost["generated_tokens"] == 84 and cost["gen_seconds"] == 4.0
    assert cost["judge_seconds"] > 0 and cost["problems_per_s"] > 0
    assert cost["tokens_per_solved_problem"] == pytest.approx(84 / 3)
    per = metrics["per_difficulty"]
    assert set(per) == {"easy", "medium"}
    assert per["easy"]["accepted@1"] == pytest.approx(1 / 3) and per["medium"]["accepted@1"] == 0.0
    results = [json.loads(line) for line in open(os.path.join(folder, "results.jsonl"))]
    by_key = {(r["task_id"], r["sample_index"]): r for r in results}
    assert by_key[("starter/lcm_all", 1)]["pass_ratio"] == pytest.approx(2 / 7)
    assert by_key[("starter/grade_report", 0)]["outcome"] == "COMPILATION_ERROR"
    assert by_key[("starter/can_split_evenly", 0)]["outcome"] == "TIME_LIMIT_EXCEEDED"
    assert by_key[("starter/luhn_valid", 0)]["outcome"] == "NO_CODE"
    summary = json.load(open(os.path.join(folder, "summary.json")))
    assert summary["accepted@1"] == 0.25 and summary["judged_now"] == 7 and summary["reused"] == 0
    assert summary["problems_without_samples"] == len(STARTER) - 4
    info = json.load(open(os.path.join(folder, "run_info.json")))
    assert info["dataset"]["dataset"] == "starter" and len(info["dataset"]["dataset_hash"]) == 64
    assert info["judge"]["backend"] == "embedded" and info["judge"]["isolation"]
    assert info["judge"]["version"].startswith("execeval_service") and info["judge"]["cost_unit"]
    assert info["config"]["judge_time_limit_s"] == 1.0 and "revision" in info["git"]
    assert info["samples_file"]["samples"] == 8 and len(info["samples_file"]["sha256"]) == 64


def test_score_resumes_without_judging_again(scored_run):
    before = json.load(open(os.path.join(scored_run["folder"], "metrics.json")))
    started = time.perf_counter()
    summary = score(scored_run["samples"])
    assert summary["judged_now"] == 0 and summary["reused"] == 7
    after = json.load(open(os.path.join(scored_run["folder"], "metrics.json")))
    assert after["overall"]["verdicts"] == before["overall"]["verdicts"]
    assert after["overall"]["pass@1"] == before["overall"]["pass@1"]
    assert time.perf_counter() - started < scored_run["seconds"]


def test_could_not_score_is_never_counted_wrong(tmp_path):
    """A judge that cannot be reached: every sample with code is 'could not score', outside the rates."""
    samples = write_samples(tmp_path / "samples.jsonl", {"starter/lcm_all": [fenced(LCM_WRONG), "no code"]})
    summary = score(samples, execute_code_url=[f"http://127.0.0.1:{free_port()}"], judge_retries=0)
    metrics = json.load(open(tmp_path / "metrics.json"))["overall"]
    assert summary["could_not_score"] == 1 and metrics["num_scored_samples"] == 1
    assert metrics["verdicts"]["wrong_answer"] == 0 and metrics["verdicts"]["no_code"] == 1
    assert metrics["accepted@1"] is None  # the first sample could not be scored
    assert metrics["exec_success_rate"] == 0.0  # over the one scored sample (no code)
    # a rerun judges the could-not-score sample again (it is never cached)
    again = score(samples, execute_code_url=[f"http://127.0.0.1:{free_port()}"], judge_retries=0)
    assert again["judged_now"] == 1


# ----------------------------------------------------------------------------------------------
# The OpenAI-compatible generator against a real loopback server
# ----------------------------------------------------------------------------------------------

class LoopbackChatServer:
    """A FastAPI app on 127.0.0.1 answering /v1/chat/completions with each problem's reference
    (fenced), deterministically; the first request for sample 0 of ``rate_limit_task`` gets a 429."""

    def __init__(self, problems, rate_limit_task: str, token: str):
        self.requests: list[dict] = []
        self.limited = False
        by_message = {user_message(p): p for p in problems}
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat(request: Request):
            body = await request.json()
            if request.headers.get("authorization") != f"Bearer {token}":
                return JSONResponse({"error": {"message": "bad key", "type": "auth"}}, status_code=401)
            if body["model"] == "no-such-model":
                return JSONResponse({"error": {"message": "unknown model", "type": "invalid_request_error"}},
                                    status_code=400)
            problem = by_message[body["messages"][-1]["content"]]
            self.requests.append({"task_id": problem.id, "seed": body.get("seed"), "model": body["model"]})
            if body["model"] == "always-busy":
                return JSONResponse({"error": {"message": "busy", "type": "rate_limit"}}, status_code=429)
            if problem.id == rate_limit_task and body.get("seed") == 0 and not self.limited:
                self.limited = True
                return JSONResponse({"error": {"message": "slow down", "type": "rate_limit"}}, status_code=429,
                                    headers={"retry-after": "0"})
            return {"id": "cmpl-1", "object": "chat.completion", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": fenced(problem.reference_solution)}}],
                    "usage": {"prompt_tokens": 50, "completion_tokens": 7, "total_tokens": 57}}

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the loopback server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


def test_openai_generator_retries_429_and_resumes(tmp_path, monkeypatch):
    problems = [STARTER["starter/lcm_all"], STARTER["starter/luhn_valid"]]
    monkeypatch.setenv("LOOPBACK_KEY", "sekrit")
    samples = str(tmp_path / "samples.jsonl")
    with LoopbackChatServer(problems, "starter/lcm_all", "sekrit") as server:
        def config_for(**extra):
            options = dict(backend="openai", model_name_or_path="loopback-model", api_base_url=server.url,
                           api_key_env="LOOPBACK_KEY", dataset="starter", num_samples=2, temperature=0.7,
                           samples_file=samples, api_backoff_s=0.01, progress=False, api_max_concurrency=2)
            options.update(extra)
            return GenerateConfig(**options)

        # Only these two problems: a records file of them keeps the test small.
        records = tmp_path / "problems.jsonl"
        records.write_text("".join(json.dumps(p.to_dict()) + "\n" for p in problems))
        config = config_for(dataset="records", location=str(records))
        summary = run_generate(config)
        assert summary["written"] == 4
        assert len(server.requests) == 5  # one 429, then its retry, and three more
        rows = read_sample_file(samples)
        assert sorted((r["task_id"], r["sample_index"]) for r in rows) == [
            ("starter/lcm_all", 0), ("starter/lcm_all", 1), ("starter/luhn_valid", 0), ("starter/luhn_valid", 1)]
        for row in rows:
            problem = STARTER[row["task_id"]]
            assert row["completion"] == problem.reference_solution.rstrip() + "\n"
            assert row["num_tokens"] == 7 and row["truncated"] is False and row["backend"] == "openai"
            assert row["model"] == "loopback-model" and row["gen_seconds"] >= 0
        assert max(r["attempts"] for r in rows) == 2
        assert sorted(r["seed"] for r in server.requests) == [0, 0, 0, 1, 1]  # seed + sample index

        # Resume: drop one sample (an interrupted run) -- only it is requested again.
        with open(samples, "w") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in rows[:-1])
        summary = run_generate(config)
        assert summary["written"] == 1 and len(server.requests) == 6
        assert len(read_sample_file(samples)) == 4
        assert run_generate(config)["written"] == 0 and len(server.requests) == 6

        # Other settings on the same file: refused, not mixed in.
        with pytest.raises(ValueError, match="other settings"):
            run_generate(config_for(dataset="records", location=str(records), temperature=0.2))
        # A request the caller must fix (400) fails at once, without retries.
        import openai

        with pytest.raises(openai.BadRequestError):
            run_generate(config_for(dataset="records", location=str(records), model_name_or_path="no-such-model",
                                    samples_file=str(tmp_path / "other.jsonl")))
        assert len(server.requests) == 6
        # Rate limited for good: each request gives up after its retries, the run says so.
        with pytest.raises(RuntimeError, match="4 requests failed after retries"):
            run_generate(config_for(dataset="records", location=str(records), model_name_or_path="always-busy",
                                    api_max_retries=1, samples_file=str(tmp_path / "busy.jsonl")))
        assert len(server.requests) == 6 + 4 * 2


def test_samples_file_drops_a_torn_last_line(tmp_path):
    path = tmp_path / "samples.jsonl"
    path.write_text('{"task_id": "a", "sample_index": 0}\n{"task_id": "a", "sample_in')
    assert [r["task_id"] for r in read_sample_file(str(path))] == ["a"]
    assert path.read_text() == '{"task_id": "a", "sample_index": 0}\n'
    path.write_text('{"task_id": "a"}\nnot json\n{"task_id": "b"}\n')
    with pytest.raises(ValueError, match="line 2"):
        read_sample_file(str(path))


# ----------------------------------------------------------------------------------------------
# HF generation on the tiny model; LoRA adapters
# ----------------------------------------------------------------------------------------------

def test_generate_hf_tiny_model_two_problems_and_resume(tiny_model_dir, tmp_path, capfd):
    config = GenerateConfig(model_name_or_path=tiny_model_dir, dataset="starter", max_problems=2, max_new_tokens=6,
                            batch_size=2, torch_threads=1, output_dir=str(tmp_path / "run"), progress=False,
                            device="cpu")
    summary = run_generate(config)
    assert summary["written"] == 2 and summary["backend"] == "hf"
    rows = read_sample_file(config.samples_path())
    assert [r["task_id"] for r in rows] == [p.id for p in list(STARTER.values())[:2]]
    for row in rows:
        assert set(row) >= {"task_id", "completion", "solution", "raw_completion", "sample_index", "num_tokens",
                            "model", "dataset", "split"}
        assert 1 <= row["num_tokens"] <= 6 and row["dataset"] == "starter" and row["split"] == "heldout"
        assert row["model"] == tiny_model_dir and row["gen_seconds"] > 0
    meta = json.load(open(config.samples_path() + META_SUFFIX))
    assert meta["greedy"] is True and len(meta["dataset_hash"]) == 64

    # vllm is not installed here: a message, then the hf backend (which finds every sample there).
    fallback = run_generate(dataclasses.replace(config, backend="vllm"))
    assert fallback["backend"] == "hf" and fallback["written"] == 0
    assert "vllm is not installed" in capfd.readouterr().err

    # The whole pipeline (what inference.sh runs): generation resumes, then scoring.
    summary = run_eval(EvalConfig(**{f.name: getattr(config, f.name) for f in dataclasses.fields(GenerateConfig)},
                                  style_metrics=["none"], judge_workers=1))
    assert summary["generated_now"] == 0 and summary["num_samples"] == 2 and summary["could_not_score"] == 0
    assert summary["first_sample"] == "greedy" and summary["avg_gen_tokens"] > 0
    for name in ("results.jsonl", "metrics.json", "summary.json", "run_info.json"):
        assert os.path.isfile(os.path.join(config.run_dir(), name))


def test_pipeline_help_lists_generation_and_scoring_flags():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "eval_process", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    for flag in ("--model_name_or_path", "--backend", "--dataset", "--num_samples", "--temperature", "--api_base_url",
                 "--api_key_env", "--execute_code_url", "--judge_time_limit_s", "--style_metrics", "--ks",
                 "--output_dir"):
        assert flag in done.stdout, flag


def test_vllm_backend_glue_with_a_stand_in_engine(tmp_path, monkeypatch):
    """vLLM needs a GPU; a stand-in module with vLLM's offline API checks our side of it:
    the sampling parameters passed, and the engine's outputs turned into sample records."""
    import sys
    import types

    calls = {}

    class SamplingParams:
        def __init__(self, **kwargs):
            calls["params"] = kwargs

    class LLM:
        def __init__(self, **kwargs):
            calls["engine"] = kwargs

        def chat(self, messages, sampling_params, use_tqdm):
            calls["conversations"] = messages
            n = calls["params"]["n"]
            return [types.SimpleNamespace(outputs=[
                types.SimpleNamespace(text=fenced(f"def f():\n    return {i}\n"), token_ids=[1] * (5 + i),
                                      finish_reason="length" if i == 1 else "stop") for i in range(n)])
                for _ in messages]

    monkeypatch.setitem(sys.modules, "vllm", types.SimpleNamespace(LLM=LLM, SamplingParams=SamplingParams))
    config = GenerateConfig(backend="vllm", dataset="starter", max_problems=2, num_samples=2, temperature=0.8,
                            output_dir=str(tmp_path), progress=False)
    summary = run_generate(config)
    assert summary["backend"] == "vllm" and summary["written"] == 4
    assert calls["params"] == {"n": 2, "temperature": 0.8, "top_p": 1.0, "top_k": -1, "max_tokens": 512, "seed": 0}
    assert calls["engine"]["model"].endswith("SmolLM2-135M-Instruct")
    assert calls["conversations"][0][0]["role"] == "system"
    rows = read_sample_file(config.samples_path())
    assert [(r["sample_index"], r["num_tokens"], r["truncated"]) for r in rows[:2]] == [(0, 5, False), (1, 6, True)]
    assert rows[1]["completion"] == "def f():\n    return 1\n" and rows[0]["backend"] == "vllm"


def test_a_model_without_chat_template_gets_the_plain_one(tiny_model_dir):
    from eval_process.generate import ensure_chat_template
    from grpo4code.training.model_loading import load_tokenizer

    tokenizer = load_tokenizer(tiny_model_dir)
    assert ensure_chat_template(tokenizer) is True
    tokenizer.chat_template = None
    assert ensure_chat_template(tokenizer) is False
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Add 1 and 2."}]
    assert tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True) == (
        "Be brief.\n\nAdd 1 and 2.\n\n")


def _make_adapter(base_dir: str, folder: str) -> str:
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_dir),
                           LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"]))
    model.save_pretrained(folder)
    return folder


def test_lora_adapter_that_does_not_load_fails_loudly(tiny_model_dir, tmp_path):
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    adapter = _make_adapter(tiny_model_dir, str(tmp_path / "adapter"))
    model, tokenizer = load_generation_model(GenerateConfig(model_name_or_path=adapter, device="cpu"))
    assert model is not None and tokenizer is not None  # the good adapter loads

    # Another base: the same layers with other shapes.
    other = str(tmp_path / "other-base")
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    torch.manual_seed(0)
    LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                 num_attention_heads=4, num_key_value_heads=2)).save_pretrained(other)
    tokenizer.save_pretrained(other)
    with pytest.raises(AdapterLoadError, match="(?s)does not load onto the base model .*size mismatch"):
        load_generation_model(GenerateConfig(model_name_or_path=adapter, base_model_name_or_path=other, device="cpu"))

    # adapter_config.json without its weights: through the command's path too.
    broken = str(tmp_path / "broken")
    os.makedirs(broken)
    with open(os.path.join(adapter, "adapter_config.json")) as src:
        config_text = src.read()
    with open(os.path.join(broken, "adapter_config.json"), "w") as dst:
        dst.write(config_text)
    with pytest.raises(AdapterLoadError, match="no adapter weights"):
        run_generate(GenerateConfig(model_name_or_path=broken, max_problems=1, max_new_tokens=2, device="cpu",
                                    output_dir=str(tmp_path / "run"), progress=False))


# ----------------------------------------------------------------------------------------------
# analysis.py
# ----------------------------------------------------------------------------------------------

def test_analysis_writes_markdown_html_and_plots(scored_run, tmp_path):
    better = {task: [fenced(STARTER[task].reference_solution)] * 2 for task in HAND_SAMPLES}
    score(write_samples(tmp_path / "after" / "samples.jsonl", better))
    out = str(tmp_path / "report")
    written = build_report(AnalysisConfig(runs=[scored_run["folder"], str(tmp_path / "after")],
                                          labels=["before", "after"], output_dir=out))
    markdown, page = open(written["markdown"]).read(), open(written["html"]).read()
    assert len(written["plots"]) == 5
    for plot in written["plots"]:
        name = os.path.basename(plot)
        assert os.path.getsize(plot) > 1000 and open(plot, "rb").read(4) == b"\x89PNG"
        assert f"]({name})" in markdown and f"src='{name}'" in page
    assert "## Before / after: before -> after" in markdown
    assert "| accepted@1 | 0.250 | 1.000 | +0.750 |" in markdown
    assert "No longer accepted (0)" in markdown and "newly accepted (3)" in markdown
    for heading in ("Verdict breakdown", "Per difficulty", "Reward dimensions", "Efficiency of accepted samples",
                    "Cost"):
        assert heading in markdown and heading in page
