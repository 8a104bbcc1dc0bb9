"""Geometry of the server-rendered SVG charts (the templates only draw what is computed here).

Every chart is drawn from the same numbers as the table beside it; nothing here queries anything.
"""

from dataclasses import dataclass, field

WIDTH = 360  # viewBox units; the SVG scales to its container (about 340 px on a 390 px phone: nearly 1:1)
ROW = 48  # one bar's row: its label and value on a line, the bar under them. A row is the bar's link (drill-down),
# so it stays at least 44 CSS px tall on a phone (design system: docs/design.md)
LABEL_Y = 15  # the label's baseline in its row
BAR_Y = 21  # the bar's top in its row
BAR_H = 16
TOP = 2
LABEL_W = 0  # bars start at the left edge (labels sit above them, not beside: long Chinese area names fit)
VALUE_W = 0

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
    link: str | None = None  # the drill-down URL: the whole row is a link

    @property
    def text_y(self) -> float:
        return self.y + LABEL_Y

    @property
    def bar_y(self) -> float:
        return self.y + BAR_Y


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    width: int = WIDTH
    label_w: int = LABEL_W
    bar_h: int = BAR_H
    row_h: int = ROW
    legend: list[tuple[str, str]] = field(default_factory=list)  # (name, fill) of each series of a stacked chart

    @property
    def height(self) -> int:
        return TOP + len(self.bars) * ROW

    @property
    def value_x(self) -> int:
        return self.width

    def link_bars(self, links: list[str | None]) -> None:
        """Each bar drills down where its table row does (the same rows, in the same order)."""
        if len(links) == len(self.bars):
            for bar, link in zip(self.bars, links, strict=True):
                bar.link = link


def _scale(max_value: float) -> float:
    span = WIDTH - LABEL_W - VALUE_W
    return span / max_value if max_value else 0


def hbar(title: str, items: list[tuple[str, float | None]], *, max_value: float | None = None, unit: str = "") -> Chart:
    """Horizontal bars, one per (label, value); a missing value draws no bar and shows "–"."""
    top = max_value if max_value is not None else max([v or 0 for _label, v in items] or [0])
    k = _scale(top)
    bars = []
    for i, (label, value) in enumerate(items):
        y = TOP + i * ROW
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
        y = TOP + i * ROW
        bar = Bar(label=label, value=str(totals[i]), y=y)
        x = float(LABEL_W)
        for name, fill, values in series:
            if values[i]:
                w = round(values[i] * k, 1)
                bar.segments.append(Segment(x=round(x, 1), w=w, fill=fill, title=f"{label} {name}: {values[i]}"))
                x += w
        bars.append(bar)
    return Chart(title=title, bars=bars, legend=[(name, fill) for name, fill, _values in series])
