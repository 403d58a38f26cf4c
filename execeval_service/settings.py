"""Settings of the judge engine and the server: declared fields with help text, one place.

``python -m execeval_service --help`` is generated from these fields.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

ISOLATION_CHOICES = ("auto", "bwrap", "none")


@dataclass
class EngineSettings:
    """The warm worker pool and the ceilings every job's limits are clamped to."""

    workers: int = field(default=0, metadata={"help": "Warm worker processes; 0 means one per CPU core."})
    isolation: str = field(default="auto", metadata={"help": "Sandbox level: auto (bwrap if it works, "
                           "else refuse unless --allow-unisolated), bwrap, or none."})
    allow_unisolated: bool = field(default=False, metadata={"help": "Allow running without bubblewrap "
                                   "(no network or file-system isolation; see the threat model)."})
    uid_base: int = field(default=61000, metadata={"help": "Worker i runs its programs as uid/gid uid_base+i."})
    tmpfs_mb: int = field(default=256, metadata={"help": "Size of each worker's private /tmp (bwrap)."})
    max_time_limit_s: float = field(default=60.0, metadata={"help": "Ceiling for a job's time_limit_s."})
    max_memory_limit_mb: int = field(default=4096, metadata={"help": "Ceiling for a job's memory_limit_mb."})
    max_processes: int = field(default=64, metadata={"help": "Ceiling for a job's max_processes."})
    max_file_size_mb: int = field(default=64, metadata={"help": "Ceiling for a job's max_file_size_mb."})
    max_tests_per_job: int = field(default=5000, metadata={"help": "Most counted tests in one job."})
    report_chars: int = field(default=2000, metadata={"help": "Reported stdout/stderr/values are truncated to this."})
    cost_time_factor: float = field(default=30.0, metadata={"help": "Time-limit multiplier for the "
                                    "instrumented bytecode-counting run."})
    hardware_counters: bool = field(default=True, metadata={"help": "Use hardware instruction counters "
                                    "for cost where the machine has them."})
    worker_start_timeout_s: float = field(default=60.0, metadata={"help": "How long a worker may take to start."})
    job_slack_s: float = field(default=30.0, metadata={"help": "Extra seconds beyond a job's own limits "
                               "before its worker is declared stuck and restarted."})

    def __post_init__(self) -> None:
        if self.isolation not in ISOLATION_CHOICES:
            raise ValueError(f"isolation must be one of {ISOLATION_CHOICES}, not {self.isolation!r}")
        if self.workers < 0:
            raise ValueError("workers must be >= 0 (0 = one per CPU core)")
        if not 1000 <= self.uid_base <= 2**31 - 10000:
            raise ValueError("uid_base must be an unprivileged uid range start (1000 .. 2**31-10000)")
        if self.workers == 0:
            self.workers = len(os.sched_getaffinity(0)) or 1


@dataclass
class ServerSettings:
    """The HTTP service around the engine."""

    host: str = field(default="127.0.0.1", metadata={"help": "Address to listen on (loopback by default)."})
    port: int = field(default=5000, metadata={"help": "Port to listen on."})
    token: str = field(default="", metadata={"help": "Bearer token required on every endpoint but /health "
                       "(default: none; also read from EXECEVAL_TOKEN by the command line)."})
    max_request_mb: float = field(default=64.0, metadata={"help": "Largest accepted request body."})
    max_jobs_per_request: int = field(default=4096, metadata={"help": "Most jobs in one batch request."})
    log_level: str = field(default="warning", metadata={"help": "uvicorn log level."})


def settings_help(cls) -> dict:
    """``{field name: help text}``, for the command line and the docs."""
    return {f.name: f.metadata.get("help", "") for f in fields(cls)}
