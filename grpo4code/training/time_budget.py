"""Stop a training run at a wall-clock budget, with a checkpoint to resume from.

For machines lent by the hour (a cluster job's time limit, a GPU lease): ``--max_train_minutes M``
ends the run at the first optimizer step after M minutes, saves ``checkpoint-<step>`` as a
regular save would, and leaves a ``PAUSED.json`` marker in the output folder. The same command
with ``--load_from_pretrained OUTPUT_DIR`` continues at that step (model, optimizer, scheduler,
RNG and mixer state restored); a run that reaches its last step removes the marker.

Every rank takes the same decision: the elapsed time is reduced with ``max`` over the ranks, so
no rank stops while another waits in a collective.
"""

from __future__ import annotations

import json
import os
import time
from typing import Optional

from transformers import TrainerCallback

PAUSED_FILE = "PAUSED.json"


def over_budget(started: float, now: float, budget_s: float) -> bool:
    """True once ``now - started`` reaches ``budget_s`` (a budget of 0 or less never ends)."""
    return budget_s > 0 and now - started >= budget_s


class WallClockBudget(TrainerCallback):
    """Ends training (with a checkpoint) once ``budget_s`` seconds have passed since training began."""

    def __init__(self, budget_s: float, accelerator=None):
        self.budget_s = float(budget_s)
        self.accelerator = accelerator
        self.started: Optional[float] = None
        self.stopped_at_step: Optional[int] = None

    def on_train_begin(self, args, state, control, **kwargs):
        self.started = time.monotonic()

    def _all_ranks_over(self) -> bool:
        over = over_budget(self.started, time.monotonic(), self.budget_s)
        if self.accelerator is None or self.accelerator.num_processes == 1:
            return over
        import torch

        flag = torch.tensor([float(over)], device=self.accelerator.device)
        return bool(self.accelerator.reduce(flag, reduction="max").item() > 0)

    def on_step_end(self, args, state, control, **kwargs):
        if self.budget_s <= 0 or self.started is None or state.global_step >= state.max_steps:
            return control
        if self._all_ranks_over():
            control.should_save = True
            control.should_training_stop = True
            self.stopped_at_step = state.global_step
        return control


def attach_time_budget(trainer, max_train_minutes: float) -> Optional[WallClockBudget]:
    """Add a :class:`WallClockBudget` to ``trainer`` when ``max_train_minutes`` is set."""
    if max_train_minutes <= 0:
        return None
    budget = WallClockBudget(max_train_minutes * 60.0, getattr(trainer, "accelerator", None))
    trainer.add_callback(budget)
    return budget


def record_pause(budget: Optional[WallClockBudget], output_dir: str, max_steps: int, is_main: bool) -> bool:
    """Write (or clear) ``PAUSED.json`` in ``output_dir``; True when the run stopped early.

    The marker says at which step the run stopped and how to go on; a finished run removes a
    marker an earlier, paused run left.
    """
    path = os.path.join(output_dir, PAUSED_FILE)
    paused = budget is not None and budget.stopped_at_step is not None
    if not is_main:
        return paused
    if paused:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({"step": budget.stopped_at_step, "max_steps": max_steps,
                       "budget_minutes": budget.budget_s / 60.0,
                       "resume": f"--load_from_pretrained {output_dir}"}, handle, indent=2)
        print(f"[grpo4code] stopped by --max_train_minutes at step {budget.stopped_at_step} of {max_steps}; "
              f"continue with --load_from_pretrained {output_dir}", flush=True)
    elif os.path.exists(path):
        os.remove(path)
    return paused


def paused_run(output_dir: str) -> Optional[dict]:
    """The ``PAUSED.json`` a budget-stopped run left in ``output_dir``, or None."""
    path = os.path.join(output_dir, PAUSED_FILE)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def train_within_budget(trainer, max_train_minutes: float, checkpoint: Optional[str]) -> bool:
    """``trainer.train(resume_from_checkpoint=checkpoint)`` under the budget; True when it paused."""
    budget = attach_time_budget(trainer, max_train_minutes)
    trainer.train(resume_from_checkpoint=checkpoint)
    return record_pause(budget, trainer.args.output_dir, trainer.state.max_steps,
                        trainer.accelerator.is_main_process)
