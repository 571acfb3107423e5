"""SVG charts: accessible, escaped, whole-number axes."""

from __future__ import annotations

from jiritsu.reports.charts import Series, bar_chart, hbar_chart


def test_bar_chart_is_accessible_and_shows_numbers() -> None:
    svg = bar_chart("月別の参加者数", ["4月", "5月"], [Series("参加者数", [3, 8])])
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"')
    assert "<title id=" in svg and "<desc id=" in svg
    assert "参加者数: 4月 3人、5月 8人" in svg
    assert ">8</text>" in svg and ">4月</text>" in svg
    # Axis 0, 2, 4, 6, 8 — whole numbers only.
    for tick in ("0", "2", "4", "6", "8"):
        assert f'fill="#555d66">{tick}</text>' in svg
    assert "1.6" not in svg
    assert "style=" not in svg


def test_labels_are_escaped_and_empty_chart_says_so() -> None:
    svg = hbar_chart("成果", [("<script>", 1)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    empty = hbar_chart("移行", [], empty="この期間の移行はありません")
    assert "この期間の移行はありません" in empty
