"""A stateful Python interpreter as a TRL tool: one judge session per rollout.

Why ``environment_factory`` and not a plain entry in ``tools``: a plain tool is one function
shared by every rollout, so state (the interpreter session) could not be kept per rollout.
TRL builds one environment per rollout from ``environment_factory``, calls its ``reset`` at
the start of each rollout and exposes its public methods as tools -- here a single one,
:meth:`PythonInterpreterEnv.run_python`. TRL's tool loop then does the rest: it parses the
model's tool calls, appends the tool's answer as a ``tool`` turn, masks those tokens from the
loss (its ``tool_mask``), caps the calls (``max_tool_calling_iterations``), and logs
``tools/call_frequency`` and ``tools/failure_frequency``.

Per rollout: a session of the judge (:mod:`execeval_service.sessions`: its own sandboxed
process and unprivileged uid, with CPU, memory, output and time limits) is created at the
first call -- a rollout that never calls the tool costs nothing -- and closed at the next
``reset`` or when training ends (its time-to-live is the backstop). At most ``max_calls``
calls run; later ones are refused with a message. A cell that raises is a normal answer (the
traceback is what the model needs); a session the judge could not run raises, which TRL
counts as a tool failure -- never a wrong answer of the model.

:class:`ToolStats` counts calls, refusals, cell errors, timeouts and failures for the
trainer's logs (``tools/python_*``).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Optional

from execeval_service.sessions import CellStatus, SessionError, SessionLimits
from grpo4code.data.prompts import SYSTEM_PROMPT
from grpo4code.rewards.judging import JudgeConfig, shared_completion_judge

TOOL_SYSTEM_PROMPT = (SYSTEM_PROMPT + " You may call the run_python tool to run Python code (variables persist "
                      "between calls) to test your solution before giving the final answer.")


class ToolStats:
    """Thread-safe counters of the interpreter tool since the last :meth:`take`."""

    FIELDS = ("rollouts", "calls", "refused", "cell_errors", "timeouts", "session_ended", "failures")

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(self.FIELDS, 0)

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._counts[name] += amount

    def take(self) -> dict:
        """The counts so far, and start again from zero."""
        with self._lock:
            counts, self._counts = self._counts, dict.fromkeys(self.FIELDS, 0)
        return counts

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self.__init__()


class PythonInterpreterEnv:
    """One rollout's interpreter (see the module docstring). Public methods are TRL tools."""

    def __init__(self, judge_config: JudgeConfig, limits: SessionLimits, max_calls: int, stats: ToolStats):
        self._judge_config, self._limits, self._max_calls, self._stats = judge_config, limits, max_calls, stats
        self._session: Optional[str] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._calls = 0

    def reset(self, **row) -> None:
        """Start a rollout: end the previous rollout's session, reset the call budget."""
        self._close()
        self._calls = 0
        self._stats.add("rollouts")
        return None

    async def run_python(self, code: str) -> str:
        """Run Python code in a persistent interpreter session and return what it printed.

        Variables, functions and imports persist between calls. The value of a final expression is
        printed, as in a REPL.

        Args:
            code: The Python source code to run.

        Returns:
            The printed output (stdout and stderr), followed by the traceback if the code raised.
        """
        self._calls += 1
        self._stats.add("calls")
        if self._calls > self._max_calls:
            self._stats.add("refused")
            return f"Refused: at most {self._max_calls} run_python calls per conversation. Give your final answer."
        self._loop = asyncio.get_running_loop()
        backend = shared_completion_judge(self._judge_config).backend
        if self._session is None:
            try:
                self._session = (await backend.create_session(self._limits)).session_id
            except SessionError as exc:
                self._stats.add("failures")
                raise RuntimeError(f"the interpreter is unavailable: {exc}") from None
        result = await backend.run_cell(self._session, code)
        if result.status == CellStatus.SANDBOX_ERROR:
            self._stats.add("failures")
            raise RuntimeError(f"the interpreter failed: {result.error}")
        if result.status == CellStatus.SESSION_ENDED:
            self._stats.add("session_ended")
            self._session = None  # a later call starts a fresh session
        elif result.status == CellStatus.TIMEOUT:
            self._stats.add("timeouts")
        elif result.status == CellStatus.ERROR:
            self._stats.add("cell_errors")
        return result.as_text()

    def _close(self) -> None:
        session, self._session = self._session, None
        if session is None or self._loop is None or self._loop.is_closed():
            return
        backend = shared_completion_judge(self._judge_config).backend
        try:
            asyncio.run_coroutine_threadsafe(backend.close_session(session), self._loop).result(timeout=30)
        except Exception:  # noqa: BLE001 -- the session then ends at its idle timeout / TTL
            pass


class PythonToolFactory:
    """TRL ``environment_factory``: a new :class:`PythonInterpreterEnv` per call (picklable)."""

    def __init__(self, judge_config: JudgeConfig, limits: SessionLimits, max_calls: int = 10,
                 stats: Optional[ToolStats] = None):
        if not 1 <= max_calls <= 10:
            raise ValueError("max_calls must be between 1 and 10")
        self.judge_config, self.limits, self.max_calls = judge_config, limits, max_calls
        self.stats = stats or ToolStats()

    def __call__(self) -> PythonInterpreterEnv:
        return PythonInterpreterEnv(self.judge_config, self.limits, self.max_calls, self.stats)
