"""Every object URL of every app (any pattern with a `pk` or `*_pk` argument) answers 404 to users of other areas,
for GET and POST alike, and changes nothing. The URL list comes from the URL configuration (see conftest)."""

from tests.security.conftest import object_url_patterns, object_urls, untaught_object_urls

OUTSIDERS = ["other_director", "other_supervisor", "other_county_staff", "outsider_liaison"]

# Objects that are not the child's and are shared wider than the child's village by design; each with the reason.
# Everything else must answer 404 to all OUTSIDERS.
BY_DESIGN = {
    # A screening belongs to the county: every director and supervisor of that county confirms children in it.
    ("visits:campaign", "other_director"): "county screening, same county",
    ("visits:campaign", "other_supervisor"): "county screening, same county",
    # Action plans are published policy (no personal data): every signed-in user reads every plan (the matrix
    # lists them all); civil affairs read every department's assignment of a plan (tasks.views._visible_assignment).
    **{
        (name, who): "published action plan"
        for name in ("tasks:timeline", "tasks:report", "tasks:export", "tasks:report_pdf")
        for who in OUTSIDERS
    },
    ("tasks:assignment", "other_county_staff"): "civil affairs read every assignment of a plan",
}


def _user(world, who):
    return getattr(world, who, None) or getattr(world.users, who)


def test_the_walk_covers_every_app():
    names = {name for name, _c in object_url_patterns()}
    for app in ("children", "visits", "guardianship", "tasks"):
        assert any(n.startswith(app + ":") for n in names), app
    assert {"guardianship:report", "guardianship:referral", "tasks:assignment", "visits:photo"} <= names


def test_every_object_url_is_taught():
    """A new object URL must be taught to tests/security/conftest.py (OBJECT_KWARGS and the `world` fixture)."""
    assert untaught_object_urls() == []


def test_users_of_other_areas_get_404_on_every_object_url(client, world):
    from children.models import Child

    before = Child.objects.get(pk=world.child.pk).version
    failures = []
    urls = object_urls(world)
    for who, (name, url) in ((w, u) for w in OUTSIDERS for u in urls):
        client.force_login(_user(world, who))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            status = response.status_code
            if (name, who) in BY_DESIGN:
                # Still nothing of the child: no name, no ID number.
                body = b"".join(response) if response.streaming else response.content
                assert world.child.name.encode() not in body and world.child.id_number.encode() not in body, name
                continue
            if method == "get" and status == 405:
                continue  # a POST-only URL refuses GET before looking anything up
            if name.startswith("api:") and status == 405:
                continue  # the API's object URLs take GET (and PATCH): a POST is refused before any lookup
            if status != 404:
                failures.append(f"{who} {method.upper()} {name} {url} -> {status}")
    assert not failures, "\n".join(failures)
    assert len(urls) >= 30
    assert Child.objects.get(pk=world.child.pk).version == before


def test_positive_control_the_owners_reach_the_object_urls(client, world):
    """The same URLs answer someone entitled to them, so the 404s above are about access, not broken URLs."""
    ok = {200, 302, 405}  # 405: a POST-only URL (the owners' POSTs are covered by the apps' own tests)
    failures = []
    for name, url in object_urls(world):
        if name.startswith("tasks:") or name == "api:assignment":
            user = world.plan_liaison if name in ("tasks:assignment", "api:assignment") else world.users.county_staff
        else:
            user = world.users.county_staff
        client.force_login(user)
        status = client.get(url).status_code
        if status not in ok:
            failures.append(f"{user.username} GET {name} {url} -> {status}")
    assert not failures, "\n".join(failures)
