"""build_report: per-model sums of per-reply numbers, comparisons, projections, renderers."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from genai_prices import Usage as GenaiUsage
from genai_prices import calc_price

from tokentrim.cost import Usage, load_prices
from tokentrim.report import (
    NO_MODEL,
    build_report,
    measure_reply,
    render_csv,
    render_html,
    render_json,
    render_text,
)
from tokentrim.settings import Settings
from tokentrim.sources.records import Reply

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
SETTINGS = Settings()

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
CLEAN = "```python\ndef add(a, b):\n    return a + b\n```\n"
PROSE = "Use a dictionary comprehension here; it is both faster and easier to read than a loop."


def reply_of(
    text: str, model: str | None, usage: Usage | None = None, origin: str = "test"
) -> Reply:
    """A reply as the sources read it: the type build_report takes."""
    return Reply(text, model, usage, origin, "test")


def replies() -> list[Reply]:
    return [
        reply_of(
            VERBOSE,
            "gpt-4o",
            Usage(input_tokens=1_200, output_tokens=95, cache_read_tokens=1_024),
            "a:1",
        ),
        reply_of(CLEAN, "gpt-4o", Usage(input_tokens=300, output_tokens=20), "a:2"),
        reply_of(VERBOSE, "claude-3-5-sonnet-20240620", None, "b.md"),
        reply_of(PROSE, "google/gemini-2.0-flash-001", None, "c.md"),
        reply_of(VERBOSE, "acme-coder-9000", None, "d.md"),
        reply_of(CLEAN, None, None, "e.md"),
    ]


NUMERIC = (
    "tokens_before",
    "tokens_after",
    "review_hours_before",
    "review_hours_after",
    "review_before",
    "review_after",
)
PRICED = ("compute", "context_saved", "total_before", "total_after", "savings")


def fsum_or_none(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return math.fsum(known) if known else None


def test_report_numbers_are_sums_of_per_reply_numbers() -> None:
    items = [measure_reply(r, settings=SETTINGS) for r in replies()]
    data = json.loads(render_json(build_report(replies(), settings=SETTINGS)))
    by_model = {row["model"]: row for row in data["models"]}
    assert set(by_model) == {
        "gpt-4o",
        "claude-3-5-sonnet-20240620",
        "google/gemini-2.0-flash-001",
        "acme-coder-9000",
        NO_MODEL,
    }
    for model, row in by_model.items():
        mine = [item for item in items if item.model == model]
        assert row["replies"] == len(mine)
        for key in NUMERIC:
            assert row[key] == pytest.approx(math.fsum(getattr(i, key) for i in mine), rel=1e-12), (
                key
            )
        for key in PRICED:
            expected = fsum_or_none([getattr(i, key) for i in mine])
            assert row[key] == (
                pytest.approx(expected, rel=1e-12) if expected is not None else None
            ), key
    total = data["total"]
    assert total["replies"] == len(items)
    for key in NUMERIC + PRICED:
        expected = fsum_or_none([getattr(i, key) for i in items])
        assert total[key] == pytest.approx(expected, rel=1e-12), key
    # The unknown model and the reply without a model are left out of compute, and say so.
    assert by_model["acme-coder-9000"]["compute"] is None
    assert by_model[NO_MODEL]["compute"] is None
    assert total["unpriced_replies"] == 2
    assert total["estimated_replies"] == 4
    messages = " ".join(w["message"] for w in data["warnings"])
    assert "acme-coder-9000" in messages and "--model" in messages


def test_per_reply_compute_is_genai_prices() -> None:
    provider, estimated = replies()[0], replies()[2]
    item = measure_reply(provider, settings=SETTINGS)
    expected = calc_price(
        GenaiUsage(input_tokens=1_200, output_tokens=95, cache_read_tokens=1_024), "gpt-4o"
    ).total_price
    assert item.compute == float(expected)
    item = measure_reply(estimated, settings=SETTINGS)
    assert item.usage.estimated and item.usage.output_tokens == item.tokens_before
    expected = calc_price(
        GenaiUsage(output_tokens=item.tokens_before), "claude-3-5-sonnet-20240620"
    ).total_price
    assert item.compute == float(expected)
    # Review follows the formula on what the reader sees before and after.
    hours = item.code_lines_before / 400 + item.prose_words_before / (238 * 60)
    assert item.review_hours_before == pytest.approx(hours)
    assert item.review_before == pytest.approx(hours * 64)


def test_trimming_a_verbose_reply_saves_review_time_and_context() -> None:
    item = measure_reply(reply_of(VERBOSE, "gpt-4o"), settings=SETTINGS)
    assert item.changed
    assert item.tokens_after < item.tokens_before
    assert item.code_lines_after < item.code_lines_before
    assert item.review_after < item.review_before
    assert item.context_saved is not None and item.context_saved > 0
    assert item.savings == pytest.approx(
        item.review_before - item.review_after + item.context_saved
    )
    assert sum(tokens for _, tokens in item.rule_tokens) == pytest.approx(
        item.tokens_before - item.tokens_after
    )


def test_default_model_applies_only_to_replies_without_one() -> None:
    settings = Settings(model="gpt-4o-mini")
    report = build_report(replies(), settings=settings)
    assert NO_MODEL not in report.models
    assert report.models["gpt-4o-mini"].replies == 1
    assert report.models["gpt-4o"].replies == 2


def test_csv_rows_match_json() -> None:
    report = build_report(replies(), settings=SETTINGS, compare=["gpt-4"], per_day=1_000_000)
    data = json.loads(render_json(report))
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    models = [row for row in rows if row["kind"] == "model"]
    assert [row["model"] for row in models] == [row["model"] for row in data["models"]]
    for row, expected in zip(models, data["models"], strict=True):
        for key in ("replies", "tokens_before", "tokens_after", "input_tokens", "output_tokens"):
            assert int(row[key]) == expected[key]
        for key in ("review_before", "review_after", "compute", "savings"):
            if expected[key] is None:
                assert row[key] == ""
            else:
                assert float(row[key]) == expected[key]
    (total,) = [row for row in rows if row["kind"] == "total"]
    assert float(total["review_hours_before"]) == data["total"]["review_hours_before"]
    assert [row["model"] for row in rows if row["kind"] == "compare"] == ["gpt-4"]
    assert {row["model"] for row in rows if row["kind"] == "projection"} >= {"gpt-4", "gpt-4o"}


def test_compare_prices_the_same_usage_on_another_model() -> None:
    report = build_report(replies(), settings=SETTINGS, compare=["gpt-4", "gemini-2.0-flash"])
    items = [measure_reply(r, settings=SETTINGS) for r in replies()]
    gpt4 = report.compare[0]
    assert gpt4.model == "gpt-4" and gpt4.priced_as == "openai:gpt-4"
    expected = math.fsum(
        float(
            calc_price(
                GenaiUsage(
                    input_tokens=i.usage.input_tokens,
                    output_tokens=i.usage.output_tokens,
                    cache_read_tokens=i.usage.cache_read_tokens,
                ),
                "gpt-4",
            ).total_price
        )
        for i in items
    )
    assert gpt4.compute == pytest.approx(expected, rel=1e-12)
    assert gpt4.replies == len(items) and gpt4.unpriced_replies == 0
    assert gpt4.review_before == pytest.approx(report.total.review_before)
    flash = report.compare[1]
    assert flash.compute is not None and gpt4.compute is not None
    assert flash.compute < gpt4.compute / 50


def test_compare_with_an_unknown_model_warns() -> None:
    report = build_report(replies()[:1], settings=SETTINGS, compare=["acme-coder-9000"])
    assert report.compare == []
    assert any("acme-coder-9000" in message for message in report.warnings)


def test_per_day_projects_a_month() -> None:
    only_provider = replies()[:2]
    report = build_report(only_provider, settings=SETTINGS, compare=["gpt-4"], per_day=10_000_000)
    total = report.total
    share = total.input_tokens / (total.input_tokens + total.output_tokens)
    assert report.input_share == pytest.approx(share)
    assert report.input_share_source == "measured from provider usage"
    projections = {p.model: p for p in report.projections}
    gpt4 = projections["gpt-4"]
    assert gpt4.input_tokens + gpt4.output_tokens == 300_000_000
    # gpt-4 has one flat price: $30 / $60 per million.
    expected = gpt4.input_tokens * 30 / 1e6 + gpt4.output_tokens * 60 / 1e6
    assert gpt4.compute == pytest.approx(expected, rel=1e-3)
    hours_per_token = total.review_hours_before / total.tokens_before
    assert gpt4.review_before == pytest.approx(gpt4.output_tokens * hours_per_token * 64)


def test_per_day_the_article_scenario_gpt4_vs_gemini_flash() -> None:
    """10 million tokens a day: GPT-4 against Gemini Flash, the same input share."""
    report = build_report(
        [reply_of(VERBOSE, "gpt-4")],
        settings=SETTINGS,
        compare=["gemini-2.0-flash"],
        per_day=10_000_000,
        input_share=0.75,
    )
    projections = {p.model: p for p in report.projections}
    gpt4, flash = projections["gpt-4"], projections["gemini-2.0-flash"]
    assert gpt4.compute is not None and flash.compute is not None
    assert gpt4.input_share == 0.75 and report.input_share_source == "--input-share"
    assert gpt4.compute - flash.compute > 2_000  # the article: "over $2,000 monthly"


def test_prices_file_reaches_the_report(tmp_path: Path) -> None:
    prices_path = tmp_path / "prices.toml"
    prices_path.write_text('[models."acme-coder-9000"]\ninput = 1\noutput = 2\n', encoding="utf-8")
    prices = load_prices(prices_path)
    report = build_report([reply_of(VERBOSE, "acme-coder-9000")], settings=SETTINGS, prices=prices)
    bucket = report.models["acme-coder-9000"]
    assert bucket.priced_as == "prices file:acme-coder-9000"
    assert bucket.compute == pytest.approx(bucket.output_tokens * 2 / 1e6)
    assert report.total.unpriced_replies == 0


def test_rules_savings_add_up_to_tokens_saved() -> None:
    report = build_report(replies(), settings=SETTINGS)
    assert report.rules
    assert math.fsum(report.rules.values()) == pytest.approx(report.total.tokens_saved)


def test_text_rendering_is_aligned_and_complete() -> None:
    report = build_report(replies(), settings=SETTINGS, compare=["gpt-4"], per_day=10_000_000)
    text = render_text(report)
    assert "Cost per model (USD)" in text and "Compared" in text and "Projected month" in text
    lines = text.splitlines()
    header = lines[1]
    assert header.startswith("model") and header.rstrip().endswith("savings $")
    assert "TOTAL" in text and "acme-coder-9000" in text
    assert "—" in text  # unknown model: no compute


def test_empty_report_renders() -> None:
    report = build_report([], settings=SETTINGS, per_day=1_000)
    assert json.loads(render_json(report))["total"]["replies"] == 0
    assert "TOTAL" in render_text(report)
    assert render_csv(report).startswith("kind,model")
    assert "<svg" in render_html(report)


def test_html_is_self_contained() -> None:
    report = build_report(replies(), settings=SETTINGS, compare=["gpt-4"])
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert "src=" not in page and "@import" not in page and "<link" not in page
    assert page.count("<svg") == 3  # compute, review, rules (no projection without --per-day)
    assert "acme-coder-9000" in page and "gpt-4 (compare)" in page


def test_html_escapes_model_names() -> None:
    report = build_report([reply_of(CLEAN, "<b>evil</b>")], settings=SETTINGS)
    page = render_html(report)
    assert "<b>evil</b>" not in page and "&lt;b&gt;evil&lt;/b&gt;" in page


@pytest.mark.skipif(not CORPORA.is_dir(), reason="corpora/ not present")
def test_report_over_the_corpora_never_raises() -> None:
    from tokentrim.sources import iter_replies

    report = build_report(iter_replies([str(CORPORA)]), settings=Settings(model="gpt-4o"))
    assert report.total.replies >= 30
    assert report.total.tokens_after <= report.total.tokens_before
    assert report.total.compute is not None and report.total.unpriced_replies == 0


def test_worker_processes_give_the_same_report(tmp_path: Path) -> None:
    prices_path = tmp_path / "prices.toml"
    prices_path.write_text('[models."acme-coder-9000"]\ninput = 1\noutput = 2\n', encoding="utf-8")
    prices = load_prices(prices_path)
    items = replies() * 3
    kwargs = dict(settings=SETTINGS, prices=prices, compare=["gpt-4"], per_day=1_000_000)
    one = render_json(build_report(items, **kwargs))
    two = render_json(build_report(iter(items), jobs=2, **kwargs))
    assert two == one
