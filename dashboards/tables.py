"""The dashboard's tables: each is shown beside its chart and exported to Excel as it is shown.

A table holds aggregate figures only (areas, months, categories), never a child's data, so exporting one
writes no access-log line.
"""

import re
from dataclasses import dataclass, field

import tablib
from django.urls import reverse
from django.utils.translation import gettext as _

from children.categories import Category
from children.exports import neutral
from children.models import Colour

from . import charts, metrics
from .selectors import Dashboard, rate


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]
    links: list[str | None] = field(default_factory=list)  # drill-down URL of each row, if any
    total: list | None = None
    chart: charts.Chart | None = None

    def __post_init__(self):
        if self.chart is not None and self.links:
            self.chart.link_bars(self.links)  # the chart drills down like the table

    @property
    def lines(self) -> list[dict]:
        """Rows for the template: the first cell (a link when the row drills down) and the others."""
        links = self.links or [None] * len(self.rows)
        return [{"first": row[0], "rest": row[1:], "link": link} for row, link in zip(self.rows, links, strict=True)]

    def dataset(self) -> tablib.Dataset:
        data = tablib.Dataset(headers=[neutral(str(c)) for c in self.columns], title=_sheet_title(self.title))
        for row in self.rows:
            data.append([neutral(_cell(v)) for v in row])
        if self.total is not None:
            data.append([neutral(_cell(v)) for v in self.total])
        return data


def _sheet_title(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\ and no leading or trailing apostrophe."""
    return re.sub(r"[\[\]:*?/\\']", " ", str(title))[:31].strip() or "Sheet"


def _cell(value):
    return "" if value is None else (str(value) if not isinstance(value, int | float) else value)


def _pct(part: int, whole: int):
    return rate(part, whole)


def build(d: Dashboard) -> list[Table]:
    t = d.total
    names = [r.name for r in d.rows]
    links = [reverse("dashboards:area", args=[r.code]) if r.drill else None for r in d.rows]
    area_col = _("Area")
    tables = []

    colours = list(Colour)
    tables.append(
        Table(
            key="children",
            title=_("Children by colour"),
            columns=[area_col, _("Open archives"), *[c.label for c in colours], _("Left-behind")],
            rows=[
                [r.name, r.figures["total"], *[r.figures[c.value] for c in colours], r.figures["left_behind"]]
                for r in d.rows
            ],
            links=links,
            total=[_("Total"), t["total"], *[t[c.value] for c in colours], t["left_behind"]],
            chart=charts.stacked(
                _("Children by colour"),
                names,
                [(str(c.label), charts.COLOUR_FILL[c.value], [r.figures[c.value] for r in d.rows]) for c in colours],
            ),
        )
    )

    cats = [(str(label), t[f"cat_{code}"]) for code, label in Category.choices]
    tables.append(
        Table(
            key="categories",
            title=_("Children by category"),
            columns=[_("Category"), _("Children")],
            rows=[[label, n] for label, n in cats],
            chart=charts.hbar(_("Children by category"), cats),
        )
    )

    tables.append(
        Table(
            key="compliance",
            title=_("Visit compliance now"),
            columns=[
                area_col,
                _("With a visit rule"),
                _("Home visit within interval"),
                _("Contact within interval"),
                _("Compliant"),
                _("Overdue"),
                _("Compliance (%)"),
            ],
            rows=[
                [
                    r.name,
                    f["with_rule"],
                    f["home_ok"],
                    f["contact_ok"],
                    f["compliant"],
                    f["overdue"],
                    _pct(f["compliant"], f["with_rule"]),
                ]
                for r in d.rows
                for f in [r.figures]
            ],
            links=links,
            total=[
                _("Total"),
                t["with_rule"],
                t["home_ok"],
                t["contact_ok"],
                t["compliant"],
                t["overdue"],
                _pct(t["compliant"], t["with_rule"]),
            ],
            chart=charts.hbar(
                _("Visit compliance now"),
                [(r.name, _pct(r.figures["compliant"], r.figures["with_rule"])) for r in d.rows],
                max_value=100,
                unit="%",
            ),
        )
    )

    tables.append(
        Table(
            key="monthly",
            title=_("Visit compliance by month"),
            columns=[
                _("Month"),
                _("With a visit rule"),
                _("Home visit within interval"),
                _("Contact within interval"),
                _("Compliant"),
                _("Compliance (%)"),
            ],
            rows=[[_month_label(p), p.with_rule, p.home_ok, p.contact_ok, p.compliant, p.rate] for p in d.series],
            chart=charts.hbar(
                _("Visit compliance by month"), [(_month_label(p), p.rate) for p in d.series], max_value=100, unit="%"
            ),
        )
    )

    sections = metrics.REQUIRED_SECTIONS
    tables.append(
        Table(
            key="archives",
            title=_("Archive completeness"),
            columns=[
                area_col,
                _("Open archives"),
                _("Complete"),
                _("Complete (%)"),
                *[_("Missing: %(section)s") % {"section": s.label} for s in sections],
            ],
            rows=[
                [
                    r.name,
                    r.figures["total"],
                    r.figures["complete"],
                    _pct(r.figures["complete"], r.figures["total"]),
                    *[r.figures[f"missing_{s.key}"] for s in sections],
                ]
                for r in d.rows
            ],
            links=links,
            total=[
                _("Total"),
                t["total"],
                t["complete"],
                _pct(t["complete"], t["total"]),
                *[t[f"missing_{s.key}"] for s in sections],
            ],
            chart=charts.hbar(
                _("Archive completeness"),
                [(r.name, _pct(r.figures["complete"], r.figures["total"])) for r in d.rows],
                max_value=100,
                unit="%",
            ),
        )
    )

    tables.append(
        Table(
            key="welfare",
            title=_("Welfare coverage and entrusted-care agreements"),
            columns=[
                area_col,
                _("Eligible for welfare"),
                _("Covered"),
                _("Covered (%)"),
                _("Left-behind"),
                _("Agreement signed"),
                _("Signed (%)"),
            ],
            rows=[
                [
                    r.name,
                    f["eligible"],
                    f["covered"],
                    _pct(f["covered"], f["eligible"]),
                    f["left_behind"],
                    f["signed"],
                    _pct(f["signed"], f["left_behind"]),
                ]
                for r in d.rows
                for f in [r.figures]
            ],
            links=links,
            total=[
                _("Total"),
                t["eligible"],
                t["covered"],
                _pct(t["covered"], t["eligible"]),
                t["left_behind"],
                t["signed"],
                _pct(t["signed"], t["left_behind"]),
            ],
            chart=charts.hbar(
                _("Welfare coverage of eligible children"),
                [(r.name, _pct(r.figures["covered"], r.figures["eligible"])) for r in d.rows],
                max_value=100,
                unit="%",
            ),
        )
    )

    tables.append(
        Table(
            key="casework",
            title=_("Overdue visits and open casework"),
            columns=[
                area_col,
                _("Overdue visits"),
                _("Open mandatory reports"),
                _("Open referrals"),
                _("Interventions in force"),
            ],
            rows=[
                [r.name, r.figures["overdue"], r.figures["reports"], r.figures["referrals"], r.figures["interventions"]]
                for r in d.rows
            ],
            links=links,
            total=[_("Total"), t["overdue"], t["reports"], t["referrals"], t["interventions"]],
            chart=charts.hbar(_("Overdue visits"), [(r.name, r.figures["overdue"]) for r in d.rows]),
        )
    )
    return tables


def _month_label(point) -> str:
    return _("now") if point.current else point.month.strftime("%Y-%m")


TABLE_KEYS = ("children", "categories", "compliance", "monthly", "archives", "welfare", "casework")


def xlsx(table: Table) -> bytes:
    return table.dataset().export("xlsx")
