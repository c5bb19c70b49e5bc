"""Golden cases: whole replies through ``tokentrim.trim``, compared byte for byte.

A case is a file ``tests/cases/<name>.case``. It starts with a header of ``# key: value`` lines::

    # tokentrim-case
    # input: corpora/gemini-flash-steps.md       (path from the repository root)
    # options: --level=safe                      (clean's flags, parsed with shlex)
    # description: free text, ignored
    # xfail: a known bug, with its one-line summary (the case must fail until it is fixed)

and then either nothing more — the input is the ``input:`` file and the expected output is the
sibling file ``<name>.out`` — or inline sections::

    # ---- input ----
    <input text>
    # ---- output ----
    <expected text, up to the end of the file>

Everything is read and written in binary, so CRLF, tabs, trailing spaces and a missing final newline
survive. An inline input ends with the newline before ``# ---- output ----``; an inline output runs
to the end of the file (use an ``.out`` file for inputs or outputs that need other endings). Without
an inline output section the expected text is ``<name>.out``.

``TOKENTRIM_REGEN=1 pytest tests/test_golden.py`` rewrites the expected outputs (the ``.out`` file,
or the inline output section) from what ``trim`` returns now, except for ``xfail`` cases, whose
expected output was written by hand; review the diff before committing.

Besides the comparison, every case checks the invariants that make a golden file trustworthy: at
``safe``/``standard`` (with prose and ``<think>`` kept) the text outside code fences is unchanged;
every Python block of the output parses unless it is a byte-identical copy of an input block that did
not parse either; and trimming the output again changes nothing.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import difflib
import os
import shlex
from pathlib import Path
from typing import Any

import pytest

import tokentrim
from tokentrim import fences
from tokentrim.rules import TextRule, enabled_rules
from tokentrim.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = Path(__file__).resolve().parent / "cases"
CORPORA_DIR = ROOT / "corpora"
MAGIC = b"# tokentrim-case"
INPUT_MARK = b"# ---- input ----"
OUTPUT_MARK = b"# ---- output ----"
REGEN = os.environ.get("TOKENTRIM_REGEN", "") not in ("", "0")
LEVELS_REQUIRED = ("safe", "standard", "aggressive")
PYTHON_LANGS = frozenset({"python"})


# --------------------------------------------------------------------------- case files


@dataclasses.dataclass(frozen=True)
class Case:
    path: Path
    headers: dict[str, str]
    options: tuple[str, ...]
    input_bytes: bytes
    inline_output: bytes | None

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def out_path(self) -> Path:
        return self.path.with_suffix(".out")

    @property
    def input_path(self) -> Path | None:
        ref = self.headers.get("input")
        return ROOT / ref if ref else None

    def expected(self) -> bytes | None:
        if self.inline_output is not None:
            return self.inline_output
        return self.out_path.read_bytes() if self.out_path.exists() else None

    def write_expected(self, output: bytes) -> None:
        if self.inline_output is None:
            self.out_path.write_bytes(output)
            return
        raw = self.path.read_bytes()
        head = raw[: raw.index(OUTPUT_MARK)]
        newline = (
            b"\r\n" if raw[raw.index(OUTPUT_MARK) :].startswith(OUTPUT_MARK + b"\r\n") else b"\n"
        )
        self.path.write_bytes(head + OUTPUT_MARK + newline + output)


def _after_marker_line(raw: bytes, mark: bytes) -> int:
    """Offset just past the newline that ends the marker line."""
    at = raw.index(mark)
    newline = raw.find(b"\n", at)
    return len(raw) if newline == -1 else newline + 1


def _find_marker(raw: bytes, mark: bytes) -> int:
    """Offset of a marker that starts a line, or -1."""
    if raw.startswith(mark):
        return 0
    at = raw.find(b"\n" + mark)
    return -1 if at == -1 else at + 1


def parse_case(path: Path) -> Case:
    raw = path.read_bytes()
    if not raw.startswith(MAGIC):
        raise ValueError(f"{path.name}: must start with {MAGIC.decode()!r}")
    input_at = _find_marker(raw, INPUT_MARK)
    output_at = _find_marker(raw, OUTPUT_MARK)
    header_end = min(at for at in (input_at, output_at, len(raw)) if at != -1)
    headers: dict[str, str] = {}
    for line in raw[:header_end].decode("utf-8").splitlines()[1:]:
        if not line.strip():
            continue
        if not line.startswith("# ") or ":" not in line:
            raise ValueError(f"{path.name}: bad header line {line!r}")
        key, _, value = line[2:].partition(":")
        key = key.strip().lower()
        if key in headers and key != "description":
            raise ValueError(f"{path.name}: header {key!r} given twice")
        headers[key] = value.strip()
    unknown = set(headers) - {"input", "options", "description", "xfail"}
    if unknown:
        raise ValueError(f"{path.name}: unknown header(s) {sorted(unknown)}")

    inline_input: bytes | None = None
    if input_at != -1:
        if "input" in headers:
            raise ValueError(f"{path.name}: both an input: header and an inline input")
        start = _after_marker_line(raw, INPUT_MARK)
        inline_input = raw[start : output_at if output_at > input_at else len(raw)]
    inline_output = raw[_after_marker_line(raw, OUTPUT_MARK) :] if output_at != -1 else None

    if inline_input is not None:
        input_bytes = inline_input
    elif "input" in headers:
        input_bytes = (ROOT / headers["input"]).read_bytes()
    else:
        raise ValueError(
            f"{path.name}: no input (an input: header or a '# ---- input ----' section)"
        )
    return Case(
        path=path,
        headers=headers,
        options=tuple(shlex.split(headers.get("options", ""))),
        input_bytes=input_bytes,
        inline_output=inline_output,
    )


# --------------------------------------------------------------------------- options


def _option_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="case-options", add_help=False, exit_on_error=False)
    parser.add_argument("--level", choices=("safe", "standard", "aggressive"))
    parser.add_argument("--prose", choices=("keep", "drop"))
    parser.add_argument("--think", choices=("keep", "strip"))
    parser.add_argument("--docstrings", choices=("keep", "summary", "strip"))
    parser.add_argument("--code", choices=("auto", "fenced", "whole"))
    parser.add_argument("--format", dest="format", action="store_true", default=None)
    parser.add_argument("--no-format", dest="format", action="store_false")
    parser.add_argument("--line-length", dest="line_length", type=int)
    parser.add_argument("--model")
    parser.add_argument("--enable", action="append", default=[])
    parser.add_argument("--disable", action="append", default=[])
    return parser


def settings_for(options: tuple[str, ...]) -> Settings:
    """Map clean's flags to Settings, ignoring pyproject.toml and TOKENTRIM_* on purpose."""
    try:
        namespace = _option_parser().parse_args(list(options))
    except (argparse.ArgumentError, SystemExit) as exc:
        raise ValueError(f"bad options {options!r}: {exc}") from None
    fields: dict[str, Any] = {k: v for k, v in vars(namespace).items() if v not in (None, [])}
    return Settings().replace(**fields)


# --------------------------------------------------------------------------- invariants


def prose_segments(text: str) -> list[str]:
    """The text outside code blocks, in order (fences.split's prose segments)."""
    return [segment for segment in fences.split(text) if isinstance(segment, str)]


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


def _defines(code: str) -> bool:
    """An unlabeled block counts as Python when it parses and defines, imports or assigns."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
    kinds += (ast.Assign, ast.AnnAssign, ast.AugAssign)
    return any(isinstance(node, kinds) for node in ast.walk(tree))


def _is_session(code: str) -> bool:
    """A ``>>>`` session; a doctest inside a docstring of code that parses is not one."""
    lines = [line.lstrip() for line in code.splitlines() if line.strip()]
    if lines and lines[0].startswith(">>>"):
        return True
    return any(line.startswith(">>>") for line in lines) and not _parses(code)


def check_python_blocks(original: str, output: str, *, aligned: bool) -> list[str]:
    """Problems with the output's Python blocks (an empty list when there are none)."""
    problems: list[str] = []
    before = fences.find_code_blocks(original)
    after = fences.find_code_blocks(output)
    if not before and not after:
        # Whole-reply code (FIM style): if the reply parsed, the output must parse.
        if _parses(original) and not _parses(output):
            problems.append("the reply parsed as Python but the output does not")
        return problems
    untouched = {block.code for block in before}
    for index, block in enumerate(after):
        if block.lang not in PYTHON_LANGS and block.lang != "":
            continue
        if _is_session(block.code):
            continue
        if not _parses(block.code) and block.code not in untouched:
            problems.append(
                f"output block {index} ({block.info!r}) does not parse and is not an input block"
            )
    if aligned:
        if len(before) != len(after):
            problems.append(f"{len(before)} code blocks in, {len(after)} out")
            return problems
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            if old.info != new.info:
                problems.append(f"block {index}: info string {old.info!r} became {new.info!r}")
            python_like = old.lang in PYTHON_LANGS or (old.lang == "" and _defines(old.code))
            if not python_like or _is_session(old.code):
                if old.code != new.code and not _same_tokens(old.lang, old.code, new.code):
                    problems.append(
                        f"block {index} ({old.info!r}) is not Python and changed more than "
                        "its comments"
                    )
            elif not _parses(old.code) and old.code != new.code:
                problems.append(f"block {index} did not parse but was changed")
            elif _parses(old.code) and not _parses(new.code):
                problems.append(f"block {index} parsed before but not after")
    return problems


def _same_tokens(lang: str, old: str, new: str) -> bool:
    """A block of a tree-sitter language whose non-comment tokens did not change."""
    from tokentrim.languages import canonical_language, cleaner_for
    from tokentrim.languages._treesitter import TreeSitterCleaner

    cleaner = cleaner_for(canonical_language(lang))
    if not isinstance(cleaner, TreeSitterCleaner):
        return False
    trees = [cleaner._parse(code.encode()) for code in (old, new)]
    if trees[0] is None or trees[1] is None:
        return False
    signatures = [
        cleaner._signature(tree.root_node, code.encode())
        for (_, tree), code in zip(trees, (old, new), strict=True)
    ]
    return signatures[0] == signatures[1]


def visible_diff(expected: str, actual: str, name: str) -> str:
    """A unified diff that shows \\r, \\t and trailing spaces (lines as Python string bodies)."""

    def lines(text: str) -> list[str]:
        return [repr(line)[1:-1] + "\n" for line in text.splitlines(keepends=True)]

    diff = difflib.unified_diff(
        lines(expected), lines(actual), f"{name} (expected)", f"{name} (actual)", n=2
    )
    return "".join(diff)


# --------------------------------------------------------------------------- tests


def all_case_paths() -> list[Path]:
    return sorted(CASES_DIR.glob("*.case"))


def _case_params() -> list[Any]:
    """One param per case; a case with an ``xfail:`` header documents a known bug (strict)."""
    params = []
    for path in all_case_paths():
        reason = _xfail_reason(path)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


def _xfail_reason(path: Path) -> str:
    try:
        return parse_case(path).headers.get("xfail", "")
    except (OSError, ValueError):
        return ""  # test_every_case_file_is_well_formed reports it


@pytest.mark.parametrize("case_path", _case_params())
def test_golden(case_path: Path) -> None:
    case = parse_case(case_path)
    settings = settings_for(case.options)
    original = case.input_bytes.decode("utf-8")
    result = tokentrim.trim(original, settings=settings)
    output = result.text
    output_bytes = output.encode("utf-8")

    if REGEN and "xfail" not in case.headers:
        case.write_expected(output_bytes)
        case = parse_case(case_path)
    expected = case.expected()
    if expected is None:
        pytest.fail(f"{case.out_path.name} is missing: run TOKENTRIM_REGEN=1 pytest {__file__}")
    if output_bytes != expected:
        diff = visible_diff(expected.decode("utf-8", "replace"), output, case.name)
        pytest.fail(f"{case.name}: output differs from the golden file\n{diff}", pytrace=False)

    keeps_prose = (
        settings.level in ("safe", "standard")
        and settings.prose == "keep"
        and settings.effective_think == "keep"
        and not any(issubclass(rule, TextRule) for rule in enabled_rules(settings))
    )
    if keeps_prose and fences.find_code_blocks(original):
        assert prose_segments(output) == prose_segments(original), "text outside fences changed"
    problems = check_python_blocks(original, output, aligned=keeps_prose)
    assert not problems, "\n".join(problems)

    again = tokentrim.trim(output, settings=settings).text
    if again != output:
        diff = visible_diff(output, again, case.name + " second pass")
        pytest.fail(f"{case.name}: trim is not idempotent\n{diff}", pytrace=False)


def test_every_reply_has_cases_at_every_level() -> None:
    covered: dict[str, set[str]] = {}
    for path in all_case_paths():
        case = parse_case(path)
        if case.input_path is not None:
            level = settings_for(case.options).level
            covered.setdefault(case.input_path.relative_to(ROOT).as_posix(), set()).add(level)
    replies = [p for p in sorted(CORPORA_DIR.glob("*.md")) if p.name != "README.md"]
    assert len(replies) >= 36
    missing = [
        f"{reply.relative_to(ROOT).as_posix()} at {level}"
        for reply in replies
        for level in LEVELS_REQUIRED
        if level not in covered.get(reply.relative_to(ROOT).as_posix(), set())
    ]
    assert not missing, "no golden case for: " + ", ".join(missing)


def test_every_case_file_is_well_formed() -> None:
    outs = {p.stem for p in CASES_DIR.glob("*.out")}
    for path in all_case_paths():
        case = parse_case(path)
        settings_for(case.options)
        if case.input_path is not None:
            assert case.input_path.is_file(), f"{path.name}: {case.input_path} does not exist"
        if case.inline_output is not None:
            assert case.name not in outs, f"{path.name}: inline output and an .out file"
    stray = outs - {p.stem for p in all_case_paths()}
    assert not stray, f".out files without a case: {sorted(stray)}"


def test_case_parser_keeps_bytes(tmp_path: Path) -> None:
    inline = tmp_path / "crlf.case"
    inline.write_bytes(
        MAGIC
        + b"\n# options: --level=safe --no-format --line-length 60 --enable a --enable b\n"
        + INPUT_MARK
        + b"\r\nx = 1\t \r\n"
        + OUTPUT_MARK
        + b"\ny = 2"
    )
    case = parse_case(inline)
    assert case.input_bytes == b"x = 1\t \r\n"
    assert case.inline_output == b"y = 2"
    settings = settings_for(case.options)
    assert (settings.level, settings.format, settings.line_length) == ("safe", False, 60)
    assert settings.enable == frozenset({"a", "b"})
    case.write_expected(b"z\r\n")
    assert parse_case(inline).inline_output == b"z\r\n"
    with pytest.raises(ValueError):
        settings_for(("--level=extreme",))
