"""Evaluation: generate samples, judge them, compare runs.

* :mod:`eval_process.generate` -- answers for a dataset's problems (HF transformers, vLLM or
  an OpenAI-compatible API, :mod:`eval_process.openai_generator`) into a resumable samples
  file (:mod:`eval_process.samples`);
* :mod:`eval_process.score` -- the judge's verdicts and the style rewards per sample, and
  the metrics of :mod:`eval_process.metrics` (accepted@1, unbiased pass@k, pass ratio,
  verdicts, efficiency, cost), resumable by content hash;
* :mod:`eval_process.analysis` -- a markdown + HTML report comparing score runs;
* ``python -m eval_process`` (what ``bash inference.sh`` runs) -- generate, then score.
"""
