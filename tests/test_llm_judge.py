"""The LLM comment judge against a real OpenAI-compatible HTTP server on loopback.

The server (FastAPI, ``POST /v1/chat/completions``) reads the code out of the prompt -- a
request without it is refused -- and rates it deterministically: 9 when the code holds a
docstring, else 2. Markers in the code make it misbehave: ``# SLOW`` (answers after 3 s),
``# RATE_LIMITED_ONCE`` / ``# RATE_LIMITED_ALWAYS`` (429), ``# GARBLED`` (an answer with no
rating), ``# WAIT`` (answers after 0.2 s, to observe concurrency).
"""

from __future__ import annotations

import asyncio
import collections
import json
import pickle
import re
import threading
import time
from typing import Optional

import pytest
import uvicorn
from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from execeval_service.testing import free_port
from grpo4code.data.schema import CallTest, Problem
from grpo4code.rewards.base import score_sync
from grpo4code.rewards.columns import reward_columns
from grpo4code.rewards.comment_rules import static_comment_score
from grpo4code.rewards.comments import CommentReward
from grpo4code.rewards.judging import CompletionJudge, JudgeConfig
from grpo4code.rewards.llm_judge import (
    RUBRIC, LLMCommentJudge, LLMJudgeConfig, build_messages, cache_key, parse_rating, rating_to_score)

MODEL = "comment-judge-test"
CODE_IN_PROMPT = re.compile(r"(`{3,})python\n(.*?)\n\1", re.S)


class Message(BaseModel):
    role: str
    content: str


class ChatRequest(BaseModel):
    model: str
    messages: list[Message]
    temperature: Optional[float] = None
    max_tokens: Optional[int] = None


class FakeJudgeServer:
    """A small OpenAI-compatible chat server whose rating depends on the code it was sent."""

    def __init__(self):
        self.app = FastAPI()
        self.reset()
        self.app.post("/v1/chat/completions")(self.chat)

    def reset(self) -> None:
        self.requests: list[dict] = []
        self.attempts: collections.Counter = collections.Counter()
        self.in_flight = self.max_in_flight = 0

    async def chat(self, request: ChatRequest, authorization: Optional[str] = Header(None)):
        user = [m.content for m in request.messages if m.role == "user"][-1]
        found = CODE_IN_PROMPT.search(user)
        if found is None:
            return JSONResponse({"error": {"message": "no code in the prompt", "type": "invalid_request_error"}},
                                status_code=400)
        code = found.group(2)
        self.attempts[code] += 1
        self.requests.append({"code": code, "user": user, "system": request.messages[0].content,
                              "authorization": authorization, "temperature": request.temperature,
                              "max_tokens": request.max_tokens, "model": request.model})
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if "# SLOW" in code:
                await asyncio.sleep(3)
            if "# WAIT" in code:
                await asyncio.sleep(0.2)
            if "# RATE_LIMITED_ALWAYS" in code or ("# RATE_LIMITED_ONCE" in code and self.attempts[code] == 1):
                return JSONResponse({"error": {"message": "slow down", "type": "rate_limit"}}, status_code=429,
                                    headers={"retry-after": "0"})
            if "# GARBLED" in code:
                content = "These comments are lovely, well done."
            else:
                content = json.dumps({"score": 9 if '"""' in code else 2})
        finally:
            self.in_flight -= 1
        return {"id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": request.model,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


@pytest.fixture(scope="module")
def llm_server():
    fake = FakeJudgeServer()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(fake.app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the fake LLM server did not start"
        time.sleep(0.05)
    fake.base_url = f"http://127.0.0.1:{port}/v1"
    yield fake
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def server(llm_server):
    llm_server.reset()
    return llm_server


def make_judge(server, **overrides) -> LLMCommentJudge:
    settings = dict(base_url=server.base_url, model=MODEL, timeout_s=5.0, retries=2, backoff_s=0.01)
    settings.update(overrides)
    return LLMCommentJudge(LLMJudgeConfig(**settings))


def score(judge, codes, instructions=None):
    return asyncio.run(judge.score(codes, instructions))


DOCUMENTED = 'def add(a, b):\n    """Return the sum of `a` and `b`."""\n    return a + b\n'
UNDOCUMENTED = "def add(a, b):\n    return a + b\n"


# --- parsing ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer, rating", [
    ('{"score": 7}', 7), ('The comments explain intent.\n{"score": 10}', 10), ('{"score": 6.5}', 6.5),
    ('<think>maybe a 3? {"score": 3}</think>\n{"score": 8}', 8), ("Score: 6", 6), ("**Rating:** 4/10", 4),
    ("I would give it 7/10.", 7), ("8", 8), (" 5.\n", 5),
])
def test_parse_rating_accepts(answer, rating):
    assert parse_rating(answer) == rating


@pytest.mark.parametrize("answer", [
    '{"score": 11}', '{"score": 0}', '{"score": "7"}', '{"score": true}', "score: 0", "Looks fine to me.",
    "", None, "<think>unfinished reasoning, 7", "It has 3 comments and 2 docstrings.",
])
def test_parse_rating_rejects(answer):
    assert parse_rating(answer) is None


def test_rating_scale_and_prompt():
    assert rating_to_score(1) == 0.0 and rating_to_score(10) == 1.0
    messages = build_messages("x = '```'\n", "Do the thing.")
    assert messages[0]["content"] == RUBRIC
    assert "````python\nx = '```'\n````" in messages[1]["content"]  # a longer fence than any in the code
    assert "Do the thing." in messages[1]["content"]
    assert cache_key(MODEL, "x") != cache_key("other-model", "x") != cache_key(MODEL, "x", "statement")


def test_config_validation():
    with pytest.raises(ValueError, match="model"):
        LLMJudgeConfig(base_url="http://127.0.0.1:1/v1")
    with pytest.raises(ValueError, match="timeout_s"):
        LLMJudgeConfig(model=MODEL, timeout_s=0)


# --- the judge over HTTP -------------------------------------------------------------------------------------
def test_rates_the_code_it_was_shown(server):
    judge = make_judge(server)
    scores = score(judge, [DOCUMENTED, UNDOCUMENTED], ["Add two numbers.", None])
    assert scores == [pytest.approx(8 / 9), pytest.approx(1 / 9)]
    by_code = {r["code"] + "\n": r for r in server.requests}  # concurrent: any arrival order
    assert len(server.requests) == 2 and set(by_code) == {DOCUMENTED, UNDOCUMENTED}
    first, second = by_code[DOCUMENTED], by_code[UNDOCUMENTED]
    assert "Add two numbers." in first["user"] and "Problem statement" not in second["user"]
    assert first["system"] == RUBRIC
    assert (first["model"], first["temperature"], first["max_tokens"]) == (MODEL, 0.0, 256)


def test_cache_hit_sends_no_second_request(server):
    judge = make_judge(server)
    assert score(judge, [DOCUMENTED]) == [pytest.approx(8 / 9)]
    assert score(judge, [DOCUMENTED]) == [pytest.approx(8 / 9)]  # a second event loop, too
    assert len(server.requests) == judge.requests == 1
    assert score(judge, [UNDOCUMENTED, UNDOCUMENTED, DOCUMENTED]) == [pytest.approx(1 / 9)] * 2 + [pytest.approx(8 / 9)]
    assert len(server.requests) == 2  # duplicates in one batch: one request
    assert score(judge, [DOCUMENTED], ["A statement changes the prompt."]) == [pytest.approx(8 / 9)]
    assert len(server.requests) == 3


def test_server_down_is_none_not_zero():
    judge = LLMCommentJudge(LLMJudgeConfig(base_url=f"http://127.0.0.1:{free_port()}/v1", model=MODEL,
                                           timeout_s=5.0, retries=2, backoff_s=0.01))
    started = time.monotonic()
    assert score(judge, [DOCUMENTED, UNDOCUMENTED]) == [None, None]
    assert time.monotonic() - started < 5
    assert judge.requests == 6  # each code: the first try and two retries


def test_slow_server_is_none_within_the_timeout(server):
    judge = make_judge(server, timeout_s=0.5)
    started = time.monotonic()
    assert score(judge, [DOCUMENTED + "# SLOW\n"]) == [None]
    assert time.monotonic() - started < 2.5  # the server answers only after 3 s
    assert len(server.requests) >= 1


def test_rate_limit_is_retried(server):
    judge = make_judge(server)
    code = DOCUMENTED + "# RATE_LIMITED_ONCE\n"
    assert score(judge, [code]) == [pytest.approx(8 / 9)]
    assert server.attempts[code.rstrip("\n")] == 2


def test_rate_limit_out_of_retries_is_none(server):
    judge = make_judge(server, retries=1)
    code = DOCUMENTED + "# RATE_LIMITED_ALWAYS\n"
    assert score(judge, [code]) == [None]
    assert server.attempts[code.rstrip("\n")] == 2


def test_unparseable_answer_is_none_and_not_cached(server):
    judge = make_judge(server)
    code = DOCUMENTED + "# GARBLED\n"
    assert score(judge, [code, DOCUMENTED]) == [None, pytest.approx(8 / 9)]
    assert server.attempts[code.rstrip("\n")] == 1  # an answer, not a failure: no retry
    assert score(judge, [code]) == [None]
    assert server.attempts[code.rstrip("\n")] == 2  # asked again: None is never cached


def test_concurrency_is_bounded(server):
    judge = make_judge(server, max_concurrency=2)
    codes = [f"{UNDOCUMENTED}# WAIT {k}\n" for k in range(6)]
    assert score(judge, codes) == [pytest.approx(1 / 9)] * 6
    assert server.max_in_flight == 2


def test_api_key_from_the_environment_and_never_pickled(server, monkeypatch):
    monkeypatch.setenv("GRPO4CODE_TEST_JUDGE_KEY", "sk-test-secret-4242")
    judge = make_judge(server, api_key_env="GRPO4CODE_TEST_JUDGE_KEY")
    score(judge, [DOCUMENTED])
    assert server.requests[-1]["authorization"] == "Bearer sk-test-secret-4242"
    blob = pickle.dumps(judge)
    assert b"sk-test-secret-4242" not in blob
    copy = pickle.loads(blob)
    assert score(copy, [DOCUMENTED]) == [pytest.approx(8 / 9)] and copy.requests == 0  # the cache travels
    monkeypatch.delenv("GRPO4CODE_TEST_JUDGE_KEY")
    score(make_judge(server, api_key_env="GRPO4CODE_TEST_JUDGE_KEY"), [UNDOCUMENTED])
    assert server.requests[-1]["authorization"] == "Bearer EMPTY"


# --- the comment reward blended with the judge ----------------------------------------------------------------
ADD = Problem(id="add", source="test", split="train", entry_point="add", instruction="Add a and b.",
              tests=[CallTest(args=[1, 2], expected=3), CallTest(args=[-4, 4], expected=0)],
              reference_solution=UNDOCUMENTED)
WRONG = DOCUMENTED.replace("return a + b", "return a - b")


def fenced(code: str) -> str:
    return f"```python\n{code}```"


def columns(n: int) -> dict:
    row = reward_columns(ADD)
    return {key: [value] * n for key, value in row.items()}


@pytest.fixture(scope="module")
def code_judge():
    judge = CompletionJudge(JudgeConfig(workers=1))
    yield judge
    judge.close()


def test_comment_reward_blends_static_and_llm(server, code_judge):
    reward = CommentReward(llm_weight=0.5, llm_config=LLMJudgeConfig(base_url=server.base_url, model=MODEL),
                           judge=code_judge)
    garbled = DOCUMENTED + "# GARBLED\n"
    scores = score_sync(reward, [fenced(DOCUMENTED), fenced(WRONG), fenced(garbled), fenced(UNDOCUMENTED)],
                        **columns(4))
    static = static_comment_score(DOCUMENTED, "add")
    assert static == 1.0
    assert scores == [pytest.approx(0.5 * static + 0.5 * 8 / 9), 0.0, None, pytest.approx(0.5 * 0 + 0.5 * 1 / 9)]
    assert WRONG.rstrip("\n") not in server.attempts  # gated before the LLM is asked
    copy = pickle.loads(pickle.dumps(reward))
    assert copy.llm_judge.config == reward.llm_judge.config


def test_comment_reward_static_only_never_calls_the_llm(server, code_judge):
    reward = CommentReward(llm_weight=0.0, llm_config=LLMJudgeConfig(base_url=server.base_url, model=MODEL),
                           judge=code_judge)
    assert score_sync(reward, [fenced(DOCUMENTED)], **columns(1)) == [1.0]
    assert server.requests == []


def test_comment_reward_with_the_llm_down_cannot_score(code_judge):
    reward = CommentReward(llm_weight=0.3, judge=code_judge,
                           llm_config=LLMJudgeConfig(base_url=f"http://127.0.0.1:{free_port()}/v1", model=MODEL,
                                              retries=0, timeout_s=2.0))
    assert score_sync(reward, [fenced(DOCUMENTED), fenced(WRONG)], **columns(2)) == [None, 0.0]
