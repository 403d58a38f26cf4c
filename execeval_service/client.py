"""The judge over HTTP: :class:`JudgeClient`, the same ``run_batch`` as the embedded judge.

Spreads jobs over several service URLs (round robin, failing over to the next URL when one
does not answer), bounds the requests in flight, retries transport errors, 5xx answers and
jobs that came back ``SANDBOX_ERROR`` with exponential backoff, and when retries run out
returns ``SANDBOX_ERROR`` results (``could_not_score``), so rewards give ``None`` rather
than 0. A 4xx answer is the caller's bug and raises :class:`JudgeRequestError`.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from typing import Sequence

import httpx
from pydantic import BaseModel

from execeval_service.jobs import JudgeJob, JudgeResult


class JudgeRequestError(ValueError):
    """The service refused the request as malformed (4xx); its body names the field."""


class JudgeClient:
    """Async client of one or more ``execeval_service`` servers.

    ``urls``: base URLs, e.g. ``["http://10.0.0.5:5000", "http://10.0.0.6:5000"]``.
    ``max_concurrency``: requests in flight at once (across URLs).
    ``jobs_per_request``: jobs sent together to ``/api/judge_batch``.
    ``retries``: further attempts after the first; waits ``backoff_s * 2**attempt`` (with
    jitter) between them.
    """

    def __init__(self, urls: str | Sequence[str], token: str | None = None, *,
                 max_concurrency: int = 32, jobs_per_request: int = 16, timeout_s: float = 600.0,
                 retries: int = 3, backoff_s: float = 0.5):
        self.urls = [urls] if isinstance(urls, str) else list(urls)
        if not self.urls:
            raise ValueError("JudgeClient needs at least one service URL")
        self.urls = [u.rstrip("/") for u in self.urls]
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.max_concurrency, self.jobs_per_request = max_concurrency, jobs_per_request
        self.timeout_s, self.retries, self.backoff_s = timeout_s, retries, backoff_s
        self._next_url = itertools.count()
        self._loop_state: tuple | None = None  # (loop, httpx client, semaphore) of the current loop
        self._sessions = None  # HttpSessions, on first use

    def _state(self) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        # httpx clients and semaphores belong to one event loop; trainers may use several.
        loop = asyncio.get_running_loop()
        if self._loop_state is None or self._loop_state[0] is not loop:
            limits = httpx.Limits(max_connections=self.max_concurrency,
                                  max_keepalive_connections=self.max_concurrency)
            client = httpx.AsyncClient(timeout=self.timeout_s, limits=limits, headers=self.headers)
            self._loop_state = (loop, client, asyncio.Semaphore(self.max_concurrency))
        return self._loop_state[1], self._loop_state[2]

    async def run_batch(self, jobs: Sequence[JudgeJob | dict]) -> list[JudgeResult]:
        """One :class:`JudgeResult` per job, in order; never raises for infrastructure failures."""
        payloads = [j.model_dump(mode="json") if isinstance(j, JudgeJob) else JudgeJob.model_validate(j).model_dump(mode="json")
                    for j in jobs]
        chunks = [list(range(i, min(i + self.jobs_per_request, len(payloads))))
                  for i in range(0, len(payloads), self.jobs_per_request)]
        results: list[JudgeResult | None] = [None] * len(payloads)
        await asyncio.gather(*(self._run_chunk(chunk, payloads, results) for chunk in chunks))
        return results  # type: ignore[return-value]

    def run_batch_sync(self, jobs: Sequence[JudgeJob | dict]) -> list[JudgeResult]:
        """Blocking :meth:`run_batch` (not from inside a running event loop)."""
        return asyncio.run(self._run_and_close(jobs))

    async def _run_and_close(self, jobs):
        try:
            return await self.run_batch(jobs)
        finally:
            await self.aclose()

    async def _run_chunk(self, chunk: list[int], payloads: list, results: list) -> None:
        pending, last_error = list(chunk), "no attempt made"
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(self.backoff_s * (2 ** (attempt - 1)) * (0.5 + random.random()))
            try:
                answers = await self._post([payloads[i] for i in pending])
            except JudgeRequestError:
                raise
            except (httpx.HTTPError, OSError, ValueError) as exc:
                last_error = f"{type(exc).__name__}: {exc}"
                continue
            still = []
            for index, answer in zip(pending, answers):
                results[index] = answer
                if answer.could_not_score:
                    still.append(index)
                    last_error = answer.error or "SANDBOX_ERROR"
            pending = still
            if not pending:
                return
        for index in pending:
            results[index] = JudgeResult.sandbox_error(
                f"could not score after {self.retries + 1} attempts: {last_error}")

    async def _post(self, payloads: list) -> list[JudgeResult]:
        client, semaphore = self._state()
        start = next(self._next_url)
        errors = []
        async with semaphore:
            for offset in range(len(self.urls)):  # round robin, failing over to the next URL
                url = self.urls[(start + offset) % len(self.urls)]
                try:
                    response = await client.post(f"{url}/api/judge_batch", json={"jobs": payloads})
                except httpx.TransportError as exc:
                    errors.append(f"{url}: {type(exc).__name__}: {exc}")
                    continue
                if response.status_code == 200:
                    data = _BatchAnswer.model_validate_json(response.content).results
                    if len(data) != len(payloads):
                        raise ValueError(f"{url} answered {len(data)} results for {len(payloads)} jobs")
                    return data
                if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
                    raise JudgeRequestError(f"{url} refused the request ({response.status_code}): "
                                            f"{response.text[:2000]}")
                errors.append(f"{url}: HTTP {response.status_code}")
        raise httpx.TransportError("; ".join(errors) or "no service answered")

    # ---- interpreter sessions (execeval_service.session_client) -------------------------------
    @property
    def sessions(self):
        """This client's :class:`~execeval_service.session_client.HttpSessions` (created on first use)."""
        if self._sessions is None:
            from execeval_service.session_client import HttpSessions

            self._sessions = HttpSessions(self)
        return self._sessions

    async def create_session(self, limits=None):
        """Start an interpreter session on one of the servers; a SessionInfo (heartbeats begin)."""
        return await self.sessions.create(limits)

    async def run_cell(self, session_id: str, code: str):
        """Run a cell in a session; a CellResult (state persists between cells)."""
        return await self.sessions.run_cell(session_id, code)

    async def close_session(self, session_id: str) -> bool:
        """End a session; False when it had already ended."""
        return await self.sessions.close(session_id)

    async def aclose(self) -> None:
        if self._sessions is not None and self._loop_state is not None:
            await self._sessions.close_all()
        if self._loop_state is not None:
            await self._loop_state[1].aclose()
            self._loop_state = None


class _BatchAnswer(BaseModel):
    """The batch endpoint's answer, parsed and validated in one pass (``pass_ratio`` and
    ``accepted`` in each result are derived: ignored, like any unknown key)."""

    results: list[JudgeResult]
