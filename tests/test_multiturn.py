"""Multi-turn: the feedback turn (content, truncation, never for unscorable attempts), repair
metrics in score.py's output, and two steps of multi-turn GRPO on a tiny model -- repair
(TRL's rollout_func) and the Python interpreter tool (environment_factory) -- whose
parameters change, with feedback and tool output masked from the loss."""

from __future__ import annotations

import json
import os

import pytest
import torch

from execeval_service.jobs import JobStatus, JudgeResult, Verdict
from execeval_service.jobs import TestResult as Outcome
from grpo4code.data.schema import AssertionTest, CallTest, StdioTest
from grpo4code.multiturn.feedback import (NO_CODE, FeedbackSettings, attempt_outcome, cut_middle, cut_start,
                                          feedback_message)

torch.set_num_threads(1)
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def result(*tests: Outcome, status=JobStatus.COMPLETED) -> JudgeResult:
    return JudgeResult(status=status, tests=list(tests), num_tests=len(tests),
                       num_passed=sum(t.verdict == Verdict.PASSED for t in tests))


# ---- the feedback turn ------------------------------------------------------------------------
def test_cut_middle_and_cut_start_keep_within_the_limit_and_say_so():
    text = "".join(chr(ord("a") + i % 26) for i in range(5000))
    cut = cut_middle(text, 200)
    assert len(cut) <= 200 and cut.startswith(text[:50]) and cut.endswith(text[-30:])
    assert "[4800 characters cut]" in cut
    assert cut_middle("short", 200) == "short"
    trace = "\n".join(f"  File line {i}" for i in range(500)) + "\nValueError: the real reason"
    tail = cut_start(trace, 120)
    assert len(tail) <= 120 and tail.endswith("ValueError: the real reason") and "characters cut]" in tail
    assert tail.split("\n")[1].startswith("  File line")  # whole lines after the marker


def test_feedback_shows_the_failing_call_expected_and_actual_truncated():
    tests = [CallTest(args=[1, 2], expected=3), CallTest(args=[list(range(3000)), 5], expected=7)]
    judged = result(Outcome(index=0, kind="call", verdict=Verdict.PASSED),
                    Outcome(index=1, kind="call", verdict=Verdict.WRONG_ANSWER, expected="7", actual="9" * 4000,
                               error="the returned value differs"))
    settings = FeedbackSettings(max_value_chars=120, max_error_chars=100)
    message = feedback_message("def f(a, b): ...", judged, tests, "f", settings)
    lines = message.split("\n")
    assert lines[0] == "Your solution passed 1 of 2 tests."
    assert "(test 2) ended with WRONG_ANSWER" in lines[1]
    call = next(line for line in lines if line.startswith("Call: "))
    assert call.startswith("Call: f([0, 1, 2") and "characters cut]" in call and len(call) <= 126
    assert "Expected: 7" in lines
    got = next(line for line in lines if line.startswith("Got: "))
    assert "characters cut]" in got and len(got) <= 125
    assert lines[-1].startswith("Fix the program") and "```python" in lines[-1]
    assert len(message) < 800  # 4000 + 3000-element inputs, a bounded message


def test_feedback_for_stdio_errors_assertions_and_limits():
    stdio = [StdioTest(input="3 4\n", output="7\n")]
    crashed = result(Outcome(index=0, kind="stdio", verdict=Verdict.RUNTIME_ERROR, error="exit status 1",
                                stderr="Traceback (most recent call last):\n" + "  frame\n" * 300 +
                                "IndexError: list index out of range\n"))
    message = feedback_message("x", crashed, stdio, "", FeedbackSettings(max_error_chars=200))
    assert "Input (stdin): 3 4" in message
    assert "IndexError: list index out of range" in message and "characters cut]" in message
    assert len(message) < 500
    check = [AssertionTest(code="def check(candidate):\n    assert candidate(1) == 2\n    assert candidate(5) == 10\n")]
    wrong = result(Outcome(index=0, kind="assertion", verdict=Verdict.PASSED),
                   Outcome(index=1, kind="assertion", verdict=Verdict.WRONG_ANSWER,
                              expected="assert candidate(5) == 10", error="assertion failed"))
    message = feedback_message("x", wrong, check, "double")
    assert "The failing check: assert candidate(5) == 10" in message and "passed 1 of 2" in message
    slow = result(Outcome(index=0, kind="stdio", verdict=Verdict.TIME_LIMIT_EXCEEDED, error="CPU time limit"))
    assert "time limit" in feedback_message("x", slow, stdio, "")
    broken = result(Outcome(index=0, kind="stdio", verdict=Verdict.COMPILATION_ERROR,
                               error="SyntaxError: invalid syntax"))
    assert "It does not compile: SyntaxError: invalid syntax" in feedback_message("x", broken, stdio, "")
    assert feedback_message(None, None, stdio, "") == NO_CODE
    hidden = feedback_message("x", crashed, stdio, "", FeedbackSettings(show_input=False))
    assert "3 4" not in hidden


def test_no_feedback_for_accepted_or_unscorable_attempts():
    accepted = result(Outcome(index=0, kind="stdio", verdict=Verdict.PASSED))
    unscorable = JudgeResult.sandbox_error("worker died")
    partly = result(Outcome(index=0, kind="stdio", verdict=Verdict.SANDBOX_ERROR))
    with pytest.raises(ValueError, match="accepted"):
        feedback_message("x", accepted, [StdioTest(input="", output="")], "")
    with pytest.raises(ValueError, match="could not score"):
        feedback_message("x", unscorable, [StdioTest(input="", output="")], "")
    assert attempt_outcome("x", unscorable) == "COULD_NOT_SCORE"
    assert attempt_outcome("x", partly) == "COULD_NOT_SCORE"
    assert attempt_outcome(None, None) == "NO_CODE"
    assert attempt_outcome("x", accepted) == "ACCEPTED"


# ---- repair metrics in score.py ---------------------------------------------------------------
def fenced(code: str) -> str:
    return f"```python\n{code.strip()}\n```"


def test_score_reports_accepted_after_each_turn_and_the_recovery_rate(tmp_path):
    """Hand-written repair samples on three starter problems: one solved at once, one
    recovered on the second attempt, one never solved (three attempts)."""
    from eval_process.records import format_summary_table
    from eval_process.score import ScoreConfig, score_samples
    from grpo4code.data import load_problems

    problems = load_problems("starter", split="heldout").problems[:3]
    solved, recovered, failed = problems
    wrong = "def nothing():\n    return None\n"

    def record(problem, attempts):
        turns = [{"raw_completion": fenced(code), "feedback": "..." if i < len(attempts) - 1 else None}
                 for i, code in enumerate(attempts)]
        return {"task_id": problem.id, "sample_index": 0, "raw_completion": turns[-1]["raw_completion"],
                "num_tokens": 10, "truncated": False, "gen_seconds": 0.1, "model": "hand-written",
                "dataset": "starter", "split": "heldout", "backend": "hf", "turns": turns}

    samples = tmp_path / "samples.jsonl"
    rows = [record(solved, [solved.reference_solution]),
            record(recovered, [wrong, recovered.reference_solution]),
            record(failed, [wrong, "this is not python (", wrong])]
    samples.write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = ScoreConfig(samples=str(samples), dataset="starter", split="heldout", style_metrics=["none"],
                         judge_workers=1, progress=False)
    summary = score_samples(config)
    repair = summary["repair"]
    assert repair["turns"] == 3
    assert repair["accepted@1_turn1"] == pytest.approx(1 / 3)
    assert repair["accepted@1_turn2"] == pytest.approx(2 / 3)
    assert repair["accepted@1_turn3"] == pytest.approx(2 / 3)
    assert (repair["failed_first_turn"], repair["recovered"]) == (2, 1)
    assert repair["recovery_rate"] == pytest.approx(0.5)
    assert summary["accepted@1"] == pytest.approx(2 / 3)  # the final attempts
    results = [json.loads(line) for line in open(tmp_path / "results.jsonl")]
    by_id = {r["task_id"]: r["turn_outcomes"] for r in results}
    assert by_id[solved.id] == ["ACCEPTED"]
    assert by_id[recovered.id][1] == "ACCEPTED" and by_id[recovered.id][0] != "ACCEPTED"
    assert "ACCEPTED" not in by_id[failed.id] and len(by_id[failed.id]) == 3
    table = format_summary_table(summary)
    assert "| accepted@1 after turn 1 | 0.333 |" in table
    assert "| accepted@1 after turn 2 | 0.667 |" in table
    assert "| recovery rate (failed turn 1, passed later) | 0.500 (1 of 2) |" in table
    metrics = json.load(open(tmp_path / "metrics.json"))
    assert metrics["repair"]["recovery_rate"] == pytest.approx(0.5)
    again = score_samples(config)  # resumed: the verdicts (and the turns' outcomes) are reused
    assert again["reused"] == 3 and again["repair"] == repair


# ---- multi-turn GRPO on a tiny model ----------------------------------------------------------
def easy_problems():
    from tests.test_train_grpo import easy_problems as problems

    return problems()


def write_records(path, problems) -> str:
    with open(path, "w") as handle:
        for problem in problems:
            handle.write(json.dumps(problem.to_dict()) + "\n")
    return str(path)


def flags(model_dir, data, output_dir, *extra) -> list[str]:
    return ["--config", os.path.join(REPO, "recipes/grpo/default_cpu.yaml"), "--model_name_or_path", model_dir,
            "--meta_data", data, "--output_dir", str(output_dir), "--max_steps", "2", "--save_steps", "2",
            "--num_generations", "2", "--per_device_train_batch_size", "4", "--report_to", "none",
            "--torch_threads", "1", "--judge_workers", "1", "--print_summary", "false", "--seed", "3",
            "--learning_rate", "1e-3", *extra]


def changed_parameters(before_dir: str, after_dir: str) -> list[str]:
    from safetensors.torch import load_file

    before = load_file(os.path.join(before_dir, "model.safetensors"))
    after = load_file(os.path.join(after_dir, "model.safetensors"))
    return [name for name in before if not torch.equal(before[name], after[name])]


def run_training(argv: list[str]):
    """What grpo4code.training.main does, returning the trainer (to look at its rollouts)."""
    from grpo4code.data.prompts import SYSTEM_PROMPT
    from grpo4code.training.arguments import parse_train_args
    from grpo4code.training.datasets import load_training_problems
    from grpo4code.training.grpo_run import run_grpo
    from grpo4code.training.model_loading import load_tokenizer

    args, model_args, trl_args = parse_train_args(argv)
    tokenizer = load_tokenizer(model_args.model_name_or_path)
    problems = load_training_problems(args.meta_data)
    return run_grpo(args, model_args, trl_args, problems, tokenizer, SYSTEM_PROMPT, None)


def logged(trainer, key: str) -> list[float]:
    return [entry[key] for entry in trainer.state.log_history if key in entry]


def teach(base_dir: str, folder, examples: list[tuple[list[int], list[int]]], steps: int = 200) -> str:
    """``base_dir``'s model after plain supervised steps on ``(prompt ids, answer ids)`` pairs
    (the loss on the answers), saved with the base's tokenizer into ``folder``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(base_dir)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    torch.manual_seed(0)
    for _ in range(steps):
        loss = 0.0
        for prompt, answer in examples:  # logits of the answer's positions only (the vocabulary is large)
            hidden = model.model(input_ids=torch.tensor([prompt + answer])).last_hidden_state
            logits = model.lm_head(hidden[0, len(prompt) - 1: -1])
            loss = loss + torch.nn.functional.cross_entropy(logits, torch.tensor(answer))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(base_dir).save_pretrained(folder)
    return str(folder)


def coin_flip_coder(tiny_model_dir, tmp_path) -> str:
    """The tiny model taught to answer each easy problem with a right or a wrong program about
    equally often, so a group's rollouts differ and wrong attempts get real feedback."""
    from transformers import AutoTokenizer

    from grpo4code.data.prompts import SYSTEM_PROMPT, problem_prompt

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    answers = {"easy-add": ["return a + b", "return a - b"], "easy-reverse": ["return s[::-1]", "return s"]}
    examples = []
    for problem in easy_problems():
        prompt = tokenizer.apply_chat_template(problem_prompt(problem, SYSTEM_PROMPT), add_generation_prompt=True,
                                               tokenize=True, return_dict=False)
        signature = problem.reference_solution.split("\n")[0]
        for body in answers[problem.id]:
            text = f"```python\n{signature}\n    {body}\n```<|im_end|>"
            examples.append((list(prompt), tokenizer(text, add_special_tokens=False)["input_ids"]))
    return teach(tiny_model_dir, tmp_path / "coin-flip-coder", examples, steps=150)


def test_repair_grpo_two_steps_trains_with_feedback_masked(tiny_model_dir, tmp_path):
    model_dir = coin_flip_coder(tiny_model_dir, tmp_path)
    data = write_records(tmp_path / "easy.jsonl", easy_problems())
    out = tmp_path / "repair"
    trainer = run_training(flags(model_dir, data, out, "--multiturn", "repair", "--repair_turns", "1",
                                 "--repair_attempt_max_tokens", "40", "--max_completion_length", "200",
                                 "--num_generations", "4", "--per_device_train_batch_size", "8",
                                 "--reward_dimensions", "correctness", "format", "--use_weight_net", "false",
                                 "--fixed_weights", '{"correctness": 1, "format": 0.5}',
                                 "--repair_turn_cost", "0.1"))
    assert trainer.state.global_step == 2
    assert changed_parameters(model_dir, str(out)), "no parameter changed after two repair GRPO steps"
    assert trainer.reward_func_names == ["correctness", "format", "repair_turn_cost"]
    attempts = logged(trainer, "repair/attempts_mean")
    assert len(attempts) == 2 and all(1.0 < a <= 2.0 for a in attempts)  # some rollouts were repaired
    costs = logged(trainer, "rewards/repair_turn_cost/mean")
    assert costs == [pytest.approx(-0.1 * (a - 1)) for a in attempts]
    rollout = trainer.last_rollouts
    tokenizer = trainer.processing_class
    repaired = 0
    for ids, mask in zip(rollout["completion_ids"], rollout["mask"]):
        feedback = tokenizer.decode([t for t, m in zip(ids, mask) if m == 0])
        model_text = tokenizer.decode([t for t, m in zip(ids, mask) if m == 1])
        assert mask[0] == 1 and mask[-1] == 1  # a rollout starts and ends with the model's own tokens
        assert "Your solution passed" not in model_text  # the feedback is never trained on
        if 0 in mask:
            repaired += 1
            assert feedback.startswith("\n<|im_start|>user\nYour solution passed")  # the judge's verdict
            assert "Fix the program" in feedback and feedback.endswith("<|im_start|>assistant\n")
    assert repaired > 0
    assert all(0 <= share < 1 for share in logged(trainer, "multiturn/masked_token_share"))
    assert logged(trainer, "repair/recovery_rate")


def tool_trained_model(tiny_model_dir, tmp_path) -> str:
    """The tiny model taught to answer both easy prompts with one run_python call, so sampled
    rollouts really call the tool."""
    from transformers import AutoTokenizer

    from execeval_service.sessions import SessionLimits
    from grpo4code.data.prompts import problem_prompt
    from grpo4code.multiturn.python_tool import TOOL_SYSTEM_PROMPT, PythonToolFactory
    from grpo4code.multiturn.trainer import use_tool_chat_template
    from grpo4code.rewards.judging import JudgeConfig

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    use_tool_chat_template(tokenizer, "auto")  # what the run will render with
    tool = PythonToolFactory(JudgeConfig(), SessionLimits())().run_python
    call = {"type": "function", "function": {"name": "run_python", "arguments": {"code": "print(6 * 7)"}}}
    answer = '<tool_call>\n{"name": "run_python", "arguments": {"code": "print(6 * 7)"}}\n</tool_call><|im_end|>'
    answers = {"easy-add": ["return a + b", "return a - b"], "easy-reverse": ["return s[::-1]", "return s"]}

    def ids(messages):
        return list(tokenizer.apply_chat_template(messages, tools=[tool], add_generation_prompt=True,
                                                  tokenize=True, return_dict=False))

    examples = []
    for problem in easy_problems():
        prompt = problem_prompt(problem, TOOL_SYSTEM_PROMPT)
        examples.append((ids(prompt), tokenizer(answer, add_special_tokens=False)["input_ids"]))
        # after the tool's answer: a right or a wrong program, about equally often
        after_tool = ids(prompt + [{"role": "assistant", "content": "", "tool_calls": [call]},
                                   {"role": "tool", "name": "run_python", "content": "42"}])
        signature = problem.reference_solution.split("\n")[0]
        for body in answers[problem.id]:
            text = f"```python\n{signature}\n    {body}\n```<|im_end|>"
            examples.append((after_tool, tokenizer(text, add_special_tokens=False)["input_ids"]))
    return teach(tiny_model_dir, tmp_path / "tiny-tool-caller", examples, steps=250)


def test_python_tool_grpo_two_steps_calls_the_interpreter_with_output_masked(tiny_model_dir, tmp_path):
    from execeval_service.sessions import SessionSettings
    from execeval_service.testing import processes_of_uids

    model_dir = tool_trained_model(tiny_model_dir, tmp_path)
    data = write_records(tmp_path / "easy.jsonl", easy_problems())
    out = tmp_path / "tool"
    trainer = run_training(flags(model_dir, data, out, "--multiturn", "python_tool", "--tool_max_calls", "2",
                                 "--max_completion_length", "120", "--reward_dimensions", "correctness", "format",
                                 "--num_generations", "4", "--per_device_train_batch_size", "8",
                                 "--temperature", "0.5"))
    assert trainer.state.global_step == 2
    assert changed_parameters(model_dir, str(out)), "no parameter changed after two tool GRPO steps"
    calls = logged(trainer, "tools/call_frequency")
    assert calls and all(c >= 1 for c in calls)  # every rollout called the interpreter at least once
    assert logged(trainer, "tools/failure_frequency") == [0.0] * len(calls)
    assert logged(trainer, "tools/python_calls_per_rollout") and min(logged(trainer, "tools/python_calls_per_rollout")) >= 1
    assert all(rate == 0.0 for rate in logged(trainer, "tools/python_failures_rate"))
    assert all(share > 0 for share in logged(trainer, "multiturn/masked_token_share"))
    rollout = trainer.last_rollouts
    tokenizer = trainer.processing_class
    tool_turns = 0
    for ids, mask, completion in zip(rollout["completion_ids"], rollout["mask"], rollout["completions"]):
        masked = tokenizer.decode([t for t, m in zip(ids, mask) if m == 0])
        trained = tokenizer.decode([t for t, m in zip(ids, mask) if m == 1])
        tool_messages = [m for m in completion if m["role"] == "tool"]
        tool_turns += len(tool_messages)
        for message in tool_messages:
            assert message["content"] == "42"  # the sandboxed interpreter's real output
        if tool_messages:
            assert "42" in masked and "42" not in trained  # the tool's output is not trained on
            assert "run_python" in trained  # the model's own call is
    assert tool_turns >= len(rollout["completion_ids"])
    # the rollouts' sessions were closed with the run: no session process is left
    uids = range(SessionSettings().uid_base, SessionSettings().uid_base + SessionSettings().max_sessions)
    assert processes_of_uids(uids) == []
