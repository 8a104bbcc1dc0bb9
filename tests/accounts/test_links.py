"""`{% id_url %}` gives the same URL as `{% url %}` for every view taking one integer id, ids of any length, and
under a script prefix (a deployment below /care/)."""

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse, set_script_prefix

from accounts.templatetags.links import _halves, id_url_for


def _one_int_views(resolver=None, namespace=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _one_int_views(p, ns)
        elif isinstance(p, URLPattern) and p.name and len(p.pattern.converters) == 1:
            (converter,) = p.pattern.converters.values()
            if type(converter).__name__ == "IntConverter" and not namespace.startswith("admin"):
                yield f"{namespace}{p.name}"


NAMES = sorted(set(_one_int_views()))


def test_there_are_views_to_check():
    assert {"children:detail", "visits:new"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 7, 42, 123456789, 9_999_999_999])
def test_same_as_reverse(name, pk):
    assert id_url_for(name, pk) == reverse(name, args=[pk])


def test_under_a_script_prefix():
    _halves.cache_clear()
    try:
        set_script_prefix("/care/")
        assert id_url_for("children:detail", 5) == "/care/children/5/" == reverse("children:detail", args=[5])
    finally:
        set_script_prefix("/")
    assert id_url_for("children:detail", 5) == "/children/5/"


def test_template_tag_matches_url_tag():
    t = Template("{% load links %}{% id_url 'visits:new' pk %}|{% url 'visits:new' pk %}")
    a, b = t.render(Context({"pk": 31})).split("|")
    assert a == b == "/visits/child/31/new/"


def test_refuses_a_view_without_one_id():
    with pytest.raises(NoReverseMatch):
        id_url_for("visits:worklist", 1)
