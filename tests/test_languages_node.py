"""JavaScript behaviour after comment stripping: each program runs under ``node`` before and after,
and prints the same thing. Skipped where node is not installed.

The programs are the tricky cases below and every JavaScript block of ``corpora/languages/``.
(A program that prints ``fn.toString()`` would differ: stripping comments from a function
changes its source text, which is out of scope, as it is for any minifier.)
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import tokentrim
from tokentrim import fences
from tokentrim.settings import Settings

pytest.importorskip("tree_sitter_javascript")
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")
ROOT = Path(__file__).resolve().parent.parent
JS_LANGS = frozenset({"javascript", "js", "mjs", "jsx", "node"})

PROGRAMS = {
    "regex-and-strings": r"""
// regex literals that look like comments
const re = /\/\*+/g; // tail
const re2 = /[/*]+/; /* block */
const s = "http://example.com/*not*/"; // a URL
const t = `// template ${1 /* inside */ + 1} /* text */`;
console.log("a/*b*/c".replace(re, "!"), re2.test("*"), s, t);
""",
    "asi-hazards": r"""
function f() {
  return /* same line */ 1;
}
function g() {
  return /*
  a newline in here ends the statement */ 2;
}
let a = 1
// a comment line between two statements
;[a] = [3]
const b = a/**/+/**/+a; // unary plus
console.log(f(), g(), a, b);
""",
    "division-and-regex": r"""
const x = 10 /* divide */ / 2 /* and again */ / 5;
const y = 4 / 2; // not a regex / here
console.log(x, y, /=/.test("a=b"));
""",
    "labels-and-blocks": r"""
outer: for (let i = 0; i < 3; i++) { // loop
  /* inner loop */
  for (let j = 0; j < 3; j++) {
    if (j === 1) continue outer; // skip
    console.log(i, j);
  }
}
""",
    "steps-and-jsdoc": r"""
/**
 * Sums an array.
 * @param {number[]} xs the numbers
 * @returns {number} the sum
 */
function sum(xs) {
  // Step 1: start at zero
  let total = 0;

  // Step 2: add each number
  for (const x of xs) {
    total += x; // accumulate
  }

  // Step 3: return the total
  return total;
}

// ===== Example usage =====
console.log(sum([1, 2, 3]));
""",
    "crlf": "// header\r\nconst a = 1; // one\r\n\r\n/* two */\r\nconsole.log(a + 1);\r\n",
}


def _corpora_programs() -> dict[str, str]:
    programs = {}
    for path in sorted((ROOT / "corpora" / "languages").glob("javascript-*.md")):
        text = path.read_text(encoding="utf-8")
        for index, block in enumerate(fences.find_code_blocks(text)):
            if block.lang in JS_LANGS:
                programs[f"{path.stem}-{index}"] = block.code
    return programs


ALL = {**PROGRAMS, **_corpora_programs()}


def _run(code: str, tmp_path: Path) -> tuple[int, str]:
    module = "import " in code or "export " in code
    script = tmp_path / ("prog.mjs" if module else "prog.js")
    script.write_text(code, encoding="utf-8", newline="")
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(script)], capture_output=True, text=True, timeout=30, cwd=tmp_path
    )
    return done.returncode, done.stdout


@pytest.mark.parametrize("level", ["standard", "aggressive"])
@pytest.mark.parametrize("name", sorted(ALL))
def test_node_output_is_unchanged(name: str, level: str, tmp_path: Path) -> None:
    code = ALL[name]
    reply = f"```js\n{code}```\n" if code.endswith("\n") else f"```js\n{code}\n```\n"
    result = tokentrim.trim(reply, settings=Settings(level=level))
    (block,) = result.blocks
    assert block.status == "changed", block.reason
    (stripped,) = fences.find_code_blocks(result.text)
    before = _run(code, tmp_path)
    after = _run(stripped.code, tmp_path)
    assert before[0] == 0, f"{name} does not run under node"
    assert after == before


def test_corpora_have_javascript_programs() -> None:
    assert len(_corpora_programs()) >= 5
