"""Multi-turn post-training: repair from the judge's feedback, and a Python interpreter tool.

* :mod:`~grpo4code.multiturn.feedback` -- the pure function that turns a failed, judged
  attempt into the next user turn;
* :mod:`~grpo4code.multiturn.repair_rollout` -- GRPO over repair conversations through TRL's
  ``rollout_func`` (reward on the final attempt, optional per-turn cost);
* :mod:`~grpo4code.multiturn.python_tool` -- a stateful interpreter session of the judge per
  rollout, exposed to TRL as a tool through ``environment_factory``;
* :mod:`~grpo4code.multiturn.trainer` -- the trainer that logs both and cleans up;
* :mod:`~grpo4code.multiturn.config` -- their options (``train.sh --multiturn ...``).
"""
