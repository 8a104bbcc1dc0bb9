"""`{% id_url "app:name" pk %}`: the URL of a view that takes one integer id, for links repeated in a list.

`{% url %}` resolves the pattern anew for every row (about a quarter of a 30-row worklist's rendering). The URL of
such a view is the same text around the id, so it is reversed once per pattern, script prefix and URL
configuration with a stand-in id, and each row only puts its own id in. Same result as `{% url name pk %}`
(tests/accounts/test_links.py holds them together).
"""

import functools

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

_STAND_IN = 7_391_804_265  # no real id has this many digits; it appears once in the reversed URL


@functools.lru_cache(maxsize=256)
def _halves(name: str, prefix: str, urlconf) -> tuple[str, str]:
    url = reverse(name, args=[_STAND_IN], urlconf=urlconf)
    head, sep, tail = url.partition(str(_STAND_IN))
    if not sep or str(_STAND_IN) in tail:
        raise ValueError(f"{name} does not take one integer id")
    return head, tail


def id_url_for(name: str, pk: int) -> str:
    head, tail = _halves(name, get_script_prefix(), get_urlconf())
    return f"{head}{int(pk)}{tail}"


@register.simple_tag
def id_url(name: str, pk) -> str:
    return id_url_for(name, pk)
