"""``bench_trim.py --big``: KB/s of code for black and ruff side by side, up to a 5 MB reply.

The replies are built from the running interpreter's standard library (its ``.py`` modules in
path order, tests left out, one fenced block per module, a line of prose between blocks), cut at a
target size of code: deterministic for a given Python, and real code (comments, docstrings, long
literals). Each size is trimmed once per formatter and configuration, alternating which formatter
goes first, caches cold. Two configurations:

* ``format``: ``level=safe, comments=keep`` — the formatter and the safety nets alone;
* ``safe``: ``level=safe`` — comment stripping (from the tokens, libcst for comments inside brackets) as well.

For each run: KB of code per second for the whole ``trim()`` and for the formatter stage alone
(time inside the formatter, measured by wrapping it in the public registry), and the ratio
ruff / black. The safety-net results (each block's status and the category of its reason) must be
the same for both formatters (a block changed by one and unchanged by the other passed both: that
is formatting, not a net); the line says ``same`` or lists the blocks that differ.

    python benchmarks/bench_trim.py --big                  # 64 KB, 512 KB and 5 MB
    python benchmarks/bench_trim.py --big --sizes 64 512   # KB of code
    python benchmarks/bench_trim.py --big --sizes 5120 --configs format
"""

from __future__ import annotations

import collections
import sysconfig
import time
from collections.abc import Sequence
from pathlib import Path

from tokentrim import Settings, trim
from tokentrim.languages.python import formatting
from tokentrim.languages.python.formatting import FORMATTERS, Formatter, Result

SIZES_KB = (64, 512, 5 * 1024)
CONFIGS = {
    "format": Settings(level="safe", comments="keep"),
    "safe": Settings(level="safe"),
}
_LEFT_OUT = {"test", "tests", "idle_test", "site-packages", "dist-packages", "__pycache__"}


def stdlib_reply(kb: int) -> tuple[str, int]:
    """A reply of at least ``kb`` KB of Python code from the standard library, and its code size
    in bytes."""
    root = Path(sysconfig.get_paths()["stdlib"])
    parts: list[str] = []
    size = 0
    for path in sorted(root.rglob("*.py")):
        if _LEFT_OUT & set(path.relative_to(root).parts):
            continue
        try:
            code = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "```" in code or not code.strip():
            continue  # a fence inside the code would end the block
        if not code.endswith("\n"):
            code += "\n"
        parts.append(f"Here is `{path.relative_to(root)}`:\n\n```python\n{code}```\n\n")
        size += len(code.encode())
        if size >= kb * 1024:
            break
    return "".join(parts), size


class _Timed:
    """A formatter from the registry, with the time spent inside it."""

    def __init__(self, inner: Formatter) -> None:
        self.inner = inner
        self.name = inner.name
        self.seconds = 0.0

    def format_batch(self, sources: Sequence[str], line_length: int) -> list[Result]:
        start = time.perf_counter()
        try:
            return self.inner.format_batch(sources, line_length)
        finally:
            self.seconds += time.perf_counter() - start


def _run(text: str, settings: Settings, name: str) -> tuple[float, float, list[str]]:
    """Seconds of trim(), seconds inside the formatter, and each block's net result."""
    import tokentrim.languages.python as py

    py._parse.cache_clear()
    formatting.clear_caches()
    timed = _Timed(FORMATTERS[name])
    FORMATTERS[name] = timed
    try:
        start = time.perf_counter()
        result = trim(text, settings=settings.replace(formatter=name))
        seconds = time.perf_counter() - start
    finally:
        FORMATTERS[name] = timed.inner
    return seconds, timed.seconds, [_verdict(b.status, b.category) for b in result.blocks]


def _verdict(status: str, category: str) -> str:
    """What the nets decided: a block kept (failed or skipped, and why) or let through (changed or
    unchanged: whether the formatter changed anything is formatting, not a net)."""
    if status in ("changed", "unchanged"):
        return "passed"
    return f"{status}: {category.replace('ruff', 'black')}"


def main(sizes_kb: Sequence[int] = SIZES_KB, configs: Sequence[str] = tuple(CONFIGS)) -> int:
    trim("```python\nx = 1  # warm\n```\n", formatter="ruff")  # imports, encodings, ruff's binary
    print("KB/s of code, trim() and the formatter stage alone (min 1 run, caches cold)")
    print(
        f"{'config':<8}{'code':>9}{'blocks':>8}  {'trim black':>11}{'ruff':>9}{'ratio':>7}"
        f"  {'format black':>13}{'ruff':>10}{'ratio':>8}  nets"
    )
    for index, kb in enumerate(sizes_kb):
        text, size = stdlib_reply(kb)
        for name in configs:
            settings = CONFIGS[name]
            order = ("black", "ruff") if index % 2 == 0 else ("ruff", "black")
            runs = {which: _run(text, settings, which) for which in order}
            (t_black, f_black, n_black), (t_ruff, f_ruff, n_ruff) = runs["black"], runs["ruff"]
            kbs = size / 1024
            differ = [i for i, (a, b) in enumerate(zip(n_black, n_ruff, strict=True)) if a != b]
            nets = "same" if not differ else f"DIFFERENT in blocks {differ[:10]}"
            counts = collections.Counter(n_black)
            statuses = [f"{n} {verdict}" for verdict, n in sorted(counts.items())]
            print(
                f"{name:<8}{kbs:>7.0f}KB{len(n_black):>8}  {kbs / t_black:>9.0f}/s"
                f"{kbs / t_ruff:>7.0f}/s{t_black / t_ruff:>6.1f}x"
                f"  {kbs / f_black:>11.0f}/s{kbs / f_ruff:>8.0f}/s{f_black / f_ruff:>7.1f}x"
                f"  {nets} ({', '.join(statuses)})",
                flush=True,
            )
    return 0
