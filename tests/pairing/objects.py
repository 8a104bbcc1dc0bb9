"""A helper, a pairing of the child (with a contact) and an organisation, in the county of the shared `tree`, for
the project-wide security walk (tests/security)."""

import datetime

# URL name -> {argument: key of the object}.
OBJECT_KWARGS = {
    "pairing:helper_edit": {"pk": "helper"},
    "pairing:organisation_edit": {"pk": "organisation"},
    "pairing:pairing": {"pk": "pairing"},
    "pairing:contact_new": {"pk": "pairing"},
    "pairing:pairing_end": {"pk": "pairing"},
}


def make_objects(users, tree, child) -> dict:
    """The helper belongs to the county's department of the shared `users` (its liaison records contacts)."""
    from pairing import services
    from pairing.models import Helper, Organisation

    today = datetime.date.today()
    helper = services.helper_save(
        user=users.county_staff,
        helper=Helper(
            name="李老师",
            kind="teacher",
            department=users.department,
            county=tree.county,
            from_on=today - datetime.timedelta(days=400),
        ),
    )
    pairing = services.pairing_create(
        user=users.director, child=child, helper=helper, from_on=today - datetime.timedelta(days=60)
    )
    services.contact_record(
        user=users.director,
        pairing=pairing,
        contacted_on=today - datetime.timedelta(days=3),
        kind="phone",
        summary="电话",
    )
    organisation = services.organisation_save(
        user=users.county_staff,
        organisation=Organisation(
            name="平度市阳光社工服务中心",
            kind="social_work",
            county=tree.county,
            registration_number="91350100M000100Y43",
            services="个案服务",
            service_area="平度市",
            from_on=today - datetime.timedelta(days=100),
        ),
    )
    return {"helper": helper, "pairing": pairing, "organisation": organisation}
