"""Sample completions from a model and judge them: the data of rejection-sampling SFT and DPO.

    python -m grpo4code.training.sampling --model_name_or_path local:smollm2-135m-instruct \\
        --meta_data starter --num_samples 4 --output samples.jsonl

writes one line per sample::

    {"problem_id", "sample_index", "prompt": [messages], "completion": text,
     "scores": {dimension: value or null}, "accepted": bool, "pass_ratio": float or null,
     "num_tokens": int, "truncated": bool}

``scores`` come from the run's reward stack (:func:`~grpo4code.rewards.registry.build_reward_funcs`),
so they mean exactly what the GRPO rewards mean; ``accepted`` (every test passes) and
``pass_ratio`` come from the same judge run. ``null`` means the judge could not score the
sample -- never "wrong".

The file is resumable: problems already in it are skipped, so a killed run goes on where it
stopped. A ``<output>.meta.json`` beside it records the model and the generation settings;
resuming with different ones is an error (``--overwrite`` starts afresh).

:func:`generate_completions` is the reusable piece (evaluation calls it too): batched,
left-padded generation with the model's chat template.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import inspect
import json
import os
import sys
import zlib
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from grpo4code.data.prompts import SYSTEM_PROMPT, problem_prompt
from grpo4code.data.schema import Problem
from grpo4code.rewards.columns import problem_specs, reward_columns
from grpo4code.rewards.extraction import extract_code
from grpo4code.rewards.judging import JudgeConfig
from grpo4code.rewards.registry import DIMENSIONS, RewardSettings, check_dimensions

META_SUFFIX = ".meta.json"


# ----------------------------------------------------------------------------------------------
# Generation
# ----------------------------------------------------------------------------------------------

@dataclass
class GenerationSettings:
    """How completions are decoded. ``temperature == 0`` means greedy decoding."""

    temperature: float = field(default=1.0, metadata={
        "help": "Sampling temperature (0 = greedy; needs num_samples 1)."})
    top_p: float = field(default=1.0, metadata={"help": "Nucleus sampling: keep the smallest token set of this mass."})
    top_k: int = field(default=0, metadata={"help": "Sample among the k likeliest tokens (0 = no limit)."})
    max_new_tokens: int = field(default=512, metadata={"help": "Longest completion (tokens); longer ones are cut."})
    batch_size: int = field(default=8, metadata={"help": "Sequences per generate() call."})
    seed: int = field(default=0, metadata={"help": "Seed of the sampling RNG."})

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise ValueError("--temperature must be >= 0 (0 = greedy)")
        if not 0 < self.top_p <= 1:
            raise ValueError("--top_p must be in (0, 1]")
        if self.top_k < 0 or self.max_new_tokens < 1 or self.batch_size < 1:
            raise ValueError("--top_k must be >= 0, --max_new_tokens and --batch_size >= 1")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0


@dataclass(frozen=True)
class Generation:
    """One decoded completion. ``num_tokens`` counts the generated tokens up to and including
    the stop token; ``truncated`` is True when it hit ``max_new_tokens`` without stopping."""

    text: str
    num_tokens: int
    truncated: bool


def stop_token_ids(model, tokenizer) -> list[int]:
    """The token ids that end a completion: the generation config's EOS ids and the tokenizer's."""
    ids = getattr(model.generation_config, "eos_token_id", None)
    ids = list(ids) if isinstance(ids, (list, tuple)) else ([] if ids is None else [ids])
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in ids:
        ids.append(tokenizer.eos_token_id)
    if not ids:
        raise ValueError("neither the model's generation config nor the tokenizer names an EOS token")
    return ids


def completion_length(token_ids: Sequence[int], stop_ids: Sequence[int]) -> tuple[int, bool]:
    """``(tokens up to and including the first stop token, truncated)`` of one generated row.

    After a row stops, generate() fills it with padding; a row that never stopped is all
    real tokens.
    """
    stops = set(stop_ids)
    for position, token in enumerate(token_ids):
        if token in stops:
            return position + 1, False
    return len(token_ids), True


def generate(model, tokenizer, prompts: Sequence[list[dict]], num_samples: int,
             settings: GenerationSettings | None = None, progress: bool = True) -> list[list[Generation]]:
    """``num_samples`` completions of each conversational prompt: ``result[prompt][sample]``.

    Prompts are rendered with the tokenizer's chat template (with the generation prompt),
    left-padded and decoded in batches of ``settings.batch_size`` sequences; longest prompts
    first, so a batch holds prompts of similar length.
    """
    import torch
    from tqdm.auto import tqdm
    from transformers import GenerationConfig

    settings = settings or GenerationSettings()
    if num_samples < 1:
        raise ValueError("num_samples must be >= 1")
    if settings.greedy and num_samples > 1:
        raise ValueError(f"temperature 0 is greedy decoding: {num_samples} samples would be identical; "
                         "use num_samples 1 or a temperature > 0")
    texts = [tokenizer.apply_chat_template(list(p), tokenize=False, add_generation_prompt=True) for p in prompts]
    jobs = sorted(((i, s) for i in range(len(texts)) for s in range(num_samples)),
                  key=lambda job: -len(texts[job[0]]))
    stop_ids = stop_token_ids(model, tokenizer)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else stop_ids[0]
    decoding = dict(do_sample=True, temperature=settings.temperature, top_p=settings.top_p,
                    top_k=settings.top_k) if not settings.greedy else dict(do_sample=False)
    config = GenerationConfig(max_new_tokens=settings.max_new_tokens, eos_token_id=stop_ids, pad_token_id=pad_id,
                              **decoding)
    device = next(model.parameters()).device
    results: list[list[Optional[Generation]]] = [[None] * num_samples for _ in texts]
    torch.manual_seed(settings.seed)
    model.eval()
    with torch.inference_mode(), tqdm(total=len(jobs), unit="sample", desc="generating",
                                      disable=not progress, file=sys.stderr) as bar:
        for start in range(0, len(jobs), settings.batch_size):
            batch = jobs[start: start + settings.batch_size]
            # The chat template already holds the special tokens; left padding keeps every prompt
            # flush against its completion.
            inputs = tokenizer([texts[i] for i, _ in batch], return_tensors="pt", padding=True,
                               padding_side="left", add_special_tokens=False).to(device)
            output = model.generate(**inputs, generation_config=config)
            new_tokens = output[:, inputs["input_ids"].shape[1]:].tolist()  # [batch, new tokens]
            for (i, s), ids in zip(batch, new_tokens):
                length, truncated = completion_length(ids, stop_ids)
                results[i][s] = Generation(tokenizer.decode(ids[:length], skip_special_tokens=True), length, truncated)
            bar.update(len(batch))
    return results


def generate_completions(model, tokenizer, prompts: Sequence[list[dict]], num_samples: int,
                         settings: GenerationSettings | None = None, progress: bool = True) -> list[list[str]]:
    """The completion texts of :func:`generate`: ``result[prompt][sample]``."""
    return [[g.text for g in row] for row in generate(model, tokenizer, prompts, num_samples, settings, progress)]


# ----------------------------------------------------------------------------------------------
# Loading a model to sample from: a checkpoint, the offline default, or a LoRA adapter folder
# ----------------------------------------------------------------------------------------------

def is_adapter_folder(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "adapter_config.json"))


def adapter_base(adapter_dir: str, base_override: str = "") -> str:
    """The base model an adapter folder was trained on (resolved), or ``base_override``."""
    from peft import PeftConfig

    from grpo4code.training.model_loading import resolve_model_path

    base = base_override or PeftConfig.from_pretrained(adapter_dir).base_model_name_or_path
    if not base:
        raise ValueError(f"{adapter_dir}: adapter_config.json names no base model; pass --base_model_name_or_path")
    return resolve_model_path(base)


def load_adapter_model(adapter_dir: str, base_path: str, dtype):
    """The base model with the adapter of ``adapter_dir`` merged in.

    Every adapter weight must find its place: a missing or unexpected key (an adapter of
    another base model, another LoRA layout) is an error, never a silently untrained layer.
    """
    from peft import PeftConfig, PeftModel
    from transformers import AutoModelForCausalLM

    config = PeftConfig.from_pretrained(adapter_dir)
    base = AutoModelForCausalLM.from_pretrained(base_path, dtype=dtype)
    model = PeftModel(base, config)  # the "default" adapter, freshly initialised ...
    result = model.load_adapter(adapter_dir, adapter_name="default")  # ... then overwritten by the saved one
    missing = [k for k in result.missing_keys if ".default" in k]
    unexpected = list(result.unexpected_keys)
    if missing or unexpected:
        raise RuntimeError(f"the adapter in {adapter_dir} does not fit the base model {base_path}: "
                           f"{len(missing)} adapter weights missing (e.g. {missing[:3]}), "
                           f"{len(unexpected)} unexpected (e.g. {unexpected[:3]})")
    return model.merge_and_unload()


def torch_dtype(name: str):
    """``name`` as a torch dtype; ``auto`` is bfloat16 on a GPU and float32 on a CPU."""
    import torch

    if name == "auto":
        return torch.bfloat16 if torch.cuda.is_available() else torch.float32
    if name not in ("float32", "bfloat16", "float16"):
        raise ValueError(f"--dtype must be auto, float32, bfloat16 or float16, not {name!r}")
    return getattr(torch, name)


def load_sampling_tokenizer(name_or_path: str, base_model_name_or_path: str = ""):
    """The tokenizer of a model folder, or of an adapter folder (its own copy, else its base's)."""
    from grpo4code.training.model_loading import load_tokenizer, resolve_model_path

    path = resolve_model_path(name_or_path)
    if is_adapter_folder(path) and not os.path.isfile(os.path.join(path, "tokenizer_config.json")):
        path = adapter_base(path, base_model_name_or_path)
    return load_tokenizer(path)


def load_sampling_model(name_or_path: str, base_model_name_or_path: str = "", dtype: str = "auto",
                        device: str = "auto"):
    """The causal LM to sample from, in eval mode on ``device``: a hub name, a local folder,
    the offline default (``local:smollm2-135m-instruct``) or a LoRA adapter folder (merged)."""
    import torch
    from transformers import AutoModelForCausalLM

    from grpo4code.training.model_loading import resolve_model_path

    path = resolve_model_path(name_or_path)
    if is_adapter_folder(path):
        model = load_adapter_model(path, adapter_base(path, base_model_name_or_path), torch_dtype(dtype))
    else:
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype(dtype))
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return model.to(device).eval()


# ----------------------------------------------------------------------------------------------
# Judging
# ----------------------------------------------------------------------------------------------

async def _judge_batch(reward_funcs, dimensions, prompts, completions, columns) -> list[dict]:
    specs = problem_specs(len(completions), columns)
    codes = [extract_code(c) for c in completions]
    # The verdicts first: the rewards share this judge and then find them in its cache.
    judge = reward_funcs[0].judge
    results = await judge.judge(specs, codes)

    async def call(func):
        value = func(prompts=prompts, completions=completions, **columns)
        return await value if inspect.isawaitable(value) else value

    scores = await asyncio.gather(*(call(func) for func in reward_funcs))
    verdicts = []
    for i, (code, result) in enumerate(zip(codes, results)):
        if code is None or result is None:
            accepted, pass_ratio = False, 0.0
        elif result.could_not_score:
            accepted, pass_ratio = False, None
        else:
            accepted, pass_ratio = result.accepted, result.pass_ratio
        verdicts.append({"scores": {d: s[i] for d, s in zip(dimensions, scores)},
                         "accepted": accepted, "pass_ratio": pass_ratio})
    return verdicts


def judge_samples(problems: Sequence[Problem], prompts: Sequence[list[dict]], completions: Sequence[Sequence[str]],
                  reward_funcs: list, dimensions: Sequence[str],
                  run: Callable = asyncio.run) -> list[list[dict]]:
    """``{"scores", "accepted", "pass_ratio"}`` for each completion: ``result[problem][sample]``.

    ``reward_funcs`` come from :func:`build_reward_funcs` (correctness first, one per entry of
    ``dimensions``); ``run`` runs a coroutine to its end (pass a long-lived loop's
    ``run_until_complete`` to keep one judge connection across calls).
    """
    if len(reward_funcs) != len(dimensions):
        raise ValueError(f"{len(reward_funcs)} reward functions for {len(dimensions)} dimensions {list(dimensions)}")
    flat_prompts, flat_completions, rows = [], [], []
    for problem, prompt, samples in zip(problems, prompts, completions):
        for completion in samples:
            flat_prompts.append(prompt)
            flat_completions.append(completion)
            rows.append(reward_columns(problem))
    if not rows:
        return [[] for _ in problems]
    columns = {key: [row[key] for row in rows] for key in rows[0]}
    verdicts = iter(run(_judge_batch(reward_funcs, list(dimensions), flat_prompts, flat_completions, columns)))
    return [[next(verdicts) for _ in samples] for samples in completions]


# ----------------------------------------------------------------------------------------------
# The samples file
# ----------------------------------------------------------------------------------------------

def read_samples(path: str, flag: str = "--samples_file") -> list[dict]:
    """The judged samples of a jsonl file (see the module docstring); errors name ``flag``."""
    if not path or not os.path.isfile(path):
        raise FileNotFoundError(f"{flag} {path!r}: no such file "
                                "(write one with `python -m grpo4code.training.sampling`)")
    samples = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                sample = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{flag} {path}, line {number}: not JSON ({exc})") from None
            missing = [k for k in ("problem_id", "prompt", "completion", "scores", "accepted") if k not in sample]
            if missing:
                raise ValueError(f"{flag} {path}, line {number}: not a judged sample (no {missing})")
            samples.append(sample)
    return samples


def resume_output(path: str, num_samples: int) -> set[str]:
    """The problems already complete in ``path`` (all ``num_samples`` samples written).

    A run killed mid-write leaves a torn last line or a problem with too few samples; those
    lines are dropped (the file is rewritten without them) so the problem is sampled again.
    """
    if not os.path.isfile(path):
        return set()
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines(keepends=True)
    rows, torn = [], False
    for number, line in enumerate(lines, 1):
        try:
            rows.append((json.loads(line), line if line.endswith("\n") else line + "\n"))
        except json.JSONDecodeError:
            if number != len(lines):
                raise ValueError(f"{path}, line {number}: not JSON; the samples file is damaged") from None
            torn = True
    counts: dict[str, int] = {}
    for row, _ in rows:
        counts[row["problem_id"]] = counts.get(row["problem_id"], 0) + 1
    done = {pid for pid, count in counts.items() if count >= num_samples}
    if torn or len(done) != len(counts):
        print(f"[grpo4code] {path}: dropping the lines of an interrupted write "
              f"({len(counts) - len(done)} incomplete problems{', a torn last line' if torn else ''})", flush=True)
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            handle.writelines(line for row, line in rows if row["problem_id"] in done)
        os.replace(path + ".tmp", path)
    return done


def check_meta(path: str, meta: dict, overwrite: bool) -> None:
    """Start ``path`` afresh (``overwrite``), or check that resuming it keeps the same settings."""
    meta_path = path + META_SUFFIX
    if overwrite:
        for name in (path, meta_path):
            if os.path.exists(name):
                os.remove(name)
    if os.path.isfile(meta_path):
        with open(meta_path, encoding="utf-8") as handle:
            old = json.load(handle)
        changed = sorted(k for k in meta if k != "created" and old.get(k) != meta[k])
        if changed:
            raise ValueError(f"{path} was sampled with other settings ({', '.join(changed)} differ: "
                             f"{ {k: old.get(k) for k in changed} }); pass --overwrite or another --output")
        return
    if os.path.isfile(path) and os.path.getsize(path):
        raise ValueError(f"{path} exists without its {META_SUFFIX} record; pass --overwrite or another --output")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(meta_path, "w", encoding="utf-8") as handle:
        json.dump(meta, handle, indent=2)


# ----------------------------------------------------------------------------------------------
# The command line
# ----------------------------------------------------------------------------------------------

@dataclass
class SamplingConfig(GenerationSettings, RewardSettings):
    """``python -m grpo4code.training.sampling``: sample, judge, append to a jsonl file."""

    model_name_or_path: str = field(default="local:smollm2-135m-instruct", metadata={
        "help": "Model to sample from: hub name, folder, LoRA adapter folder, or the offline default."})
    base_model_name_or_path: str = field(default="", metadata={
        "help": "Base model of a LoRA adapter (default: the one its adapter_config.json names)."})
    dtype: str = field(default="auto", metadata={"help": "auto (bfloat16 on GPU, float32 on CPU), float32, bfloat16."})
    device: str = field(default="auto", metadata={"help": "auto, cpu, cuda, cuda:1 ..."})
    meta_data: str = field(default="starter", metadata={
        "help": "Problems (as train.sh's --meta_data: 'starter', a prepared split, records .jsonl, SOURCE:LOCATION)."})
    prepared_dir: Optional[str] = field(default=None, metadata={
        "help": "Folder of prepared splits; its evaluation splits join the leakage audit."})
    allow_eval_overlap: bool = field(default=False, metadata={
        "help": "Sample even if the problems overlap an evaluation split (the samples are training data)."})
    max_problems: int = field(default=0, metadata={"help": "Sample at most this many problems (0 = all)."})
    max_prompt_length: int = field(default=512, metadata={
        "help": "Problems with longer prompts (tokens) are left out."})
    system_prompt: Optional[str] = field(default=None, metadata={"help": "System prompt (default: ours)."})
    num_samples: int = field(default=4, metadata={"help": "Samples per problem."})
    output: str = field(default="", metadata={"help": "The judged samples' jsonl file (appended to; resumable)."})
    overwrite: bool = field(default=False, metadata={"help": "Start --output afresh instead of resuming it."})
    execute_code_url: list[str] = field(default_factory=list, metadata={
        "help": "Judge service URL(s). Absent: the embedded judge."})
    judge_workers: int = field(default=0, metadata={"help": "Embedded judge workers (0 = one per core)."})
    judge_time_limit_s: float = field(default=5.0, metadata={"help": "CPU seconds per judged completion."})
    reward_dimensions: list[str] = field(default_factory=lambda: list(DIMENSIONS), metadata={
        "help": f"Scores to record, from {list(DIMENSIONS)} (correctness always)."})
    torch_threads: int = field(default=0, metadata={"help": "CPU threads for torch (0 = torch's default)."})
    progress: bool = field(default=True, metadata={"help": "Show a progress bar."})

    def __post_init__(self) -> None:
        GenerationSettings.__post_init__(self)
        self.reward_dimensions = check_dimensions(self.reward_dimensions)
        if not self.output:
            raise ValueError("--output is required (the jsonl file of judged samples)")
        if self.num_samples < 1:
            raise ValueError("--num_samples must be >= 1")
        if self.greedy and self.num_samples > 1:
            raise ValueError("--temperature 0 (greedy) gives identical samples: use --num_samples 1")

    def generation_settings(self) -> GenerationSettings:
        names = [f.name for f in dataclasses.fields(GenerationSettings)]
        return GenerationSettings(**{name: getattr(self, name) for name in names})

    def judge_config(self) -> JudgeConfig:
        return JudgeConfig(execute_code_url=tuple(self.execute_code_url), workers=self.judge_workers,
                           time_limit_s=self.judge_time_limit_s)

    def meta(self, system_prompt: str) -> dict:
        """What must not change between the runs that fill one samples file."""
        generation = dataclasses.asdict(self.generation_settings())
        generation.pop("batch_size")
        return {"model_name_or_path": self.model_name_or_path, "base_model_name_or_path": self.base_model_name_or_path,
                "num_samples": self.num_samples, "generation": generation, "system_prompt": system_prompt,
                "reward_dimensions": self.reward_dimensions, "correctness_mode": self.correctness_mode,
                "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


def _chunk_seed(seed: int, problems: Sequence[Problem]) -> int:
    # A chunk's RNG depends on its problems, not on how many chunks ran before (resumes).
    return (seed + zlib.crc32("\x00".join(p.id for p in problems).encode())) % (2 ** 31)


def run_sampling(config: SamplingConfig) -> dict:
    """Sample and judge every problem of ``config`` not yet in ``config.output``; a summary."""
    from tqdm.auto import tqdm

    from grpo4code.rewards.judging import close_shared_judges
    from grpo4code.rewards.registry import build_reward_funcs
    from grpo4code.training.datasets import fitting_problems, load_training_problems

    if config.torch_threads:
        import torch

        torch.set_num_threads(config.torch_threads)
    system_prompt = SYSTEM_PROMPT if config.system_prompt is None else config.system_prompt
    problems = load_training_problems(config.meta_data, config.prepared_dir, config.allow_eval_overlap,
                                      config.max_problems)
    tokenizer = load_sampling_tokenizer(config.model_name_or_path, config.base_model_name_or_path)
    problems, dropped = fitting_problems(problems, tokenizer, config.max_prompt_length, system_prompt)
    check_meta(config.output, config.meta(system_prompt), config.overwrite)
    done = resume_output(config.output, config.num_samples)
    pending = [p for p in problems if p.id not in done]
    summary = {"output": config.output, "problems": len(problems), "resumed": len(problems) - len(pending),
               "sampled": 0, "samples": 0, "accepted": 0, "left_out_too_long": dropped}
    if not pending:
        return summary
    model = load_sampling_model(config.model_name_or_path, config.base_model_name_or_path, config.dtype, config.device)
    funcs = build_reward_funcs(config.reward_dimensions, config, config.judge_config())
    per_chunk = max(1, config.batch_size // config.num_samples)
    loop = asyncio.new_event_loop()
    try:
        with open(config.output, "a", encoding="utf-8") as handle, tqdm(
                total=len(pending), unit="problem", desc="sampling", disable=not config.progress,
                file=sys.stderr) as bar:
            for start in range(0, len(pending), per_chunk):
                chunk = pending[start: start + per_chunk]
                prompts = [problem_prompt(p, system_prompt) for p in chunk]
                settings = dataclasses.replace(config.generation_settings(), seed=_chunk_seed(config.seed, chunk))
                generations = generate(model, tokenizer, prompts, config.num_samples, settings, progress=False)
                verdicts = judge_samples(chunk, prompts, [[g.text for g in row] for row in generations], funcs,
                                         config.reward_dimensions, run=loop.run_until_complete)
                lines = []
                for problem, prompt, row, judged in zip(chunk, prompts, generations, verdicts):
                    for index, (generation, verdict) in enumerate(zip(row, judged)):
                        lines.append(json.dumps({
                            "problem_id": problem.id, "sample_index": index, "prompt": prompt,
                            "completion": generation.text, **verdict, "num_tokens": generation.num_tokens,
                            "truncated": generation.truncated}, ensure_ascii=False) + "\n")
                        summary["accepted"] += bool(verdict["accepted"])
                handle.write("".join(lines))  # one write per chunk: a kill tears at most its last line
                handle.flush()
                summary["sampled"] += len(chunk)
                summary["samples"] += len(lines)
                bar.update(len(chunk))
    finally:
        loop.close()
        close_shared_judges()
    return summary


def main(argv: Optional[list[str]] = None) -> int:
    from grpo4code.config_args import parse_config

    config = parse_config(SamplingConfig, sys.argv[1:] if argv is None else argv,
                          prog="python -m grpo4code.training.sampling")
    summary = run_sampling(config)
    share = summary["accepted"] / summary["samples"] if summary["samples"] else 0.0
    too_long = summary["left_out_too_long"]
    print(f"[grpo4code] {config.output}: sampled {summary['sampled']} problems x {config.num_samples} "
          f"({summary['accepted']}/{summary['samples']} accepted, {share:.1%}); "
          f"{summary['resumed']} problems were already there"
          + (f"; {len(too_long)} left out (prompt too long)" if too_long else ""), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
