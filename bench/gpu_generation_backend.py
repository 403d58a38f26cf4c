"""Generation backends for our GPU recipe: TRL's default (``model.generate``) against
transformers' continuous batching (``use_transformers_continuous_batching``), one GPU.

The run is bench/gpu_reward_overhead.py's (a model with Qwen2.5-Coder-1.5B's shapes and random
weights, bf16, 64 completions of exactly 512 new tokens a step) with the trivial reward, so
the step is generation plus the training pass. vLLM (``use_vllm``), the third backend, is not
installed on the GPU machines we have and its wheel (hundreds of MB) is too large to carry
there, so it is not measured. Prints the median step and generation time per backend.

    python bench/gpu_generation_backend.py [--steps 2] [--backends default,continuous_batching]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gpu_common import (build_tokenizer, grpo_config, gpu_name, median, run_variant, starter_rows,  # noqa: E402
                        summary_line, tokenizer_texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="default,continuous_batching")
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--completions", type=int, default=64)
    parser.add_argument("--max_new_tokens", type=int, default=512)
    parser.add_argument("--micro_batch", type=int, default=16)
    parser.add_argument("--json", default="")
    options = parser.parse_args()

    import torch
    from datasets import Dataset

    rows, problems = starter_rows()
    tokenizer = build_tokenizer(tokenizer_texts(problems))
    dataset = Dataset.from_list(rows)
    print(f"[bench] device: {gpu_name()}; torch {torch.__version__}", flush=True)
    results = {}
    with tempfile.TemporaryDirectory() as output_dir:
        for backend in options.backends.split(","):
            config = grpo_config(output_dir, options.completions, options.micro_batch, 8, options.max_new_tokens,
                                 options.warmup + options.steps,
                                 continuous_batching=backend == "continuous_batching")
            try:
                results[backend] = run_variant(backend, rewards="trivial", tokenizer=tokenizer, dataset=dataset,
                                               config=config, model_kwargs={}, warmup=options.warmup)
                print("[bench] " + summary_line(results[backend]), flush=True)
            except Exception as exc:  # noqa: BLE001 -- report the backend that failed, go on
                import traceback

                traceback.print_exc()
                print(f"[bench] {backend} FAILED: {type(exc).__name__}: {exc}", flush=True)
                torch.cuda.empty_cache()
    print(f"\ngeneration backends on {gpu_name()} (median seconds per GRPO step of "
          f"{options.completions} x {options.max_new_tokens} tokens)")
    for result in results.values():
        print(summary_line(result))
    print("vllm                   not measured: not installed on the GPU machine, wheel too large to carry")
    if "default" in results and "continuous_batching" in results:
        a, b = (median(results[k]["generate_s"]) for k in ("default", "continuous_batching"))
        print(f"generation time continuous_batching / default = {b / a:.3f}")
    if options.json:
        with open(options.json, "w") as handle:
            json.dump({"device": gpu_name(), "options": vars(options), "results": results}, handle, indent=1)


if __name__ == "__main__":
    main()
