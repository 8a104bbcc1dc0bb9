"""The dashboard charts drill down like their tables (issue 17): each bar of a row that has a link is a link to the
same place, tall enough to tap on a phone; a stacked chart has a legend."""

from django.template.loader import render_to_string

from dashboards import charts
from dashboards.tables import Table

PHONE_CHART_PX = 340  # the chart's width in a card on a 390 px screen (12 px page and card margins each side)


def test_bars_take_their_rows_links_and_are_rendered_as_links():
    chart = charts.hbar("逾期未访", [("东阁街道", 2), ("南村镇", 0), ("合计外", None)])
    table = Table(
        key="casework",
        title="逾期未访",
        columns=["地区", "逾期"],
        rows=[["东阁街道", 2], ["南村镇", 0], ["合计外", None]],
        links=["/dashboards/370283001/", "/dashboards/370283002/", None],
        chart=chart,
    )
    assert [b.link for b in table.chart.bars] == ["/dashboards/370283001/", "/dashboards/370283002/", None]
    html = render_to_string("dashboards/_chart.html", {"chart": table.chart})
    assert html.count('<a href="/dashboards/370283001/" class="bar-link">') == 1
    assert html.count('<a href="/dashboards/370283002/" class="bar-link">') == 1
    assert html.count("<a ") == 2  # the third row drills nowhere
    assert html.count('class="hit"') == 2


def test_a_chart_without_as_many_links_as_bars_links_nothing():
    chart = charts.hbar("儿童类别", [("孤儿", 3), ("留守", 5)])
    Table(key="categories", title="儿童类别", columns=["类别", "人数"], rows=[["孤儿", 3]], links=["/x/"], chart=chart)
    assert [b.link for b in chart.bars] == [None, None]


def test_a_bar_row_is_at_least_44_px_tall_on_a_phone():
    assert charts.ROW * PHONE_CHART_PX / charts.WIDTH >= 44


def test_bars_are_scaled_to_the_largest_value_across_the_full_width():
    chart = charts.hbar("t", [("a", 4), ("b", 1)])
    assert [s.w for b in chart.bars for s in b.segments] == [360, 90]  # 360 units wide: 4 -> 360, 1 -> 90
    assert [b.y for b in chart.bars] == [2, 50]  # TOP 2, one row of 48 each
    assert chart.height == 98


def test_a_stacked_chart_has_a_legend_of_its_series():
    chart = charts.stacked("四色", ["东关村"], [("红", "#d7263d", [1]), ("绿", "#2a9d8f", [3])])
    assert chart.legend == [("红", "#d7263d"), ("绿", "#2a9d8f")]
    html = render_to_string("dashboards/_chart.html", {"chart": chart})
    assert 'class="legend"' in html and "background:#d7263d" in html and ">红</li>" in html
    assert [s.w for s in chart.bars[0].segments] == [90, 270]  # 1 and 3 of 4 over 360 units
