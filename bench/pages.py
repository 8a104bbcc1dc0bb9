"""Server time and query count of the main pages at scale (in-process Django test client).

DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/pages.py
"""

import _setup  # noqa: F401
from django.test import Client

from accounts.models import User
from children.access import visible_children

USERS = ["director", "supervisor", "county", "city", "province"]
PAGES = [
    ("children list", "/children/"),
    ("children list, category filter", "/children/?category=orphan_scattered&sort=colour"),
    ("children list, name search", "POST q=王"),  # the search is posted; the list URL then carries a key
    ("director worklist", "/visits/worklist/"),
    ("overdue list", "/visits/overdue/"),
    ("visit compliance", "/visits/compliance/"),
]


def main() -> None:
    print(f"children: {visible_children(User.objects.get(username='province')).count():,} in the province")
    print(f"{'user':<11}{'page':<34}{'ms':>8}{'queries':>9}")
    for username in USERS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for label, url in PAGES:
            if url.startswith("/visits/overdue") and username == "director":
                continue
            if url.startswith("/visits/compliance") and username in ("director", "supervisor", "city", "province"):
                continue
            if url.startswith("POST "):  # post the search form, then time the list it redirects to
                field, value = url[5:].split("=")
                url = client.post("/children/", {field: value})["Location"]
            ms, queries = _setup.page(client, url)
            print(f"{username:<11}{label:<34}{ms:>8.1f}{queries:>9}")
        child = visible_children(user).filter(status="open").order_by("pk").first()
        ms, queries = _setup.page(client, f"/children/{child.pk}/")
        print(f"{username:<11}{'archive page':<34}{ms:>8.1f}{queries:>9}")


if __name__ == "__main__":
    main()
