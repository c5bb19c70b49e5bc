"""trim() per reply against the floor, measured interleaved in one run.

The floor is the work no implementation of the pipeline can avoid: the same Python blocks parsed and
printed by libcst, formatted by black, and the whole reply tokenized twice (before and after). The
Python blocks are the ones trim() cleans: fenced blocks that are Python, or the whole reply when it
is unfenced Python (a FIM-style completion). Each reply is timed for trim() and for the floor back
to back, alternating which goes first, so machine noise hits both alike; the report gives
p50/p95/p99 of trim(), p50/p95 of the floor and the median of per-reply ratios.

The tail budget ("p99 of a reply under 3x its p50") is printed two ways: raw, p99/p50 of trim()
times, which across replies of very different sizes measures the corpus more than trim() (the
floor's own p99/p50 is printed beside it); and per reply, p99/p50 of the trim/floor ratio, which
says whether some reply costs far more than its floor.

    python benchmarks/bench_trim.py                      # corpora/ and the dev corpus when present
    python benchmarks/bench_trim.py --level standard --repeat 5
    python benchmarks/bench_trim.py --level standard --clock cpu   # CPU time: steadier when shared
    python benchmarks/bench_trim.py --big                # black vs ruff, KB/s of code, up to 5 MB
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import black
import libcst as cst

from tokentrim import Settings, trim
from tokentrim.fences import CodeBlock, split
from tokentrim.languages.python.detect import looks_like_python
from tokentrim.pipeline import _language
from tokentrim.tokens import encoding_for

ROOT = Path(__file__).resolve().parent.parent
# The budgets of issue 11 on the dev replies: median trim/floor ratio per level, and the tail.
RATIO_BUDGETS = {"standard": 1.0, "aggressive": 1.5}
TAIL_BUDGET = 3.0  # p99 of a reply under this many times its p50
DEV_CORPUS = ROOT.parent / "shared" / "corpus" / "real-replies-dev.jsonl"
# Wall time by default; --clock cpu: this process's CPU time, which other processes on a shared
# machine disturb less (neither counts time spent waiting for a core).
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
CLOCK = [CLOCKS["wall"]]


def load_replies(dev: Path) -> dict[str, list[str]]:
    sets = {
        "corpora": [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpora").glob("*.md"))]
    }
    if dev.is_file():
        with dev.open(encoding="utf-8") as stream:
            sets["dev"] = [json.loads(line)["response"] for line in stream if line.strip()]
    return sets


def floor(text: str, mode: black.Mode) -> None:
    encoding, _ = encoding_for(None)
    encoding.encode(text, disallowed_special=())
    segments = split(text)
    blocks = [s for s in segments if isinstance(s, CodeBlock)]
    # The default Settings(code="auto"), as trim() decides: an unfenced reply of Python is a block.
    codes = [b.code for b in blocks if _language(b) == "python"]
    if not blocks and looks_like_python(text):
        codes = [text]
    for code in codes:
        try:
            _ = cst.parse_module(code).code  # parse and print
            black.format_str(code, mode=mode)
        except Exception:  # noqa: BLE001 - code trim() skips costs the floor nothing either
            pass
    encoding.encode(text, disallowed_special=())


def measure(replies: list[str], settings: Settings, repeat: int) -> dict[str, float]:
    mode = black.Mode(line_length=settings.line_length)
    ours: list[float] = []
    base: list[float] = []
    ratios: list[float] = []
    for index, text in enumerate(replies):
        t_ours, t_base = [], []
        for r in range(repeat):
            order = (0, 1) if (index + r) % 2 == 0 else (1, 0)
            for which in order:
                # Cold caches for both: trim() keeps small LRU caches of black results.
                _clear_caches()
                start = CLOCK[0]()
                if which == 0:
                    trim(text, settings=settings)
                    t_ours.append(CLOCK[0]() - start)
                else:
                    floor(text, mode)
                    t_base.append(CLOCK[0]() - start)
        o, b = min(t_ours), min(t_base)
        ours.append(o)
        base.append(b)
        ratios.append(o / b if b else 1.0)
    return {
        "replies": len(replies),
        "trim_p50_ms": 1000 * statistics.median(ours),
        "trim_p95_ms": 1000 * _p95(ours),
        "trim_p99_ms": 1000 * _quantile(ours, 0.99),
        "floor_p50_ms": 1000 * statistics.median(base),
        "floor_p95_ms": 1000 * _p95(base),
        "floor_p99_ms": 1000 * _quantile(base, 0.99),
        "median_ratio": statistics.median(ratios),
        "ratio_p99": _quantile(ratios, 0.99),
    }


LINEAR_KB = (12, 25, 50)


def linear(replies: list[str], settings: Settings, repeat: int) -> list[tuple[int, float, float]]:
    """(KB, trim ms, floor ms) for one reply of each size in LINEAR_KB made of the replies joined
    in order: a 50 KB reply must cost about four times a 12 KB one, and the same times its floor."""
    rows = []
    for kb in LINEAR_KB:
        parts, size = [], 0
        for text in replies:
            if size >= kb * 1024:
                break
            parts.append(text)
            size += len(text.encode()) + 2
        reply = "\n\n".join(parts)
        row = measure([reply], settings, repeat)
        rows.append((len(reply.encode()) // 1024, row["trim_p50_ms"], row["floor_p50_ms"]))
    return rows


def around_4kb(replies: list[str], settings: Settings, repeat: int) -> dict[str, float]:
    near = sorted(replies, key=lambda t: abs(len(t.encode()) - 4096))[:15]
    return measure(near, settings, repeat)


def _clear_caches() -> None:
    """Empty every cache of the revision under test (this script also times older revisions,
    through PYTHONPATH): a repeat must not find the last one's work done."""
    import importlib

    import tokentrim.languages.python as py

    for name in ("_black_ast", "_parse"):  # _black_ast: revisions before pyast.same_for_black
        cached = getattr(py, name, None)
        if cached is not None:
            cached.cache_clear()
    try:
        importlib.import_module("tokentrim.languages.python.formatting").clear_caches()
    except ImportError:  # before the formatter seam: black's cache and fixed points lived here
        py._black.cache_clear()
        py._FIXED_POINTS.clear()
    # The rules' own small caches (the pre-screen's features and tokens, module facts).
    for module, name in [
        ("tokentrim.rules._screen", "features_of"),
        ("tokentrim.rules._screen_tokens", "_tokens"),  # before pyast.significant_tokens
        ("tokentrim.pyast", "significant_tokens"),
        ("tokentrim.pyast", "tokens"),
        ("tokentrim.rules._facts", "_facts_for_code"),
    ]:
        try:
            getattr(importlib.import_module(module), name).cache_clear()
        except (ImportError, AttributeError):
            pass
    facts = importlib.import_module("tokentrim.rules._facts")
    getattr(facts, "_CACHE", {}).clear()


def _p95(values: list[float]) -> float:
    return _quantile(values, 0.95)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV_CORPUS)
    parser.add_argument("--level", default="safe", choices=["safe", "standard", "aggressive"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--big", action="store_true", help="black vs ruff on big code (big_code.py)"
    )
    parser.add_argument("--sizes", type=int, nargs="*", help="--big: KB of code per reply")
    parser.add_argument("--configs", nargs="*", choices=["format", "safe"], help="--big: which")
    args = parser.parse_args()
    if args.big:
        import big_code

        return big_code.main(args.sizes or big_code.SIZES_KB, args.configs or big_code.CONFIGS)
    settings = Settings(level=args.level)
    CLOCK[0] = CLOCKS[args.clock]
    # Warm up imports and encodings so the first reply does not pay for them.
    trim("```python\nx = 1  # warm\n```\n", settings=settings)
    floor("```python\nx = 1\n```\n", black.Mode())
    results = {}
    for name, replies in load_replies(args.dev).items():
        results[name] = measure(replies, settings, args.repeat)
        results[f"{name} ~4KB"] = around_4kb(replies, settings, args.repeat)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        f"level={args.level} repeat={args.repeat} clock={args.clock} "
        "(min of repeats per reply; ratio = trim / floor)"
    )
    print(
        f"{'set':<14}{'replies':>8}{'trim p50':>10}{'p95':>9}{'p99':>9}{'floor p50':>11}{'p95':>9}"
        f"{'ratio':>8}"
    )
    for name, row in results.items():
        print(
            f"{name:<14}{row['replies']:>8}{row['trim_p50_ms']:>9.1f}ms{row['trim_p95_ms']:>7.1f}ms"
            f"{row['trim_p99_ms']:>7.1f}ms"
            f"{row['floor_p50_ms']:>9.1f}ms{row['floor_p95_ms']:>7.1f}ms{row['median_ratio']:>8.2f}"
        )
    dev = results.get("dev")
    if dev is not None:
        for line in budget_lines(args.level, dev):
            print(line)
        dev_replies = load_replies(args.dev)["dev"]
        for kb, ours, base in linear(dev_replies, settings, args.repeat):
            print(
                f"linear: {kb:>3} KB reply  trim {ours:7.1f}ms ({ours / kb:5.2f} ms/KB)  "
                f"floor {base:7.1f}ms ({base / kb:5.2f} ms/KB)  ratio {ours / base:.2f}"
            )
    return 0


def budget_lines(level: str, row: dict[str, float]) -> list[str]:
    """The dev set against the budgets: the ratio (standard, aggressive) and the p99/p50 tail."""
    lines = []
    budget = RATIO_BUDGETS.get(level)
    if budget is not None:
        ratio = row["median_ratio"]
        verdict = "met" if ratio <= budget else f"NOT met by {ratio - budget:.2f}x"
        lines.append(f"budget {level}: ratio {ratio:.2f} <= {budget:.1f}x the floor: {verdict}")
    tail = row["trim_p99_ms"] / row["trim_p50_ms"] if row["trim_p50_ms"] else 0.0
    floor_tail = row["floor_p99_ms"] / row["floor_p50_ms"] if row["floor_p50_ms"] else 0.0
    verdict = "met" if tail < TAIL_BUDGET else "NOT met"
    lines.append(
        f"budget tail, raw: trim p99 / p50 = {tail:.1f} < {TAIL_BUDGET:.0f}: {verdict} "
        f"(the floor's own p99 / p50: {floor_tail:.1f})"
    )
    ratio_tail = row["ratio_p99"] / row["median_ratio"] if row["median_ratio"] else 0.0
    verdict = "met" if ratio_tail < TAIL_BUDGET else "NOT met"
    lines.append(
        f"budget tail, per reply: p99 / p50 of trim/floor = {row['ratio_p99']:.2f} / "
        f"{row['median_ratio']:.2f} = {ratio_tail:.1f} < {TAIL_BUDGET:.0f}: {verdict}"
    )
    return lines


if __name__ == "__main__":
    sys.exit(main())
