"""Comment stripping per language over ``corpora/languages/``: what it removes and what it costs.

For every code block of every reply, per canonical language:

* **comment tokens removed**: tokens inside comment nodes before, minus those left after, over
  those before (tiktoken's encoding, the one ``trim()`` counts with). At ``standard`` doc comments
  stay by design, so the share of the *other* comments is given too (the ≥ 95 % target);
  ``aggressive`` cuts doc comments to a sentence, ``--docstrings strip`` removes them.
* **block tokens saved**: the whole block's tokens before and after.
* **ms per block**: the cleaner's own time (parse, decide, rewrite, re-parse, token check, second
  pass), the best of ``--repeat`` runs, median over blocks; next to it the Python path
  (``clean_python``: libcst, rules, black, nets) on the Python blocks of ``corpora/*.md``, measured
  in the same run.

    python benchmarks/bench_languages.py                # the table, markdown
    python benchmarks/bench_languages.py --repeat 5 --json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from tokentrim import fences
from tokentrim.languages import canonical_language, cleaner_for
from tokentrim.languages._treesitter import Block, TreeSitterCleaner, _first_code_byte
from tokentrim.languages.python import clean_python
from tokentrim.pipeline import _language
from tokentrim.settings import Settings
from tokentrim.tokens import encoding_for

ROOT = Path(__file__).resolve().parent.parent
LEVELS = {
    "standard": Settings(),
    "aggressive": Settings(level="aggressive"),
    "strip": Settings(level="aggressive", docstrings="strip"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    encoding, encoding_name = encoding_for(None)

    def count(text: str) -> int:
        return len(encoding.encode(text, disallowed_special=())) if text else 0

    blocks: dict[str, list[str]] = defaultdict(list)
    replies: dict[str, int] = defaultdict(int)
    for path in sorted((ROOT / "corpora" / "languages").glob("*.md")):
        seen = set()
        for block in fences.find_code_blocks(path.read_text(encoding="utf-8")):
            lang = canonical_language(block.lang)
            if isinstance(cleaner_for(lang), TreeSitterCleaner):
                blocks[lang].append(block.code)
                seen.add(lang)
        for lang in seen:
            replies[lang] += 1

    rows = []
    for lang in sorted(blocks):
        cleaner = cleaner_for(lang)
        assert isinstance(cleaner, TreeSitterCleaner)
        row: dict[str, object] = {"language": lang, "replies": replies[lang]}
        row["blocks"] = len(blocks[lang])
        census = [_census(cleaner, code, count) for code in blocks[lang]]
        total = sum(c.total for c in census)
        protected = sum(c.protected for c in census)
        docs = sum(c.doc for c in census)
        row["comment_tokens"] = total
        row["protected_pct"] = _pct(protected, total)
        for name, settings in LEVELS.items():
            left = tokens_before = tokens_after = 0
            statuses: dict[str, int] = defaultdict(int)
            for code in blocks[lang]:
                outcome = cleaner.clean(code, settings)
                statuses[outcome.status] += 1
                left += _census(cleaner, outcome.code, count).total
                tokens_before += count(code)
                tokens_after += count(outcome.code)
            removed = total - left
            row[f"{name}_removed_pct"] = _pct(removed, total)
            # What the level means to remove: doc comments stay at standard, nothing protected goes.
            meant = total - protected - (docs if name == "standard" else 0)
            row[f"{name}_removed_of_meant_pct"] = _pct(removed, meant)
            row[f"{name}_block_saved_pct"] = _pct(tokens_before - tokens_after, tokens_before)
            row[f"{name}_statuses"] = dict(statuses)
        row["ms_per_block"] = _ms_per_block(cleaner.clean, blocks[lang], args.repeat)
        rows.append(row)

    python_blocks = [
        block.code
        for path in sorted((ROOT / "corpora").glob("*.md"))
        for block in fences.find_code_blocks(path.read_text(encoding="utf-8"))
        if _language(block) == "python"
    ]
    python_ms = _ms_per_block(clean_python, python_blocks, args.repeat)
    if args.json:
        json.dump(
            {"encoding": encoding_name, "languages": rows, "python_ms_per_block": python_ms},
            sys.stdout,
            indent=2,
        )
        print()
        return 0
    print(
        f"corpora/languages/, tokens: {encoding_name}; Python path: {len(python_blocks)} blocks "
        f"of corpora/*.md, {python_ms:.2f} ms per block (median)\n"
    )
    print(
        "| language | replies | comment tokens | protected | removed: standard | aggressive "
        "| strip | block tokens saved: standard | aggressive | ms/block |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['language']} | {row['replies']} | {row['comment_tokens']} "
            f"| {row['protected_pct']:.1f}% "
            f"| {row['standard_removed_pct']:.1f}% ({row['standard_removed_of_meant_pct']:.1f}%) "
            f"| {row['aggressive_removed_pct']:.1f}% "
            f"| {row['strip_removed_pct']:.1f}% ({row['strip_removed_of_meant_pct']:.1f}%) "
            f"| {row['standard_block_saved_pct']:.1f}% | {row['aggressive_block_saved_pct']:.1f}% "
            f"| {row['ms_per_block']:.2f} |"
        )
    failed = {
        row["language"]: row[f"{level}_statuses"]
        for row in rows
        for level in LEVELS
        if set(row[f"{level}_statuses"]) - {"changed", "unchanged"}  # type: ignore[call-overload]
    }
    if failed:
        print(f"\nblocks not cleaned: {failed}")
    return 0


@dataclasses.dataclass
class _Census:
    total: int  # tokens in comments
    protected: int  # in comments a keep rule protects (directives, licence, cgo, SAFETY...)
    doc: int  # in doc comments that are not protected


def _census(cleaner: TreeSitterCleaner, code: str, count: Callable[[str], int]) -> _Census:
    source = code.encode("utf-8")
    parsed = cleaner._parse(source)
    if parsed is None:
        return _Census(0, 0, 0)
    comments = cleaner.collect(parsed[1].root_node, source)
    block = Block(source, parsed[1], comments, "strip", _first_code_byte(source, comments))
    kept = cleaner.kept(block)
    census = _Census(0, 0, 0)
    for comment in comments:
        tokens = count(comment.text)
        census.total += tokens
        kind = cleaner.doc_kind(comment, block)
        if comment.index in kept or kind == "keep":
            census.protected += tokens
        elif kind is not None:
            census.doc += tokens
    return census


def _ms_per_block(clean: object, codes: list[str], repeat: int) -> float:
    assert callable(clean)
    settings = Settings()
    times = []
    for code in codes:
        best = float("inf")
        for _ in range(repeat):
            _clear_caches()  # the Python path keeps LRU caches of black results: cold, as here
            start = time.perf_counter()
            clean(code, settings)
            best = min(best, time.perf_counter() - start)
        times.append(best * 1000)
    return statistics.median(times) if times else 0.0


def _clear_caches() -> None:
    import tokentrim.languages.python as py
    from tokentrim.languages.python import formatting

    for name in ("_black_ast", "_parse"):  # _black_ast: revisions before pyast.same_for_black
        cached = getattr(py, name, None)
        if cached is not None:
            cached.cache_clear()
    formatting.clear_caches()


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


if __name__ == "__main__":
    raise SystemExit(main())
