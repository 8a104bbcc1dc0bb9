"""The visit form's sections (issue 17) hold every field the form has, each once: a field added to the visit later
and forgotten in visits.forms.SECTIONS would silently disappear from the page."""

from visits.forms import SECTIONS, VisitForm


def test_every_visible_field_is_in_exactly_one_section(db):
    form = VisitForm()
    in_sections = [name for _title, names in SECTIONS for name in names]
    assert len(in_sections) == len(set(in_sections))
    visible = {f.name for f in form.visible_fields()}
    shown = {f.name for _title, fields in form.sections() for f in fields}
    assert visible == shown
    assert [str(title) for title, _fields in form.sections()] == [
        "走访对象与时间",
        "儿童情况",
        "家庭与照护人",
        "安全",
        "后续跟进",
    ]


def test_ratings_are_segmented_with_nothing_chosen(db):
    html = str(VisitForm()["mood"])
    assert 'class="segmented"' in html and "checked" not in html
    assert html.count('type="radio"') == 3  # good, fair, poor: no blank choice
