"""HTTP routes of the interpreter sessions (:mod:`execeval_service.sessions`).

``POST /api/sessions`` (body: :class:`SessionLimits`, every field optional) starts a session
and answers its id and the limits in force; ``POST /api/sessions/{id}/run`` (``{"code": ...}``)
runs a cell and answers a :class:`CellResult` (an ended or unknown session is a result with
status ``SESSION_ENDED``, not an HTTP error); ``DELETE /api/sessions/{id}`` ends one;
``POST /api/sessions/heartbeat`` (``{"session_ids": [...]}``) keeps a client's sessions from
expiring as idle and says which are still alive; ``GET /api/sessions`` gives counts. All need
the bearer token. When every session slot is taken, creation answers 503 (retry later).
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from execeval_service.sessions import SessionError, SessionLimits


class CellRequest(BaseModel):
    """One cell to run."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="Python source; a final expression's repr is printed, as in a REPL.")


class HeartbeatRequest(BaseModel):
    """The sessions a client still uses."""

    model_config = ConfigDict(extra="forbid")

    session_ids: list[str] = Field(default_factory=list, max_length=4096)


def add_session_routes(app: FastAPI, judge, authorize) -> None:
    """Register the session routes on ``app``, served by ``judge.sessions``."""
    guarded = [Depends(authorize)]

    @app.post("/api/sessions", dependencies=guarded)
    async def create_session(limits: SessionLimits | None = None):
        try:
            info = await judge.sessions.acreate(limits or SessionLimits())
        except SessionError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=503 if exc.retryable else 500)
        return info.model_dump(mode="json")

    @app.post("/api/sessions/heartbeat", dependencies=guarded)
    async def heartbeat(request: HeartbeatRequest):
        return {"alive": judge.sessions.heartbeat(request.session_ids)}

    @app.post("/api/sessions/{session_id}/run", dependencies=guarded)
    async def run_cell(session_id: str, request: CellRequest):
        result = await judge.sessions.arun_cell(session_id, request.code)
        return result.model_dump(mode="json")

    @app.delete("/api/sessions/{session_id}", dependencies=guarded)
    async def close_session(session_id: str):
        return {"closed": await judge.sessions.aclose(session_id)}

    @app.get("/api/sessions", dependencies=guarded)
    async def sessions_snapshot():
        return judge.sessions.snapshot()
