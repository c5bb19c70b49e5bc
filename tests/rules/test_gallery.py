"""The README's rule gallery and docs/rules.md are generated from the registry and cannot rot."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tokentrim.rules import all_rules

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "out of date: run `python scripts/gen_rule_gallery.py`"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_rule_gallery", ROOT / "scripts" / "gen_rule_gallery.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gallery = _script()


def test_readme_gallery_is_up_to_date() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert gallery.readme_text(readme) == readme, f"README.md rule gallery {REGENERATE}"


def test_docs_rules_is_up_to_date() -> None:
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert gallery.docs_text() == docs, f"docs/rules.md {REGENERATE}"


def test_every_rule_is_in_the_gallery_as_a_diff() -> None:
    text = gallery.readme_gallery()
    for rule in all_rules():
        assert f"**`{rule.id}`**" in text
        diff = gallery.example_diff(rule)
        assert diff.startswith("```diff\n") and diff.endswith("```\n")
        body = diff.splitlines()[1:-1]
        assert body and all(line[:1] in " -+" for line in body)
        assert any(line[:1] in "-+" for line in body)


def test_markers_are_added_when_missing() -> None:
    text = gallery.readme_text("# Project\n\nSome text.\n")
    assert text.startswith(
        "# Project\n\nSome text.\n\n## Rule gallery\n\n<!-- rule-gallery:start -->\n"
    )
    assert text.endswith("<!-- rule-gallery:end -->\n")
    assert gallery.readme_text(text) == text


def test_text_outside_the_markers_is_kept() -> None:
    readme = "a\n<!-- rule-gallery:start -->\nstale\n<!-- rule-gallery:end -->\nb\n"
    text = gallery.readme_text(readme)
    assert text.startswith("a\n<!-- rule-gallery:start -->\n") and text.endswith(
        "<!-- rule-gallery:end -->\nb\n"
    )
    assert "stale" not in text


def test_check_mode_reports_staleness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# x\n", encoding="utf-8")
    monkeypatch.setattr(gallery, "ROOT", tmp_path)
    monkeypatch.setattr(gallery, "README", readme)
    monkeypatch.setattr(gallery, "DOCS", tmp_path / "docs" / "rules.md")
    assert gallery.main(["--check"]) == 1
    assert readme.read_text(encoding="utf-8") == "# x\n"
    assert gallery.main([]) == 0
    assert gallery.main(["--check"]) == 0
    assert (tmp_path / "docs" / "rules.md").read_text(encoding="utf-8") == gallery.docs_text()
