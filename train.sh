#!/usr/bin/env bash
# bash train.sh [flags]
#
# The main job. Set-up first (a venv in .venv with this package, quick when done), then the
# training data is prepared and audited: the starter train problems by default, checked
# against every evaluation split (starter held-out, HumanEval, prepared eval splits) so
# training never sees an evaluation problem.
#
# The trainers (GRPO / SFT / DPO on TRL with the embedded judge) are tracked in issue #5;
# until they land this script stops after the data step with a message saying so.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
bootstrap_env ""

OUTPUT_DIR="${GRPO4CODE_OUTPUT_DIR:-outputs/default}"
python -m grpo4code.governance.cli prepare --source starter --split train --role train \
  --name starter-train --prepared_dir "$OUTPUT_DIR/prepared" "$@"

cat >&2 <<MSG
[grpo4code] set-up and data preparation done ($OUTPUT_DIR/prepared/starter-train).
[grpo4code] the trainer itself (GRPO/SFT/DPO, issue #5) is not in this version yet: stopping here.
MSG
exit 3
