"""Keyword phrases of :func:`tokentrim.route.classify`: word stems, alternatives and gaps.

A phrase is a sequence of slots matched against the words of the prompt's prose:

* a plain word matches any word with the same stem (``docstring`` matches "docstrings",
  ``refactor`` matches "refactoring", ``sanitize`` matches "sanitise" and "sanitized");
* a word ending in ``*`` matches any word beginning with it (``encrypt*``);
* ``a|b|c`` matches any of the alternatives;
* ``...`` lets up to :data:`MAX_GAP` words come between the slots around it, within one clause
  (``write|add ... test`` matches "add a couple of tests"; a full stop, ``;`` or ``:`` ends the
  clause).

Words are case-insensitive; what separates them does not matter inside a phrase (``hard coded``
matches "hard-coded"). A word with an underscore is an identifier (``check_password``): it only
matches a plain word exactly, never through a stem or a prefix. Matching is one pass over the
words with the phrases indexed by their first slot, so its cost grows with the prompt, not with
the keyword sets.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Sequence

__all__ = ["MAX_GAP", "Matcher", "stem"]

MAX_GAP = 4
_TOKEN = re.compile(r"\w+|[.!?;:](?=\s|$)")
_BARRIER = frozenset(".!?;:")


@functools.lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """A light suffix-stripping stem: the same for a word's usual inflections.

    Not a dictionary lemmatiser: it only has to map the forms of one word to one key (both the
    keywords and the prompt go through it), so "authentication", "authenticate" and
    "authenticated" all become ``authenticat``. British ``-ise`` forms become ``-ize``.
    """
    w = word.lower()
    if "_" in w or len(w) <= 3 or not w.isalpha():
        return w
    w = re.sub(r"is(e|es|ed|ing|ation|ations|er|ers)$", r"iz\1", w)
    if w.endswith("ies"):
        w = w[:-3] + "y"
    elif w.endswith(("sses", "xes", "zes", "ches", "shes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix, replacement in (("ation", "at"), ("ing", ""), ("ed", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: len(w) - len(suffix)] + replacement
            if suffix != "ation" and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]  # running -> run, mapped -> map; but spelled, passed stay
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


@dataclasses.dataclass(frozen=True, eq=False)  # identity hash: cheap in the hot loop
class _Slot:
    stems: frozenset[str]  # plain words, stemmed
    exact: frozenset[str]  # plain words as written (identifiers match these only)
    prefixes: tuple[str, ...]  # words ending in *
    gap_before: bool  # "..." came before this slot

    def accepts(self, raw: str, stemmed: str) -> bool:
        if "_" in raw:
            return raw in self.exact
        if stemmed in self.stems:
            return True
        return bool(self.prefixes) and any(raw.startswith(p) for p in self.prefixes)


@dataclasses.dataclass(frozen=True, eq=False)
class _Phrase:
    group: int
    slots: tuple[_Slot, ...]


def _parse(text: str, group: int) -> _Phrase | None:
    slots: list[_Slot] = []
    gap = False
    for piece in text.lower().split():
        if piece == "...":
            gap = bool(slots)
            continue
        if "|" not in piece:
            # "hard-coded" is two slots; "encrypt*" one prefix slot.
            words = re.findall(r"\w+\*?", piece)
            alternatives_per_slot = [[w] for w in words]
        else:
            alternatives_per_slot = [[a for a in piece.split("|") if re.fullmatch(r"\w+\*?", a)]]
        for alternatives in alternatives_per_slot:
            stems = {stem(a) for a in alternatives if not a.endswith("*")}
            exact = {a for a in alternatives if not a.endswith("*")}
            prefixes = tuple(a[:-1] for a in alternatives if a.endswith("*"))
            if stems or prefixes:
                slots.append(_Slot(frozenset(stems), frozenset(exact), prefixes, gap))
                gap = False
    return _Phrase(group, tuple(slots)) if slots else None


class Matcher:
    """The phrases of several groups, compiled once; :meth:`find` runs them over a text."""

    def __init__(self, groups: Sequence[Iterable[str]]) -> None:
        self.size = len(groups)
        by_stem: dict[str, list[_Phrase]] = {}
        by_prefix: dict[str, list[_Phrase]] = {}
        for number, phrases in enumerate(groups):
            for text in phrases:
                phrase = _parse(text, number)
                if phrase is None:
                    continue
                first = phrase.slots[0]
                for key in first.stems | first.exact:
                    by_stem.setdefault(key, []).append(phrase)
                for prefix in first.prefixes:
                    by_prefix.setdefault(prefix, []).append(phrase)
        self._by_stem = {k: tuple(dict.fromkeys(v)) for k, v in by_stem.items()}
        # Prefixes by their first three letters: one lookup a word, not one per prefix length.
        by_head: dict[str, list[tuple[str, _Phrase]]] = {}
        for prefix, phrases_of in by_prefix.items():
            for phrase in phrases_of:
                by_head.setdefault(prefix[:3], []).append((prefix, phrase))
        self._by_head = {k: tuple(v) for k, v in by_head.items()}
        self._short_heads = tuple(k for k in by_head if len(k) < 3)

    def find(self, text: str) -> list[list[str]]:
        """Per group, the distinct phrases found (as written in the text, at most four)."""
        found: list[dict[str, None]] = [{} for _ in range(self.size)]
        raws = _TOKEN.findall(text.lower())
        stems = [stem(raw) for raw in raws]
        for index, raw in enumerate(raws):
            if raw in _BARRIER:
                continue
            by_stem = self._by_stem.get(stems[index], ())
            by_raw = self._by_stem.get(raw, ()) if raw != stems[index] else ()
            heads = () if "_" in raw else self._by_head.get(raw[:3], ())
            if not (by_stem or by_raw or heads or self._short_heads):
                continue  # most words start no phrase
            candidates = [*by_stem, *by_raw]
            if "_" not in raw:
                for head in self._short_heads:
                    heads += self._by_head[head]
                candidates += [phrase for prefix, phrase in heads if raw.startswith(prefix)]
            for phrase in dict.fromkeys(candidates):
                if len(found[phrase.group]) >= 4 or not phrase.slots[0].accepts(raw, stems[index]):
                    continue
                end = _match_rest(phrase.slots, 1, raws, stems, index + 1)
                if end is not None:
                    words = [w for w in raws[index:end] if w not in _BARRIER]
                    found[phrase.group][" ".join(words)] = None
        return [list(hits)[:4] for hits in found]


def _match_rest(
    slots: tuple[_Slot, ...], slot: int, raws: list[str], stems: list[str], position: int
) -> int | None:
    """Where a match of ``slots[slot:]`` starting at ``position`` ends, or None."""
    if slot == len(slots):
        return position
    current = slots[slot]
    reach = MAX_GAP if current.gap_before else 0
    for offset in range(reach + 1):
        at = position + offset
        if at >= len(raws) or raws[at] in _BARRIER:
            return None
        if current.accepts(raws[at], stems[at]):
            end = _match_rest(slots, slot + 1, raws, stems, at + 1)
            if end is not None:
                return end
    return None
