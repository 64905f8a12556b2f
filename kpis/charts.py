"""Charts as inline SVG, drawn on the server: no script, no asset, nothing fetched from elsewhere,
so the dashboard works on an air-gapped network and prints as it shows.

Every label is escaped here; a chart's SVG is the only markup the templates do not escape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

BLUE, ORANGE, GREY, INK = "#2f6db5", "#e08a2c", "#d9dde3", "#1f2933"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: not shown (no data, or fewer than the smallest cell)
    note: str = ""  # shown after the bar: "62 %", "fewer than 5"
    second: float | None = None  # a second series (e.g. cohort B), same scale


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, fill: str = INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
            f"{escape(text)}</text>")


def hbars(bars: Sequence[Bar], *, maximum: float = 1.0, title: str = "", width: int = 640,
          legend: tuple[str, str] | None = None) -> Markup:
    """Horizontal bars, one row per item: funnels, shares per lab, satisfaction out of 5."""
    label_w, row, top = 230, 26 if not any(b.second is not None for b in bars) else 36, 8
    plot_w = width - label_w - 110
    height = top + row * len(bars) + (22 if legend else 4)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for index, bar in enumerate(bars):
        y = top + index * row
        short = bar.label if len(bar.label) <= 34 else bar.label[:33] + "…"
        parts.append(f"<g><title>{escape(bar.label)}</title>{_text(label_w - 8, y + 15, short, anchor='end')}</g>")
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{plot_w}" height="14" fill="{GREY}" rx="2"/>')
        if bar.value is not None:
            w = max(0.0, min(1.0, bar.value / maximum)) * plot_w
            parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="14" fill="{BLUE}" rx="2"/>')
        if bar.second is not None:
            w = max(0.0, min(1.0, bar.second / maximum)) * plot_w
            parts.append(f'<rect x="{label_w}" y="{y + 20}" width="{w:.1f}" height="10" fill="{ORANGE}" rx="2"/>')
        parts.append(_text(label_w + plot_w + 8, y + 15, bar.note))
    if legend:
        y = height - 8
        parts.append(f'<rect x="{label_w}" y="{y - 9}" width="10" height="10" fill="{BLUE}"/>')
        parts.append(_text(label_w + 14, y, legend[0]))
        parts.append(f'<rect x="{label_w + 180}" y="{y - 9}" width="10" height="10" fill="{ORANGE}"/>')
        parts.append(_text(label_w + 194, y, legend[1]))
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram(counts: Sequence[int] | None, *, title: str = "", width: int = 160, height: int = 40) -> Markup:
    """Ten bins of score share (0-10 %, ..., 90-100 %): where a task's learners land."""
    if not counts:
        return Markup("")
    peak = max(max(counts), 1)
    step = width / len(counts)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" stroke="{GREY}"/>']
    for index, count in enumerate(counts):
        h = (height - 4) * count / peak
        parts.append(f'<rect x="{index * step + 1:.1f}" y="{height - 1 - h:.1f}" width="{step - 2:.1f}" '
                     f'height="{h:.1f}" fill="{BLUE}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(points: Sequence[tuple[str, float | None]], *, title: str = "", width: int = 640,
            height: int = 160) -> Markup:
    """One column per day (activity over time); the first and last dates are written below."""
    if not points:
        return Markup("")
    peak = max((value or 0 for _, value in points), default=0) or 1
    bottom, step = height - 22, width / len(points)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="0" y1="{bottom + 0.5}" x2="{width}" y2="{bottom + 0.5}" stroke="{GREY}"/>']
    for index, (label, value) in enumerate(points):
        h = (bottom - 16) * (value or 0) / peak
        parts.append(f'<rect x="{index * step + 1:.1f}" y="{bottom - h:.1f}" width="{max(step - 2, 1):.1f}" '
                     f'height="{h:.1f}" fill="{BLUE}"><title>{escape(label)}: {value if value is not None else "-"}'
                     f"</title></rect>")
    parts.append(_text(0, height - 6, points[0][0], size=11))
    parts.append(_text(width, height - 6, points[-1][0], anchor="end", size=11))
    parts.append(_text(0, 12, f"max {peak:g}", size=11))
    parts.append("</svg>")
    return Markup("".join(parts))
