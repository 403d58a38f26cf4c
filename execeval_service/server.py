"""The HTTP service: FastAPI over one :class:`execeval_service.embedded.EmbeddedJudge`.

Endpoints: ``POST /api/execute_code`` (ExecEval), ``GET /api/all_runtimes``,
``POST /run_code`` (SandboxFusion), ``POST /api/judge_batch`` (our batch), ``GET /health``
and ``GET /metrics``. Errors: a malformed request is a 4xx whose body names the field
(FastAPI's 422 ``loc``, or ``{"detail": [{"loc": [...], "msg": ...}]}`` for fields only the
engine can check); a fault of the engine is a 5xx. A job the sandbox could not run is not an
HTTP error: it is a result whose status (or ``exec_outcome``) is ``SANDBOX_ERROR``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import Response

from execeval_service.api_models import (
    PYTHON_LANGUAGES, RUNTIMES, BatchRequest, ExecEvalRequest, RunCodeRequest,
    execeval_response, run_code_response,
)
from execeval_service.embedded import EmbeddedJudge, JobError
from execeval_service.settings import ServerSettings

log = logging.getLogger("execeval_service")


def _json(data, status_code: int = 200) -> Response:
    # Plain json.dumps: faster than FastAPI's encoder for these already-plain dicts.
    return Response(content=json.dumps(data, separators=(",", ":")), status_code=status_code,
                    media_type="application/json")


def _field_error(field: str, message: str, status_code: int = 422) -> Response:
    return _json({"detail": [{"loc": ["body", *field.split(".")], "msg": message}]}, status_code)


class BodySizeLimit:
    """ASGI middleware: refuse bodies over ``max_bytes`` with 413 (declared or streamed)."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                return await self._refuse(send)
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send):
        body = json.dumps({"detail": f"request body over {self.max_bytes} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def create_app(judge: EmbeddedJudge, settings: ServerSettings | None = None) -> FastAPI:
    """The FastAPI app serving ``judge``. The judge (and its workers) must already be started."""
    settings = settings or ServerSettings()
    app = FastAPI(title="execeval_service", version="1.0",
                  description="Fast sandboxed execution of untrusted Python (see the README).")

    def authorize(request: Request) -> None:
        if not settings.token:
            return
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), settings.token.encode()):
            raise HTTPException(status_code=401, detail="missing or wrong bearer token",
                                headers={"WWW-Authenticate": "Bearer"})

    async def run_one(job, report_chars: int | None = None):
        try:
            future = judge.submit(job, report_chars=report_chars)
        except JobError as exc:
            return _field_error(exc.field, str(exc))
        return await asyncio.wrap_future(future)

    @app.exception_handler(JobError)
    async def _job_error(request: Request, exc: JobError):
        return _field_error(exc.field, str(exc))

    @app.exception_handler(Exception)
    async def _engine_fault(request: Request, exc: Exception):
        log.exception("judge: engine fault")
        return _json({"detail": f"engine fault: {exc!r}"}, 500)

    @app.get("/health")
    async def health():
        data = judge.health()
        data.pop("worker_pids", None)
        return _json(data, 200 if data["status"] == "ok" else 503)

    @app.get("/metrics", dependencies=[Depends(authorize)])
    async def metrics():
        return _json(judge.metrics_snapshot())

    @app.get("/api/all_runtimes", dependencies=[Depends(authorize)])
    async def all_runtimes():
        return _json(RUNTIMES)

    @app.post("/api/execute_code", dependencies=[Depends(authorize)])
    async def execute_code(request: ExecEvalRequest):
        if request.language not in PYTHON_LANGUAGES:
            return _field_error("language", f"unsupported language {request.language!r}; "
                                f"supported: {list(PYTHON_LANGUAGES)}")
        result = await run_one(request.to_job())
        if isinstance(result, Response):
            return result
        return _json(execeval_response(request, result))

    @app.post("/run_code", dependencies=[Depends(authorize)])
    async def run_code(request: RunCodeRequest):
        if request.language not in PYTHON_LANGUAGES:
            return _field_error("language", f"unsupported language {request.language!r}; "
                                f"supported: {list(PYTHON_LANGUAGES)}")
        if request.files or request.fetch_files:
            return _field_error("files", "files and fetch_files are not supported")
        max_chars = judge.settings.max_file_size_mb << 20
        result = await run_one(request.to_job(), report_chars=max_chars)
        if isinstance(result, Response):
            return result
        return _json(run_code_response(result))

    @app.post("/api/judge_batch", dependencies=[Depends(authorize)])
    async def judge_batch(request: BatchRequest):
        if len(request.jobs) > settings.max_jobs_per_request:
            return _field_error("jobs", f"{len(request.jobs)} jobs; at most "
                                f"{settings.max_jobs_per_request} per request")
        futures = judge.submit_many(request.jobs)  # JobError -> 422 via the handler above
        results = await asyncio.gather(*(asyncio.wrap_future(f) for f in futures))
        return _json({"results": [r.summary() for r in results]})

    app.add_middleware(BodySizeLimit, max_bytes=int(settings.max_request_mb * (1 << 20)))
    return app
