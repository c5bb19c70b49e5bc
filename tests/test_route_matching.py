"""tokentrim.route.matching: stems, prefixes, alternatives, gaps and identifiers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokentrim.route.matching import Matcher, stem


@pytest.mark.parametrize(
    "forms",
    [
        ("docstring", "docstrings"),
        ("refactor", "refactoring", "refactored", "refactors"),
        ("authentication", "authenticate", "authenticated", "authenticating"),
        ("sanitize", "sanitise", "sanitized", "sanitising"),
        ("test", "tests", "testing", "tested"),
        ("replicate", "replicated", "replication", "replicating"),
        ("map", "mapped", "mapping"),
    ],
)
def test_the_forms_of_a_word_share_a_stem(forms: tuple[str, ...]) -> None:
    assert len({stem(form) for form in forms}) == 1


def test_stems_keep_short_words_and_identifiers() -> None:
    assert stem("process") == "process" and stem("status") == "status"
    assert stem("check_passwords") == "check_passwords"
    assert stem("aes") == "aes"


def test_phrases_alternatives_gaps_and_prefixes() -> None:
    matcher = Matcher([["write|add ... test"], ["hard-coded", "encrypt*"], ["check_password"]])
    text = "Add a couple of pytest tests; the key is hard coded and encrypted. check_passwords"
    assert matcher.find(text) == [["add a couple of pytest tests"], ["hard coded", "encrypted"], []]
    # A gap is at most four words and never crosses a clause boundary.
    assert matcher.find("Add one two three four five tests")[0] == []
    assert matcher.find("Add it: tests")[0] == []
    # An identifier matches a plain word exactly, never by stem or prefix.
    assert Matcher([["encrypt*"]]).find("call encrypt_all() now") == [[]]
    assert Matcher([["check_password"]]).find("see check_password") == [["check_password"]]


@given(st.text(), st.lists(st.text(max_size=20), max_size=5))
def test_never_raises(text: str, phrases: list[str]) -> None:
    found = Matcher([phrases]).find(text)
    assert len(found) == 1 and len(found[0]) <= 4
