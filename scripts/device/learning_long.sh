#!/usr/bin/env bash
# The long GPU learning run (recipes/grpo/learning_gpu_long.yaml) on a leased machine (the `run`
# tool), whose calls last at most 10 minutes. Every call begins with
#   source scripts/device/stage_env.sh;
# then one of:
#   bash scripts/device/learning_long.sh detach [FLAGS]   # start the whole run in its own session
#   bash scripts/device/learning_long.sh wait              # follow it (repeat until it says done)
#   bash scripts/device/learning_long.sh MINUTES [FLAGS]   # or: train MINUTES, pause, go on next call
# `detach` starts bench/learning.py in a new process session, so it runs on between calls while
# the machine stays warm (the next call must come within its warm time): no reload, no second
# evaluation of the starting model. `wait` prints the run's new console lines for up to
# WAIT_SECONDS (default 540) and returns at once when it ends. The MINUTES form pauses with a
# checkpoint instead (--max_train_minutes) and costs a model load per call, but a lost machine
# loses nothing already saved off it. FLAGS go to bench/learning.py and the trainer (e.g.
# --max_steps 60). Everything lives in $LEARNING_FOLDER (default /tmp/learning-long; an
# eval_before/ copied there beforehand is reused when its settings match); the report, the logs
# and a tarball of the evaluations are copied to $OUT after every call.
set -uo pipefail
folder=${LEARNING_FOLDER:-/tmp/learning-long}
out=${OUT:-/tmp/out}
mkdir -p "$folder" "$out"
learning_flags=(--recipe recipes/grpo/learning_gpu_long.yaml --output_dir "$folder" --eval_num_samples 8
  --eval_batch_size 128 --eval_train_problems 16 --eval_also humaneval:test --eval_max_new_tokens 512)
quiet() { grep --line-buffered -v -E "it/s\]|s/it\]|problem/s\]|FutureWarning|warnings.warn\($|^\s+warnings.warn"; }

collect() {
  cp "$folder"/learning.{md,json,png} "$folder"/train_parts.json "$folder"/console.log "$out/" 2>/dev/null
  ls -d "$folder"/train/checkpoint-*/ 2>/dev/null
  cat "$folder"/train/PAUSED.json 2>/dev/null
  if [ -f "$folder/learning.json" ]; then
    (cd "$folder" && tar czf "$out/evals.tgz" eval_before eval_after train/checkpoint-*/trainer_state.json \
      train/*.json train*.log)
  fi
}

follow() {  # print the detached run's new lines until it ends or the call's time is nearly up
  local deadline=$((SECONDS + ${WAIT_SECONDS:-540})) seen=0 lines
  [ -f "$folder/seen_lines" ] && seen=$(cat "$folder/seen_lines")
  while :; do
    lines=$(wc -l < "$folder/console.log")
    if [ "$lines" -gt "$seen" ]; then sed -n "$((seen + 1)),${lines}p" "$folder/console.log" | quiet; seen=$lines; fi
    echo "$seen" > "$folder/seen_lines"
    if [ -f "$folder/exit_code" ]; then echo "[device] done: exit code $(cat "$folder/exit_code")"; collect; return 0; fi
    if ! pgrep -f "bench/learning.py" >/dev/null; then echo "[device] the run is gone (no exit code)"; collect; return 1; fi
    [ "$SECONDS" -ge "$deadline" ] && { echo "[device] still running: call 'wait' again within the warm time"; collect; return 0; }
    sleep 5
  done
}

case "${1:-8}" in
  detach)
    shift
    rm -f "$folder/exit_code" "$folder/seen_lines"
    setsid nohup bash -c 'python3 bench/learning.py "$@" > "'"$folder"'/console.log" 2>&1; echo $? > "'"$folder"'/exit_code"' \
      _ "${learning_flags[@]}" "$@" < /dev/null > /dev/null 2>&1 &
    sleep 2
    follow ;;
  wait)
    follow ;;
  *)
    minutes=$1
    shift
    python3 bench/learning.py "${learning_flags[@]}" --max_train_minutes "$minutes" "$@" 2>&1 | quiet \
      | tee -a "$folder/console.log"
    code=${PIPESTATUS[0]}
    collect
    exit "$code" ;;
esac
