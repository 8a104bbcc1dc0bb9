"""Search text kept out of URLs.

A child's name or ID number is personal data, and a URL ends up in the address bar, the browser history, proxy
logs and the Referer header. The children-list search form is therefore posted; its free text is kept in the
user's session under a random key, and the list, its pager and its export links carry only that key (`s`).
The other filters (village, category, colour …) are not personal and stay in the query string, so a filtered list
can still be bookmarked.
"""

import secrets

from django.http import HttpRequest, QueryDict

SESSION_KEY = "child_searches"
PERSONAL = ("q",)  # filter fields whose values never appear in a URL
KEEP = 20  # searches remembered per session; the oldest is forgotten first


def remember(request: HttpRequest, text: str) -> str:
    """Store `text` in the session and return the key that stands for it in URLs."""
    searches: dict[str, str] = dict(request.session.get(SESSION_KEY) or {})
    for key, value in searches.items():
        if value == text:
            return key
    key = secrets.token_urlsafe(6)
    searches[key] = text
    while len(searches) > KEEP:
        searches.pop(next(iter(searches)))
    request.session[SESSION_KEY] = searches
    return key


def recall(request: HttpRequest, key: str) -> str:
    """The text behind a key of this session; an unknown or expired key means no search."""
    return (request.session.get(SESSION_KEY) or {}).get(key, "")


def to_url(request: HttpRequest, data: QueryDict) -> QueryDict | None:
    """The query string for `data` with its personal fields swapped for a session key, or None if `data` holds no
    personal field (so it can be used as it is)."""
    if not any(field in data for field in PERSONAL):
        return None
    query = data.copy()
    query.pop("csrfmiddlewaretoken", None)
    query.pop("page", None)
    query.pop("s", None)
    text = " ".join(query.pop(PERSONAL[0], [])).strip()
    for field in [field for field, values in query.lists() if not any(values)]:
        del query[field]  # empty filters make no URL
    if text:
        query["s"] = remember(request, text)
    return query


def filters_data(request: HttpRequest) -> QueryDict:
    """The filter data of a list request: its query string with the session key swapped back for the text."""
    data = request.GET.copy()
    key = data.pop("s", [""])[-1]
    text = recall(request, key) if key else ""
    if text:
        data[PERSONAL[0]] = text
    return data
