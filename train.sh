#!/usr/bin/env bash
# bash train.sh [flags]
#
# The main job: SFT, DPO or GRPO (--stage) of a code model with verifiable rewards, through
# `accelerate launch -m grpo4code.training`. Set-up first (a venv in .venv with this
# package; quick when done).
#
# Options: dataclass defaults < --config recipe.yaml < flags; `bash train.sh --help` lists
# them all (ours, TRL's model options and the stage's TRL config). Without --config the
# default recipe applies: recipes/grpo/default_cpu.yaml on a machine without a GPU (the
# offline SmolLM2-135M-Instruct, starter problems, embedded judge, about 10 minutes on 2
# cores), recipes/grpo/default_gpu.yaml with one.
#
# Environment: ACCELERATE_CONFIG (e.g. recipes/accelerate/ddp.yaml; default: one process),
# GRPO4CODE_VENV / GRPO4CODE_PYTHON (see scripts/bootstrap.sh).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
bootstrap_env ""

args=("$@")
if [[ " $* " != *" --config "* && " $* " != *" --help "* && " $* " != *" -h "* ]]; then
  if python -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    recipe=recipes/grpo/default_gpu.yaml
  else
    recipe=recipes/grpo/default_cpu.yaml
  fi
  echo "[grpo4code] no --config given: using $recipe" >&2
  args=(--config "$recipe" "$@")
fi

launch=(accelerate launch)
if [[ -n "${ACCELERATE_CONFIG:-}" ]]; then
  launch+=(--config_file "$ACCELERATE_CONFIG")
else
  launch+=(--num_processes 1 --num_machines 1 --mixed_precision no --dynamo_backend no)
fi
exec "${launch[@]}" -m grpo4code.training "${args[@]}"
