"""What the GPU benches share: a random-weight model of Qwen2.5-Coder-1.5B's shapes, a small
tokenizer built on the spot, the starter problems as GRPO rows, realistic completions for
the rewards, and a per-step timer.

Speed does not depend on the weights, so the benches time a randomly initialised model.
Its completions are noise, which the rewards would score in microseconds (no code to run);
:class:`RealisticCompletions` therefore hands every reward, in place of the noise, a
completion an actual code model could have written for that row's problem (the reference
solution, a commented one, a broken one, or prose), each made unique per step so the judge's
cache never answers for it. The GPU work (generation, log-probabilities, backward) is the
real one; the reward work is what a real batch of that mix costs.
"""

from __future__ import annotations

import re
import statistics
import time

import torch
from transformers import TrainerCallback

# Qwen/Qwen2.5-Coder-1.5B-Instruct's config.json (the shapes; weights are random here).
QWEN25_CODER_15B_SHAPES = dict(
    hidden_size=1536, num_hidden_layers=28, num_attention_heads=12, num_key_value_heads=2,
    intermediate_size=8960, vocab_size=151936, tie_word_embeddings=True, max_position_embeddings=32768,
    rope_theta=1000000.0, rms_norm_eps=1e-6, hidden_act="silu", attention_dropout=0.0, use_sliding_window=False,
)

CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def gpu_name() -> str:
    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"


def build_tokenizer(texts: list[str], vocab_size: int = 8000):
    """A byte-level BPE tokenizer with a ChatML template, trained on ``texts`` in a second.

    Any tokenizer times the same; ids the model samples beyond its vocabulary decode to
    nothing (the rewards see realistic completions anyway).
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(texts, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   bos_token=None)
    fast.chat_template = CHATML_TEMPLATE
    fast.padding_side = "left"
    return fast


def random_model(tokenizer, dtype=torch.bfloat16, device: str = "cuda", **overrides):
    """A Qwen2 causal LM with Qwen2.5-Coder-1.5B's shapes (or ``overrides``), random weights."""
    from transformers import Qwen2Config, Qwen2ForCausalLM

    shapes = {**QWEN25_CODER_15B_SHAPES, **overrides}
    config = Qwen2Config(**shapes, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
                         bos_token_id=None)
    torch.manual_seed(0)
    with torch.device(device):
        model = Qwen2ForCausalLM(config).to(dtype)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model


def starter_rows(split: str = "train"):
    """``(rows, problems)``: the starter problems as GRPO rows (prompt + reward columns)."""
    from grpo4code.data import load_problems
    from grpo4code.data.prompts import SYSTEM_PROMPT
    from grpo4code.training.datasets import grpo_rows

    problems = load_problems("starter", split=split).problems
    return grpo_rows(problems, SYSTEM_PROMPT), problems


def tokenizer_texts(problems) -> list[str]:
    return [p.instruction + "\n" + p.reference_solution for p in problems] * 4


# --- realistic completions for the rewards --------------------------------------------------
def _fenced(code: str) -> str:
    return f"Here is my solution.\n\n```python\n{code.rstrip()}\n```"


def completion_variant(reference: str, variant: int, unique: str) -> str:
    """One of eight completions of a problem with reference solution ``reference``.

    The mix of a GRPO group early in training: 4 right (2 plain, 1 commented, 1 with a
    docstring), 2 wrong (first ``return`` broken), 1 that crashes, 1 with no code. ``unique``
    goes into a comment so no two completions are the same program.
    """
    tag = f"# sample {unique}\n"
    kind = variant % 8
    if kind in (0, 1):
        return _fenced(tag + reference)
    if kind == 2:
        commented = "".join(f"# step {i}: what the next lines compute\n" for i in range(6)) + reference
        return _fenced(tag + commented)
    if kind == 3:
        lines = reference.splitlines()
        for i, line in enumerate(lines):
            if line.lstrip().startswith("def "):
                indent = line[: len(line) - len(line.lstrip())] + "    "
                lines.insert(i + 1, f'{indent}"""Solve the problem as stated; see the comments below."""')
                break
        return _fenced(tag + "\n".join(lines) + "\n")
    if kind in (4, 5):
        return _fenced(tag + re.sub(r"return [^\n]+", "return None", reference, count=1))
    if kind == 6:
        return _fenced(tag + reference.replace("def ", "def _unused_", 1) if "def " in reference else tag + "1/0\n")
    return "I am not sure how to solve this one; it looks hard."


def trivial_reward(completions, **kwargs) -> list[float]:
    """The baseline: a reward that costs nothing (the completion's length modulo 7)."""
    return [float(len(str(c)) % 7) / 7.0 for c in completions]


# --- timing ---------------------------------------------------------------------------------
class StepTimer(TrainerCallback):
    """Wall time of each optimizer step (device synchronised), from one step's end to the next."""

    def __init__(self):
        self.ends: list[float] = []

    def _now(self) -> float:
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        return time.perf_counter()

    def on_train_begin(self, args, state, control, **kwargs):
        self.ends = [self._now()]

    def on_step_end(self, args, state, control, **kwargs):
        self.ends.append(self._now())

    def step_times(self) -> list[float]:
        return [b - a for a, b in zip(self.ends, self.ends[1:])]


def timed(owner, name: str, store: dict):
    """Replace ``owner.name`` by a wrapper that appends each call's seconds to ``store[name]``."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            store.setdefault(name, []).append(time.perf_counter() - started)

    setattr(owner, name, wrapper)


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


# --- one timed GRPO run ---------------------------------------------------------------------
def realistic_texts(references: list[str], salt: str) -> list[str]:
    return [completion_variant(ref, i, f"{salt}.{i}") for i, ref in enumerate(references)]


class RealisticCompletions:
    """Wraps a reward: it is called with realistic completions in place of the model's.

    Completion ``i`` of the batch of step ``s`` becomes :func:`completion_variant` of its row's
    reference solution, variant ``i``, tagged ``{salt}{s}.{i}`` (unique per run and step).
    Async like the rewards it wraps, so TRL runs them concurrently.
    """

    def __init__(self, reward, salt: str):
        self.reward, self.salt = reward, salt
        self.__name__ = getattr(reward, "__name__", type(reward).__name__)

    async def __call__(self, prompts=None, completions=None, trainer_state=None, **kwargs):
        step = trainer_state.global_step if trainer_state is not None else 0
        texts = realistic_texts(kwargs["reference_solution"], f"{self.salt}{step}")
        if completions and isinstance(completions[0], list):  # conversational
            texts = [[{"role": "assistant", "content": t}] for t in texts]
        result = self.reward(prompts=prompts, completions=texts, trainer_state=trainer_state, **kwargs)
        return await result if hasattr(result, "__await__") else result


def grpo_config(output_dir: str, completions: int, micro_batch: int, num_generations: int, max_new_tokens: int,
                steps: int, continuous_batching: bool = False, **overrides):
    """The benches' GRPOConfig: one optimizer step per generation batch of ``completions``."""
    from trl import GRPOConfig

    cuda = torch.cuda.is_available()
    world = int(__import__("os").environ.get("WORLD_SIZE", "1"))
    per_rank = completions // world
    kwargs = dict(
        output_dir=output_dir, per_device_train_batch_size=micro_batch,
        gradient_accumulation_steps=max(1, per_rank // micro_batch), num_generations=num_generations,
        max_completion_length=max_new_tokens, generation_kwargs={"min_new_tokens": max_new_tokens},
        bf16=cuda, use_cpu=not cuda, beta=0.0, loss_type="dapo", learning_rate=1e-6,
        lr_scheduler_type="constant", max_steps=steps, logging_steps=1, report_to="none", save_strategy="no",
        temperature=1.0, seed=0, gradient_checkpointing=False, dataloader_num_workers=0,
        use_transformers_continuous_batching=continuous_batching, disable_tqdm=True,
    )
    kwargs.update(overrides)
    return GRPOConfig(**kwargs)


def run_variant(name: str, *, rewards: str, tokenizer, dataset, config, model_kwargs: dict,
                judge_workers: int = 0, warmup: int = 1) -> dict:
    """Train ``config.max_steps`` steps; the figures of the steps after ``warmup``.

    ``rewards``: ``"trivial"`` (one free reward, fixed weight) or ``"full"`` (our stack, built
    as :func:`grpo4code.training.grpo_run.run_grpo` builds it: every dimension, the shared
    embedded judge, the RewardWeightNet mixer).
    """
    import gc

    from grpo4code.training.arguments import Grpo4codeArguments
    from grpo4code.training.grpo import CodeGRPOTrainer
    from grpo4code.training.grpo_run import build_mixer
    from grpo4code.rewards.registry import build_reward_funcs

    salt = f"{name}-"
    import os

    if torch.cuda.is_available() and "device" not in model_kwargs:
        model_kwargs = dict(model_kwargs, device=f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}")
    model = random_model(tokenizer, **model_kwargs)
    mixer = None
    if rewards == "full":
        args = Grpo4codeArguments(judge_workers=judge_workers)
        inner = build_reward_funcs(args.reward_dimensions, args, args.judge_config())
        mixer = build_mixer(args, config)
        funcs = [RealisticCompletions(f, salt) for f in inner]
    else:
        funcs = [trivial_reward]
    trainer = CodeGRPOTrainer(model=model, reward_funcs=funcs, args=config, train_dataset=dataset,
                              processing_class=tokenizer, reward_mixer=mixer)
    if mixer is not None:
        trainer.reward_weights = mixer.weights.clone()
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # the log dicts; the figures are returned
    timer, parts = StepTimer(), {}
    trainer.add_callback(timer)
    timed(trainer, "_generate", parts)
    timed(trainer, "_calculate_rewards", parts)
    trainer.train()
    history = [h for h in trainer.state.log_history if "completions/mean_length" in h]
    result = {
        "variant": name, "rewards": rewards,
        "continuous_batching": bool(config.use_transformers_continuous_batching),
        "step_s": timer.step_times()[warmup:], "generate_s": parts.get("_generate", [])[warmup:],
        "rewards_s": parts.get("_calculate_rewards", [])[warmup:],
        "completion_length": [h["completions/mean_length"] for h in history][warmup:],
        "mixer_weights": trainer.reward_weights.tolist() if hasattr(trainer.reward_weights, "tolist") else None,
        "reward_names": list(trainer.reward_func_names),
        "rank": int(os.environ.get("RANK", "0")),
        "peak_gib": torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else 0.0,
    }
    del trainer, model
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    return result


def summary_line(result: dict) -> str:
    return (f"{result['variant']:<22} step {median(result['step_s']):7.2f} s  generate {median(result['generate_s']):7.2f} s"
            f"  rewards {median(result['rewards_s']):6.2f} s  completion {median(result['completion_length']):6.1f} tok"
            f"  steps {len(result['step_s'])}  peak {result['peak_gib']:.1f} GiB")
