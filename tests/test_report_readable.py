"""What a reader of `tokentrim report` needs (issue 10): whole tokens per rule, review time as a
duration, review dollars without a model, the tokenizer named, plurals, the most verbose replies,
a per-source breakdown, and a reason when there is no projection."""

from __future__ import annotations

import json
import math

import pytest

from tokentrim.cost import Usage
from tokentrim.report import build_report, render_csv, render_html, render_json, render_text
from tokentrim.report.render.tables import duration
from tokentrim.report.summary import source_of, whole_tokens
from tokentrim.settings import Settings
from tokentrim.sources.records import Reply
from tokentrim.words import plural

VERBOSE = """Sure! Here's a function that adds two numbers:

```python
# This function adds two numbers together
def add(a, b):
    # Add a and b
    result = a + b  # store the result
    # Return the result
    return result
```

This function takes two arguments, `a` and `b`, and returns their sum. Let me know if you have
any other questions!
"""
LONGER = (
    VERBOSE
    + "\n```python\n# loop over the items\nfor item in items:  # each one\n    print(item)\n```\n"
)
CLEAN = "```python\ndef add(a, b):\n    return a + b\n```\n"


def reply(text: str, model: str | None = None, origin: str = "a.md") -> Reply:
    return Reply(text, model, None, origin, "text")


def table(text: str, title: str) -> list[list[str]]:
    """The rows of one plain-text table, cells split on runs of two spaces."""
    lines = text.split(title + "\n", 1)[1].split("\n\n", 1)[0].splitlines()
    rows = [line for line in lines[2:] if not line.startswith("note: ")]
    return [[c.strip() for c in line.split("  ") if c.strip()] for line in rows]


# --- 8: whole tokens per rule -------------------------------------------------------------------


def test_whole_tokens_add_up_to_the_rounded_total() -> None:
    shares = {"a": 1.5, "b": 1.5, "c": 1.0, "d": 0.25, "e": 0.75}
    whole = dict(whole_tokens(shares))
    assert sum(whole.values()) == round(math.fsum(shares.values())) == 5
    assert all(isinstance(v, int) for v in whole.values())
    assert whole == {"a": 2, "b": 1, "c": 1, "e": 1}  # ties by name; "d" rounds to nothing


def test_rules_are_whole_tokens_that_add_up_to_the_tokens_saved() -> None:
    report = build_report(
        [reply(VERBOSE, "gpt-4o"), reply(LONGER, "gpt-4o", "b.md"), reply(VERBOSE)],
        settings=Settings(),
    )
    data = json.loads(render_json(report))
    tokens = [row["tokens_saved"] for row in data["rules"]]
    assert tokens and all(isinstance(t, int) for t in tokens)
    assert sum(tokens) == data["total"]["tokens_saved"]
    rows = table(render_text(report), "Tokens saved per rule")
    assert all("." not in row[1] for row in rows)  # 12 tokens, not 12.3
    assert sum(int(row[1].replace(",", "")) for row in rows) == report.total.tokens_saved


def test_other_is_explained() -> None:
    report = build_report([reply(VERBOSE, "gpt-4o")], settings=Settings(prose="drop"))
    text = render_text(report)
    assert any(row[0] == "other" for row in table(text, "Tokens saved per rule"))
    assert "note: other: tokens saved outside code blocks" in text


# --- 8: review time as a duration, review dollars without a model -------------------------------


@pytest.mark.parametrize(
    ("hours", "shown"),
    [
        (0.0, "0 s"),
        (12 / 3600, "12 s"),
        (0.0298, "2 min"),
        (0.5, "30 min"),
        (1 + 47 / 60, "1 h 47 min"),
        (2.0, "2 h"),
        (1234.4, "1,234 h"),
    ],
)
def test_duration(hours: float, shown: str) -> None:
    assert duration(hours) == shown


def test_review_time_is_a_duration_and_review_dollars_need_no_model() -> None:
    report = build_report([reply(VERBOSE), reply(LONGER)], settings=Settings())
    text = render_text(report)
    header = text.splitlines()[1]
    assert "review time before → after" in header and "review $ before → after" in header
    (no_model, total) = table(text, "Cost per model (USD)")
    assert no_model[0] == "(no model)"
    review_time, review_dollars = no_model[3], no_model[4]
    assert review_time.endswith(("s", "min")) and "." not in review_time
    before, after = (float(v) for v in review_dollars.split(" → "))
    assert before == pytest.approx(report.total.review_before, rel=1e-2) and after < before
    assert no_model[5] == "—"  # compute needs a model
    page = render_html(report)
    assert f"${before}" in page.replace(",", "")  # the review cost card


# --- 8: tokenizer named, plurals -----------------------------------------------------------------


def test_the_tokenizer_is_named_in_text_json_and_html() -> None:
    report = build_report([reply(VERBOSE, "gpt-4o"), reply(CLEAN)], settings=Settings())
    data = json.loads(render_json(report))
    names = {row["encoding"] for row in data["tokenizers"]}
    assert names and sum(row["replies"] for row in data["tokenizers"]) == 2
    text = render_text(report)
    assert "tokens counted with" in text
    assert all(name in text for name in names)
    page = render_html(report)
    assert "<dt>tokenizer</dt>" in page and all(name in page for name in names)


def test_plurals() -> None:
    assert (plural(1, "reply", "replies"), plural(2, "reply", "replies")) == (
        "1 reply",
        "2 replies",
    )
    one = render_text(build_report([reply(VERBOSE, "acme-coder-9000")], settings=Settings()))
    assert "1 reply has no price" in one and "1 replies" not in one
    assert "1 of 1 reply without provider usage" in one
    two = render_text(build_report([reply(VERBOSE)] * 2, settings=Settings()))
    assert "2 replies have no price" in two


# --- 8: --top N, per-source breakdown ------------------------------------------------------------


def test_top_keeps_the_replies_trimming_shortened_most() -> None:
    items = [
        reply(CLEAN, "gpt-4o", "clean.md"),
        reply(VERBOSE, "gpt-4o", "verbose.md"),
        reply(LONGER, "gpt-4o", "longer.md"),
        reply(VERBOSE, "gpt-4o", "verbose-again.md"),
    ]
    report = build_report(items, settings=Settings(), top=2)
    top = json.loads(render_json(report))["top"]
    assert [row["origin"] for row in top] == ["longer.md", "verbose.md"]  # ties: first one wins
    assert top[0]["tokens_saved"] > top[1]["tokens_saved"] > 0
    rows = table(render_text(report), "Most verbose replies")
    assert [row[0] for row in rows] == ["longer.md", "verbose.md"]
    everything = build_report(items, settings=Settings(), top=10)
    assert [item.origin for item in everything.top] == [
        "longer.md",
        "verbose.md",
        "verbose-again.md",
    ]  # a reply trimming did not shorten is not verbose
    assert "Most verbose" not in render_text(build_report(items, settings=Settings()))


@pytest.mark.parametrize(
    ("origin", "inputs", "source"),
    [
        ("runs.jsonl:12", ["runs.jsonl"], "runs.jsonl"),
        ("replies/a/b.md", ["replies/", "runs.jsonl"], "replies/"),
        ("replies/a/b.md", ["./replies"], "./replies"),
        ("replies-old/b.md", ["replies"], "replies-old/b.md"),
        ("logs.db#01J8ZQ", ["logs.db"], "logs.db"),
        ("<stdin>:3", ["-"], "-"),
        ("<stdin>", ["-"], "-"),
        ("other.jsonl:4", [], "other.jsonl"),
        ("old/logs.db#logs/3", [], "old/logs.db"),
    ],
)
def test_source_of(origin: str, inputs: list[str], source: str) -> None:
    assert source_of(origin, inputs) == source


def test_per_source_breakdown() -> None:
    items = [
        Reply(VERBOSE, "gpt-4o", Usage(input_tokens=900, output_tokens=90), "runs.jsonl:1", "t"),
        Reply(CLEAN, "gpt-4o", Usage(input_tokens=300, output_tokens=20), "runs.jsonl:2", "t"),
        reply(LONGER, None, "notes/a.md"),
    ]
    report = build_report(items, settings=Settings(), inputs=["runs.jsonl", "notes"])
    sources = {row["source"]: row for row in json.loads(render_json(report))["sources"]}
    assert set(sources) == {"runs.jsonl", "notes"}
    assert sources["runs.jsonl"]["replies"] == 2 and sources["notes"]["replies"] == 1
    assert sources["runs.jsonl"]["compute"] is not None and sources["notes"]["compute"] is None
    assert sum(s["tokens_saved"] for s in sources.values()) == report.total.tokens_saved
    rows = table(render_text(report), "Cost per source (USD)")
    assert [row[0] for row in rows] == ["notes", "runs.jsonl"]
    assert "source,notes" in render_csv(report).replace('"', "")
    one = build_report(items[:2], settings=Settings(), inputs=["runs.jsonl"])
    assert "Cost per source" not in render_text(one)  # one source: the model table says it all


# --- 4: --per-day without a priced model ---------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "compare", "reason"),
    [
        (None, [], "no reply names a model; pass --model"),
        ("acme-coder-9000", [], "no price known for 'acme-coder-9000'"),
    ],
)
def test_per_day_without_a_priced_model_says_why(
    model: str | None, compare: list[str], reason: str
) -> None:
    report = build_report(
        [reply(VERBOSE, model)], settings=Settings(), per_day=1_000_000, compare=compare
    )
    assert report.projections == []
    (message,) = [w for w in report.warnings if w.startswith("--per-day")]
    assert reason in message
    assert json.dumps(message)[1:-1] in render_json(report)


def test_per_day_with_a_priced_model_has_no_such_warning() -> None:
    report = build_report([reply(VERBOSE, "gpt-4o")], settings=Settings(), per_day=1_000_000)
    assert report.projections and not [w for w in report.warnings if w.startswith("--per-day")]
