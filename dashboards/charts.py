"""Geometry of the server-rendered SVG charts (the templates only draw what is computed here).

Every chart is drawn from the same numbers as the table beside it; nothing here queries anything.
"""

from dataclasses import dataclass, field

WIDTH = 520  # viewBox units; the SVG scales to its container
LABEL_W = 130
VALUE_W = 60
BAR_H = 18
GAP = 6
TOP = 4

COLOUR_FILL = {"red": "#d7263d", "orange": "#f28c28", "yellow": "#e9c46a", "green": "#2a9d8f"}
BAR_FILL = "#1457a8"


@dataclass
class Segment:
    x: float
    w: float
    fill: str
    title: str


@dataclass
class Bar:
    label: str
    value: str
    y: float
    segments: list[Segment] = field(default_factory=list)

    @property
    def text_y(self) -> float:
        return self.y + BAR_H - 4


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    width: int = WIDTH
    label_w: int = LABEL_W
    bar_h: int = BAR_H

    @property
    def height(self) -> int:
        return TOP + len(self.bars) * (BAR_H + GAP) + GAP

    @property
    def value_x(self) -> int:
        return self.width - VALUE_W + 4


def _scale(max_value: float) -> float:
    span = WIDTH - LABEL_W - VALUE_W
    return span / max_value if max_value else 0


def hbar(title: str, items: list[tuple[str, float | None]], *, max_value: float | None = None, unit: str = "") -> Chart:
    """Horizontal bars, one per (label, value); a missing value draws no bar and shows "–"."""
    top = max_value if max_value is not None else max([v or 0 for _label, v in items] or [0])
    k = _scale(top)
    bars = []
    for i, (label, value) in enumerate(items):
        y = TOP + i * (BAR_H + GAP)
        shown = "–" if value is None else f"{value:g}{unit}"
        bar = Bar(label=label, value=shown, y=y)
        if value:
            bar.segments.append(Segment(x=LABEL_W, w=round(value * k, 1), fill=BAR_FILL, title=f"{label}: {shown}"))
        bars.append(bar)
    return Chart(title=title, bars=bars)


def stacked(title: str, labels: list[str], series: list[tuple[str, str, list[int]]]) -> Chart:
    """Horizontal stacked bars: `series` is (name, fill, values per label)."""
    totals = [sum(values[i] for _n, _f, values in series) for i in range(len(labels))]
    k = _scale(max(totals or [0]))
    bars = []
    for i, label in enumerate(labels):
        y = TOP + i * (BAR_H + GAP)
        bar = Bar(label=label, value=str(totals[i]), y=y)
        x = float(LABEL_W)
        for name, fill, values in series:
            if values[i]:
                w = round(values[i] * k, 1)
                bar.segments.append(Segment(x=round(x, 1), w=w, fill=fill, title=f"{label} {name}: {values[i]}"))
                x += w
        bars.append(bar)
    return Chart(title=title, bars=bars)
