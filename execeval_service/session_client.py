"""Interpreter sessions over HTTP: the session half of :class:`execeval_service.JudgeClient`.

A session lives on the server that created it, so each session id is pinned to its URL (no
failover: the state is there). While any session is open, a background task sends
heartbeats (every third of the shortest idle timeout) so the server keeps them; when this
client goes away -- closed, crashed, killed -- the heartbeats stop and the server ends its
sessions within their idle timeout. :meth:`HttpSessions.close_all` (called by
``JudgeClient.aclose``) ends them at once.

Failures: a server that cannot be reached or answers 5xx makes :meth:`run_cell` return a
``SANDBOX_ERROR`` result and :meth:`create` raise :class:`SessionError` (after retries); a
4xx raises :class:`execeval_service.client.JudgeRequestError`.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Optional

import httpx

from execeval_service.sessions import CellResult, CellStatus, SessionError, SessionInfo, SessionLimits


class HttpSessions:
    """Session calls of one :class:`~execeval_service.client.JudgeClient` (its URLs, token, retries)."""

    def __init__(self, client):
        self.client = client
        self.urls: dict[str, str] = {}  # session id -> the server holding it
        self.idle: dict[str, float] = {}  # session id -> its idle timeout
        self._next_url = itertools.count()
        self._heartbeat: Optional[asyncio.Task] = None

    async def _request(self, method: str, url: str, **kwargs) -> httpx.Response:
        from execeval_service.client import JudgeRequestError

        http, _ = self.client._state()
        response = await http.request(method, url, **kwargs)
        if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
            raise JudgeRequestError(f"{url} refused the request ({response.status_code}): {response.text[:2000]}")
        return response

    async def create(self, limits: SessionLimits | dict | None = None) -> SessionInfo:
        """Start a session on one of the servers (round robin, failing over); raises SessionError."""
        if isinstance(limits, dict):
            limits = SessionLimits.model_validate(limits)
        body = (limits or SessionLimits()).model_dump(mode="json")
        errors = []
        start = next(self._next_url)
        for attempt in range(self.client.retries + 1):
            if attempt:
                await asyncio.sleep(self.client.backoff_s * 2 ** (attempt - 1))
            url = self.client.urls[(start + attempt) % len(self.client.urls)]
            try:
                response = await self._request("POST", f"{url}/api/sessions", json=body)
            except httpx.HTTPError as exc:
                errors.append(f"{url}: {type(exc).__name__}: {exc}")
                continue
            if response.status_code != 200:
                errors.append(f"{url}: HTTP {response.status_code} {response.text[:300]}")
                continue
            info = SessionInfo.model_validate_json(response.content)
            self.urls[info.session_id] = url
            self.idle[info.session_id] = info.limits.idle_timeout_s
            self._ensure_heartbeat()
            return info
        raise SessionError("could not create a session: " + "; ".join(errors), retryable=True)

    async def run_cell(self, session_id: str, code: str) -> CellResult:
        """Run a cell; an unknown id or unreachable server is a result, never an exception."""
        url = self.urls.get(session_id)
        if url is None:
            return CellResult(status=CellStatus.SESSION_ENDED, error="session ended: not a session of this client")
        try:
            response = await self._request("POST", f"{url}/api/sessions/{session_id}/run", json={"code": code})
        except httpx.HTTPError as exc:
            return CellResult(status=CellStatus.SANDBOX_ERROR, error=f"the judge did not answer: {exc!r}")
        if response.status_code != 200:
            return CellResult(status=CellStatus.SANDBOX_ERROR, error=f"the judge answered HTTP {response.status_code}")
        result = CellResult.model_validate_json(response.content)
        if result.status == CellStatus.SESSION_ENDED:
            self._forget(session_id)
        return result

    async def close(self, session_id: str) -> bool:
        """End a session; False if it had already ended (or the server could not be reached)."""
        url = self.urls.get(session_id)
        self._forget(session_id)
        if url is None:
            return False
        try:
            response = await self._request("DELETE", f"{url}/api/sessions/{session_id}")
        except httpx.HTTPError:
            return False  # it will expire as idle: no heartbeats come for it any more
        return response.status_code == 200 and bool(response.json().get("closed"))

    async def close_all(self) -> None:
        for session_id in list(self.urls):
            await self.close(session_id)
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            self._heartbeat = None

    def _forget(self, session_id: str) -> None:
        self.urls.pop(session_id, None)
        self.idle.pop(session_id, None)

    def _ensure_heartbeat(self) -> None:
        loop = asyncio.get_running_loop()
        task = self._heartbeat
        if task is None or task.done() or task.get_loop() is not loop:
            self._heartbeat = loop.create_task(self._heartbeat_loop())

    async def _heartbeat_loop(self) -> None:
        while self.urls:
            await asyncio.sleep(max(0.05, min(self.idle.values(), default=30.0) / 3))
            by_url: dict[str, list[str]] = {}
            for session_id, url in list(self.urls.items()):
                by_url.setdefault(url, []).append(session_id)
            for url, ids in by_url.items():
                try:
                    response = await self._request("POST", f"{url}/api/sessions/heartbeat",
                                                   json={"session_ids": ids})
                    alive = response.json().get("alive", {}) if response.status_code == 200 else {}
                except (httpx.HTTPError, ValueError):
                    continue  # try again next beat; the sessions live until their idle timeout
                except Exception:  # noqa: BLE001 -- a 4xx: nothing to keep alive there
                    continue
                for session_id, is_alive in alive.items():
                    if not is_alive:
                        self._forget(session_id)
