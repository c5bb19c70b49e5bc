"""`tokentrim clean` output, byte for byte, against another revision: a refactor changes nothing.

    python benchmarks/compare_outputs.py --ref 9257af4      # this checkout against a revision
    python benchmarks/compare_outputs.py --ref 9257af4 --at d0b193b   # two revisions
    python benchmarks/compare_outputs.py --ref main --levels safe standard

Checks out REF (and AT, default: this checkout as it is) into temporary directories (``git
worktree``), then runs ``python -m tokentrim clean --diff`` from both trees on ``corpora/`` and on the
dev replies (written to a temporary JSONL file, so the record-by-record rewrite is exercised
too), at every configuration. Prints one line per configuration and input, and exits 1 when any
output differs. Inputs are read from this checkout for both trees, so only the code differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_CORPUS = ROOT.parent / "shared" / "corpus" / "real-replies-dev.jsonl"
CONFIGS = {
    "safe": ["--level", "safe"],
    "standard": ["--level", "standard"],
    "aggressive": ["--level", "aggressive"],
    "standard+prose-drop": ["--level", "standard", "--prose", "drop"],
    "aggressive+prose-drop": ["--level", "aggressive", "--prose", "drop"],
    "standard+narration": ["--level", "standard", "--comments", "narration"],
    "standard+no-format": ["--level", "standard", "--no-format"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", required=True, help="git revision to compare against")
    parser.add_argument("--at", help="git revision under test (default: this checkout)")
    parser.add_argument("--levels", nargs="*", choices=sorted(CONFIGS), default=sorted(CONFIGS))
    parser.add_argument("--dev", type=Path, default=DEV_CORPUS)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tokentrim-compare-") as tmp:
        base = _checkout(args.ref, Path(tmp, "ref"))
        under_test = ROOT if args.at is None else _checkout(args.at, Path(tmp, "at"))
        try:
            inputs = {"corpora": ROOT / "corpora"}
            if args.dev.exists():
                inputs["dev"] = _dev_jsonl(args.dev, Path(tmp, "dev.jsonl"))
            else:
                print(f"(no dev corpus at {args.dev}: corpora only)")
            differing = 0
            for config in args.levels:
                for label, path in inputs.items():
                    ours = _clean(under_test / "src", CONFIGS[config], path)
                    theirs = _clean(base / "src", CONFIGS[config], path)
                    same = ours == theirs
                    differing += not same
                    print(
                        f"{config:<22} {label:<8} {'identical' if same else 'DIFFERENT':<9} "
                        f"sha256 {_sha(ours)[:12]} vs {_sha(theirs)[:12]} ({len(ours):,} bytes)"
                    )
        finally:
            for tree in {base, under_test} - {ROOT}:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False
                )
    print("all identical" if not differing else f"{differing} outputs differ")
    return 1 if differing else 0


def _checkout(revision: str, where: Path) -> Path:
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--quiet", str(where), revision],
        cwd=ROOT,
        check=True,
    )
    return where


def _dev_jsonl(source: Path, target: Path) -> Path:
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for line in lines:
            record = json.loads(line)
            out.write(json.dumps({"model": record.get("model"), "response": record["response"]}))
            out.write("\n")
    return target


def _clean(src: Path, flags: list[str], path: Path) -> bytes:
    env = {**os.environ, "PYTHONPATH": str(src)}
    env = {k: v for k, v in env.items() if not k.startswith("TOKENTRIM_")}
    done = subprocess.run(
        [sys.executable, "-m", "tokentrim", "clean", "--diff", "-q", *flags, str(path)],
        env=env,
        capture_output=True,
        check=False,
        cwd=path.parent,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"clean failed ({src}): {done.stderr.decode()[-500:]}")
    return done.stdout


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


if __name__ == "__main__":
    raise SystemExit(main())
