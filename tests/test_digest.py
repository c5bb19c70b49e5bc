"""`tokentrim.digest` end to end: extraction, ranking, exact budget, cache, skips, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import tokentrim
from tokentrim.cli import cli, main
from tokentrim.digest.collect import collect
from tokentrim.digest.extract import ExtractError, extract
from tokentrim.digest.model import Scored
from tokentrim.errors import ConfigError, InputError
from tokentrim.tokens import count_tokens

PACKAGE = {
    "__init__.py": '''
        """A tiny HTTP-ish package for the digest's tests."""
        from .client import Client, get
        from .config import Timeout

        __all__ = ["Client", "Timeout", "get"]
    ''',
    "config.py": '''
        """Configuration objects."""
        DEFAULT_TIMEOUT = 5.0
        MAX_REDIRECTS = 20


        class Timeout:
            """Timeout configuration: how long to wait for a connection and a read."""

            connect: float

            def __init__(self, timeout: float = DEFAULT_TIMEOUT, *, connect: float | None = None) -> None:
                self.connect = connect or timeout

            def as_dict(self) -> dict[str, float]:
                return {"connect": self.connect}
    ''',
    "client.py": '''
        import typing

        from .config import Timeout, MAX_REDIRECTS


        class Client:
            """A client that sends requests and follows redirects."""

            def __init__(self, timeout: Timeout | None = None, headers: dict[str, str] = {"user-agent": "tiny-client/1.0"}) -> None:
                self.timeout = timeout or Timeout()

            def send(self, request: "Request", *, follow_redirects: bool = True) -> str:
                """Send a request and return the response body."""
                return self._send_handling_redirects(request, MAX_REDIRECTS)

            def _send_handling_redirects(self, request, limit):
                def inner():
                    return limit
                return inner()

            @property
            def closed(self) -> bool:
                """Whether the client was closed."""
                return False

            @closed.setter
            def closed(self, value: bool) -> None:
                pass

            async def aclose(self) -> None:
                """Close the client's connections."""

            class Options:
                """Nested options."""


        @typing.overload
        def get(url: str) -> str: ...
        @typing.overload
        def get(url: bytes) -> str: ...
        def get(url, timeout=None):
            """Send a GET request without a client."""
            return Client(timeout).send(url)
    ''',
}


@pytest.fixture(autouse=True)
def _cache_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("TOKENTRIM_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def package(tmp_path: Path) -> Path:
    root = tmp_path / "src" / "tiny"
    root.mkdir(parents=True)
    for name, source in PACKAGE.items():
        (root / name).write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    return root


# ---------------------------------------------------------------------------------------- naming


def test_digest_is_the_function_even_after_importing_its_submodules() -> None:
    code = (
        "import sys, tokentrim\n"
        "from tokentrim.digest.rank import Ranker\n"
        "import tokentrim.digest.collect, tokentrim.digest.render\n"
        "assert callable(tokentrim.digest), tokentrim.digest\n"
        "assert tokentrim.digest.__name__ == 'digest'\n"
        "assert type(tokentrim.digest).__name__ == 'function'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_import_tokentrim_stays_light() -> None:
    code = (
        "import sys, tokentrim\n"
        "heavy = [m for m in ('networkx', 'bm25s', 'scipy', 'Stemmer', 'numpy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------- extract


def test_extract_takes_signatures_docstrings_all_and_constants(package: Path) -> None:
    info = extract((package / "client.py").read_text())
    by_name = {s.qualname: s for s in info.symbols}
    assert list(by_name) == [
        "Client",
        "Client.__init__",
        "Client.send",
        "Client._send_handling_redirects",
        "Client.closed",
        "Client.aclose",
        "Client.Options",
        "get",
    ]
    init = by_name["Client.__init__"].signature
    # A long default is elided, a short one kept, annotations kept.
    assert (
        init
        == "def __init__(self, timeout: Timeout | None = None, headers: dict[str, str] = ...) -> None:"
    )
    assert by_name["Client.send"].signature == (
        'def send(self, request: "Request", *, follow_redirects: bool = True) -> str:'
    )
    assert by_name["Client.send"].doc == "Send a request and return the response body."
    # The getter, not the setter; the implementation, not the overload stubs.
    assert by_name["Client.closed"].signature == "@property\ndef closed(self) -> bool:"
    assert by_name["get"].signature == "def get(url, timeout=None):"
    assert by_name["Client.aclose"].signature.startswith("async def aclose(self)")
    assert by_name["Client.Options"].kind == "class"
    assert by_name["Client._send_handling_redirects"].line == 16
    # The nested def is part of its function: its name is referenced, it is no symbol.
    assert "inner" in by_name["Client._send_handling_redirects"].names

    config = extract((package / "config.py").read_text())
    assert config.constants == ("DEFAULT_TIMEOUT", "MAX_REDIRECTS")
    assert config.doc == "Configuration objects."
    assert extract((package / "__init__.py").read_text()).all == ("Client", "Timeout", "get")


def test_extract_refuses_what_does_not_parse() -> None:
    with pytest.raises(ExtractError, match="does not parse"):
        extract("def f(:\n")


# ---------------------------------------------------------------------------------------- digest


def test_digest_ranks_for_the_query_and_fits_the_budget(package: Path) -> None:
    result = tokentrim.digest(package, budget=120, query="how do I set a timeout for requests")
    assert result.tokens == count_tokens(result.text) <= 120
    assert "tiny.config.Timeout" in result
    # The two entries about timeouts lead: the Timeout class and get(url, timeout=None).
    assert {"tiny.config.Timeout", "tiny.client.get"} <= set(result.names[:3])
    assert result.files == 3 and result.candidates > 8
    assert "\n# tiny/config.py" in result.text  # its group, after the best entry's
    assert len(result.entries) < result.candidates


def test_digest_renders_groups_by_file_in_source_order(package: Path) -> None:
    result = tokentrim.digest(package, budget=4096, query="send a request")
    text = result.text
    # Everything fits: every entry is shown, each file once, members under their class.
    assert len(result.entries) == result.candidates
    assert text.count("# tiny/client.py") == 1
    client = text.index("class Client:")
    assert client < text.index("    def __init__(") < text.index("    def send(")
    assert '        """Send a request and return the response body.""" …' in text
    assert "    def _send_handling_redirects(self, request, limit): …" in text
    assert "# tiny/config.py: Configuration objects.\nDEFAULT_TIMEOUT = MAX_REDIRECTS = …" in text
    assert '__all__ = ["Client", "Timeout", "get"]' in text


def test_a_member_without_its_class_is_shown_under_the_class_line(package: Path) -> None:
    result = tokentrim.digest(package, budget=60, query="close connections aclose")
    assert "tiny.client.Client.aclose" in result
    assert "tiny.client.Client" not in result
    group = result.text[result.text.index("# tiny/client.py") :]
    assert group.startswith("# tiny/client.py\nclass Client:\n")
    assert "\n    async def aclose(self) -> None:\n" in group


@pytest.mark.parametrize("output_format", ["text", "markdown", "json"])
def test_every_format_fits_exactly(package: Path, output_format: str) -> None:
    for budget in (0, 1, 15, 80, 300):
        result = tokentrim.digest(
            package, budget=budget, query="timeout", format=output_format, model="gpt-4o"
        )
        assert result.tokens == count_tokens(result.text, model="gpt-4o") <= budget
    if output_format == "json":
        data = json.loads(result.text)
        assert {e["name"] for f in data["files"] for e in f["entries"]} <= {n for n in result.names}
    if output_format == "markdown":
        assert result.text.startswith("```python\n# ")


def test_budget_zero_is_an_empty_digest(package: Path) -> None:
    result = tokentrim.digest(package, budget=0)
    assert (result.text, result.tokens, result.entries) == ("", 0, ())


def test_bad_arguments_are_config_errors(package: Path) -> None:
    with pytest.raises(ConfigError):
        tokentrim.digest(package, budget=-1)
    with pytest.raises(ConfigError):
        tokentrim.digest(package, format="yaml")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        tokentrim.digest(package / "missing")


def test_focus_personalizes_pagerank_and_unknown_focus_warns(package: Path) -> None:
    plain = tokentrim.digest(package, budget=4096, ranking="pagerank")
    focused = tokentrim.digest(package, budget=4096, ranking="pagerank", focus=["Client.aclose"])
    assert focused.names[0] == "tiny.client.Client.aclose"
    assert "tiny.client.Client.aclose" not in plain.names[:4]
    by_file = tokentrim.digest(package, budget=4096, ranking="pagerank", focus=["config.py"])
    assert by_file.names[0].startswith("tiny.config")
    missing = tokentrim.digest(package, budget=100, focus=["nowhere.py"])
    assert missing.warnings == ("--focus 'nowhere.py' matches no file or symbol",)


def test_rankings_are_deterministic_and_the_cache_changes_nothing(package: Path) -> None:
    fresh = tokentrim.digest(package, budget=200, query="timeout", cache=False)
    first = tokentrim.digest(package, budget=200, query="timeout")
    warm = tokentrim.digest(package, budget=200, query="timeout")
    assert fresh.text == first.text == warm.text
    assert [e.score for e in fresh.entries] == [e.score for e in warm.entries]


def test_explain_and_messages(package: Path) -> None:
    result = tokentrim.digest(package, budget=100, query="timeout")
    lines = result.explain().splitlines()
    assert lines[0].split() == ["rank", "score", "bm25", "graph", "prior", "entry"]
    assert lines[1].endswith("tiny.config.Timeout")
    openai = result.as_messages("Add a retry option")
    assert [m["role"] for m in openai] == ["system", "user"]
    assert result.text in openai[0]["content"] and openai[1]["content"] == "Add a retry option"
    anthropic = result.as_messages("Add a retry option", style="anthropic")
    assert anthropic[0]["role"] == "user"
    assert [block["type"] for block in anthropic[0]["content"]] == ["text", "text"]


# ---------------------------------------------------------------------------------------- collect


def test_gitignore_and_unreadable_files(package: Path) -> None:
    (package / ".gitignore").write_text("ignored.py\nbuild/\n")
    (package / "ignored.py").write_text("def hidden(): ...\n")
    (package / "build").mkdir()
    (package / "build" / "out.py").write_text("def built(): ...\n")
    (package / ".venv").mkdir()
    (package / ".venv" / "env.py").write_text("def env(): ...\n")
    (package / "proto_pb2.py").write_text("def message(): ...\n")
    (package / "stamped.py").write_text("# Code generated by a tool. DO NOT EDIT.\nX = 1\n")
    (package / "blob.py").write_bytes(b"\x00\x01binary")
    (package / "latin.py").write_bytes("caf\xe9 = 1\n".encode("latin-1"))
    (package / "broken.py").write_text("def f(:\n")
    (package / "big.py").write_text("x = 1\n" * 1000)
    collection = collect([package], max_file_bytes=4000)
    assert {f.path for f in collection.files} == {
        "tiny/__init__.py",
        "tiny/client.py",
        "tiny/config.py",
    }
    reasons = {s.path: s.reason.split(" ")[0] for s in collection.skipped}
    assert reasons == {
        "tiny/big.py": "huge",
        "tiny/blob.py": "binary",
        "tiny/broken.py": "does",
        "tiny/latin.py": "not",
        "tiny/proto_pb2.py": "generated",
        "tiny/stamped.py": "generated",
    }


def test_modules_are_named_from_the_package_root(package: Path) -> None:
    files = collect([package.parent]).files
    assert {f.module for f in files} == {"tiny", "tiny.client", "tiny.config"}
    single = collect([package / "config.py"]).files
    assert [(f.path, f.module) for f in single] == [("tiny/config.py", "tiny.config")]


def test_second_run_parses_nothing_and_a_change_parses_one_file(
    package: Path, _cache_in_tmp: Path
) -> None:
    first = collect([package])
    assert (first.parsed, first.cached) == (3, 0)
    assert any(_cache_in_tmp.rglob("*.json"))
    second = collect([package])
    assert (second.parsed, second.cached) == (0, 3)
    assert second.key == first.key
    (package / "config.py").write_text('"""Changed."""\n')
    third = collect([package])
    assert (third.parsed, third.cached) == (1, 2)
    assert third.key != first.key


def test_the_tree_state_is_saved_and_reused(package: Path, _cache_in_tmp: Path) -> None:
    tokentrim.digest(package, query="timeout")
    trees = list(_cache_in_tmp.rglob("graph.npz"))
    assert len(trees) == 1
    before = trees[0].stat().st_mtime_ns
    tokentrim.digest(package, query="redirects")
    assert trees[0].stat().st_mtime_ns == before


def test_an_unwritable_or_damaged_cache_is_not_an_error(package: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache dir should be")
    result = tokentrim.digest(package, budget=50, query="timeout", cache_dir=blocked)
    assert result.tokens <= 50
    cache = tmp_path / "damaged"
    tokentrim.digest(package, cache_dir=cache)
    for file in cache.rglob("*"):
        if file.is_file():
            file.write_bytes(b"garbage")
    again = tokentrim.digest(package, budget=50, query="timeout", cache_dir=cache)
    assert again.text == result.text


# ---------------------------------------------------------------------------------------- CLI


def test_cli_prints_the_digest_on_stdout_and_the_summary_on_stderr(package: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["digest", str(package), "--budget", "100", "--query", "timeout", "--explain"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# ")
    assert count_tokens(result.stdout) <= 100
    assert "tokentrim: digest" in result.stderr and "rank" in result.stderr
    assert "tokentrim:" not in result.stdout


def test_cli_json_and_errors(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", str(package), "--format", "json", "-q"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["files"] and err == ""
    assert main(["digest", str(package / "missing")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "no such file or directory" in err
    assert main(["digest", str(package), "--budget", "-3"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_cli_respects_the_cache_env_var(package: Path, tmp_path: Path) -> None:
    cache = tmp_path / "elsewhere"
    env = {**os.environ, "TOKENTRIM_CACHE_DIR": str(cache)}
    subprocess.run(
        [sys.executable, "-m", "tokentrim", "digest", str(package), "-q"],
        check=True,
        env=env,
        capture_output=True,
    )
    assert any(cache.rglob("*.json"))


def test_combined_takes_the_graph_by_rank(package: Path) -> None:
    from tokentrim.digest.rank import GRAPH_WEIGHT, RANK_CONSTANT, Ranker

    ranker = Ranker(collect([package], cache=False).files)
    ranked, _ = ranker.rank(query="close connections aclose")
    by_name = {entry.qualified_name: entry for entry in ranked}
    # The walk, seeded by each entry's BM25 times its prior, in entry order.
    order = [by_name[Scored(file=f, symbol=s, score=0).qualified_name] for f, s in ranker.entries]
    walk = ranker._pagerank([e.bm25 * e.prior for e in order])  # noqa: SLF001
    walked = sorted(range(len(order)), key=lambda i: -walk[i] * order[i].prior)
    for position, i in enumerate(walked, start=1):
        assert order[i].pagerank == pytest.approx((RANK_CONSTANT + 1) / (RANK_CONSTANT + position))
    matched = [e for e in ranked if e.bm25 > 0]
    assert matched and len(matched) < len(ranked)
    for entry in ranked:
        mixed = (1 - GRAPH_WEIGHT) * entry.bm25 + GRAPH_WEIGHT * entry.pagerank
        assert entry.score == (pytest.approx(entry.prior * mixed) if entry.bm25 > 0 else 0.0)
    # Every entry the query matches comes first; the others follow in the walk's order.
    assert ranked[: len(matched)] == sorted(matched, key=lambda e: -e.score)
    rest = [e.pagerank for e in ranked[len(matched) :]]
    assert rest == sorted(rest, reverse=True)
