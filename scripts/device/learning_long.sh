#!/usr/bin/env bash
# One call of the long GPU learning run on a leased machine (the `run` tool), repeated until done:
#   source scripts/device/stage_env.sh; bash scripts/device/learning_long.sh MINUTES
# Trains MINUTES of recipes/grpo/learning_gpu_long.yaml (the first call also evaluates the
# starting model), stops with a checkpoint, and goes on from it in the next call; the call that
# reaches the last step evaluates the trained model and writes the report. Everything lives in
# /tmp/learning-long (it survives while the machine stays warm); the report and logs are copied
# to $OUT after every call.
set -uo pipefail
minutes=${1:-8}
shift || true
folder=/tmp/learning-long
mkdir -p "$folder" "${OUT:-/tmp/out}"
python3 bench/learning.py --recipe recipes/grpo/learning_gpu_long.yaml --output_dir "$folder" \
  --max_train_minutes "$minutes" --eval_num_samples 16 --eval_batch_size 128 --eval_train_problems 16 \
  --eval_also humaneval:test --eval_max_new_tokens 512 "$@" 2>&1 | grep -v -E "it/s\]|s/it\]|problem/s\]" \
  | tee -a "${OUT:-/tmp/out}/console.log"
code=${PIPESTATUS[0]}
cp "$folder"/learning.{md,json,png} "$folder"/train_parts.json "${OUT:-/tmp/out}/" 2>/dev/null
ls "$folder"/train/checkpoint-*/ -d 2>/dev/null
cat "$folder"/train/PAUSED.json 2>/dev/null
if [ -f "$folder/learning.json" ]; then
  (cd "$folder" && tar czf "${OUT:-/tmp/out}/evals.tgz" eval_before eval_after train/checkpoint-*/trainer_state.json \
    train/*.json train*.log)
fi
exit "$code"
