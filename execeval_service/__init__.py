"""execeval_service: the judge -- a fast sandboxed execution service for untrusted Python.

One provider interface for the rest of the package::

    from execeval_service import EmbeddedJudge, JudgeClient, JudgeJob

    judge = EmbeddedJudge()                          # in-process warm workers
    judge = JudgeClient(["http://127.0.0.1:5000"])   # or the HTTP service
    results = await judge.run_batch([JudgeJob(...), ...])   # -> list[JudgeResult]

See :mod:`execeval_service.jobs` for the models, :mod:`execeval_service.sandbox` for the
threat model, and the README for running it as a server or in Docker. Names are imported
lazily so the sandboxed worker (``execeval_service.worker``) stays small and loads only the
standard library.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "JudgeJob": "execeval_service.jobs",
    "JudgeResult": "execeval_service.jobs",
    "TestResult": "execeval_service.jobs",
    "Limits": "execeval_service.jobs",
    "Verdict": "execeval_service.jobs",
    "JobStatus": "execeval_service.jobs",
    "StdioTestSpec": "execeval_service.jobs",
    "CallTestSpec": "execeval_service.jobs",
    "AssertionTestSpec": "execeval_service.jobs",
    "EmbeddedJudge": "execeval_service.embedded",
    "JobError": "execeval_service.embedded",
    "JudgeClient": "execeval_service.client",
    "EngineSettings": "execeval_service.settings",
    "ServerSettings": "execeval_service.settings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'execeval_service' has no attribute {name!r}")
