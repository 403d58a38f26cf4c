"""Generate evaluation samples: ``python -m eval_process.generate [--config recipe.yaml] [flags]``.

For every problem of ``--dataset``/``--split`` the model answers the shared prompt
(:func:`grpo4code.data.prompts.problem_prompt`) ``--num_samples`` times; answers go to a
samples file (:mod:`eval_process.samples`). Greedy decoding (``--num_samples 1
--temperature 0``, the default) gives accepted@1; n samples with a temperature give pass@k.

Backends (``--backend``):

* ``hf`` -- transformers, batched and left-padded with the model's chat template
  (:func:`grpo4code.training.sampling.generate`); a model without a chat template gets a
  plain one (the messages' texts, one after another). The model is a hub name, a local
  checkpoint, the offline default ``local:smollm2-135m-instruct``, or a LoRA adapter folder
  (merged into its base; an adapter that does not load is an error, never the bare base).
* ``vllm`` -- vLLM's offline engine when vllm is installed; otherwise a message and the hf
  backend.
* ``openai`` -- any OpenAI-compatible chat API (:mod:`eval_process.openai_generator`).

Resumable: (task_id, sample_index) pairs already in the samples file are not generated again,
and the meta file beside it must match (``--overwrite`` starts afresh).
"""

from __future__ import annotations

import dataclasses
import gc
import os
import re
import sys
import time
import zlib
from dataclasses import dataclass, field
from typing import Optional, Sequence

from eval_process.problems import EvalProblems, ProblemSelection, load_eval_problems
from eval_process.repair import RepairSettings
from eval_process.samples import META_SUFFIX, SampleWriter, done_keys, sample_record
from grpo4code.data.prompts import SYSTEM_PROMPT, problem_prompt
from grpo4code.training.model_loading import LOCAL_SMOLLM2
from grpo4code.training.sampling import GenerationSettings

BACKENDS = ("hf", "vllm", "openai")
# For models without a chat template: the messages' texts in order, nothing added.
ADAPTER_WEIGHTS = ("adapter_model.safetensors", "adapter_model.bin")
PLAIN_CHAT_TEMPLATE = "{% for message in messages %}{{ message['content'] }}\n\n{% endfor %}"


class AdapterLoadError(RuntimeError):
    """A LoRA adapter folder that could not be loaded onto its base model."""


@dataclass
class GenerateConfig(RepairSettings, GenerationSettings, ProblemSelection):
    """``python -m eval_process.generate``: answer every problem, append to a samples file."""

    temperature: float = field(default=0.0, metadata={
        "help": "Sampling temperature; 0 = greedy decoding (accepted@1, needs --num_samples 1)."})
    model_name_or_path: str = field(default=LOCAL_SMOLLM2, metadata={
        "help": "Model: hub name, local checkpoint folder, LoRA adapter folder, the offline default "
                f"{LOCAL_SMOLLM2}, or (--backend openai) the API's model name."})
    base_model_name_or_path: str = field(default="", metadata={
        "help": "Base model of a LoRA adapter (default: the one its adapter_config.json names)."})
    backend: str = field(default="hf", metadata={"help": f"Generation backend: {', '.join(BACKENDS)}."})
    num_samples: int = field(default=1, metadata={"help": "Samples per problem (n of pass@k)."})
    dtype: str = field(default="auto", metadata={"help": "auto (bfloat16 on GPU, float32 on CPU), float32, bfloat16."})
    device: str = field(default="auto", metadata={"help": "auto, cpu, cuda, cuda:1 ... (hf backend)."})
    torch_threads: int = field(default=0, metadata={
        "help": "CPU threads for torch (0 = torch's default; set it on shared machines)."})
    system_prompt: Optional[str] = field(default=None, metadata={
        "help": "System prompt (default: grpo4code.data.prompts.SYSTEM_PROMPT; '' for none)."})
    output_dir: str = field(default="", metadata={
        "help": "Run folder (default: outputs/eval/<model>/<dataset>-<split>); samples go to "
                "<output_dir>/samples.jsonl."})
    samples_file: str = field(default="", metadata={"help": "Samples file (default: <output_dir>/samples.jsonl)."})
    overwrite: bool = field(default=False, metadata={"help": "Start the samples file afresh instead of resuming it."})
    progress: bool = field(default=True, metadata={"help": "Show progress bars."})
    api_base_url: str = field(default="", metadata={
        "help": "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 (--backend openai)."})
    api_key_env: str = field(default="OPENAI_API_KEY", metadata={
        "help": "Environment variable holding the API key (--backend openai)."})
    api_max_concurrency: int = field(default=8, metadata={"help": "Requests in flight (--backend openai)."})
    api_max_retries: int = field(default=6, metadata={
        "help": "Retries of a rate-limited (429), 5xx or transport-failed request, with exponential backoff."})
    api_backoff_s: float = field(default=1.0, metadata={
        "help": "First retry delay (seconds); doubles each retry, capped at 60 s."})
    api_timeout_s: float = field(default=300.0, metadata={"help": "Timeout of one API request (seconds)."})
    vllm_gpu_memory_utilization: float = field(default=0.85, metadata={
        "help": "Share of GPU memory vLLM may take (--backend vllm)."})
    vllm_tensor_parallel_size: int = field(default=1, metadata={"help": "GPUs per vLLM engine (--backend vllm)."})

    def __post_init__(self) -> None:
        GenerationSettings.__post_init__(self)
        RepairSettings.__post_init__(self)
        if self.backend not in BACKENDS:
            raise ValueError(f"--backend {self.backend!r}: choose one of {BACKENDS}")
        if self.num_samples < 1:
            raise ValueError("--num_samples must be >= 1")
        if self.greedy and self.num_samples > 1:
            raise ValueError(f"--temperature 0 is greedy decoding: {self.num_samples} samples would be identical; "
                             "use --num_samples 1, or a temperature > 0 for pass@k")
        if self.repair_turns and self.backend != "hf":
            raise ValueError(f"--repair_turns is implemented for --backend hf (not {self.backend!r})")
        if self.backend == "openai" and not self.api_base_url:
            raise ValueError("--backend openai needs --api_base_url (e.g. http://127.0.0.1:8000/v1)")

    @property
    def prompt_system(self) -> str:
        return SYSTEM_PROMPT if self.system_prompt is None else self.system_prompt

    def generation_settings(self) -> GenerationSettings:
        names = [f.name for f in dataclasses.fields(GenerationSettings)]
        return GenerationSettings(**{name: getattr(self, name) for name in names})

    def run_dir(self) -> str:
        if self.output_dir:
            return self.output_dir
        split = self.resolved_split() or "all"
        return os.path.join("outputs", "eval", model_slug(self.model_name_or_path), f"{self.dataset}-{split}")

    def samples_path(self) -> str:
        return self.samples_file or os.path.join(self.run_dir(), "samples.jsonl")

    def meta(self, problems: EvalProblems) -> dict:
        """What must stay the same for every run that fills one samples file."""
        generation = dataclasses.asdict(self.generation_settings())
        generation.pop("batch_size")
        repair = {"repair": self.repair_meta()} if self.repair_turns else {}  # single-turn metas stay as they were
        return {**repair, "model_name_or_path": self.model_name_or_path, "base_model_name_or_path": self.base_model_name_or_path,
                "backend": self.backend, "num_samples": self.num_samples, "generation": generation,
                "greedy": self.greedy, "system_prompt": self.prompt_system, "dataset": problems.dataset,
                "split": problems.split, "location": problems.location, "dataset_hash": problems.dataset_hash,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def model_slug(name_or_path: str) -> str:
    """A folder name for a model: the default's short name, a path's last part, org--name for hub ids."""
    if name_or_path in ("", LOCAL_SMOLLM2):
        return "smollm2-135m-instruct"
    if os.path.isdir(name_or_path):
        return os.path.basename(os.path.normpath(name_or_path))
    return re.sub(r"[^A-Za-z0-9_.-]+", "--", name_or_path).strip("-")


def chunk_seed(seed: int, problem_ids: Sequence[str]) -> int:
    """A chunk's sampling seed depends on its problems, not on how many chunks ran before."""
    return (seed + zlib.crc32("\x00".join(problem_ids).encode())) % (2 ** 31)


def pending_work(problems, num_samples: int, done: set) -> list[tuple]:
    """``(problem, missing sample indices)`` for every problem not complete in the file."""
    work = []
    for problem in problems:
        missing = [i for i in range(num_samples) if (problem.id, i) not in done]
        if missing:
            work.append((problem, missing))
    return work


# ----------------------------------------------------------------------------------------------
# hf backend
# ----------------------------------------------------------------------------------------------

def ensure_chat_template(tokenizer) -> bool:
    """Give a tokenizer without a chat template the plain one; True when it had its own."""
    if getattr(tokenizer, "chat_template", None):
        return True
    print("[eval] the model has no chat template: prompts are the plain message texts", file=sys.stderr, flush=True)
    tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
    return False


def load_generation_model(config: GenerateConfig):
    """(model, tokenizer) for the hf backend. A LoRA adapter folder that does not load onto
    its base (missing or broken weights, another base's shapes or layers) raises
    :class:`AdapterLoadError` naming both."""
    from grpo4code.training.model_loading import resolve_model_path
    from grpo4code.training.sampling import (adapter_base, is_adapter_folder, load_sampling_model,
                                             load_sampling_tokenizer)

    path = resolve_model_path(config.model_name_or_path)
    if is_adapter_folder(path):
        base = config.base_model_name_or_path or "(its adapter_config.json's base)"
        if not any(os.path.isfile(os.path.join(path, name)) for name in ADAPTER_WEIGHTS):
            raise AdapterLoadError(f"{path} holds adapter_config.json but no adapter weights "
                                   f"({' or '.join(ADAPTER_WEIGHTS)}): an incomplete or broken adapter folder")
        try:
            base = adapter_base(path, config.base_model_name_or_path)
            model = load_sampling_model(path, config.base_model_name_or_path, config.dtype, config.device)
            tokenizer = load_sampling_tokenizer(path, config.base_model_name_or_path)
        except Exception as exc:
            raise AdapterLoadError(f"{path} holds a LoRA adapter (adapter_config.json) that does not load onto "
                                   f"the base model {base}: {type(exc).__name__}: {exc}") from exc
    else:
        model = load_sampling_model(path, "", config.dtype, config.device)
        tokenizer = load_sampling_tokenizer(path)
    return model, tokenizer


def generate_hf(config: GenerateConfig, work: list[tuple], emit, model=None, tokenizer=None) -> None:
    """Answer ``work`` with transformers, ``batch_size`` sequences at a time; ``emit(problem,
    index, text, num_tokens, truncated, gen_seconds)`` per missing sample, after each chunk."""
    from tqdm.auto import tqdm

    from grpo4code.training.sampling import generate

    if config.torch_threads:
        import torch

        torch.set_num_threads(config.torch_threads)
    if model is None:
        model, tokenizer = load_generation_model(config)
    ensure_chat_template(tokenizer)
    per_chunk = max(1, config.batch_size // config.num_samples)
    with tqdm(total=len(work), unit="problem", desc="generating", disable=not config.progress,
              file=sys.stderr) as bar:
        for start in range(0, len(work), per_chunk):
            chunk = work[start: start + per_chunk]
            prompts = [problem_prompt(problem, config.prompt_system) for problem, _ in chunk]
            settings = dataclasses.replace(config.generation_settings(),
                                           seed=chunk_seed(config.seed, [p.id for p, _ in chunk]))
            started = time.perf_counter()
            rows = generate(model, tokenizer, prompts, config.num_samples, settings, progress=False)
            share = (time.perf_counter() - started) / (len(chunk) * config.num_samples)
            for (problem, missing), row in zip(chunk, rows):
                for index in missing:
                    g = row[index]
                    emit(problem, index, g.text, g.num_tokens, g.truncated, share)
            bar.update(len(chunk))


# ----------------------------------------------------------------------------------------------
# vllm backend
# ----------------------------------------------------------------------------------------------

def vllm_available() -> bool:
    try:
        import vllm  # noqa: F401
    except ImportError:
        return False
    return True


def generate_vllm(config: GenerateConfig, work: list[tuple], emit) -> None:
    """Answer ``work`` with vLLM's offline engine (an adapter is merged into a temporary
    checkpoint first). The CPU tests check this glue against a stand-in with vLLM's API
    (``LLM(...).chat(messages=..., sampling_params=...)``), not against vLLM itself."""
    import tempfile

    from vllm import LLM, SamplingParams

    from grpo4code.training.model_loading import resolve_model_path
    from grpo4code.training.sampling import is_adapter_folder

    path = resolve_model_path(config.model_name_or_path)
    merged_dir = None
    if is_adapter_folder(path):
        model, tokenizer = load_generation_model(dataclasses.replace(config, device="cpu", dtype="float32"))
        merged_dir = tempfile.mkdtemp(prefix="grpo4code-merged-")
        model.save_pretrained(merged_dir)
        tokenizer.save_pretrained(merged_dir)
        path = merged_dir
        del model
        gc.collect()
    dtype = "auto" if config.dtype == "auto" else config.dtype
    llm = LLM(model=path, dtype=dtype, seed=config.seed, tensor_parallel_size=config.vllm_tensor_parallel_size,
              gpu_memory_utilization=config.vllm_gpu_memory_utilization)
    params = SamplingParams(n=config.num_samples, temperature=config.temperature, top_p=config.top_p,
                            top_k=config.top_k or -1, max_tokens=config.max_new_tokens, seed=config.seed)
    chunk_size = 512  # problems per engine call: writes land in the file as chunks finish
    for start in range(0, len(work), chunk_size):
        chunk = work[start: start + chunk_size]
        prompts = [problem_prompt(problem, config.prompt_system) for problem, _ in chunk]
        started = time.perf_counter()
        outputs = llm.chat(messages=prompts, sampling_params=params, use_tqdm=config.progress)
        share = (time.perf_counter() - started) / (len(chunk) * config.num_samples)
        for (problem, missing), output in zip(chunk, outputs):
            for index in missing:
                sample = output.outputs[index]
                emit(problem, index, sample.text, len(sample.token_ids), sample.finish_reason == "length", share)


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------

def run_generate(config: GenerateConfig, model=None, tokenizer=None, judge_config=None) -> dict:
    """Fill ``config.samples_path()``; returns a summary (path, counts, backend used).

    ``judge_config`` (a :class:`grpo4code.rewards.judging.JudgeConfig`) judges the attempts of
    ``--repair_turns``; default: the embedded judge with its default limits.
    """
    from grpo4code.training.sampling import check_meta

    problems = load_eval_problems(config)
    path = config.samples_path()
    backend = config.backend
    if backend == "vllm" and not vllm_available():
        print("[eval] --backend vllm: vllm is not installed here (pip install -e '.[vllm]' on a GPU machine); "
              "generating with the hf backend instead", file=sys.stderr, flush=True)
        backend = "hf"
        config = dataclasses.replace(config, backend="hf")
    try:
        check_meta(path, config.meta(problems), config.overwrite)
    except ValueError as exc:  # its advice names the sampling command's flags; say ours
        raise ValueError(f"{exc} [here: --overwrite true, or another --output_dir / --samples_file]") from None
    work = pending_work(problems.problems, config.num_samples, done_keys(path))
    summary = {"samples_file": path, "meta_file": path + META_SUFFIX, "backend": backend,
               "problems": len(problems.problems), "pending_problems": len(work),
               "dataset_hash": problems.dataset_hash, "written": 0}
    if not work:
        print(f"[eval] {path}: every sample is already there", file=sys.stderr, flush=True)
        return summary
    label = config.model_name_or_path
    with SampleWriter(path) as writer:
        def emit(problem, index, text, num_tokens, truncated, gen_seconds, **extra):
            writer.write([sample_record(problem, index, text, num_tokens=num_tokens, truncated=truncated,
                                        gen_seconds=gen_seconds, model=label, dataset=problems.dataset,
                                        split=problems.split, backend=backend, **extra)])

        if backend == "openai":
            from eval_process.openai_generator import OpenAISettings, generate_openai

            settings = OpenAISettings(base_url=config.api_base_url, model=config.model_name_or_path,
                                      api_key_env=config.api_key_env, max_concurrency=config.api_max_concurrency,
                                      max_retries=config.api_max_retries, backoff_s=config.api_backoff_s,
                                      timeout_s=config.api_timeout_s)
            failures = generate_openai(work, config.prompt_system, config.generation_settings(), settings, emit,
                                       progress=config.progress)
            summary["failed"] = failures
        elif backend == "vllm":
            generate_vllm(config, work, emit)
        elif config.repair_turns:
            from eval_process.repair import generate_repair_hf
            from grpo4code.rewards.judging import JudgeConfig

            generate_repair_hf(config, work, emit, judge_config or JudgeConfig(), model, tokenizer)
        else:
            generate_hf(config, work, emit, model, tokenizer)
        summary["written"] = writer.written
    if summary.get("failed"):
        raise RuntimeError(f"{len(summary['failed'])} requests failed after retries (e.g. {summary['failed'][:3]}); "
                           f"the {summary['written']} samples that came back are in {path}: run again to resume")
    return summary


def main(argv: Optional[list[str]] = None) -> int:
    from grpo4code.config_args import parse_config

    config = parse_config(GenerateConfig, sys.argv[1:] if argv is None else argv,
                          prog="python -m eval_process.generate")
    summary = run_generate(config)
    print(f"[eval] {summary['samples_file']}: {summary['written']} samples written "
          f"({summary['problems'] - summary['pending_problems']} of {summary['problems']} problems were complete)",
          flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
