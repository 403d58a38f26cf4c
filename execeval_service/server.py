"""The HTTP service: FastAPI over one :class:`execeval_service.embedded.EmbeddedJudge`.

Endpoints: ``POST /api/execute_code`` (ExecEval), ``GET /api/all_runtimes``,
``POST /run_code`` (SandboxFusion), ``POST /api/judge_batch`` (our batch), ``GET /health``
and ``GET /metrics``; interpreter sessions under ``/api/sessions``
(:mod:`execeval_service.session_routes`). Errors: a malformed request is a 4xx whose body names the field
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
from pydantic import ValidationError

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


class FastPaths:
    """ASGI middleware: authorized, valid JSON POSTs to the hot endpoints skip FastAPI.

    FastAPI's routing, dependency solving and request handling cost about half a
    millisecond of CPU per request, as much as running a small program. Here such a request
    is parsed and validated with the endpoint's own model and answered by the same handler
    the FastAPI route uses. Anything else -- a missing or wrong token, another content type,
    a body that does not validate, other paths -- goes on to FastAPI (with the body
    replayed), which answers it exactly as before.
    """

    def __init__(self, app, routes: dict, token: str):
        self.app, self.routes, self.token = app, routes, token.encode()

    def _authorized(self, scope) -> bool:
        content_type, authorization = b"", b""
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                authorization = value
            elif name == b"content-type":
                content_type = value
        if content_type and not content_type.startswith(b"application/json"):
            return False
        if not self.token:
            return True
        scheme, _, token = authorization.partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(token, self.token)

    async def __call__(self, scope, receive, send):
        route = None
        if scope["type"] == "http" and scope["method"] == "POST":
            route = self.routes.get(scope["path"])
        if route is None or not self._authorized(scope):
            return await self.app(scope, receive, send)
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        model, handler = route
        try:
            request = model.model_validate(json.loads(body))
        except (ValueError, ValidationError):  # FastAPI words the 422
            return await self.app(scope, _replay(body, receive), send)
        try:
            response = await handler(request)
        except JobError as exc:
            response = _field_error(exc.field, str(exc))
        await response(scope, receive, send)


def _replay(body: bytes, receive):
    """A ``receive`` that hands the already-read body to the next app."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed():
        return pending.pop() if pending else await receive()

    return replayed


def create_app(judge: EmbeddedJudge, settings: ServerSettings | None = None) -> FastAPI:
    """The FastAPI app serving ``judge``. The judge (and its workers) must already be started."""
    settings = settings or ServerSettings()
    app = FastAPI(title="execeval_service", version="1.0",
                  description="Fast sandboxed execution of untrusted Python (see the README).")

    async def authorize(request: Request) -> None:
        # async: a plain def dependency would be run on a thread pool, a thread hop per request.
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

    async def execute_code_response(request: ExecEvalRequest) -> Response:
        if request.language not in PYTHON_LANGUAGES:
            return _field_error("language", f"unsupported language {request.language!r}; "
                                f"supported: {list(PYTHON_LANGUAGES)}")
        result = await run_one(request.to_job())
        if isinstance(result, Response):
            return result
        return _json(execeval_response(request, result))

    async def judge_batch_response(request: BatchRequest) -> Response:
        if len(request.jobs) > settings.max_jobs_per_request:
            return _field_error("jobs", f"{len(request.jobs)} jobs; at most "
                                f"{settings.max_jobs_per_request} per request")
        futures = judge.submit_many_summaries(request.jobs)  # JobError -> 422
        results = await asyncio.gather(*(asyncio.wrap_future(f) for f in futures))
        return _json({"results": results})

    @app.post("/api/execute_code", dependencies=[Depends(authorize)])
    async def execute_code(request: ExecEvalRequest):
        return await execute_code_response(request)

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
        return await judge_batch_response(request)

    from execeval_service.session_routes import add_session_routes

    add_session_routes(app, judge, authorize)  # /api/sessions...: stateful interpreter sessions
    app.add_middleware(FastPaths, token=settings.token, routes={
        "/api/execute_code": (ExecEvalRequest, execute_code_response),
        "/api/judge_batch": (BatchRequest, judge_batch_response),
    })
    app.add_middleware(BodySizeLimit, max_bytes=int(settings.max_request_mb * (1 << 20)))
    return app
