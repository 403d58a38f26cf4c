"""GRPO step time with our full reward stack over the step time with a trivial reward, one GPU.

The run: a model with Qwen2.5-Coder-1.5B's shapes and random weights, bf16, 64 completions of
exactly 512 new tokens a step (8 starter problems x 8 generations; micro-batches of 16, one
optimizer step per generation batch), TRL's regular generation. Variants, one after another
in this process:

* ``trivial`` -- one reward that costs nothing, fixed weight;
* ``full`` -- every dimension (correctness, efficiency, comments, maintainability, format) on
  the shared embedded judge, mixed by the RewardWeightNet, built as ``grpo_run.py`` builds
  them.

The rewards see realistic completions for their rows' problems (bench/gpu_common.py says
why and how). The first step of each variant (judge start, reference costs, CUDA warm-up) is
left out. Prints one line per variant, the ratio of the median step times, and the reward
time's share of the trivial step (the direct measure: the GPU work of the two runs is the
same, and their generation time varies from step to step by more than the rewards take).

    python bench/gpu_reward_overhead.py [--steps 3] [--variants trivial,full]
    python bench/gpu_reward_overhead.py --tiny     # a CPU smoke test with a tiny model
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

TINY = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
            intermediate_size=128, vocab_size=4096)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", default="trivial,full")
    parser.add_argument("--steps", type=int, default=3, help="Timed steps per variant (after --warmup).")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--completions", type=int, default=64)
    parser.add_argument("--num_generations", type=int, default=8)
    parser.add_argument("--max_new_tokens", type=int, default=512)
    parser.add_argument("--micro_batch", type=int, default=16)
    parser.add_argument("--judge_workers", type=int, default=0, help="0: one per core (the recipes' setting).")
    parser.add_argument("--json", default="", help="Write every figure here.")
    parser.add_argument("--tiny", action="store_true", help="CPU smoke test: tiny model, few short completions.")
    options = parser.parse_args()
    if options.tiny:
        options.completions, options.max_new_tokens, options.micro_batch = 16, 24, 8
        options.num_generations, options.judge_workers = 4, 2

    import torch
    from datasets import Dataset

    rows, problems = starter_rows()
    tokenizer = build_tokenizer(tokenizer_texts(problems))
    dataset = Dataset.from_list(rows)
    model_kwargs = dict(TINY, dtype=torch.float32, device="cpu") if options.tiny else {}
    print(f"[bench] device: {gpu_name()}; torch {torch.__version__}; {os.cpu_count()} CPU cores; "
          f"{options.completions} completions x {options.max_new_tokens} tokens a step", flush=True)
    results = {}
    with tempfile.TemporaryDirectory() as output_dir:
        for variant in options.variants.split(","):
            config = grpo_config(output_dir, options.completions, options.micro_batch, options.num_generations,
                                 options.max_new_tokens, options.warmup + options.steps)
            result = run_variant(variant, rewards="trivial" if variant == "trivial" else "full",
                                 tokenizer=tokenizer, dataset=dataset, config=config, model_kwargs=model_kwargs,
                                 judge_workers=options.judge_workers, warmup=options.warmup)
            results[variant] = result
            print("[bench] " + summary_line(result), flush=True)
            if options.json:  # after each variant, so a run cut short keeps what it measured
                with open(options.json, "w") as handle:
                    json.dump({"device": gpu_name(), "options": vars(options), "results": results}, handle, indent=1)
    from grpo4code.rewards.judging import close_shared_judges

    close_shared_judges()
    print(f"\nreward overhead on {gpu_name()} (median step time / trivial's; target <= 1.05)")
    for name, result in results.items():
        print(summary_line(result))
    base = median(results["trivial"]["step_s"]) if "trivial" in results else None
    for name, result in results.items():
        if base and name != "trivial":
            print(f"ratio {name} / trivial = {median(result['step_s']) / base:.3f} (median step times)")
            print(f"direct: (trivial step + {name} reward time) / trivial step = "
                  f"{(base + median(result['rewards_s'])) / base:.3f}")


if __name__ == "__main__":
    main()
