"""The DPO stage: TRL's DPOTrainer on preference pairs of the model's own judged samples.

Pairs come from ``--dpo_pairs_file`` (``python -m grpo4code.training.dpo_pairs``), or are
built here from ``--samples_file`` with :class:`~grpo4code.training.dpo_pairs.PairSettings`'
defaults. Only pairs of the run's problems are used: those passed the leakage guard and the
prompt-length filter. The reference model is TRL's business: a frozen copy of the starting
model, or, with ``--use_peft``, the base model with the adapter switched off (no copy).
"""

from __future__ import annotations

from typing import Sequence

from grpo4code.data.schema import Problem
from grpo4code.training.datasets import as_dataset
from grpo4code.training.sft import finish_stage


def dpo_pairs(args, problems: Sequence[Problem]) -> tuple[list[dict], str]:
    """``(pairs of the training problems, where they came from)``; errors name the flags."""
    from grpo4code.training.dpo_pairs import build_pairs, format_report, read_pairs

    wanted = {p.id for p in problems}
    if args.dpo_pairs_file:
        flag, path, source = "--dpo_pairs_file", args.dpo_pairs_file, args.dpo_pairs_file
        pairs = read_pairs(path)
    elif args.samples_file:
        from grpo4code.training.sampling import read_samples

        samples = [s for s in read_samples(args.samples_file) if s["problem_id"] in wanted]
        pairs, report = build_pairs(samples)
        print(format_report(report).split("\n| problem")[0], flush=True)  # the totals, not the table
        flag, path, source = "--samples_file", args.samples_file, f"pairs built from {args.samples_file}"
    else:
        raise ValueError("--stage dpo needs preference pairs: pass --dpo_pairs_file (from "
                         "`python -m grpo4code.training.dpo_pairs`) or --samples_file (judged samples from "
                         "`python -m grpo4code.training.sampling`; pairs are built from them)")
    kept = [p for p in pairs if p["problem_id"] in wanted]
    if not kept:
        raise ValueError(f"{flag} {path}: no DPO pair for the {len(problems)} training problems "
                         f"of --meta_data {args.meta_data} ({len(pairs)} pairs in all); the samples may all pass or "
                         "all fail: sample more, or at another --temperature")
    return kept, source


def run_dpo(args, model_args, trl_args, problems, tokenizer, system_prompt, checkpoint):
    from trl import DPOTrainer, get_peft_config

    from grpo4code.training.main import load_model
    from grpo4code.training.time_budget import train_within_budget

    pairs, source = dpo_pairs(args, problems)  # before the model: a data error should be quick
    rows = [{"prompt": p["prompt"], "chosen": p["chosen"], "rejected": p["rejected"]} for p in pairs]
    trainer = DPOTrainer(model=load_model(model_args), args=trl_args, train_dataset=as_dataset(rows),
                         processing_class=tokenizer, peft_config=get_peft_config(model_args))
    loss = trl_args.loss_type if isinstance(trl_args.loss_type, str) else "+".join(trl_args.loss_type)
    reference = ("a frozen copy" if trainer.ref_model is not None else "precomputed log-probs"
                 if trl_args.precompute_ref_log_probs else "the base model (adapter off)")
    print(f"[grpo4code] DPO on {len(rows)} pairs ({source}) of {len({p['problem_id'] for p in pairs})} problems; "
          f"beta {trl_args.beta}, loss {loss}; reference: {reference}", flush=True)
    train_within_budget(trainer, args.max_train_minutes, checkpoint)
    finish_stage(trainer, "dpo", trl_args.output_dir, {"rows": len(rows), "source": source})
    return trainer
