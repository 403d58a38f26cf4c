#!/usr/bin/env bash
# The test command: sets up .venv (quick when done) and runs the test suite.
#   bash test.sh               # everything
#   bash test.sh -k leakage    # extra arguments go to pytest
# Tests on the shared LeetCodeDataset files need GRPO4CODE_LEETCODE_DIR (`.ci/run` sets it);
# unset, they skip with a reason; set to a folder without the files, they fail.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
bootstrap_env dev
exec python -m pytest -q "$@"
