"""The HTML report renders offline in a real browser: headless Chromium takes a screenshot.

Skipped when Chromium is not installed (``apt-get install chromium``).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tokentrim.cost import Usage
from tokentrim.report import build_report, render_html
from tokentrim.report.render.html import _PALETTE
from tokentrim.settings import Settings
from tokentrim.sources.records import Reply

CHROMIUM = next(
    (
        found
        for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
        if (found := shutil.which(name))
    ),
    None,
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

REPLY = """Sure! Here's a solution:

```python
# Import the module
import os  # operating system


# Define the function
def list_files(path):
    # Get the files
    files = os.listdir(path)  # list them
    # Return them
    return files
```

This function lists the files in a directory. Let me know if you have any questions!
"""


def reply_of(
    text: str, model: str | None, usage: Usage | None = None, origin: str = "test"
) -> Reply:
    """A reply as the sources read it: the type build_report takes."""
    return Reply(text, model, usage, origin, "test")


def chromium(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(command, capture_output=True, timeout=120, env=env, check=False)


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) for 8-bit non-interlaced RGB/RGBA PNGs."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat = 8, b""
    width = height = channels = 0
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[x] = (line[x] + predictor) & 0xFF
        rows.append(bytes(line) if channels == 3 else bytes(_drop_alpha(line)))
        previous = line
    return width, height, rows


def _drop_alpha(line: bytearray) -> bytearray:
    out = bytearray()
    for x in range(0, len(line), 4):
        out += line[x : x + 3]
    return out


def count_color(rows: list[bytes], hex_color: str, tolerance: int = 24) -> int:
    target = bytes.fromhex(hex_color.lstrip("#"))
    found = 0
    for row in rows:
        for x in range(0, len(row), 3):
            if all(abs(row[x + i] - target[i]) <= tolerance for i in range(3)):
                found += 1
    return found


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    replies = [
        reply_of(REPLY, "gpt-4o", Usage(input_tokens=2_000, output_tokens=160), "runs.jsonl:1"),
        reply_of(REPLY, "claude-3-5-sonnet-20240620", origin="runs.jsonl:2"),
        reply_of(REPLY, "google/gemini-2.0-flash-001", origin="notes/a.md"),
        reply_of(REPLY, None, origin="notes/b.md"),
    ]
    report = build_report(
        replies,
        settings=Settings(),
        compare=["gpt-4"],
        per_day=10_000_000,
        inputs=["runs.jsonl", "notes"],
        top=3,
    )
    generated = datetime(2026, 12, 2, 1, 2, tzinfo=UTC)
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_html(report, generated=generated), encoding="utf-8")
    return path


def screenshot(page: Path, tmp_path: Path, width: int, height: int) -> list[bytes]:
    png = tmp_path / f"shot-{width}.png"
    done = chromium(
        f"--screenshot={png}", f"--window-size={width},{height}", page.as_uri(), tmp_path=tmp_path
    )
    assert png.is_file(), done.stderr.decode(errors="replace")[-2000:]
    shot_width, shot_height, rows = decode_png(png.read_bytes())
    assert (shot_width, shot_height) == (width, height)
    return rows


@pytest.mark.parametrize(("width", "height"), [(1280, 2000), (420, 3600)])
def test_screenshot_shows_every_chart(page: Path, tmp_path: Path, width: int, height: int) -> None:
    rows = screenshot(page, tmp_path, width, height)
    non_white = sum(
        1 for row in rows for x in range(0, len(row), 3) if row[x : x + 3] != b"\xff\xff\xff"
    )
    assert non_white > 20_000  # text, tables and bars, not a blank page
    # Each chart's series is drawn: compute (two charts), review before / after, rule bars.
    for series in ("compute", "before", "after", "bar"):
        assert count_color(rows, _PALETTE[series], tolerance=8) > 300, series
    # The page is as wide as the screen (wide tables scroll in their own box): Chromium draws no
    # scrollbar here (--hide-scrollbars), so a wider page would be cut, not shrunk, and the
    # right-most pixels of the header would be text instead of the margin.
    assert all(row[-3:] == b"\xff\xff\xff" for row in rows[:200])


def test_dom_has_a_header_and_separate_charts(page: Path, tmp_path: Path) -> None:
    done = chromium("--dump-dom", page.as_uri(), tmp_path=tmp_path)
    dom = done.stdout.decode("utf-8", errors="replace")
    header = dom.split("<header>", 1)[1].split("</header>", 1)[0]
    assert "2026-12-02 01:02 UTC" in header
    assert "runs.jsonl, notes" in header
    assert "<dt>tokenizer</dt>" in header and "cl100k_base" in header
    assert "level standard" in header and "$64/hour" in header
    for chart in ("compute-chart", "review-chart", "projection-chart", "rule-chart"):
        assert f'id="{chart}"' in dom, chart
    assert dom.count("<svg") == 4
    review = dom.split('id="review-chart"', 1)[1].split("</figure>", 1)[0]
    compute = dom.split('id="compute-chart"', 1)[1].split("</figure>", 1)[0]
    assert _PALETTE["before"] in review and _PALETTE["before"] not in compute
    widths = [float(part.split('"', 1)[0]) for part in compute.split('width="')[2:]]
    assert widths and max(widths) > 100 and min(widths) > 0  # gpt-4 costs more than flash
    assert "Most verbose replies" in dom and "Cost per source" in dom
