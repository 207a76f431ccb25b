"""Static SVG plots drawn on the server: no script, no external file, readable with CSS off.

One point per run (a <circle class="point">, an alarmed run also gets class "alarm"), joined by a line;
each point's <title> says the run and its value, so hovering shows it without any script.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 560, 180
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 30


@dataclass
class Point:
    label: str  # the run (id and time)
    value: float | None
    alarm: str | None = None  # the alarm's reasons, when the run raised one


def _fmt(value: float, percent: bool) -> str:
    return f"{value:.0%}" if percent else f"{value:g}"


def line_plot(points: list[Point], title: str, *, percent: bool = False, y_max: float | None = None) -> Markup:
    """An SVG line plot of `points` in order (oldest run first)."""
    values = [p.value for p in points if p.value is not None]
    top = y_max if y_max is not None else max([*values, 1.0])
    if not percent and top > 1:
        top = float(int(top * 1.1) + 1)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(1, len(points) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = LEFT + (i * step if len(points) > 1 else inner_w / 2)
        return round(x, 1), round(TOP + inner_h * (1 - v / top), 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" role="img" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' width="{WIDTH}" height="{HEIGHT}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for frac in (0.0, 0.5, 1.0):  # grid lines and y labels
        y = round(TOP + inner_h * (1 - frac), 1)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="#ddd" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end" font-size="11" fill="#555">'
                     f"{escape(_fmt(top * frac, percent))}</text>")
    line = [xy(i, p.value) for i, p in enumerate(points) if p.value is not None]
    if len(line) > 1:
        path = " ".join(f"{x},{y}" for x, y in line)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#2b6cb0" stroke-width="2"/>')
    for i, p in enumerate(points):
        if p.value is None:
            continue
        x, y = xy(i, p.value)
        tip = f"{p.label}: {_fmt(p.value, percent)}" + (f" - ALARM: {p.alarm}" if p.alarm else "")
        cls, fill, r = ("point alarm", "#c53030", 6) if p.alarm else ("point", "#2b6cb0", 4)
        parts.append(f'<circle class="{cls}" cx="{x}" cy="{y}" r="{r}" fill="{fill}"><title>{escape(tip)}</title></circle>')
    if points:
        parts.append(f'<text x="{LEFT}" y="{HEIGHT - 8}" font-size="11" fill="#555">{escape(points[0].label)}</text>')
        if len(points) > 1:
            parts.append(f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" text-anchor="end" font-size="11" fill="#555">'
                         f"{escape(points[-1].label)}</text>")
    else:
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="#555">no runs recorded</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
