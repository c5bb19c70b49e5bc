"""trim(): the one pure function every entry point calls."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

Status = Literal["changed", "unchanged", "skipped", "failed"]


@dataclasses.dataclass(frozen=True)
class BlockOutcome:
    """What happened to one code block."""

    lang: str
    status: Status
    reason: str = ""
    rules: tuple[str, ...] = ()
    tokens_before: int = 0
    tokens_after: int = 0
    start: int = 0
    end: int = 0


@dataclasses.dataclass(frozen=True)
class TrimResult:
    """The trimmed reply and what was done to it."""

    text: str
    original: str
    tokens_before: int
    tokens_after: int
    encoding: str
    blocks: tuple[BlockOutcome, ...] = ()
    rules: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    cost: Any = None  # CostReport | None

    @property
    def changed(self) -> bool:
        return self.text != self.original

    @property
    def tokens_saved(self) -> int:
        return self.tokens_before - self.tokens_after
