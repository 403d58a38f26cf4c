"""Start a real judge server on loopback, for tests and benchmarks.

    with JudgeServer(workers=2) as server:
        client = JudgeClient(server.url)

The server runs as ``python -m execeval_service`` in a subprocess on a free port, exactly as
users run it; :meth:`JudgeServer.stop` ends it and its workers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time

import httpx

from execeval_service.sessions import processes_of_uids  # noqa: F401  (re-exported for the tests)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class JudgeServer:
    """``python -m execeval_service`` on 127.0.0.1 and a free port."""

    def __init__(self, workers: int = 2, token: str = "", extra_args: tuple = (),
                 env: dict | None = None, start_timeout_s: float = 60.0):
        self.workers, self.token, self.extra_args = workers, token, tuple(extra_args)
        self.env, self.start_timeout_s = env or {}, start_timeout_s
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def start(self) -> "JudgeServer":
        env = dict(os.environ, **self.env)
        if self.token:
            env["EXECEVAL_TOKEN"] = self.token
        argv = [sys.executable, "-m", "execeval_service", "--host", "127.0.0.1",
                "--port", str(self.port), "--workers", str(self.workers), *self.extra_args]
        self.log = tempfile.TemporaryFile()  # not a pipe: nobody drains it while tests run
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the judge server exited {self.proc.returncode}: {self.log_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the judge server did not answer within {self.start_timeout_s}s")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log_text(self) -> str:
        """What the server wrote to stderr so far."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def __enter__(self) -> "JudgeServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def batch(server: JudgeServer, jobs: list, timeout: float = 120.0) -> list:
    """POST jobs (JudgeJob or dicts) to ``/api/judge_batch``; return the result dicts."""
    payload = {"jobs": [j.model_dump(mode="json") if hasattr(j, "model_dump") else j for j in jobs]}
    response = httpx.post(f"{server.url}/api/judge_batch", json=payload, headers=server.headers,
                          timeout=timeout)
    response.raise_for_status()
    return response.json()["results"]
