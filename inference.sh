#!/usr/bin/env bash
# bash inference.sh [flags]
#
# Generation for evaluation (HF transformers, vLLM, or an OpenAI-compatible API) is tracked
# in issue #6. Until it lands this script does the set-up only and says so.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
bootstrap_env ""
echo "[grpo4code] set-up done; sample generation (issue #6) is not in this version yet." >&2
exit 3
