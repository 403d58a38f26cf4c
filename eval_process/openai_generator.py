"""Samples from any OpenAI-compatible chat API (OpenAI, vLLM's server, TGI, llama.cpp, ...).

One request per (problem, sample index), ``max_concurrency`` in flight. A request that is
rate limited (429), fails with a 5xx or 408/409, times out or loses its connection is retried
with exponential backoff and jitter (a ``Retry-After`` header, when the server sends one, is
honoured), up to ``max_retries`` times. Other errors (a bad request, a wrong key, an unknown
model) are the caller's to fix and stop the run at once.

Each answer is handed to ``emit`` as soon as it arrives (the caller appends it to the samples
file), so a run that is stopped loses only the requests in flight; the caller skips pairs
already in the file. Requests that still fail after their retries are returned, and the
others carry on.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from dataclasses import dataclass
from typing import Callable, Optional

from grpo4code.data.prompts import problem_prompt

MAX_BACKOFF_S = 60.0


@dataclass(frozen=True)
class OpenAISettings:
    """Where and how to call the API."""

    base_url: str
    model: str
    api_key_env: str = "OPENAI_API_KEY"
    max_concurrency: int = 8
    max_retries: int = 6
    backoff_s: float = 1.0
    timeout_s: float = 300.0

    def __post_init__(self) -> None:
        if self.max_concurrency < 1 or self.max_retries < 0 or self.backoff_s < 0:
            raise ValueError("OpenAISettings: max_concurrency >= 1, max_retries >= 0, backoff_s >= 0")


class RetriesExhausted(RuntimeError):
    """A request that kept failing with retryable errors."""


def is_retryable(exc: BaseException) -> bool:
    """Rate limits, server errors, timeouts and transport failures are worth another try."""
    import openai

    if isinstance(exc, (openai.APIConnectionError, openai.APITimeoutError, openai.RateLimitError,
                        openai.InternalServerError)):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return False


def retry_after_s(exc: BaseException) -> Optional[float]:
    """The server's ``Retry-After`` (seconds), when the error carries one."""
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def backoff_delay(attempt: int, base_s: float) -> float:
    """``base_s * 2**attempt`` (capped) times a jitter in [0.5, 1.5)."""
    return min(MAX_BACKOFF_S, base_s * (2 ** attempt)) * (0.5 + random.random())


async def complete(client, settings: OpenAISettings, messages: list[dict], generation, seed: int) -> dict:
    """One chat completion with retries: ``{"text", "num_tokens", "truncated", "attempts"}``."""
    request = {"model": settings.model, "messages": messages, "temperature": generation.temperature,
               "max_tokens": generation.max_new_tokens, "seed": seed, "n": 1}
    if generation.top_p < 1:
        request["top_p"] = generation.top_p
    if generation.top_k:
        request["extra_body"] = {"top_k": generation.top_k}  # not an OpenAI parameter; vLLM's server reads it
    for attempt in range(settings.max_retries + 1):
        try:
            response = await client.chat.completions.create(**request)
        except Exception as exc:
            if not is_retryable(exc):
                raise
            if attempt == settings.max_retries:
                raise RetriesExhausted(f"{type(exc).__name__} after {attempt + 1} attempts: {exc}") from exc
            delay = retry_after_s(exc)
            await asyncio.sleep(backoff_delay(attempt, settings.backoff_s) if delay is None else delay)
            continue
        choice = response.choices[0]
        usage = getattr(response, "usage", None)
        return {"text": choice.message.content or "", "truncated": choice.finish_reason == "length",
                "num_tokens": getattr(usage, "completion_tokens", None) if usage is not None else None,
                "attempts": attempt + 1}
    raise AssertionError("unreachable")


async def generate_openai_async(work: list[tuple], system_prompt: str, generation, settings: OpenAISettings,
                                emit: Callable, progress: bool = True) -> list[str]:
    """Answer every (problem, missing indices) of ``work``; the ``task_id#index`` that failed.

    ``emit(problem, index, text, num_tokens, truncated, gen_seconds, latency_s=..)`` gets each
    answer as it arrives; ``gen_seconds`` is the time since the previous answer, so the
    shares add up to the run's wall time.
    """
    from openai import AsyncOpenAI
    from tqdm.auto import tqdm

    api_key = os.environ.get(settings.api_key_env)
    if not api_key:
        print(f"[eval] ${settings.api_key_env} is not set: calling {settings.base_url} without an API key",
              file=sys.stderr, flush=True)
    client = AsyncOpenAI(base_url=settings.base_url, api_key=api_key or "EMPTY", max_retries=0,
                         timeout=settings.timeout_s)
    semaphore = asyncio.Semaphore(settings.max_concurrency)
    failures: list[str] = []
    total = sum(len(missing) for _, missing in work)
    last_finish = time.perf_counter()
    bar = tqdm(total=total, unit="sample", desc="requesting", disable=not progress, file=sys.stderr)

    async def one(problem, messages, index):
        nonlocal last_finish
        async with semaphore:
            started = time.perf_counter()
            try:
                answer = await complete(client, settings, messages, generation, generation.seed + index)
            except RetriesExhausted as exc:
                failures.append(f"{problem.id}#{index}: {exc}")
                bar.update(1)
                return
        now = time.perf_counter()
        share, last_finish = now - last_finish, now
        emit(problem, index, answer["text"], answer["num_tokens"], answer["truncated"], share,
             latency_s=now - started, attempts=answer["attempts"])
        bar.update(1)

    tasks = [asyncio.ensure_future(one(problem, problem_prompt(problem, system_prompt), index))
             for problem, missing in work for index in missing]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        # A request the caller must fix (bad request, wrong key): stop the others too.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    finally:
        bar.close()
        await client.close()
    return failures


def generate_openai(work: list[tuple], system_prompt: str, generation, settings: OpenAISettings,
                    emit: Callable, progress: bool = True) -> list[str]:
    """Blocking :func:`generate_openai_async`."""
    return asyncio.run(generate_openai_async(work, system_prompt, generation, settings, emit, progress))
