"""``python -m execeval_service``: run the judge as a local HTTP server.

    python -m execeval_service --host 127.0.0.1 --port 5000 --workers 4

Every option comes from :class:`EngineSettings` / :class:`ServerSettings` and, prefixed
``--session-``, the interpreter sessions' :class:`SessionSettings` (see ``--help``).
The bearer token may also come from the ``EXECEVAL_TOKEN`` environment variable, so it
need not appear in the process list. The worker pool is started (and the sandbox checked)
before the server accepts connections; the process exits non-zero if the sandbox cannot
be had and ``--allow-unisolated`` was not given.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys

from execeval_service.sessions import SessionSettings
from execeval_service.settings import EngineSettings, ServerSettings

SESSION_PREFIX = "session_"  # SessionSettings' flags: --session-max-sessions, --session-uid-base, ...


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m execeval_service", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    for cls, prefix in ((ServerSettings, ""), (EngineSettings, ""), (SessionSettings, SESSION_PREFIX)):
        group = parser.add_argument_group(cls.__name__)
        for f in dataclasses.fields(cls):
            flag = "--" + (prefix + f.name).replace("_", "-")
            help_text = f.metadata.get("help", "")
            if f.type in (bool, "bool"):
                group.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default, help=help_text)
            else:
                kind = {"int": int, "float": float, "str": str}.get(str(f.type), type(f.default))
                group.add_argument(flag, type=kind, default=f.default, help=help_text)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = vars(build_parser().parse_args(argv))
    server = ServerSettings(**{f.name: args[f.name] for f in dataclasses.fields(ServerSettings)})
    engine = EngineSettings(**{f.name: args[f.name] for f in dataclasses.fields(EngineSettings)})
    sessions = SessionSettings(**{f.name: args[SESSION_PREFIX + f.name] for f in dataclasses.fields(SessionSettings)})
    if not server.token:
        server.token = os.environ.get("EXECEVAL_TOKEN", "")
    logging.basicConfig(level=server.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")

    import uvicorn

    from execeval_service.embedded import EmbeddedJudge
    from execeval_service.pool import IsolationUnavailable
    from execeval_service.server import create_app

    try:
        judge = EmbeddedJudge(engine, session_settings=sessions)
    except IsolationUnavailable as exc:
        print(f"execeval_service: {exc}", file=sys.stderr)
        return 2
    print(f"execeval_service: {engine.workers} workers, isolation={judge.isolation}, "
          f"cost unit={judge.cost_unit}, listening on http://{server.host}:{server.port}", file=sys.stderr)
    try:
        uvicorn.run(create_app(judge, server), host=server.host, port=server.port,
                    log_level=server.log_level, access_log=False, proxy_headers=False)
    finally:
        judge.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
