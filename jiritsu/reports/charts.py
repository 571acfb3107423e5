"""Small server-rendered SVG charts: no JavaScript, no inline style, accessible.

Each chart is an ``<svg role="img">`` with ``<title>`` and ``<desc>`` (the numbers in
words), axis labels and the value printed on every bar, so it reads without colour and
prints the same on screen, in the PDF and on paper. Colours are presentation attributes
(allowed under the CSP that forbids inline style).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#0b5cad", "#d97706", "#1d6b2f", "#8e3b9c", "#b00020", "#4b5563")
FONT = "Noto Sans CJK JP, Hiragino Sans, Yu Gothic, Meiryo, sans-serif"
_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | float]


_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000,
          50000, 100000)


def _scale(value: float) -> tuple[float, float]:
    """(tick step, axis top): at most five whole-number steps above zero."""
    for step in _STEPS:
        if value <= step * 5:
            return step, max(step * -(-value // step), step)
    big = float(10 ** len(str(int(value))))
    return big, big * -(-value // big)


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def _open(title: str, desc: str, width: int, height: int) -> tuple[str, list[str]]:
    n = next(_ids)
    tid, did = f"chart-t{n}", f"chart-d{n}"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'aria-labelledby="{tid} {did}" font-family="{FONT}" font-size="12">'
            f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(desc)}</desc>'
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')
    return head, []


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series], *,
              unit: str = "人", width: int = 640, height: int = 260) -> SafeString:
    """Vertical grouped bars (one group per label, one bar per series)."""
    desc = "。".join(
        f"{s.name}: " + "、".join(f"{lab} {_fmt(v)}{unit}" for lab, v in zip(labels, s.values, strict=False))
        for s in series) or "データなし"
    head, parts = _open(title, desc, width, height)
    left, right, top, bottom = 44, 12, 34, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    step, top_value = _scale(max((v for s in series for v in s.values), default=0))
    # legend
    x = left
    for i, s in enumerate(series):
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
                     f'<text x="{x + 16}" y="18">{escape(s.name)}</text>')
        x += 24 + 13 * len(s.name)
    for t in (step * i for i in range(int(top_value / step) + 1)):
        y = top + plot_h - plot_h * t / top_value
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#e3e8ee"/><text x="{left - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end" fill="#555d66">{_fmt(t)}</text>')
    groups = max(len(labels), 1)
    group_w = plot_w / groups
    bar_w = max(min((group_w - 6) / max(len(series), 1), 36), 2)
    for gi, label in enumerate(labels):
        gx = left + gi * group_w + (group_w - bar_w * len(series)) / 2
        for si, s in enumerate(series):
            v = s.values[gi] if gi < len(s.values) else 0
            h = plot_h * v / top_value
            bx, by = gx + si * bar_w, top + plot_h - h
            parts.append(f'<rect x="{bx:.1f}" y="{by:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[si % len(PALETTE)]}"><title>{escape(label)} '
                         f'{escape(s.name)} {_fmt(v)}{unit}</title></rect>')
            if v:
                parts.append(f'<text x="{bx + (bar_w - 1) / 2:.1f}" y="{by - 3:.1f}" '
                             f'text-anchor="middle" font-size="10">{_fmt(v)}</text>')
        parts.append(f'<text x="{left + gi * group_w + group_w / 2:.1f}" y="{top + plot_h + 16}" '
                     f'text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
                 f'stroke="#1b1f24"/><text x="{left - 6}" y="{top - 8}" text-anchor="end" '
                 f'fill="#555d66">（{escape(unit)}）</text>')
    return mark_safe(head + "".join(parts) + "</svg>")


def hbar_chart(title: str, items: Sequence[tuple[str, int | float]], *, unit: str = "人",
               width: int = 640, empty: str = "該当なし", label_width: int = 220) -> SafeString:
    """Horizontal bars with the label on the left and the value at the bar's end."""
    row_h, top, left, right = 26, 10, label_width, 50
    height = top * 2 + row_h * max(len(items), 1)
    desc = "、".join(f"{lab} {_fmt(v)}{unit}" for lab, v in items) or empty
    head, parts = _open(title, desc, width, height)
    if not items:
        parts.append(f'<text x="{width / 2}" y="{height / 2 + 4}" text-anchor="middle" '
                     f'fill="#555d66">{escape(empty)}</text>')
        return mark_safe(head + "".join(parts) + "</svg>")
    top_value = max(max(v for _, v in items), 1)
    plot_w = width - left - right
    for i, (label, v) in enumerate(items):
        y = top + i * row_h
        w = plot_w * v / top_value
        fits = label_width // 13
        short = label if len(label) <= fits else label[:fits - 1] + "…"
        parts.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end">{escape(short)}</text>'
                     f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                     f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(label)} {_fmt(v)}{unit}'
                     f'</title></rect><text x="{left + w + 6:.1f}" y="{y + 17}">{_fmt(v)}{unit}</text>')
    return mark_safe(head + "".join(parts) + "</svg>")


def report_charts(report: dict) -> dict[str, SafeString]:
    """The four charts of a report page (and its PDF), and on a program's page the effects
    chart (income, assistance and medical cost around the start)."""
    months = report["monthly"]
    label = report["period"]["label"]
    extra: dict[str, SafeString] = {}
    if report.get("effects_series"):
        extra["effects"] = effects_chart(
            f"{label} {report['programs'][0]['name'] if report['programs'] else ''} "
            "支援開始前後の収入・保護費・医療費（月額）", report["effects_series"])
    return {**extra,
        "monthly": bar_chart(
            f"{label} 月別の参加者数と達成者数", [m["label"] for m in months],
            [Series("参加者数", [m["participants"] for m in months]),
             Series("達成者数", [m["achieved"] for m in months])]),
        "outcomes": hbar_chart(f"{label} 成果の種類別人数",
                               [(o["label"], o["n"]) for o in report["totals"]["outcomes_by_kind"]],
                               empty="この期間の成果はありません"),
        "transfers": hbar_chart(f"{label} プログラム間の移行",
                                [(f"{t['from']} → {t['to']}", t["n"]) for t in report["transfers"]],
                                empty="この期間の移行はありません", width=760, label_width=560),
        "time": bar_chart(f"{label} 支援開始から達成までの期間",
                          [b["label"] for b in report["time_to_achievement"]],
                          [Series("達成者数", [b["n"] for b in report["time_to_achievement"]])]),
    }


@dataclass(frozen=True)
class Band:
    """A line of medians with an optional band (p25–p75); None = no value that month."""

    name: str
    median: Sequence[float | None]
    low: Sequence[float | None] = ()
    high: Sequence[float | None] = ()


def _yen_label(v: float) -> str:
    return f"{round(v):,}円"


def band_chart(title: str, months: Sequence[int], bands: Sequence[Band], *,
               width: int = 640, height: int = 280, mark: int = 0,
               x_label: str = "支援開始月からの月数") -> SafeString:
    """Lines by month relative to a start (``mark``), each with its spread as a shaded band.
    Values are yen; the axis is in 千円."""
    parts_desc = []
    for b in bands:
        shown = [f"{'+' if k > 0 else ''}{k}か月 {_yen_label(v)}"
                 for k, v in zip(months, b.median, strict=False) if v is not None]
        parts_desc.append(f"{b.name}（中央値）: " + ("、".join(shown) or "データなし"))
    head, parts = _open(title, "。".join(parts_desc) or "データなし", width, height)
    left, right, top, bottom = 56, 12, 40, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for b in bands for v in (*b.median, *b.high) if v is not None]
    step, top_value = _scale(max(values, default=0) / 1000)
    top_value *= 1000
    x_step = plot_w / max(len(months) - 1, 1)

    def x(i: int) -> float:
        return left + i * x_step

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / top_value if top_value else top + plot_h

    xl = left
    for i, b in enumerate(bands):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{xl}" y="8" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{xl + 16}" y="18">{escape(b.name)}</text>')
        xl += 30 + 13 * len(b.name)
    if any(b.low for b in bands):
        parts.append(f'<text x="{width - right}" y="32" text-anchor="end" fill="#555d66" '
                     f'font-size="10">線は中央値、帯は25〜75パーセンタイル</text>')
    for t in (step * i for i in range(int(top_value / 1000 / step) + 1)):
        yy = y(t * 1000)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
                     f'stroke="#e3e8ee"/><text x="{left - 6}" y="{yy + 4:.1f}" '
                     f'text-anchor="end" fill="#555d66">{_fmt(t)}</text>')
    for i, k in enumerate(months):
        if k == mark or k % 3 == 0:
            label = "開始" if k == mark else f"{k:+d}"
            parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" '
                         f'text-anchor="middle">{label}</text>')
    if mark in months:
        mx = x(list(months).index(mark))
        parts.append(f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{top}" y2="{top + plot_h}" '
                     f'stroke="#1b1f24" stroke-dasharray="4 3"/>')
    for i, b in enumerate(bands):
        colour = PALETTE[i % len(PALETTE)]
        if b.low and b.high:
            pts = [(j, lo, hi) for j, (lo, hi) in enumerate(zip(b.low, b.high, strict=False))
                   if lo is not None and hi is not None]
            if pts:
                upper = " ".join(f"{x(j):.1f},{y(hi):.1f}" for j, _, hi in pts)
                lower = " ".join(f"{x(j):.1f},{y(lo):.1f}" for j, lo, _ in reversed(pts))
                parts.append(f'<polygon points="{upper} {lower}" fill="{colour}" '
                             f'fill-opacity="0.15" stroke="none"/>')
        segment: list[str] = []
        runs: list[list[str]] = []
        for j, v in enumerate(b.median):
            if v is None:
                if segment:
                    runs.append(segment)
                segment = []
                continue
            segment.append(f"{x(j):.1f},{y(v):.1f}")
            parts.append(f'<circle cx="{x(j):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}">'
                         f'<title>{escape(b.name)} {months[j]:+d}か月 {_yen_label(v)}</title>'
                         f'</circle>')
        if segment:
            runs.append(segment)
        for run in runs:
            parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                         f'stroke-width="2"/>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
                 f'stroke="#1b1f24"/><text x="{left - 6}" y="{top - 8}" text-anchor="end" '
                 f'fill="#555d66">（千円）</text><text x="{left + plot_w / 2:.1f}" '
                 f'y="{height - 6}" text-anchor="middle" fill="#555d66">{escape(x_label)}</text>')
    return mark_safe(head + "".join(parts) + "</svg>")


def effects_chart(title: str, data: dict) -> SafeString:
    """A program's income, assistance and medical cost around the start (median, p25–p75)."""
    from jiritsu.reports.effects import SERIES_LABELS

    bands = [Band(SERIES_LABELS[key], [r["median"] for r in rows], [r["p25"] for r in rows],
                  [r["p75"] for r in rows]) for key, rows in data["series"].items()]
    return band_chart(title, data["months"], bands)


def person_effects_chart(title: str, episode: dict) -> SafeString:
    """One person's income, assistance and medical cost around one episode's start."""
    from jiritsu.reports.effects import SERIES_LABELS

    rows = episode["months"]
    bands = [Band(SERIES_LABELS[key], [r[key] for r in rows])
             for key in ("earned", "paid", "medical")]
    return band_chart(title, [r["k"] for r in rows], bands)
