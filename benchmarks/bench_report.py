"""Benchmark `tokentrim report`: 10,000 chat completions (time, and the numbers checked against
genai-prices and the review formula), then peak memory on a ~1 GB JSONL.

    python benchmarks/bench_report.py                  # 10k replies + 1 GB, one process
    python benchmarks/bench_report.py --jobs 2         # worker processes
    python benchmarks/bench_report.py --size-mb 100    # a smaller "large" file
    python benchmarks/bench_report.py --skip-large

Inputs are generated in a temporary directory (``--workdir``, default /tmp/tokentrim-bench) and
deleted afterwards unless ``--keep``; nothing is written into the repository. Reply texts come
from the development corpus (/work/shared/corpus/real-replies-dev.jsonl, read only) when it is
there, else from ``corpora/``. Each run happens in a fresh child process, so its peak RSS
(``resource.getrusage``, ru_maxrss of that process and its workers) is its own.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_CORPUS = Path("/work/shared/corpus/real-replies-dev.jsonl")
SEED = 20240620
# Models of the generated completions, with the shape of their traffic (prompt tokens, cache hits).
MODELS = (
    ("gpt-4o-2024-08-06", 1.0),
    ("gpt-4o-mini", 1.0),
    ("deepseek/deepseek-chat", 1.0),
    ("google/gemini-2.0-flash-001", 1.0),
    ("claude-3-5-sonnet-20240620", 1.0),
    ("mistral/codestral-2405", 0.5),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replies", type=int, default=10_000)
    parser.add_argument(
        "--size-mb", type=int, nargs="+", default=[100, 1024], help="sizes of the large JSONLs"
    )
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tokentrim-bench"))
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure)

    args.workdir.mkdir(parents=True, exist_ok=True)
    texts = load_texts()
    print(f"reply texts: {len(texts)} from {DEV_CORPUS if DEV_CORPUS.is_file() else 'corpora/'}")
    try:
        small = args.workdir / "chat-10k.jsonl"
        write_jsonl(small, completions(texts, args.replies))
        print(f"\n{args.replies:,} chat completions: {small} ({small.stat().st_size / 1e6:.1f} MB)")
        result = run(small, args.jobs)
        print(
            f"  tokentrim report --json -j {args.jobs}: {result['seconds']:.1f} s wall, "
            f"{result['cpu_seconds']:.1f} s CPU ({args.replies / result['cpu_seconds']:.0f} "
            f"replies per CPU second), peak RSS {result['peak_mb']:.0f} MB"
        )
        check(small, result["report"])

        for size_mb in [] if args.skip_large else args.size_mb:
            large = args.workdir / f"chat-{size_mb}mb.jsonl"
            count = write_jsonl(large, long_completions(texts), limit_bytes=size_mb * 2**20)
            size = large.stat().st_size
            print(
                f"\n~{size_mb} MB JSONL: {large} ({size / 2**20:.0f} MiB, {count:,} completions "
                f"of ~{size / count / 1024:.0f} KiB)"
            )
            result = run(large, args.jobs)
            replies = result["report"]["total"]["replies"]
            print(
                f"  tokentrim report --json -j {args.jobs}: {result['seconds']:.0f} s wall, "
                f"{result['cpu_seconds']:.0f} s CPU, {replies:,} replies, "
                f"peak RSS {result['peak_mb']:.0f} MB"
            )
            assert replies == count, (replies, count)
            large.unlink()
    finally:
        if not args.keep:
            shutil.rmtree(args.workdir, ignore_errors=True)
    return 0


# --- inputs ----------------------------------------------------------------------------------


def load_texts() -> list[str]:
    if DEV_CORPUS.is_file():
        with DEV_CORPUS.open(encoding="utf-8") as stream:
            return [json.loads(line)["response"] for line in stream if line.strip()]
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpora").glob("*.md"))]


def completions(texts: list[str], count: int) -> Iterator[dict]:
    """OpenAI chat completions with provider usage (prompt, cached, completion tokens)."""
    rng = random.Random(SEED)
    for index in range(count):
        model, cache_rate = MODELS[index % len(MODELS)]
        text = texts[index % len(texts)]
        prompt = rng.randint(200, 6_000)
        cached = (prompt // 1024) * 1024 if rng.random() < 0.4 * cache_rate else 0
        yield chat_completion(index, model, text, prompt, max(len(text) // 4, 1), cached)


def long_completions(texts: list[str]) -> Iterator[dict]:
    """Reasoning-model replies, endlessly: a ~120 KB ``<think>`` trace, then a real answer.

    The trace is prose lines drawn from the reply texts (reasoning traces of 30k+ tokens are what
    fills multi-GB logs); the answer is one whole reply, code blocks and all.
    """
    rng = random.Random(SEED + 1)
    prose = [line for text in texts for line in text.splitlines() if len(line.split()) >= 6]
    prose = [line for line in prose if not line.lstrip().startswith(("```", "~~~", "#", "    "))]
    index = 0
    while True:
        lines, size = [], 0
        while size < 120_000:
            line = prose[rng.randrange(len(prose))]
            lines.append(line)
            size += len(line) + 1
        answer = texts[rng.randrange(len(texts))]
        text = "<think>\n" + "\n".join(lines) + "\n</think>\n\n" + answer
        model, _ = MODELS[index % len(MODELS)]
        yield chat_completion(index, model, text, rng.randint(2_000, 60_000), len(text) // 4, 0)
        index += 1


def chat_completion(index: int, model: str, text: str, prompt: int, out: int, cached: int) -> dict:
    return {
        "id": f"chatcmpl-bench{index:08d}",
        "object": "chat.completion",
        "created": 1_720_000_000 + index,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": out,
            "total_tokens": prompt + out,
            "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        },
        "system_fingerprint": "fp_bench",
    }


def write_jsonl(path: Path, records: Iterator[dict], *, limit_bytes: int | None = None) -> int:
    written = count = 0
    with path.open("w", encoding="utf-8") as stream:
        for record in records:
            line = json.dumps(record, ensure_ascii=False) + "\n"
            stream.write(line)
            written += len(line.encode("utf-8"))
            count += 1
            if limit_bytes is not None and written >= limit_bytes:
                break
    return count


# --- runs ------------------------------------------------------------------------------------


def run(path: Path, jobs: int) -> dict:
    """`tokentrim report --json` in a fresh child process; its time, peak RSS and report."""
    out = path.with_suffix(".report.json")
    command = [sys.executable, __file__, "--measure", str(path), str(out), str(jobs)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"report failed ({done.returncode}):\n{done.stderr[-3000:]}")
    stats = json.loads(done.stdout)
    stats["report"] = json.loads(out.read_text(encoding="utf-8"))
    return stats


def measure(argv: list[str]) -> int:
    """Child mode: run the CLI in-process, print seconds and peak RSS (this process + workers)."""
    from tokentrim.cli import main as cli_main

    source, destination, jobs = argv
    start = time.perf_counter()
    with open(destination, "w", encoding="utf-8") as out:
        saved, sys.stdout = sys.stdout, out
        try:
            code = cli_main(["report", "--json", "-q", "-j", jobs, source])
        finally:
            sys.stdout = saved
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
    print(
        json.dumps(
            {
                "code": code,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "peak_mb": max(own.ru_maxrss, workers.ru_maxrss) / 1024,
                "self_mb": own.ru_maxrss / 1024,
                "workers_mb": workers.ru_maxrss / 1024,
            }
        )
    )
    return code


# --- checks ----------------------------------------------------------------------------------


def check(path: Path, report: dict) -> None:
    """The report's numbers against genai-prices (per record) and the review formula."""
    from genai_prices import Usage, calc_price

    from tokentrim.cost import resolve_model

    compute: dict[str, list[float]] = defaultdict(list)
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            usage = record["usage"]
            resolved = resolve_model(record["model"])
            assert resolved is not None, record["model"]
            provider_id = resolved.priced_as.split(":", 1)[0]
            price = calc_price(
                Usage(
                    input_tokens=usage["prompt_tokens"],
                    output_tokens=usage["completion_tokens"],
                    cache_read_tokens=usage["prompt_tokens_details"]["cached_tokens"],
                ),
                resolved.matched_ref,
                provider_id=provider_id,
            )
            compute[record["model"]].append(float(price.total_price))
    params = report["parameters"]
    worst = 0.0
    for row in report["models"]:
        expected = math.fsum(compute[row["model"]])
        worst = max(worst, abs(row["compute"] - expected) / expected)
        for when in ("before", "after"):
            hours = row[f"code_lines_{when}"] / params["lines_per_hour"] + row[
                f"prose_words_{when}"
            ] / (params["words_per_minute"] * 60)
            assert math.isclose(row[f"review_hours_{when}"], hours, rel_tol=1e-9), row["model"]
            assert math.isclose(row[f"review_{when}"], hours * params["hourly_rate"], rel_tol=1e-9)
        print(
            f"  {row['model']:30} {row['replies']:>6,} replies  compute ${row['compute']:.4f} "
            f"(genai-prices ${expected:.4f})  review {row['review_hours_before']:.1f} h -> "
            f"{row['review_hours_after']:.1f} h  tokens {row['tokens_before']:,} -> "
            f"{row['tokens_after']:,}"
        )
    total = report["total"]
    print(
        f"  {'TOTAL':30} {total['replies']:>6,} replies  compute ${total['compute']:.2f}  "
        f"savings ${total['savings']:.2f}"
    )
    print(
        f"  compute matches genai-prices per record (worst relative difference {worst:.1e}); "
        "review hours match lines/400 + words/(238*60) per model"
    )
    assert worst < 1e-9


if __name__ == "__main__":
    raise SystemExit(main())
