"""Charts as inline SVG, drawn on the server: no script, no external service, no web font.

Pure functions of their input (no Flask, no database). Each chart is an ``<svg role="img">``
named by its ``<title>`` and described by its ``<desc>`` (``aria-labelledby``); the page shows
the same numbers in a table beside it, for screen readers and for reading exact values.
All text is escaped here; the result is safe to insert as markup.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from html import escape

PALETTE = ("#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2")


def _nice_max(value: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten, at least ``value`` (1 when empty)."""
    if value <= 0:
        return 1.0
    step = 1.0
    while step * 10 <= value:
        step *= 10
    while step > value:
        step /= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10  # pragma: no cover - the loop above always returns


def _label(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _open(title: str, description: str, width: int, height: int) -> str:
    # The same chart gets the same ids: a page's charts differ by title and description.
    uid = "luneo-chart-" + hashlib.sha256(f"{title}\n{description}".encode()).hexdigest()[:10]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{uid}-t {uid}-d">'
        f'<title id="{uid}-t">{escape(title)}</title>'
        f'<desc id="{uid}-d">{escape(description)}</desc>'
    )


def line_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    percent: bool = False,
    width: int = 640,
    height: int = 240,
) -> str:
    """One line per series over ``labels`` (a missing value breaks its line), with a y axis
    from 0, a few x labels and a legend."""
    left, right, top, bottom = 48, 12, 12, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, points in series for v in points if v is not None]
    ceiling = 1.0 if percent and values and max(values) <= 1 else _nice_max(max(values, default=0))
    n = max(1, len(labels) - 1)

    def x(i: int) -> float:
        return left + plot_w * i / n

    def y(v: float) -> float:
        return top + plot_h * (1 - v / ceiling)

    out = _open(title, description, width, height)
    parts = [out, '<g class="axis" font-size="11" fill="#555">']
    for step in range(5):
        value = ceiling * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#e5e7eb"/><text x="{left - 6}" y="{y(value) + 4:.1f}" '
            f'text-anchor="end">{escape(_label(value, percent))}</text>'
        )
    every = max(1, len(labels) // 6)
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</g>")
    for number, (name, points) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for i, point in enumerate(points):
            if point is None:
                runs.append([])
            else:
                runs[-1].append(f"{x(i):.1f},{y(point):.1f}")
        for run in runs:
            if len(run) == 1:
                cx, cy = run[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
            elif run:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                    f'points="{" ".join(run)}"/>'
                )
        lx = left + number * (plot_w // max(1, len(series)))
        parts.append(
            f'<g font-size="11"><rect x="{lx}" y="{height - 16}" width="10" height="10" '
            f'fill="{colour}"/><text x="{lx + 14}" y="{height - 7}" fill="#333">'
            f"{escape(name)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    title: str, description: str, bars: Sequence[tuple[str, float]], *, width: int = 640
) -> str:
    """Horizontal bars, one per (label, value), longest for the largest value."""
    row, left, right = 28, 160, 70
    height = max(1, len(bars)) * row + 8
    top = max((value for _, value in bars), default=0) or 1
    out = _open(title, description, width, height)
    parts = [out, '<g font-size="12">']
    for i, (label, value) in enumerate(bars):
        y = 4 + i * row
        length = (width - left - right) * value / top
        parts.append(
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" fill="#333">'
            f"{escape(label)}</text>"
            f'<rect x="{left}" y="{y + 4}" width="{length:.1f}" height="{row - 10}" '
            f'fill="{PALETTE[0]}"/><text x="{left + length + 6:.1f}" y="{y + 17}" '
            f'fill="#333">{escape(_label(value, False))}</text>'
        )
    parts.append("</g></svg>")
    return "".join(parts)
