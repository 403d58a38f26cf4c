"""The training entry point: parse the options, load model and data, run the chosen stage.

``bash train.sh [flags]`` runs ``accelerate launch -m grpo4code.training [flags]``. Stages:

* ``grpo`` -- :mod:`grpo4code.training.grpo` (TRL's GRPOTrainer, our rewards, the mixer);
* ``sft`` -- :mod:`grpo4code.training.sft` (reference solutions or accepted samples);
* ``dpo`` -- :mod:`grpo4code.training.dpo` (pairs built from judged samples).
"""

from __future__ import annotations

import math
import os
import sys
from typing import Optional

from grpo4code.data.prompts import SYSTEM_PROMPT


def resume_checkpoint(load_from_pretrained: str, step: int = 0) -> Optional[str]:
    """The checkpoint folder ``--load_from_pretrained`` (+ ``_step``) names, or None.

    ``load_from_pretrained`` may be a checkpoint folder itself or an output folder holding
    ``checkpoint-<step>`` folders (the latest is taken when ``step`` is 0).
    """
    if not load_from_pretrained:
        return None
    if not os.path.isdir(load_from_pretrained):
        raise FileNotFoundError(f"--load_from_pretrained {load_from_pretrained}: no such folder")
    if os.path.isfile(os.path.join(load_from_pretrained, "trainer_state.json")) and not step:
        return load_from_pretrained
    steps = sorted(int(name.split("-", 1)[1]) for name in os.listdir(load_from_pretrained)
                   if name.startswith("checkpoint-") and name.split("-", 1)[1].isdigit())
    if not steps:
        raise FileNotFoundError(f"--load_from_pretrained {load_from_pretrained}: no checkpoint-<step> folders")
    if step and step not in steps:
        raise FileNotFoundError(f"--load_from_pretrained_step {step}: {load_from_pretrained} has steps {steps}")
    return os.path.join(load_from_pretrained, f"checkpoint-{step or steps[-1]}")


def load_model(model_args):
    """The causal LM ``model_args`` names (path already resolved).

    Weights are float32 unless ``--dtype`` names another: ``--bf16`` then means mixed precision
    (bf16 autocast over float32 master weights). Pure bf16 weights (``--dtype bfloat16``) save
    memory, but updates below bf16's resolution (about 1e-4 for a weight of 0.03 at the
    learning rates GRPO uses) are lost.
    """
    import torch
    from transformers import AutoModelForCausalLM

    dtype = torch.float32 if model_args.dtype in (None, "auto") else model_args.dtype
    kwargs = {"dtype": dtype}
    if model_args.attn_implementation:
        kwargs["attn_implementation"] = model_args.attn_implementation
    return AutoModelForCausalLM.from_pretrained(model_args.model_name_or_path,
                                                revision=model_args.model_revision, **kwargs)


def main(argv: Optional[list[str]] = None) -> int:
    from grpo4code.rewards.extraction import silence_model_code_warnings
    from grpo4code.training.arguments import parse_train_args
    from grpo4code.training.datasets import fitting_problems, load_training_problems
    from grpo4code.training.model_loading import load_tokenizer, resolve_model_path

    silence_model_code_warnings()
    args, model_args, trl_args = parse_train_args(sys.argv[1:] if argv is None else argv)
    if args.torch_threads:
        import torch

        torch.set_num_threads(args.torch_threads)
    model_args.model_name_or_path = resolve_model_path(model_args.model_name_or_path)
    tokenizer = load_tokenizer(model_args.model_name_or_path)
    system_prompt = SYSTEM_PROMPT if args.system_prompt is None else args.system_prompt
    problems = load_training_problems(args.meta_data, args.prepared_dir, args.allow_eval_overlap,
                                      args.max_train_problems)
    problems, dropped = fitting_problems(problems, tokenizer, args.max_prompt_length, system_prompt)
    if dropped:
        print(f"[grpo4code] {len(dropped)} problems left out: prompt longer than {args.max_prompt_length} "
              f"tokens (e.g. {dropped[:5]})", flush=True)
    checkpoint = resume_checkpoint(args.load_from_pretrained, args.load_from_pretrained_step)
    if args.stage == "grpo":
        from grpo4code.training.grpo_run import run_grpo

        run_grpo(args, model_args, trl_args, problems, tokenizer, system_prompt, checkpoint)
    elif args.stage == "sft":
        from grpo4code.training.sft import run_sft

        run_sft(args, model_args, trl_args, problems, tokenizer, system_prompt, checkpoint)
    else:
        from grpo4code.training.dpo import run_dpo

        run_dpo(args, model_args, trl_args, problems, tokenizer, system_prompt, checkpoint)
    return 0


def finite(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)
