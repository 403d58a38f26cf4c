"""GRPO on several GPUs of one host under accelerate (DDP or FSDP2), against one GPU.

The run of bench/gpu_reward_overhead.py with the full reward stack: a model with Qwen2.5-Coder-1.5B's shapes and random weights, bf16, 64 completions of 512
tokens per optimizer step in all (split over the ranks), the RewardWeightNet mixer. After the
run every rank reports its mixer weights; rank 0 prints them per rank, checks that they are
identical, and prints the throughput (completions per second, median step).

    python bench/gpu_two_gpu.py                                           # one GPU, the baseline
    accelerate launch --config_file recipes/accelerate/ddp.yaml bench/gpu_two_gpu.py --tag ddp
    accelerate launch --config_file recipes/accelerate/fsdp.yaml bench/gpu_two_gpu.py --tag fsdp
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
    parser.add_argument("--tag", default="one_gpu")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--completions", type=int, default=64, help="Per optimizer step, all ranks together.")
    parser.add_argument("--max_new_tokens", type=int, default=512)
    parser.add_argument("--micro_batch", type=int, default=16)
    parser.add_argument("--judge_workers", type=int, default=0,
                        help="Per rank; 0: the machine's cores divided by the ranks.")
    parser.add_argument("--json", default="")
    options = parser.parse_args()

    from accelerate.utils import gather_object
    from datasets import Dataset

    world = int(os.environ.get("WORLD_SIZE", "1"))
    workers = options.judge_workers or max(1, (os.cpu_count() or 2) // world)
    rows, problems = starter_rows()
    tokenizer = build_tokenizer(tokenizer_texts(problems))
    dataset = Dataset.from_list(rows)
    with tempfile.TemporaryDirectory() as output_dir:
        config = grpo_config(output_dir, options.completions, options.micro_batch, 8, options.max_new_tokens,
                             options.warmup + options.steps)
        result = run_variant(options.tag, rewards="full", tokenizer=tokenizer, dataset=dataset, config=config,
                             model_kwargs={}, judge_workers=workers, warmup=options.warmup)
    results = gather_object([result]) if world > 1 else [result]
    from grpo4code.rewards.judging import close_shared_judges

    close_shared_judges()
    if int(os.environ.get("RANK", "0")) != 0:
        return
    print(f"\n{options.tag}: {world} x {gpu_name()}, {options.completions} completions x {options.max_new_tokens} "
          f"tokens per step, judge workers per rank {workers}")
    for r in sorted(results, key=lambda r: r["rank"]):
        weights = ", ".join(f"{n}={w:.6f}" for n, w in zip(r["reward_names"], r["mixer_weights"]))
        print(f"rank {r['rank']}: {summary_line(r)}\n  mixer weights: {weights}")
    same = all(r["mixer_weights"] == results[0]["mixer_weights"] for r in results)
    print(f"mixer weights identical on all ranks: {same}")
    step = max(median(r["step_s"]) for r in results)
    print(f"throughput {options.tag}: {options.completions / step:.2f} completions/s (median step {step:.2f} s)")
    if options.json:
        with open(options.json, "w") as handle:
            json.dump({"device": gpu_name(), "world": world, "options": vars(options), "results": results},
                      handle, indent=1)


if __name__ == "__main__":
    main()
