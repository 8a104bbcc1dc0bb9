"""A site of every kind a sites URL names, in the village v1 of the shared `tree`, for the project-wide security walk
(tests/security) and the tests here."""

import datetime

# URL name -> {argument: key of the object}.
OBJECT_KWARGS = {
    "sites:detail": {"pk": "site"},
    "sites:edit": {"pk": "site"},
    "sites:staff_new": {"pk": "site"},
    "sites:staff_end": {"pk": "site", "staff_pk": "site_staff"},
    "sites:opening_new": {"pk": "site"},
}


def make_objects(users, tree) -> dict:
    """The children's home of v1, in operation, with one staff member."""
    from sites import services
    from sites.models import Site, SiteStaff

    today = datetime.date.today()
    site = services.site_save(
        user=users.county_staff,
        site=Site(
            kind="children_home",
            area=tree.v1,
            name="东关村儿童之家",
            status="operating",
            built_on=today - datetime.timedelta(days=400),
            operating_since=today - datetime.timedelta(days=300),
        ),
    )
    staff = services.staff_add(
        user=users.county_staff,
        site=site,
        staff=SiteStaff(name="李主任", role="director", since=today - datetime.timedelta(days=300)),
    )
    return {"site": site, "site_staff": staff}
