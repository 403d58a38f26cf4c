"""Interpreter sessions: state persists, sessions are isolated, limits hold, and sessions are
cleaned up (no process left) after their time-to-live and when their client goes away.

Through the embedded engine and through the real HTTP server with :class:`JudgeClient`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time

import httpx
import pytest

from execeval_service.client import JudgeClient
from execeval_service.embedded import EmbeddedJudge
from execeval_service.sessions import CellStatus, SessionSettings
from execeval_service.testing import JudgeServer, processes_of_uids

TOKEN = "session-token"
EMBEDDED_UIDS = SessionSettings(uid_base=63500, max_sessions=4, interrupt_grace_s=5.0)  # grace: loaded CI machines


@pytest.fixture(scope="module")
def judge():
    with EmbeddedJudge(workers=1, session_settings=EMBEDDED_UIDS) as engine:
        yield engine


@pytest.fixture(scope="module")
def server():
    with JudgeServer(workers=1, token=TOKEN) as srv:
        yield srv


def run(coro):
    return asyncio.run(coro)


def wait_until(condition, timeout_s: float, step_s: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step_s)
    return condition()


def test_state_persists_between_cells_and_repl_echo(judge):
    async def go():
        info = await judge.create_session()
        first = await judge.run_cell(info.session_id, "import math\ndef area(r):\n    return math.pi * r * r\nx = 3")
        second = await judge.run_cell(info.session_id, "print('area', round(area(x), 2))\nx * 2")
        failing = await judge.run_cell(info.session_id, "1 / 0")
        after = await judge.run_cell(info.session_id, "x")
        assert await judge.close_session(info.session_id)
        ended = await judge.run_cell(info.session_id, "x")
        return first, second, failing, after, ended

    first, second, failing, after, ended = run(go())
    assert first.status == CellStatus.OK and first.output == ""
    assert second.status == CellStatus.OK and second.output == "area 28.27\n6\n"
    assert failing.status == CellStatus.ERROR and "ZeroDivisionError" in failing.error
    assert "session_kernel" not in failing.error  # only the cell's own frames
    assert after.output == "3\n"
    assert ended.status == CellStatus.SESSION_ENDED


def test_one_session_cannot_see_anothers_state_files_or_processes(judge):
    async def go():
        a = (await judge.create_session()).session_id
        b = (await judge.create_session()).session_id
        where = await judge.run_cell(a, "import os\nsecret = 'alpha-42'\n"
                                        "open('notes.txt', 'w').write(secret)\n"
                                        "print(os.getuid()); print(os.path.abspath('notes.txt')); print(os.getpid())")
        uid_a, path_a, _ = where.output.split()
        name = await judge.run_cell(b, "secret")
        peek = await judge.run_cell(b, f"import os\nprint(os.getuid())\n"
                                       f"try:\n    print(open({path_a!r}).read())\nexcept OSError as e:\n"
                                       f"    print(type(e).__name__)\n"
                                       "print(sorted(os.listdir('.')))\n"
                                       "try:\n    os.listdir(os.path.dirname(os.getcwd()))\n    print('listed')\n"
                                       "except OSError as e:\n    print(type(e).__name__)\n"
                                       "import signal\n"
                                       "try:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError as e:\n    pass\n")
        still = await judge.run_cell(a, "secret, open('notes.txt').read()")
        for sid in (a, b):
            await judge.close_session(sid)
        return uid_a, name, peek, still

    uid_a, name, peek, still = run(go())
    assert name.status == CellStatus.ERROR and "NameError" in name.error
    uid_b, file_result, listing, parent_listing = peek.output.split("\n")[:4]
    assert uid_b != uid_a  # separate unprivileged uids
    assert int(uid_a) >= EMBEDDED_UIDS.uid_base and int(uid_b) >= EMBEDDED_UIDS.uid_base
    assert file_result in ("FileNotFoundError", "PermissionError")  # A's file is not B's to read
    assert listing == "[]" and parent_listing == "PermissionError"
    # B's kill(-1) reached nothing of A's: A is alive with its state and files
    assert still.status == CellStatus.OK and still.output == "('alpha-42', 'alpha-42')\n"


def test_cell_limits_time_output_memory(judge):
    from execeval_service.sessions import SessionLimits

    limits = SessionLimits(cell_timeout_s=1.0, max_output_chars=1000, memory_limit_mb=256)

    async def go():
        sid = (await judge.create_session(limits)).session_id
        uid = judge.sessions._get(sid).uid
        await judge.run_cell(sid, "kept = 'yes'")
        started = time.monotonic()
        slow = await judge.run_cell(sid, "while True:\n    pass")
        slow_s = time.monotonic() - started
        kept = await judge.run_cell(sid, "kept")
        loud = await judge.run_cell(sid, "print('x' * 100000)")
        big = await judge.run_cell(sid, "block = bytearray(1024 ** 3)")
        alive = await judge.run_cell(sid, "kept")
        stubborn = await judge.run_cell(sid, "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                             "while True:\n    pass")
        gone = await judge.run_cell(sid, "kept")
        return slow, slow_s, kept, loud, big, alive, uid, stubborn, gone

    slow, slow_s, kept, loud, big, alive, uid, stubborn, gone = run(go())
    assert slow.status == CellStatus.TIMEOUT and slow_s < 3.0, (slow, slow_s)
    assert kept.output == "'yes'\n", kept  # interrupted, not killed: the state survives
    assert loud.truncated and len(loud.output) == 1000
    assert big.status == CellStatus.ERROR and "MemoryError" in big.error, big
    assert alive.output == "'yes'\n", alive
    assert stubborn.status == CellStatus.SESSION_ENDED and "did not stop" in stubborn.error
    assert gone.status == CellStatus.SESSION_ENDED
    assert processes_of_uids(range(uid, uid + 1)) == []


def test_sessions_end_after_their_time_to_live_with_every_process(judge):
    async def go():
        short = (await judge.create_session({"ttl_s": 1.0})).session_id
        idle = (await judge.create_session({"idle_timeout_s": 1.0})).session_id
        uids = [judge.sessions._get(s).uid for s in (short, idle)]
        for sid in (short, idle):  # a detached background process that would outlive a careless cleanup
            await judge.run_cell(sid, "import subprocess\n"
                                      "subprocess.Popen(['sleep', '300'], start_new_session=True)")
        assert len(processes_of_uids(range(min(uids), max(uids) + 1))) >= 4
        time.sleep(2.0)
        return uids, await judge.run_cell(short, "1"), await judge.run_cell(idle, "1")

    uids, short_result, idle_result = run(go())
    assert short_result.status == CellStatus.SESSION_ENDED and "time-to-live" in short_result.error
    assert idle_result.status == CellStatus.SESSION_ENDED and "idle" in idle_result.error
    assert wait_until(lambda: processes_of_uids(range(min(uids), max(uids) + 1)) == [], 5.0)
    assert judge.sessions.open_sessions() == 0


def test_session_capacity_is_a_retryable_error():
    from execeval_service.sessions import SessionError

    with EmbeddedJudge(workers=1, session_settings=SessionSettings(uid_base=63600, max_sessions=1)) as judge:
        async def go():
            await judge.create_session()
            with pytest.raises(SessionError) as caught:
                await judge.create_session()
            return caught.value

        assert run(go()).retryable
    assert processes_of_uids(range(63600, 63601)) == []  # close() ended the session


def test_http_sessions_state_and_heartbeats(server):
    client = JudgeClient(server.url, token=TOKEN, retries=0)

    async def go():
        info = await client.create_session({"idle_timeout_s": 1.0})
        await client.run_cell(info.session_id, "total = 40")
        await asyncio.sleep(2.5)  # past the idle timeout: the client's heartbeats keep it alive
        result = await client.run_cell(info.session_id, "total + 2")
        other = await client.create_session()
        isolated = await client.run_cell(other.session_id, "total")
        await client.aclose()  # ends both sessions
        return result, isolated

    result, isolated = run(go())
    assert result.status == CellStatus.OK and result.output == "42\n"
    assert isolated.status == CellStatus.ERROR and "NameError" in isolated.error
    snapshot = httpx.get(f"{server.url}/api/sessions", headers=server.headers).json()
    assert snapshot["open"] == 0
    assert httpx.post(f"{server.url}/api/sessions", json={}).status_code == 401  # the token is required


def test_http_sessions_end_when_the_client_goes_away(server):
    """A client process that creates a session and is then killed (no close, no heartbeats):
    the server ends the session within its idle timeout and no process of it is left."""
    script = textwrap.dedent(f"""
        import asyncio, sys
        from execeval_service.client import JudgeClient
        async def main():
            client = JudgeClient({server.url!r}, token={TOKEN!r})
            info = await client.create_session({{"idle_timeout_s": 1.5}})
            await client.run_cell(info.session_id, "import subprocess\\n"
                                  "subprocess.Popen(['sleep', '300'], start_new_session=True)")
            print(info.session_id, flush=True)
            await asyncio.sleep(300)
        asyncio.run(main())
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    session_id = child.stdout.readline().strip()
    assert session_id
    uids = range(SessionSettings().uid_base, SessionSettings().uid_base + SessionSettings().max_sessions)
    assert processes_of_uids(uids), "the session's processes should be running"
    time.sleep(2.0)  # the live client's heartbeats keep it past its idle timeout
    assert httpx.get(f"{server.url}/api/sessions", headers=server.headers).json()["open"] == 1
    child.kill()
    child.wait()
    assert wait_until(lambda: httpx.get(f"{server.url}/api/sessions", headers=server.headers).json()["open"] == 0,
                      6.0)
    assert wait_until(lambda: processes_of_uids(uids) == [], 5.0)
    gone = httpx.post(f"{server.url}/api/sessions/{session_id}/run", json={"code": "1"}, headers=server.headers)
    assert gone.json()["status"] == "SESSION_ENDED" and "idle" in gone.json()["error"]


def test_a_cell_is_interrupted_even_when_the_judge_ignores_sigint():
    """An ignored SIGINT survives exec; the session process must still turn it into
    KeyboardInterrupt, or no cell past its time could be stopped with its state kept."""
    import signal

    from execeval_service.sessions import SessionLimits

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with EmbeddedJudge(workers=1, session_settings=SessionSettings(uid_base=63700, max_sessions=1)) as judge:
            async def go():
                sid = (await judge.create_session(SessionLimits(cell_timeout_s=1.0))).session_id
                await judge.run_cell(sid, "kept = 7")
                slow = await judge.run_cell(sid, "while True:\n    pass")
                return slow, await judge.run_cell(sid, "kept")

            slow, kept = run(go())
    finally:
        signal.signal(signal.SIGINT, previous)
    assert slow.status == CellStatus.TIMEOUT, slow
    assert kept.output == "7\n", kept
