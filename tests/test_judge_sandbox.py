"""One adversarial program per sandbox property, through the real server on loopback.

Each test checks the program was contained (its verdict and what it could observe), that
the service still answers, and that no process of the sandbox users is left behind.
"""

import os
import signal
import socket
import threading
import time

import httpx
import pytest

from execeval_service import EmbeddedJudge, JudgeJob, Limits
from execeval_service.testing import JudgeServer, batch, processes_of_uids
from grpo4code.data.schema import StdioTest

WORKERS = 2
# Not the default base: judges others run on this machine meanwhile use 61000+, and their
# runs must not count as processes this server left behind.
UID_BASE = 64100
SANDBOX_UIDS = range(UID_BASE, UID_BASE + WORKERS)


@pytest.fixture(scope="module")
def server():
    with JudgeServer(workers=WORKERS, env={"JUDGE_TEST_SECRET": "hunter2-env-secret"},
                     extra_args=("--uid-base", str(UID_BASE))) as srv:
        if httpx.get(f"{srv.url}/health").json()["isolation"] != "bwrap":
            pytest.skip("bubblewrap isolation unavailable here")
        yield srv


def run(server, source, stdin="", output="", **limits):
    limits = {"time_limit_s": 1.0, "wall_limit_s": 3.0, **limits}
    job = JudgeJob(source=source, tests=[StdioTest(input=stdin, output=output)], limits=Limits(**limits))
    [result] = batch(server, [job])
    assert result["status"] == "COMPLETED", result
    return result["tests"][0]


def assert_clean(server):
    """The service answers a fresh run, and no sandbox process survives."""
    test = run(server, "print(6 * 7)", output="42")
    assert test["verdict"] == "PASSED"
    deadline = time.monotonic() + 5
    while processes_of_uids(SANDBOX_UIDS) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_of_uids(SANDBOX_UIDS) == []


def test_fork_bomb_is_contained(server):
    source = (
        "import os\n"
        "children = 0\n"
        "while True:\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        "            while True: pass\n"
        "        children += 1\n"
        "    except OSError:\n"
        "        print('refused after', children, flush=True); break\n"
        "while True: pass\n"
    )
    test = run(server, source, max_processes=8)
    assert test["verdict"] == "TIME_LIMIT_EXCEEDED"
    assert "refused after" in test["stdout"]
    assert int(test["stdout"].split()[-1]) < 8
    assert_clean(server)


def test_memory_bomb_is_refused(server):
    test = run(server, "x = bytearray(4 << 30)\nprint('allocated')", memory_limit_mb=256)
    assert test["verdict"] == "MEMORY_LIMIT_EXCEEDED"
    assert "allocated" not in test["stdout"]
    assert_clean(server)


def test_cpu_spin_is_killed_within_its_bound(server):
    started = time.monotonic()
    test = run(server, "while True: pass", time_limit_s=0.5)
    assert test["verdict"] == "TIME_LIMIT_EXCEEDED"
    assert 0.4 <= test["cpu_s"] <= 1.6
    assert time.monotonic() - started < 3.0
    assert_clean(server)


def test_sleeping_past_the_wall_backstop_is_killed(server):
    started = time.monotonic()
    test = run(server, "import time\ntime.sleep(60)", time_limit_s=0.5, wall_limit_s=1.0)
    assert test["verdict"] == "TIME_LIMIT_EXCEEDED"
    assert "wall-clock" in test["error"]
    assert time.monotonic() - started < 4.0
    assert_clean(server)


def test_disk_fill_is_bounded_and_removed(server):
    source = (
        "import os\n"
        "written = 0\n"
        "try:\n"
        "    for i in range(10000):\n"
        "        with open(f'f{i}', 'wb') as f:\n"
        "            f.write(b'x' * (1 << 20)); written += 1\n"
        "except OSError as e:\n"
        "    print('stopped', written, e.errno)\n"
    )
    test = run(server, source, max_file_size_mb=4)
    assert "stopped" in test["stdout"]
    written = int(test["stdout"].split()[1])
    assert written < 1000  # the worker's private /tmp is bounded
    listing = run(server, "import os\nprint(sorted(os.listdir('/tmp')))")
    assert listing["stdout"].count("run-") == 1  # only this run's own directory remains
    assert_clean(server)


def test_file_size_limit_stops_a_large_file(server):
    test = run(server, "open('big', 'wb').write(b'x' * (8 << 20))", max_file_size_mb=1)
    assert test["verdict"] == "RUNTIME_ERROR"
    assert "File too large" in test["stderr"]


def test_network_connect_is_refused(server):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    source = (
        "import socket\n"
        "for host in ('127.0.0.1', '1.1.1.1'):\n"
        "    try:\n"
        f"        socket.create_connection((host, {port}), timeout=1); print('connected', host)\n"
        "    except OSError as e:\n"
        "        print('refused', host)\n"
    )
    test = run(server, source)
    assert "connected" not in test["stdout"]
    assert test["stdout"].count("refused") == 2
    time.sleep(0.2)
    assert accepted == []
    listener.close()


def test_files_outside_and_environment_secrets_are_invisible(server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("hunter2-file-secret")
    secret.chmod(0o644)
    os.chmod(tmp_path, 0o755)
    source = (
        "import os, glob\n"
        "found = []\n"
        f"for path in [{str(secret)!r}, '/work/main/README.md', '/root/.bash_history']:\n"
        "    try:\n"
        "        found.append(open(path).read())\n"
        "    except OSError:\n"
        "        pass\n"
        "for pid in os.listdir('/proc'):\n"
        "    try:\n"
        "        found.append(open(f'/proc/{pid}/environ').read())\n"
        "    except OSError:\n"
        "        pass\n"
        "found.append(repr(dict(os.environ)))\n"
        "print('\\n'.join(found))\n"
    )
    test = run(server, source)
    assert test["verdict"] in ("WRONG_ANSWER", "PASSED")
    assert "hunter2" not in test["stdout"]
    assert os.environ.get("JUDGE_TEST_SECRET") is None  # the secret lives only in the server


def test_writing_outside_the_work_dir_fails(server, tmp_path):
    target = tmp_path / "written_by_sandbox"
    os.chmod(tmp_path, 0o777)
    source = (
        "import os\n"
        f"for path in [{str(target)!r}, '/etc/judge_pwned', '/tmp/judge_pwned', '/usr/judge_pwned']:\n"
        "    try:\n"
        "        open(path, 'w').write('x'); print('wrote', path)\n"
        "    except OSError as e:\n"
        "        print('refused', path)\n"
        "open('inside.txt', 'w').write('ok'); print('inside ok')\n"
    )
    test = run(server, source)
    assert "wrote" not in test["stdout"]
    assert "inside ok" in test["stdout"]
    assert not target.exists()
    assert not os.path.exists("/etc/judge_pwned")


def test_signalling_the_parent_and_others_fails(server):
    source = (
        "import os, signal\n"
        "for pid in (os.getppid(), 1, -1):\n"
        "    try:\n"
        "        os.kill(pid, signal.SIGKILL); print('signalled', pid)\n"
        "    except OSError as e:\n"
        "        print('refused', pid, e.errno)\n"
    )
    test = run(server, source)
    # kill(-1) only reaches the run's own processes (itself): the run dies, nothing else.
    assert "signalled " + "1" not in test["stdout"].replace("signalled -1", "")
    assert test["stdout"].count("refused") >= 2
    assert httpx.get(f"{server.url}/health").status_code == 200
    assert_clean(server)


def test_stdout_flood_is_capped(server):
    test = run(server, "while True:\n    print('x' * 1000)", max_file_size_mb=1)
    assert test["verdict"] == "RUNTIME_ERROR"
    assert len(test["stdout"]) <= 2000  # reported text is truncated too
    assert_clean(server)


def test_orphaned_children_are_killed(server):
    source = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(30)\n"
        "    os._exit(0)\n"
        "print('parent done')\n"
    )
    test = run(server, source, output="parent done")
    assert test["verdict"] == "PASSED"
    assert_clean(server)


def test_privileges_are_dropped(server):
    source = (
        "import os\n"
        "print(os.getuid(), os.geteuid(), os.getgroups())\n"
        "print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])\n"
        "print(open('/proc/self/status').read().split('NoNewPrivs:')[1].split()[0])\n"
    )
    test = run(server, source)
    uid, euid, groups, caps, no_new_privs = test["stdout"].split(maxsplit=4)
    assert int(uid) in SANDBOX_UIDS and int(euid) in SANDBOX_UIDS
    assert caps == "0000000000000000"
    assert no_new_privs.strip() == "1"


@pytest.mark.parametrize("isolation", ["bwrap", "none"])
def test_runs_do_not_outlive_a_killed_worker(isolation):
    uid_base = UID_BASE + 10  # not the module server's users
    options = {"isolation": isolation, "allow_unisolated": isolation == "none"}
    source = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\ntime.sleep(60)"
    job = JudgeJob(source=source, tests=[StdioTest(input="", output="")],
                   limits=Limits(time_limit_s=30, wall_limit_s=90))
    try:
        judge = EmbeddedJudge(workers=1, uid_base=uid_base, **options)
    except RuntimeError as exc:  # IsolationUnavailable
        pytest.skip(str(exc))
    with judge:
        future = judge.submit(job)
        deadline = time.monotonic() + 10
        while len(processes_of_uids(range(uid_base, uid_base + 1))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(processes_of_uids(range(uid_base, uid_base + 1))) == 2  # the run and its child
        os.kill(judge.pool.worker_pids()[0], signal.SIGKILL)
        deadline = time.monotonic() + 5
        while processes_of_uids(range(uid_base, uid_base + 1)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_of_uids(range(uid_base, uid_base + 1)) == []
        assert future.result(timeout=30).could_not_score
