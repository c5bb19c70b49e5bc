from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rule_harness import (
    DIFFERENTIAL,
    EXPRESSIONS,
    arguments,
    assert_fixes,
    assert_noop,
    assert_rewrite_keeps_behaviour,
    fill,
)

RULE = "fstring-no-placeholder"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param('print(f"Done")\n', 'print("Done")\n', id="plain"),
        pytest.param("x = f'a'\n", "x = 'a'\n", id="single-quotes"),
        pytest.param('x = f"{{x}}"\n', 'x = "{x}"\n', id="escaped-braces"),
        pytest.param('x = rf"\\d{{2}}"\n', 'x = r"\\d{2}"\n', id="raw"),
        pytest.param('x = F"""a\nb"""\n', 'x = """a\nb"""\n', id="triple-upper"),
        pytest.param('x = f"a" f"{y}"\n', 'x = "a" f"{y}"\n', id="concatenated"),
        pytest.param('x = (f"a")\n', 'x = ("a")\n', id="parenthesized"),
        pytest.param('x = f""\n', 'x = ""\n', id="empty"),
    ],
)
def test_fstring_no_placeholder_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param('x = f"{y}"\n', id="placeholder"),
        pytest.param('x = f"{y!r:>{w}}"\n', id="nested-spec"),
        pytest.param('def f():\n    f"doc?"\n', id="statement-would-become-docstring"),
        pytest.param('def f():\n    "a" f"b"\n', id="concatenated-statement"),
        pytest.param('x = f"\\N{BULLET}"\n', id="named-escape"),
        pytest.param('x = b"{}"\n', id="bytes"),
        pytest.param('from __future__ import annotations\nx: f"int" = 1\n', id="annotation"),
    ],
)
def test_fstring_no_placeholder_noop(code: str) -> None:
    assert_noop(RULE, code)


TEXTS = ["abc", "{{}}", "{{x}}", "}}{{", "a\\nb", "\\t", "'", "\\\\", "é", ""]
TEMPLATES = [
    ('def f(x, y, z):\n    return f"{t}" + f"{{{a}}}"\n', True),
    ('def f(x, y, z):\n    return rf"{t}", f"""{t}"""\n', True),
    ('def f(x, y, z):\n    print(f"{t}", {a})\n    return F"{t}" "{t}"\n', True),
    ('def f(x, y, z):\n    f"{t}"\n    return f.__doc__\n', False),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_fstring_no_placeholder_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    before = fill(template, data, t=TEXTS, a=EXPRESSIONS)
    assert_rewrite_keeps_behaviour(RULE, before, fires, inputs)
