"""Comment stripping over tree-sitter: golden ``*_fixes`` / ``*_noop`` cases for every language.

Each case goes through the language's cleaner (``safe``/``standard`` unless the id says
``aggressive``), and every change is checked the way the pipeline's safety net checks it: the
result parses, and its non-comment tokens are the original's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import tokentrim
from tokentrim.languages import canonical_language, cleaner_for
from tokentrim.languages._treesitter import TreeSitterCleaner
from tokentrim.settings import Settings

pytest.importorskip("tree_sitter")

STANDARD = Settings()
AGGRESSIVE = Settings(level="aggressive")
STRIP = Settings(level="aggressive", docstrings="strip")


def clean(lang: str, code: str, settings: Settings = STANDARD) -> tokentrim.languages.CleanOutcome:
    cleaner = cleaner_for(lang)
    assert isinstance(cleaner, TreeSitterCleaner), cleaner
    return cleaner.clean(code, settings)


def tokens(lang: str, code: str) -> list[tuple[str, bytes | None]]:
    cleaner = cleaner_for(lang)
    assert isinstance(cleaner, TreeSitterCleaner)
    source = code.encode()
    parsed = cleaner._parse(source)
    assert parsed is not None, f"{lang} does not parse:\n{code}"
    return cleaner._signature(parsed[1].root_node, source)


# --------------------------------------------------------------------------- fixes

FIXES = [
    # JavaScript
    pytest.param(
        "javascript",
        "// Step 1: set up\nconst a = 1; // one\n\n/* block */\nconst b = 2;\n",
        "const a = 1;\n\nconst b = 2;\n",
        id="js-line-trailing-block",
    ),
    pytest.param(
        "javascript",
        "const url = \"http://example.com\"; // link\nconst s = '/* no */';\n",
        "const url = \"http://example.com\";\nconst s = '/* no */';\n",
        id="js-url-in-string",
    ),
    pytest.param(
        "javascript",
        "const re = /\\/\\*/g; // regex\nconst r2 = /[/*]+/; /* c */\n",
        "const re = /\\/\\*/g;\nconst r2 = /[/*]+/;\n",
        id="js-regex-literals",
    ),
    pytest.param(
        "javascript",
        "const t = `// not ${x /* inner */} /* kept */`; // tail\n",
        "const t = `// not ${x} /* kept */`;\n",
        id="js-template-literal",
    ),
    pytest.param(
        "javascript",
        "const el = (\n  <div>\n    {/* the header */}\n    <h1>Hi</h1>\n  </div>\n);\n",
        "const el = (\n  <div>\n    <h1>Hi</h1>\n  </div>\n);\n",
        id="jsx-comment-with-braces",
    ),
    pytest.param(
        "javascript",
        "foo(/* a */ 1, /*b*/2);\nx = a/**/+b;\n",
        "foo(1, 2);\nx = a +b;\n",
        id="js-inline-block-comments",
    ),
    pytest.param(
        "javascript",
        "#!/usr/bin/env node\n// main\nconsole.log(1);\n",
        "#!/usr/bin/env node\nconsole.log(1);\n",
        id="js-shebang",
    ),
    pytest.param(
        "javascript",
        "// a\r\nconst a = 1; // one\r\n\r\n// b\r\n\r\nconst b = 2;\r\n",
        "const a = 1;\r\n\r\nconst b = 2;\r\n",
        id="js-crlf",
    ),
    pytest.param(
        "javascript",
        "function f() {\n  // Step 1\n  const a = 1;\n\n  // Step 2\n\n  return a;\n}\n",
        "function f() {\n  const a = 1;\n\n  return a;\n}\n",
        id="js-blank-runs-collapse",
    ),
    pytest.param(
        "javascript",
        "/**\n * Adds.\n * @param {number} a\n */\nfunction add(a) { return a; }\n",
        "/** Adds. */\nfunction add(a) { return a; }\n",
        id="js-jsdoc-aggressive",
    ),
    pytest.param(
        "typescript",
        "/// <reference types=\"node\" />\n// @ts-nocheck\n// load\nimport fs from 'fs'; // fs\n"
        "// @ts-expect-error\nconst x: number = 'a';\n",
        "/// <reference types=\"node\" />\n// @ts-nocheck\nimport fs from 'fs';\n"
        "// @ts-expect-error\nconst x: number = 'a';\n",
        id="ts-directives-kept",
    ),
    pytest.param(
        "typescript",
        "// eslint-disable-next-line no-console\nconsole.log(1); // log it\n"
        "const m = import(/* webpackChunkName: \"m\" */ './m');\n"
        "// prettier-ignore\nconst a   = 1;\n/* istanbul ignore next */\nfunction g() {}\n",
        "// eslint-disable-next-line no-console\nconsole.log(1);\n"
        "const m = import(/* webpackChunkName: \"m\" */ './m');\n"
        "// prettier-ignore\nconst a   = 1;\n/* istanbul ignore next */\nfunction g() {}\n",
        id="ts-tool-comments-kept",
    ),
    pytest.param(
        "tsx",
        "export const A = (): JSX.Element => (\n  <ul>\n    {/* items */}\n    <li>a</li> {/* x */}\n  </ul>\n);\n",
        "export const A = (): JSX.Element => (\n  <ul>\n    <li>a</li> {/* x */}\n  </ul>\n);\n",
        id="tsx-jsx-comments",
    ),
    # Go
    pytest.param(
        "go",
        "//go:build linux\n// +build linux\n\npackage main\n\n//go:generate stringer -type=X\n"
        'import "embed"\n\n//go:embed static\nvar static embed.FS\n\nfunc f() int {\n'
        "\t// the answer\n\treturn 42 // always\n}\n",
        "//go:build linux\n// +build linux\n\npackage main\n\n//go:generate stringer -type=X\n"
        'import "embed"\n\n//go:embed static\nvar static embed.FS\n\nfunc f() int {\n'
        "\treturn 42\n}\n",
        id="go-directives",
    ),
    pytest.param(
        "go",
        'package main\n\n/*\n#include <stdlib.h>\n// a C comment\n*/\nimport "C"\n\n'
        "//export Add\nfunc Add(a, b C.int) C.int {\n\treturn a + b // sum\n}\n",
        'package main\n\n/*\n#include <stdlib.h>\n// a C comment\n*/\nimport "C"\n\n'
        "//export Add\nfunc Add(a, b C.int) C.int {\n\treturn a + b\n}\n",
        id="go-cgo-preamble",
    ),
    pytest.param(
        "go",
        'package x\n\nfunc ExampleHi() {\n\t// print it\n\tfmt.Println("hi // there")\n'
        "\t// Output:\n\t// hi // there\n}\n",
        'package x\n\nfunc ExampleHi() {\n\tfmt.Println("hi // there")\n'
        "\t// Output:\n\t// hi // there\n}\n",
        id="go-example-output",
    ),
    pytest.param(
        "go",
        "package x\n\n// Add returns the sum. It is fast.\n// More words.\nfunc Add(a, b int) int {"
        " return a + b }\n",
        "package x\n\n// Add returns the sum.\nfunc Add(a, b int) int { return a + b }\n",
        id="go-doc-aggressive",
    ),
    pytest.param(
        "go",
        "package x\n\nvar s = `raw // string /* here */` // tail\n//nolint:errcheck\nvar t = 1\n",
        "package x\n\nvar s = `raw // string /* here */`\n//nolint:errcheck\nvar t = 1\n",
        id="go-raw-string-nolint",
    ),
    # Rust
    pytest.param(
        "rust",
        "fn main() {\n    /* outer /* nested */ still outer */\n    let x = 1; // one\n}\n",
        "fn main() {\n    let x = 1;\n}\n",
        id="rust-nested-block",
    ),
    pytest.param(
        "rust",
        "fn f(p: *const u8) -> u8 {\n    // read it\n    // SAFETY: p is valid for reads,\n"
        '    // checked by the caller.\n    unsafe { *p }\n}\nconst S: &str = "// no"; // yes\n',
        "fn f(p: *const u8) -> u8 {\n    // SAFETY: p is valid for reads,\n"
        '    // checked by the caller.\n    unsafe { *p }\n}\nconst S: &str = "// no";\n',
        id="rust-safety-kept",
    ),
    pytest.param(
        "rust",
        "//! The crate. It does things.\n\n/// Adds one.\n///\n/// # Examples\n/// ```\n"
        "/// assert_eq!(add(1), 2);\n/// ```\npub fn add(x: i32) -> i32 { x + 1 }\n",
        "//! The crate.\n\n/// Adds one.\npub fn add(x: i32) -> i32 { x + 1 }\n",
        id="rust-doc-aggressive",
    ),
    pytest.param(
        "rust",
        "let r = r#\"// raw /* str */\"#; // tail\nlet c = '/'; /* c */\n",
        "let r = r#\"// raw /* str */\"#;\nlet c = '/';\n",
        id="rust-raw-string",
    ),
    # Java / Kotlin
    pytest.param(
        "java",
        'public class A {\n    // field\n    private String s = "http://x.org"; // url\n'
        "    //noinspection unchecked\n    /* CHECKSTYLE:OFF */\n    int x;\n}\n",
        'public class A {\n    private String s = "http://x.org";\n'
        "    //noinspection unchecked\n    /* CHECKSTYLE:OFF */\n    int x;\n}\n",
        id="java-directives",
    ),
    pytest.param(
        "java",
        "/**\n * Greets people. Loudly.\n *\n * @param name who\n */\nvoid greet(String name) {}\n",
        "/** Greets people. */\nvoid greet(String name) {}\n",
        id="java-javadoc-aggressive",
    ),
    pytest.param(
        "java",
        'class A {\n  String t = """\n    // in a text block\n    """; // tail\n}\n',
        'class A {\n  String t = """\n    // in a text block\n    """;\n}\n',
        id="java-text-block",
    ),
    pytest.param(
        "kotlin",
        'fun main() {\n    /* a /* nested */ b */\n    val s = "// not" // yes\n'
        '    val t = "${1 /* in template */}"\n}\n',
        'fun main() {\n    val s = "// not"\n    val t = "${1}"\n}\n',
        id="kotlin-nested-and-template",
    ),
    # C / C++ / C#
    pytest.param(
        "c",
        "#include <stdio.h> // io\n#pragma once\n// clang-format off\nint main(void) {\n"
        '    // print\n    printf("// %d /* */\\n", 1); /* done */\n    return 0;\n}\n',
        "#include <stdio.h>\n#pragma once\n// clang-format off\nint main(void) {\n"
        '    printf("// %d /* */\\n", 1);\n    return 0;\n}\n',
        id="c-strings-pragma",
    ),
    pytest.param(
        "c",
        "int f(int x) {\n  switch (x) {\n  case 1:\n    x++;\n    /* fallthrough */\n  case 2:\n"
        "    return x; // two\n  }\n  return 0; // NOLINT\n}\n",
        "int f(int x) {\n  switch (x) {\n  case 1:\n    x++;\n    /* fallthrough */\n  case 2:\n"
        "    return x;\n  }\n  return 0; // NOLINT\n}\n",
        id="c-fallthrough-nolint",
    ),
    pytest.param(
        "cpp",
        "/// A point.\nstruct P {\n  int x; ///< x coord\n  // y\n  int y;\n};\n"
        'auto s = R"(// raw)"; // tail\n',
        '/// A point.\nstruct P {\n  int x; ///< x coord\n  int y;\n};\nauto s = R"(// raw)";\n',
        id="cpp-doc-kept-raw-string",
    ),
    pytest.param(
        "csharp",
        '/// <summary>\n/// Adds numbers. Fast.\n/// </summary>\n/// <param name="a">a</param>\n'
        "public int Add(int a) { return a; } // tail\n",
        "/// <summary>Adds numbers.</summary>\npublic int Add(int a) { return a; }\n",
        id="csharp-xml-doc-aggressive",
    ),
    pytest.param(
        "csharp",
        "// <auto-generated />\n#pragma warning disable CS1591\n// ReSharper disable All\n"
        'class A { string s = @"// verbatim"; /* b */ }\n',
        "// <auto-generated />\n#pragma warning disable CS1591\n// ReSharper disable All\n"
        'class A { string s = @"// verbatim"; }\n',
        id="csharp-directives",
    ),
    # Swift
    pytest.param(
        "swift",
        '// MARK: - Helpers\nfunc f() -> Int {\n    /* a /* nested */ b */\n    let s = "// no" // yes\n'
        "    // swiftlint:disable:next force_cast\n    return 1\n}\n",
        'func f() -> Int {\n    let s = "// no"\n'
        "    // swiftlint:disable:next force_cast\n    return 1\n}\n",
        id="swift-nested-swiftlint",
    ),
    pytest.param(
        "swift",
        "let x = a /* c */ + b\nlet y = a/* c */+b\n",
        "let x = a + b\nlet y = a +b\n",
        id="swift-operator-spacing",
    ),
    pytest.param(
        "swift",
        "/// Returns one.\n///\n/// - Returns: 1\nfunc one() -> Int { 1 }\n",
        "/// Returns one.\nfunc one() -> Int { 1 }\n",
        id="swift-doc-aggressive",
    ),
    # Ruby
    pytest.param(
        "ruby",
        "# frozen_string_literal: true\n# rubocop:disable Metrics\n\n# Greets\ndef hi(n) # tail\n"
        '  s = <<~EOS\n    # in heredoc\n  EOS\n  "#{n} # in string"\nend\n',
        "# frozen_string_literal: true\n# rubocop:disable Metrics\n\ndef hi(n)\n"
        '  s = <<~EOS\n    # in heredoc\n  EOS\n  "#{n} # in string"\nend\n',
        id="ruby-magic-heredoc",
    ),
    pytest.param(
        "ruby",
        "x = 1\n=begin\nall of this\n=end\ny = %r{a#b} # re\n",
        "x = 1\ny = %r{a#b}\n",
        id="ruby-begin-end",
    ),
    # PHP
    pytest.param(
        "php",
        "<?php\n// c\n# hash\n$u = 'http://x'; /* b */\nclass A {\n"
        '    /** @ORM\\Column(type="string") */\n    private $name;\n}\n?>\n<p># not php</p>\n',
        "<?php\n$u = 'http://x';\nclass A {\n"
        '    /** @ORM\\Column(type="string") */\n    private $name;\n}\n?>\n<p># not php</p>\n',
        id="php-tags-annotation",
    ),
    pytest.param(
        "php",
        "/**\n * Adds. Quickly.\n * @param int $a\n */\nfunction add($a) { return $a; } // tail\n",
        "/** Adds. */\nfunction add($a) { return $a; }\n",
        id="php-bare-docblock-aggressive",
    ),
    # shell
    pytest.param(
        "bash",
        "#!/usr/bin/env bash\n# shellcheck disable=SC2086\nset -euo pipefail\n\n# Step 1: greet\n"
        "echo \"# not\" $# ${#arr[@]} a#b # tail\ncat <<'EOF'\n# in heredoc\nEOF\n",
        "#!/usr/bin/env bash\n# shellcheck disable=SC2086\nset -euo pipefail\n\n"
        "echo \"# not\" $# ${#arr[@]} a#b\ncat <<'EOF'\n# in heredoc\nEOF\n",
        id="bash-shebang-heredoc",
    ),
    pytest.param(
        "bash",
        "case $1 in\n  # start\n  start) run ;; # go\n  *) exit 1 ;;\nesac\n",
        "case $1 in\n  start) run ;;\n  *) exit 1 ;;\nesac\n",
        id="bash-case",
    ),
]

NOOP = [
    pytest.param(
        "javascript",
        "const s = '// not a comment';\nconst u = \"http://a/*b*/\";\n",
        id="js-strings",
    ),
    pytest.param("javascript", "/*! keep me */\nconst x = /a\\/\\/b/;\n", id="js-preserved-regex"),
    pytest.param(
        "javascript",
        "const a = <p>\n  one\n  {/* between two texts */}\n  two\n</p>;\n",
        id="jsx-between-texts",
    ),
    pytest.param("javascript", "return /*\n */ x;\n", id="js-multiline-comment-before-code"),
    pytest.param(
        "typescript",
        "/**\n * Kept at standard.\n */\nexport type T = number;\n",
        id="ts-jsdoc-standard",
    ),
    pytest.param("typescript", "/** @type {number} */\nlet x;\n", id="ts-jsdoc-type"),
    pytest.param(
        "go",
        "//go:build ignore\n\npackage main\n\n// Doc stays.\nfunc main() {}\n",
        id="go-directive-doc",
    ),
    pytest.param("rust", '/// Doc stays.\nfn f() {}\nlet s = "/* no */";\n', id="rust-doc-string"),
    pytest.param(
        "java", "// \\u000a System.out.println(1);\nclass A {}\n", id="java-unicode-escape"
    ),
    pytest.param(
        "c",
        "// Copyright 2024 Acme\n// SPDX-License-Identifier: MIT\n\nint x;\n",
        id="c-licence-header",
    ),
    pytest.param("cpp", "// NOLINTNEXTLINE\nint x; // NOLINT\n", id="cpp-nolint"),
    pytest.param(
        "swift", 'let s = """\n// in multi-line string\n"""\n', id="swift-multiline-string"
    ),
    pytest.param("ruby", "s = '# no'\nt = \"#{1}\"\n", id="ruby-strings"),
    pytest.param("php", "<?php\necho '# no // no';\n", id="php-strings"),
    pytest.param("bash", "#!/bin/sh\necho ${#x} 'a # b'\n", id="bash-no-comment"),
    pytest.param("kotlin", 'val s = """\n  // raw\n"""\n', id="kotlin-raw-string"),
    pytest.param(
        "csharp", "/// <summary>Kept at standard.</summary>\nclass A {}\n", id="csharp-doc-standard"
    ),
]


@pytest.mark.parametrize(("lang", "before", "after"), FIXES)
def test_fixes(lang: str, before: str, after: str, request: pytest.FixtureRequest) -> None:
    settings = AGGRESSIVE if "aggressive" in request.node.callspec.id else STANDARD
    outcome = clean(lang, before, settings)
    assert outcome.status == "changed", outcome.reason
    assert outcome.code == after
    assert tokens(lang, outcome.code) == tokens(lang, before)
    again = clean(lang, outcome.code, settings)
    assert again.status == "unchanged" and again.code == outcome.code


@pytest.mark.parametrize(("lang", "code"), NOOP)
def test_noop(lang: str, code: str) -> None:
    outcome = clean(lang, code)
    assert outcome.status == "unchanged", outcome.reason
    assert outcome.code == code


def test_strip_mode_removes_doc_comments() -> None:
    code = "/**\n * Adds.\n */\nfunction add(a) { return a; }\n// tail\n"
    assert clean("javascript", code, STRIP).code == "function add(a) { return a; }\n"
    assert (
        clean("javascript", code, STANDARD).code
        == "/**\n * Adds.\n */\nfunction add(a) { return a; }\n"
    )


def test_disable_docstrings_keeps_doc_comments() -> None:
    code = "/// Adds one. Really.\nfn add(x: i32) -> i32 { x + 1 }\n"
    assert clean("rust", code, AGGRESSIVE.replace(disable="docstrings")).status == "unchanged"
    assert clean("rust", code, STANDARD.replace(enable="docstrings")).code == (
        "/// Adds one.\nfn add(x: i32) -> i32 { x + 1 }\n"
    )


def test_missing_docs_keeps_rust_docs() -> None:
    code = "#![deny(missing_docs)]\n//! Crate. More.\n/// Adds. More.\npub fn f() {}\n"
    assert clean("rust", code, STRIP).status == "unchanged"


def test_php_docblock_with_phpunit_annotation_is_kept() -> None:
    code = "/**\n * Tests it. Well.\n * @dataProvider cases\n */\nfunction testIt($a) {}\n"
    assert clean("php", code, STRIP).status == "unchanged"


def test_broken_code_is_skipped() -> None:
    outcome = clean("go", "package main\nfunc f( {\n// c\n")
    assert outcome.status == "skipped"
    assert "does not parse as Go" in outcome.reason


def test_only_comments_is_kept() -> None:
    outcome = clean("javascript", "// just a note\n/* and another */\n")
    assert outcome.status == "unchanged"
    assert "nothing but comments" in outcome.reason


def test_a_net_failure_keeps_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    from tokentrim.languages import _treesitter

    monkeypatch.setattr(_treesitter, "rewrite", lambda source, *a, **k: source + b"x = ;\n")
    outcome = clean("javascript", "const a = 1; // c\n")
    assert outcome.status == "failed" and outcome.code == "const a = 1; // c\n"
    assert "does not parse" in outcome.reason
    monkeypatch.setattr(_treesitter, "rewrite", lambda source, *a, **k: source.replace(b"1", b"2"))
    outcome = clean("javascript", "const a = 1; // c\n")
    assert outcome.status == "failed" and "tokens" in outcome.reason


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("js", "javascript"),
        ("mjs", "javascript"),
        ("jsx", "javascript"),
        ("ts", "typescript"),
        ("tsx", "tsx"),
        ("golang", "go"),
        ("rs", "rust"),
        ("c++", "cpp"),
        ("cc", "cpp"),
        ("h", "c"),
        ("hpp", "cpp"),
        ("cs", "csharp"),
        ("c#", "csharp"),
        ("kt", "kotlin"),
        ("rb", "ruby"),
        ("sh", "bash"),
        ("zsh", "bash"),
        ("shell", "bash"),
        ("sql", "sql"),
    ],
)
def test_canonical_language(alias: str, canonical: str) -> None:
    assert canonical_language(alias) == canonical


def test_trim_strips_a_typescript_reply_and_reports_the_canonical_language() -> None:
    reply = "Here:\n\n```TS\n// Step 1\nconst a: number = 1; // one\n```\n\nDone.\n"
    result = tokentrim.trim(reply)
    assert result.text == "Here:\n\n```TS\nconst a: number = 1;\n```\n\nDone.\n"
    (block,) = result.blocks
    assert (block.lang, block.status) == ("typescript", "changed")
    assert block.tokens_after < block.tokens_before


def test_unknown_language_is_skipped_with_a_reason() -> None:
    (block,) = tokentrim.trim("```sql\n-- c\nSELECT 1;\n```\n").blocks
    assert (block.lang, block.status, block.reason) == ("sql", "skipped", "no cleaner for sql")


def test_missing_grammar_is_skipped_with_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from tokentrim import languages

    monkeypatch.setitem(sys.modules, "tree_sitter_go", None)  # import fails
    monkeypatch.setattr(languages, "_CLEANERS", {})
    (block,) = tokentrim.trim("```go\npackage main // c\n```\n").blocks
    assert block.status == "skipped"
    assert block.reason.startswith("tree-sitter grammar for Go is not installed")
    assert "tokentrim[languages]" in block.reason


def test_import_tokentrim_does_not_import_tree_sitter() -> None:
    import subprocess
    import sys

    code = "import sys, tokentrim; print('tree_sitter' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_clean_diff_on_a_typescript_reply(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    from tokentrim.cli import main

    reply = tmp_path / "reply.md"
    reply.write_text(
        "Here you go:\n\n```ts\n// Step 1: the type\ntype Id = number; // ids\n\n"
        "/**\n * Doubles.\n * @param x - a number\n */\nexport const double = (x: Id): Id => x * 2;\n"
        "```\n",
        encoding="utf-8",
    )
    assert main(["clean", "--diff", str(reply)]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert "-// Step 1: the type\n-type Id = number; // ids\n+type Id = number;\n" in out
    assert "-/**" not in out and "- * Doubles." not in out  # doc comments stay at standard
    assert main(["clean", "--diff", "--level", "aggressive", str(reply)]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert "+/** Doubles. */\n" in out
    assert main(["clean", "--check", str(reply)]) == 1


def test_threads_get_their_own_parsers() -> None:
    from concurrent.futures import ThreadPoolExecutor

    codes = [
        f"const a{i} = {i}; // c{i}\n/* b */\nfunction f{i}() {{ return {i}; }}\n"
        for i in range(40)
    ]
    expected = [clean("javascript", code).code for code in codes]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda code: clean("javascript", code).code, codes * 5))
    assert got == expected * 5
