"""How well ``comments=narration`` tells narration from informative comments, on labelled comments.

    python benchmarks/bench_comments.py [--labels PATH] [--replies PATH] [--errors] [--check]

The labels (``comment-labels-dev.jsonl``: ``reply_id``, ``block``, ``line``, ``comment``, ``label``
= narration / informative / pragma) name comments of the dev replies by block and line. Each block
is planned exactly as the pipeline plans it (:func:`tokentrim.languages.python.narration.plan`), and
a comment counts as removed when the plan removes its text. Printed: precision and recall of
``narration`` (removed and narration / removed; removed and narration / narration) and the share of
informative comments kept. ``--check`` exits 1 when any of them is under 90%.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from tokentrim.fences import find_code_blocks
from tokentrim.languages.python.narration import NarrationPlan, plan

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
TARGET = 0.90


@dataclasses.dataclass(frozen=True)
class Scores:
    narration_precision: float
    narration_recall: float
    informative_kept: float
    counted: int
    errors: tuple[tuple[str, str, str], ...]  # (gold label, comment, reason of the decision)

    def met(self) -> bool:
        return min(self.narration_precision, self.narration_recall, self.informative_kept) >= TARGET


def evaluate(items: Iterable[tuple[str, int, str, str]]) -> Scores:
    """``items``: (block code, 1-based line, comment text, gold label); pragmas are not counted."""
    removed_narration = removed_informative = kept_narration = kept_informative = 0
    errors: list[tuple[str, str, str]] = []
    plans: dict[str, NarrationPlan] = {}
    for code, line, comment, label in items:
        if label == "pragma":
            continue
        narration = plans.get(code)
        if narration is None:
            narration = plans[code] = plan(code)
        removed = comment in narration.remove
        why = next((r for r in narration.reasons if r.startswith(f"line {line}:")), "")
        if label == "narration":
            removed_narration += removed
            kept_narration += not removed
        else:
            removed_informative += removed
            kept_informative += not removed
        if removed != (label == "narration"):
            errors.append((label, comment, why))
    removed_all = removed_narration + removed_informative
    narration_all = removed_narration + kept_narration
    informative_all = removed_informative + kept_informative
    return Scores(
        narration_precision=removed_narration / removed_all if removed_all else 1.0,
        narration_recall=removed_narration / narration_all if narration_all else 1.0,
        informative_kept=kept_informative / informative_all if informative_all else 1.0,
        counted=narration_all + informative_all,
        errors=tuple(errors),
    )


def load_labelled(labels: Path, replies: Path) -> list[tuple[str, int, str, str]]:
    """The labelled comments with the code of their block."""
    texts: dict[str, str] = {}
    with replies.open(encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                record = json.loads(line)
                texts[record["id"]] = record["response"]
    items = []
    blocks: dict[str, list[str]] = {}
    with labels.open(encoding="utf-8") as stream:
        for line in stream:
            if not line.strip():
                continue
            row = json.loads(line)
            reply = row["reply_id"]
            if reply not in blocks:
                blocks[reply] = [block.code for block in find_code_blocks(texts[reply])]
            items.append((blocks[reply][row["block"]], row["line"], row["comment"], row["label"]))
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=SHARED / "comment-labels-dev.jsonl")
    parser.add_argument("--replies", type=Path, default=SHARED / "real-replies-dev.jsonl")
    parser.add_argument("--errors", action="store_true", help="list every wrong decision")
    parser.add_argument("--check", action="store_true", help="exit 1 if a figure is under 90%")
    args = parser.parse_args(argv)
    if not (args.labels.is_file() and args.replies.is_file()):
        print(f"labels or replies not found ({args.labels}); skipping", file=sys.stderr)
        return 0
    scores = evaluate(load_labelled(args.labels, args.replies))
    print(f"{scores.counted} labelled comments (pragmas not counted)")
    print(f"narration precision {scores.narration_precision:6.1%}  (target >= {TARGET:.0%})")
    print(f"narration recall    {scores.narration_recall:6.1%}  (target >= {TARGET:.0%})")
    print(f"informative kept    {scores.informative_kept:6.1%}  (target >= {TARGET:.0%})")
    if args.errors:
        for label, comment, why in sorted(scores.errors):
            print(f"  gold {label:<12} {comment}  <- {why}")
    return 1 if args.check and not scores.met() else 0


if __name__ == "__main__":
    sys.exit(main())
