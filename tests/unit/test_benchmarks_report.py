"""``benchmarks/RESULTS.md`` keeps the TypeScript SDK's section when the Python run rewrites it."""

from __future__ import annotations

from pathlib import Path

from benchmarks._common import Row
from benchmarks._report import write_markdown

ROW = Row(
    number="1a",
    title="t",
    measured="1 us",
    baseline="1 us",
    ratio=1.0,
    ratio_label="r",
    target="report",
    met=None,
)


def test_the_typescript_section_is_kept_byte_for_byte(tmp_path: Path) -> None:
    section = "<!-- typescript:start -->\n## TypeScript\n\n| a | b |\n<!-- typescript:end -->"
    results = tmp_path / "RESULTS.md"
    results.write_text(f"# old\n\nold figures\n\n{section}\n\ntrailing\n", encoding="utf-8")
    write_markdown(results, [ROW], {"cores": "2"}, 1.0)
    text = results.read_text(encoding="utf-8")
    assert "old figures" not in text
    assert text.count(section) == 1
    assert "| 1a | t |" in text


def test_without_markers_only_the_python_report_is_written(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    write_markdown(results, [ROW], {"cores": "2"}, 1.0)
    assert "typescript" not in results.read_text(encoding="utf-8")
