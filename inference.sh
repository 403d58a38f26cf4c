#!/usr/bin/env bash
# bash inference.sh [--config recipes/eval/RECIPE.yaml] [flags]
#
# Evaluation: set-up (a venv in .venv, quick when done), then `python -m eval_process`, which
# generates samples for every problem of a dataset, scores them with the judge and prints the
# summary table. Both steps resume: samples and verdicts already on disk are reused.
#
# Options: dataclass defaults < --config recipe.yaml < flags; `bash inference.sh --help` lists
# them all. Without flags: the offline SmolLM2-135M-Instruct, greedy, on the starter held-out
# problems, embedded judge. The main ones:
#   --config FILE               a recipe (recipes/eval/*.yaml)
#   --model_name_or_path M      hub name, checkpoint folder, LoRA adapter folder, or
#                               local:smollm2-135m-instruct (default); the API's model name
#                               with --backend openai
#   --base_model_name_or_path   base of a LoRA adapter (default: its adapter_config.json's)
#   --backend hf|vllm|openai    transformers (default); vLLM offline (falls back to hf with a
#                               message when vllm is missing); an OpenAI-compatible API
#   --api_base_url URL          with --backend openai; key from $OPENAI_API_KEY
#                               (--api_key_env names another variable), --api_max_concurrency,
#                               --api_max_retries
#   --dataset D --split S --location L
#                               starter|humaneval|leetcode|records|... (default: starter heldout)
#   --max_problems N            first N problems only (quick looks)
#   --num_samples N --temperature T
#                               1 and 0 (greedy: accepted@1, the default); n > 1 with T > 0
#                               for pass@k
#   --max_new_tokens N --batch_size B --torch_threads T
#   --output_dir DIR            run folder: samples.jsonl(+.meta.json), results.jsonl,
#                               metrics.json, summary.json, run_info.json
#                               (default: outputs/eval/<model>/<dataset>-<split>)
#   --overwrite                 generate afresh instead of resuming
#   --execute_code_url URL ...  judge service(s) instead of the embedded judge
#   --judge_time_limit_s S --judge_workers N --style_metrics efficiency comments maintainability|none
#   --ks 1 5 10                 k of pass@k
#   --repair_turns N            after a failed attempt, the judge's feedback goes back to the model,
#                               up to N more turns (hf backend); score prints accepted@1 per turn
#                               and the recovery rate
#
# Compare runs afterwards: python -m eval_process.analysis --runs DIR_A DIR_B --output_dir DIR
#
# Environment: GRPO4CODE_VENV / GRPO4CODE_PYTHON (see scripts/bootstrap.sh), the API key
# variable of --api_key_env, EXECEVAL_TOKEN for a judge service.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
bootstrap_env ""
exec python -m eval_process "$@"
