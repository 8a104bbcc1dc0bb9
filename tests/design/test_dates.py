"""Dates in the Chinese order everywhere (issue 17): shown as 2026-11-29 in both languages, typed into text fields
(not the browser's date picker, whose format follows the browser's language), and a wrong date refused in Chinese."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from children.forms import DateInput
from visits.forms import DateTimeInput


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_date_shown_without_a_format_reads_2026_11_29(language):
    with translation.override(language):
        shown = Template("{{ d }} · {{ t }} · {{ d|date:'SHORT_DATE_FORMAT' }}").render(
            Context({"d": datetime.date(2026, 11, 29), "t": datetime.datetime(2026, 11, 29, 14, 30)})
        )
    assert shown == "2026-11-29 · 2026-11-29 14:30 · 2026-11-29"


def test_date_fields_are_text_with_a_chinese_placeholder():
    html = DateInput().render("born", datetime.date(2016, 3, 1))
    assert 'type="text"' in html and 'placeholder="2026-11-29"' in html and 'value="2016-03-01"' in html
    html = DateTimeInput().render("visited_at", datetime.datetime(2026, 11, 29, 9, 5))
    assert 'type="text"' in html and 'placeholder="2026-11-29 14:30"' in html and 'value="2026-11-29 09:05"' in html


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-11-29", datetime.date(2026, 11, 29)),
        ("2026/11/29", datetime.date(2026, 11, 29)),
    ],
)
def test_the_chinese_ways_of_writing_a_date_are_read(typed, expected):
    from django import forms

    class F(forms.Form):
        day = forms.DateField(widget=DateInput)

    with translation.override("zh-hans"):
        form = F({"day": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == expected


def test_a_date_in_another_order_is_refused_in_chinese():
    from django import forms

    class F(forms.Form):
        day = forms.DateField(widget=DateInput)

    with translation.override("zh-hans"):
        form = F({"day": "29/11/2026"})
        assert not form.is_valid()
        assert form.errors["day"] == ["请输入有效日期。"]
