"""Render chosen entries as text, markdown or JSON. Pure.

Entries are grouped by file, files in the order of their best entry, entries in source order. A
file opens with ``# path: module summary`` (plus ``__all__`` and its constants when the module's own
entry was chosen); a method whose class was not chosen is shown under the class's line, so that it
reads as it does in the source. Bodies are elided as ``…``::

    # httpx/_client.py
    class Client(BaseClient):
        def send(self, request: Request, *, stream: bool = False) -> Response:
            \"\"\"Send a request.\"\"\" …

Markdown is the same text in one fenced ``python`` block per file; JSON carries the same entries
as data (qualified name, kind, line, signature, summary) with no whitespace between tokens.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tokentrim.digest.model import Format, Scored, SourceFile, Symbol

__all__ = ["ELLIPSIS", "render"]

ELLIPSIS = "…"
INDENT = "    "


def render(entries: Sequence[Scored], format: Format = "text") -> str:
    """The digest of ``entries`` in ``format`` ("" for no entries as text or markdown)."""
    groups = _groups(entries)
    if format == "json":
        return json.dumps(
            {"files": [_json_group(file, chosen) for file, chosen in groups]},
            ensure_ascii=False,
            separators=(",", ":"),
        )
    blocks = ["\n".join(_text_group(file, chosen)) for file, chosen in groups]
    if format == "markdown":
        blocks = [f"```python\n{block}\n```" for block in blocks]
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _groups(entries: Sequence[Scored]) -> list[tuple[SourceFile, list[Symbol | None]]]:
    """(file, chosen symbols in source order; None is the module's own entry), best file first."""
    by_file: dict[int, tuple[SourceFile, list[Symbol | None]]] = {}
    for entry in entries:
        by_file.setdefault(id(entry.file), (entry.file, []))[1].append(entry.symbol)
    groups = []
    for file, chosen in by_file.values():
        position = {id(symbol): index for index, symbol in enumerate(file.info.symbols)}
        chosen.sort(key=lambda s: -1 if s is None else position.get(id(s), 0))
        groups.append((file, chosen))
    return groups


def _text_group(file: SourceFile, chosen: list[Symbol | None]) -> list[str]:
    info = file.info
    module_chosen = bool(chosen) and chosen[0] is None
    header = f"# {file.path}"
    if module_chosen and info.doc:
        header += f": {info.doc}"
    lines = [header]
    if module_chosen:
        if info.all:
            lines.append(f"__all__ = {json.dumps(list(info.all), ensure_ascii=False)}")
        if info.constants:
            lines.append(f"{' = '.join(info.constants)} = {ELLIPSIS}")
    shown = {s.qualname for s in chosen if s is not None}
    classes = {s.qualname: s for s in info.symbols if s.kind == "class"}
    opened: set[str] = set()
    for symbol in chosen:
        if symbol is None:
            continue
        # The enclosing classes' lines, when only a member was chosen.
        parts = symbol.qualname.split(".")
        for depth in range(1, len(parts)):
            outer = ".".join(parts[:depth])
            if outer not in shown and outer not in opened and outer in classes:
                head = classes[outer].signature.rsplit("\n", 1)[-1]
                lines.append(INDENT * (depth - 1) + head)
            opened.add(outer)
        members = any(name.startswith(symbol.qualname + ".") for name in shown)
        lines.extend(_symbol_lines(symbol, INDENT * (len(parts) - 1), members))
        opened.add(symbol.qualname)
    return lines


def _symbol_lines(symbol: Symbol, indent: str, has_members: bool) -> list[str]:
    lines = [indent + line for line in symbol.signature.split("\n")]
    if symbol.doc:
        tail = "" if symbol.kind == "class" else f" {ELLIPSIS}"
        lines.append(f'{indent}{INDENT}"""{_quoted(symbol.doc)}"""{tail}')
    elif symbol.kind != "class" or not has_members:
        lines[-1] += f" {ELLIPSIS}"
    return lines


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _json_group(file: SourceFile, chosen: list[Symbol | None]) -> dict[str, Any]:
    group: dict[str, Any] = {"path": file.path, "module": file.module}
    if chosen and chosen[0] is None:
        info = file.info
        if info.doc:
            group["doc"] = info.doc
        if info.all:
            group["all"] = list(info.all)
        if info.constants:
            group["constants"] = list(info.constants)
    group["entries"] = [
        {
            "name": f"{file.module}.{s.qualname}" if file.module else s.qualname,
            "kind": s.kind,
            "line": s.line,
            "signature": s.signature,
            **({"doc": s.doc} if s.doc else {}),
        }
        for s in chosen
        if s is not None
    ]
    return group
