"""Compute cost (genai-prices), review cost, model-name resolution and prices files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import genai_prices
import pytest
from genai_prices import calc_price, extract_usage

from tokentrim.cost import (
    CostReport,
    Usage,
    cost_report,
    load_prices,
    resolve_model,
    review_hours,
    review_load,
)
from tokentrim.errors import ConfigError
from tokentrim.settings import Settings

SETTINGS = Settings()
REPLY = (
    "Sure! Here is the function you asked for:\n\n"
    "```python\n"
    "# add two numbers\n"
    "def add(a, b):\n"
    "\n"
    "    return a + b\n"
    "```\n\n"
    "Let me know if you need anything else.\n"
)
TRIMMED = "```python\ndef add(a, b):\n    return a + b\n```\n"


def gp_usage(**values: int) -> genai_prices.Usage:
    return genai_prices.Usage(**values)


# --- compute: the same number genai-prices computes -------------------------------------------

PROVIDER_RESPONSES = [
    pytest.param(
        "openai",
        "chat",
        {
            "model": "gpt-4o-2024-08-06",
            "usage": {
                "prompt_tokens": 2_000,
                "completion_tokens": 350,
                "prompt_tokens_details": {"cached_tokens": 1_536},
                "completion_tokens_details": {"reasoning_tokens": 0},
            },
        },
        id="openai-chat-cached",
    ),
    pytest.param(
        "openai",
        "responses",
        {
            "model": "gpt-4.1-mini",
            "usage": {
                "input_tokens": 5_000,
                "output_tokens": 700,
                "input_tokens_details": {"cached_tokens": 4_096},
                "output_tokens_details": {"reasoning_tokens": 0},
            },
        },
        id="openai-responses-cached",
    ),
    pytest.param(
        "anthropic",
        "default",
        {
            "model": "claude-3-5-sonnet-20240620",
            "usage": {
                "input_tokens": 40,
                "cache_creation_input_tokens": 1_200,
                "cache_read_input_tokens": 3_000,
                "output_tokens": 512,
            },
        },
        id="anthropic-cache-read-and-write",
    ),
    pytest.param(
        "anthropic",
        "default",
        {
            "model": "claude-3-5-haiku-20241022",
            "usage": {
                "input_tokens": 900,
                "cache_creation_input_tokens": None,
                "cache_read_input_tokens": None,
                "output_tokens": 100,
            },
        },
        id="anthropic-no-cache",
    ),
    pytest.param(
        "google",
        "default",
        {
            "modelVersion": "gemini-2.0-flash",
            "usageMetadata": {
                "promptTokenCount": 10_000,
                "cachedContentTokenCount": 8_000,
                "candidatesTokenCount": 300,
            },
        },
        id="gemini-cached",
    ),
]


@pytest.mark.parametrize(("provider", "flavor", "response"), PROVIDER_RESPONSES)
def test_compute_equals_genai_prices_own_extraction(
    provider: str, flavor: str, response: dict
) -> None:
    model = response.get("model") or response["modelVersion"]
    usage = Usage.from_mapping(response.get("usage") or response)
    assert usage is not None and not usage.estimated
    report, warnings = cost_report(
        model=model,
        before=REPLY,
        after=TRIMMED,
        tokens_before=60,
        tokens_after=20,
        settings=SETTINGS,
        usage=usage,
    )
    assert warnings == []
    assert report is not None and report.compute is not None
    extracted = extract_usage(response, provider_id=provider, api_flavor=flavor)
    extract_usage_price = extracted.calc_price(model=extracted.model).total_price
    assert report.compute == float(extract_usage_price)
    # The same through calc_price with the usage spelled out.
    direct = calc_price(
        gp_usage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            cache_write_tokens=usage.cache_write_tokens,
        ),
        model,
        provider_id=provider,
    ).total_price
    assert direct == extract_usage_price
    assert report.compute == float(direct)
    assert report.compute_estimated is False


def test_openai_prompt_tokens_include_cached_and_anthropic_input_excludes_them() -> None:
    openai = Usage.from_mapping(
        {
            "prompt_tokens": 100,
            "completion_tokens": 5,
            "prompt_tokens_details": {"cached_tokens": 60},
        }
    )
    anthropic = Usage.from_mapping(
        {
            "input_tokens": 40,
            "cache_read_input_tokens": 60,
            "cache_creation_input_tokens": 0,
            "output_tokens": 5,
        }
    )
    responses = Usage.from_mapping(
        {"input_tokens": 100, "output_tokens": 5, "input_tokens_details": {"cached_tokens": 60}}
    )
    expected = Usage(input_tokens=100, output_tokens=5, cache_read_tokens=60)
    assert openai == anthropic == responses == expected
    assert expected.uncached_input_tokens == 40


def test_cached_tokens_are_cheaper_than_uncached() -> None:
    cached = Usage(input_tokens=10_000, output_tokens=100, cache_read_tokens=9_000)
    uncached = Usage(input_tokens=10_000, output_tokens=100)
    kwargs = dict(before=REPLY, after=REPLY, tokens_before=10, tokens_after=10, settings=SETTINGS)
    with_cache, _ = cost_report(model="gpt-4o", usage=cached, **kwargs)
    without, _ = cost_report(model="gpt-4o", usage=uncached, **kwargs)
    assert with_cache is not None and without is not None
    assert with_cache.compute is not None and without.compute is not None
    assert with_cache.compute < without.compute
    assert with_cache.compute == float(
        calc_price(
            gp_usage(input_tokens=10_000, output_tokens=100, cache_read_tokens=9_000), "gpt-4o"
        ).total_price
    )


def test_without_usage_the_reply_tokens_are_priced_as_output_and_marked_estimated() -> None:
    report, _ = cost_report(
        model="deepseek-chat",
        before=REPLY,
        after=TRIMMED,
        tokens_before=57,
        tokens_after=19,
        settings=SETTINGS,
    )
    assert report is not None
    assert report.compute_estimated is True
    assert report.usage == Usage(output_tokens=57, estimated=True)
    expected = calc_price(gp_usage(input_tokens=0, output_tokens=57), "deepseek-chat").total_price
    assert report.compute == float(expected)


def test_context_saved_and_totals() -> None:
    settings = Settings(carry_turns=3)
    report, _ = cost_report(
        model="gpt-4",
        before=REPLY,
        after=TRIMMED,
        tokens_before=1_000,
        tokens_after=400,
        settings=settings,
    )
    assert report is not None
    per_turn = calc_price(gp_usage(input_tokens=600), "gpt-4").input_price
    assert report.context_saved == pytest.approx(float(per_turn) * 3)
    assert report.context_saved == pytest.approx(600 * 30 / 1e6 * 3)  # gpt-4: $30 per M input
    assert report.compute is not None
    assert report.total_before == pytest.approx(report.compute + report.review_before)
    assert report.total_after == pytest.approx(
        report.compute + report.review_after - report.context_saved
    )
    assert report.savings == pytest.approx(report.total_before - report.total_after)
    assert report.currency == "USD"


# --- review -----------------------------------------------------------------------------------


def test_review_load_counts_code_lines_in_fences_and_prose_words_outside() -> None:
    load = review_load(REPLY)
    # "# add two numbers", "def add(a, b):", "return a + b" (the blank line does not count)
    assert load.code_lines == 3
    # Sure Here is the function you asked for | Let me know if you need anything else
    assert load.prose_words == 8 + 8
    assert review_load("no code, just five words").prose_words == 5
    assert review_load("").code_lines == 0


def test_whole_mode_counts_an_unfenced_reply_as_code() -> None:
    code = "def f():\n\n    return 1\n"
    assert review_load(code, Settings(code="whole")).code_lines == 2
    assert review_load(code, Settings(code="whole")).prose_words == 0


def test_review_formula() -> None:
    settings = Settings(
        review_lines_per_hour=300, review_words_per_minute=200, review_hourly_rate=50
    )
    report, _ = cost_report(
        model="gpt-4o",
        before=REPLY,
        after=TRIMMED,
        tokens_before=60,
        tokens_after=20,
        settings=settings,
    )
    assert report is not None
    hours_before = 3 / 300 + 16 / (200 * 60)
    hours_after = 2 / 300 + 0 / (200 * 60)
    assert report.review_hours_before == pytest.approx(hours_before)
    assert report.review_hours_after == pytest.approx(hours_after)
    assert report.review_before == pytest.approx(hours_before * 50)
    assert report.review_after == pytest.approx(hours_after * 50)
    assert review_hours(review_load(REPLY), settings) == pytest.approx(hours_before)


def test_default_review_parameters() -> None:
    assert (SETTINGS.review_lines_per_hour, SETTINGS.review_words_per_minute) == (400, 238)
    assert SETTINGS.review_hourly_rate == 64


# --- unknown models ---------------------------------------------------------------------------


def test_unknown_model_has_no_compute_but_keeps_review_and_warns() -> None:
    report, warnings = cost_report(
        model="acme-coder-9000",
        before=REPLY,
        after=TRIMMED,
        tokens_before=60,
        tokens_after=20,
        settings=SETTINGS,
    )
    assert isinstance(report, CostReport)
    assert report.compute is None
    assert report.context_saved is None
    assert report.total_before is None and report.total_after is None and report.savings is None
    assert report.review_before > report.review_after > 0
    assert len(warnings) == 1 and "acme-coder-9000" in warnings[0]
    assert report.warnings == tuple(warnings)
    assert report.priced_as is None


@pytest.mark.parametrize("model", [None, "", "   "])
def test_no_model_means_no_cost_report(model: str | None) -> None:
    assert cost_report(
        model=model,  # type: ignore[arg-type]
        before=REPLY,
        after=TRIMMED,
        tokens_before=1,
        tokens_after=1,
        settings=SETTINGS,
    ) == (None, [])


def test_inconsistent_provider_usage_is_a_warning_not_an_exception() -> None:
    # Built by hand (from_mapping clamps): more cache reads than input tokens.
    usage = Usage(input_tokens=10, output_tokens=5, cache_read_tokens=50)
    report, warnings = cost_report(
        model="gpt-4o",
        before=REPLY,
        after=REPLY,
        tokens_before=5,
        tokens_after=5,
        settings=SETTINGS,
        usage=usage,
    )
    assert report is not None and report.compute is None
    assert warnings and "cannot price" in warnings[0]


# --- model names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "priced_as"),
    [
        ("google/gemini-2.0-flash-001", "google:gemini-2.0-flash"),
        ("gemini/gemini-2.0-flash", "google:gemini-2.0-flash"),
        ("gemini-2.0-flash", "google:gemini-2.0-flash"),
        ("deepseek/deepseek-chat", "deepseek:deepseek-chat"),
        ("claude-3-5-sonnet-20240620", "anthropic:claude-3-5-sonnet"),
        ("anthropic/claude-3-5-sonnet-20240620", "anthropic:claude-3-5-sonnet"),
        ("gpt-4o-2024-08-06", "openai:gpt-4o"),
        ("openai/gpt-4o-mini", "openai:gpt-4o-mini"),
        ("GPT-4o-Mini", "openai:gpt-4o-mini"),
        ("openrouter/anthropic/claude-3.5-sonnet", "openrouter:anthropic/claude-3.5-sonnet"),
        ("meta-llama/llama-3.1-70b-instruct", "openrouter:meta-llama/llama-3.1-70b-instruct"),
        ("mistral/codestral-latest", "mistral:codestral"),
        ("mistral/codestral-2405", "mistral:codestral"),
        ("Mixtral-8x22B-Instruct-v0.1", "mistral:mixtral-8x22b-instruct"),
        ("gemini-1.5-pro-002", "google:gemini-1.5-pro"),
        ("o1-mini-2024-09-12", "openai:o1-mini"),
        ("vertex_ai/gemini-1.5-pro", "google:gemini-1.5-pro"),
        ("azure/gpt-4o", "azure:gpt-4o"),
        ("xai/grok-2", None),  # x-ai has grok-2 under a dated id: checked loosely below
    ],
)
def test_model_names_resolve(name: str, priced_as: str | None) -> None:
    resolved = resolve_model(name)
    assert resolved is not None
    if priced_as is not None:
        assert resolved.priced_as == priced_as
    else:
        assert resolved.priced_as.startswith("x-ai:grok-2")


def test_resolved_price_is_genai_prices_price_for_the_provider() -> None:
    usage = Usage(input_tokens=1_234, output_tokens=567)
    resolved = resolve_model("deepseek/deepseek-chat")
    assert resolved is not None
    expected = calc_price(
        gp_usage(input_tokens=1_234, output_tokens=567), "deepseek-chat", provider_id="deepseek"
    )
    assert resolved.price(usage).total == expected.total_price
    via_openrouter = resolve_model("openrouter/deepseek/deepseek-chat")
    assert via_openrouter is not None
    expected_or = calc_price(
        gp_usage(input_tokens=1_234, output_tokens=567),
        "deepseek/deepseek-chat",
        provider_id="openrouter",
    )
    assert via_openrouter.price(usage).total == expected_or.total_price


@pytest.mark.parametrize("name", ["acme-coder-9000", "totally/unknown-model", "", "gpt"])
def test_unknown_names_do_not_resolve(name: str) -> None:
    assert resolve_model(name) is None


def test_resolution_is_cached() -> None:
    assert resolve_model("claude-3-5-sonnet-20240620") is resolve_model(
        "claude-3-5-sonnet-20240620"
    )


# --- prices files -----------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "prices.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_prices_file_adds_a_model(tmp_path: Path) -> None:
    table = load_prices(
        write(
            tmp_path,
            '[models."my-model"]\ninput = 0.1\noutput = 0.4\ncache_read = 0.01\n',
        )
    )
    usage = Usage(input_tokens=2_000_000, output_tokens=1_000_000, cache_read_tokens=1_000_000)
    report, warnings = cost_report(
        model="my-model",
        before=REPLY,
        after=TRIMMED,
        tokens_before=100,
        tokens_after=40,
        settings=SETTINGS,
        usage=usage,
        prices=table,
    )
    assert warnings == []
    assert report is not None and report.priced_as == "prices file:my-model"
    # 1M uncached input × 0.1 + 1M cache reads × 0.01 + 1M output × 0.4
    assert report.compute == pytest.approx(0.1 + 0.01 + 0.4)
    assert report.context_saved == pytest.approx(60 * 0.1 / 1e6)
    # Without the file the model is unknown.
    assert resolve_model("my-model") is None


def test_prices_file_without_cache_price_charges_cache_at_the_input_price(tmp_path: Path) -> None:
    table = load_prices(write(tmp_path, "[models.local]\ninput = 1\noutput = 2\n"))
    resolved = resolve_model("local", table)
    assert resolved is not None
    price = resolved.price(
        Usage(input_tokens=1_000_000, output_tokens=0, cache_read_tokens=500_000)
    )
    assert price.total == Decimal("1")


def test_prices_file_overrides_genai_prices_for_every_spelling(tmp_path: Path) -> None:
    table = load_prices(write(tmp_path, '[models."gpt-4o"]\ninput = 1.0\noutput = 2.0\n'))
    for name in (
        "gpt-4o",
        "GPT-4o",
        "openai/gpt-4o",
        "gpt-4o-2024-08-06",
        "openrouter/openai/gpt-4o",
    ):
        resolved = resolve_model(name, table)
        assert resolved is not None and resolved.source == "prices file", name
        assert resolved.price(Usage(input_tokens=1_000_000, output_tokens=1_000_000)).total == 3
    other = resolve_model("gpt-4o-mini", table)
    assert other is not None and other.priced_as == "openai:gpt-4o-mini"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[models.x]\ninput = 1\n", "missing output"),
        ("[models.x]\ninput = 1\noutput = 2\nfoo = 3\n", "unknown key"),
        ("[models.x]\ninput = -1\noutput = 2\n", "non-negative"),
        ("[models.x]\ninput = 'cheap'\noutput = 2\n", "must be a number"),
        ("[models.x]\ninput = true\noutput = 2\n", "must be a number"),
        ("models = 3\n", "expected a [models"),
        ("[models.x\n", "invalid TOML"),
        ("[models]\nx = 1\n", "must be a table"),
    ],
)
def test_bad_prices_files_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")) as info:
        load_prices(write(tmp_path, text))
    assert str(tmp_path) in str(info.value)
    assert "\n" not in str(info.value).strip()


def test_missing_prices_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read prices file"):
        load_prices(tmp_path / "nope.toml")


def test_as_dict_is_json_ready() -> None:
    import json

    report, _ = cost_report(
        model="gpt-4o",
        before=REPLY,
        after=TRIMMED,
        tokens_before=60,
        tokens_after=20,
        settings=SETTINGS,
    )
    assert report is not None
    data = json.loads(json.dumps(report.as_dict()))
    assert data["compute"] == report.compute
    assert data["usage"]["output_tokens"] == 60


# --- the package ------------------------------------------------------------------------------


def test_totals_is_the_one_formula() -> None:
    from tokentrim.cost import Totals, totals

    assert totals(compute=1.0, review_before=3.0, review_after=1.0, context_saved=0.5) == Totals(
        4.0, 1.5, 2.5
    )
    unknown = Totals(None, None, None)
    assert totals(compute=None, review_before=3.0, review_after=1.0, context_saved=0.5) == unknown
    assert totals(compute=1.0, review_before=3.0, review_after=1.0, context_saved=None) == unknown


def test_totals_formula_is_written_once() -> None:
    """No module of cost/ or report/ but cost/totals.py adds compute to a review figure."""
    import ast

    import tokentrim

    def adds_compute_to_review(node: ast.AST) -> bool:
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)):
            return False
        names = [ast.unparse(side) for side in (node.left, node.right)]
        return any(n.endswith("compute") for n in names) and any("review_" in n for n in names)

    root = Path(tokentrim.__file__).parent
    found = [
        str(path.relative_to(root))
        for package in ("cost", "report")
        for path in sorted((root / package).rglob("*.py"))
        if any(map(adds_compute_to_review, ast.walk(ast.parse(path.read_text(encoding="utf-8")))))
    ]
    assert found == ["cost/totals.py"]


def test_public_names_are_sorted_and_exist() -> None:
    import importlib

    for name in ("tokentrim.cost", "tokentrim.report", "tokentrim.report.render"):
        module = importlib.import_module(name)
        assert module.__all__ == sorted(module.__all__), name
        assert all(hasattr(module, attr) for attr in module.__all__), name


def test_importing_tokentrim_or_usage_does_not_load_genai_prices() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tokentrim, tokentrim.cost.usage, tokentrim.cost\n"
        "assert not [m for m in sys.modules if m.startswith('genai_prices')], 'eager'\n"
        "tokentrim.load_prices, tokentrim.CostReport\n"
        "assert 'genai_prices' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


# --- unknown model names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("gpt4o", "gpt-4o"),
        ("claude-3.5-sonet", "claude-3.5-sonnet"),
        ("gemini-2.0-flsh", "gemini-2.0-flash"),
        ("openrouter/anthropic/claude-sonet-4", "claude-sonnet-4"),
    ],
)
def test_suggest_models_finds_the_name_meant(typo: str, meant: str) -> None:
    from tokentrim.cost import suggest_models, unknown_model_warning

    suggestions = suggest_models(typo)
    assert suggestions[0] == meant and len(suggestions) <= 3
    warning = unknown_model_warning(typo)
    assert warning is not None and f"did you mean {meant!r}" in warning and "\n" not in warning


@pytest.mark.parametrize(
    "name", ["gpt-4o", "claude-3-5-sonnet-20240620", "google/gemini-2.0-flash-001", "gpt-3.5-turbo"]
)
def test_known_models_get_no_warning(name: str) -> None:
    from tokentrim.cost import unknown_model_warning

    assert unknown_model_warning(name) is None


def test_a_model_only_tiktoken_knows_is_known() -> None:
    from tokentrim.cost import known_model, resolve_model

    assert resolve_model("text-davinci-003") is None  # no price ...
    assert known_model("text-davinci-003")  # ... but tiktoken tokenizes it


def test_a_prices_file_makes_a_model_known_and_suggestible(tmp_path: Path) -> None:
    from tokentrim.cost import suggest_models, unknown_model_warning

    prices = load_prices(write(tmp_path, '[models."acme-coder-9000"]\ninput = 1\noutput = 2\n'))
    assert unknown_model_warning("acme-coder-9000", prices) is None
    assert suggest_models("acme-coder-900", prices) == ["acme-coder-9000"]
    warning = unknown_model_warning("acme-coder-9000")
    assert warning is not None and "--prices" in warning  # nothing close: how to price it
