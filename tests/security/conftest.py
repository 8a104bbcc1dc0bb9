"""One small world holding an object of every kind a URL can name, owned by the first village (v1) of the shared
`tree`, and the URL walk the security tests share.

The walk reads the URL configuration, so a new URL is covered without editing these tests; a URL whose arguments
the walk cannot fill fails loudly (teach `OBJECT_KWARGS` below which object it names).
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from tests.approvals.objects import OBJECT_KWARGS as APPROVALS_OBJECT_KWARGS
from tests.approvals.objects import make_objects as make_approvals_objects
from tests.bulk.objects import OBJECT_KWARGS as BULK_OBJECT_KWARGS
from tests.bulk.objects import make_objects as make_bulk_objects
from tests.children.test_access import _extra_kwargs, _walk, archive  # noqa: F401 - `archive` is a fixture
from tests.exchange.objects import OBJECT_KWARGS as EXCHANGE_OBJECT_KWARGS
from tests.exchange.objects import make_objects as make_exchange_objects
from tests.factories import DepartmentFactory, UserFactory
from tests.oversight.objects import OBJECT_KWARGS as OVERSIGHT_OBJECT_KWARGS
from tests.oversight.objects import make_objects as make_oversight_objects
from tests.pairing.objects import OBJECT_KWARGS as PAIRING_OBJECT_KWARGS
from tests.pairing.objects import make_objects as make_pairing_objects
from tests.sites.objects import OBJECT_KWARGS as SITES_OBJECT_KWARGS
from tests.sites.objects import make_objects as make_sites_objects

TODAY = timezone.localdate()

# Non-child object URLs: URL name -> {argument: key of the object in `world.objects`}.
OBJECT_KWARGS = {
    "visits:campaign": {"pk": "campaign"},
    "guardianship:follow_up_done": {"pk": "follow_up"},
    "notification_open": {"pk": "notification"},
    "guardianship:referral": {"pk": "referral"},
    "guardianship:report": {"pk": "report"},
    "tasks:update": {"pk": "assignment"},
    "tasks:assignment": {"pk": "assignment"},
    "tasks:timeline": {"plan_pk": "plan"},
    "tasks:report": {"plan_pk": "plan"},
    "tasks:export": {"plan_pk": "plan"},
    "tasks:report_pdf": {"plan_pk": "plan"},
    "children:job": {"job_pk": "job"},
    "children:job_confirm": {"job_pk": "job"},
    "children:job_output": {"job_pk": "job"},
    "children:transfer_request": {"request_pk": "transfer_request"},
    "children:transfer_request_accept": {"request_pk": "transfer_request"},
    "children:transfer_request_decline": {"request_pk": "transfer_request"},
    "children:transfer_request_withdraw": {"request_pk": "transfer_request"},
    "dashboards:area": {"code": "county"},
    "dashboards:export": {"code": "county", "table": "=children"},
    "api:child": {"pk": "child"},
    "api:child_help_plans": {"pk": "child"},
    "api:referral": {"pk": "referral"},
    "api:assignment": {"pk": "assignment"},
    "plans:measure_done": {"pk": "measure"},
    **OVERSIGHT_OBJECT_KWARGS,
    **APPROVALS_OBJECT_KWARGS,
    **SITES_OBJECT_KWARGS,
    **PAIRING_OBJECT_KWARGS,
    **EXCHANGE_OBJECT_KWARGS,
    **BULK_OBJECT_KWARGS,
}

# Arguments that name an object rather than a choice (a kind, a slug of a fixed list...).
OBJECT_ARGS = {"pk", "child_pk", "item_pk", "photo_pk", "plan_pk", "code"}


def url_patterns(include_admin: bool = False):
    """(name, converters) of every named URL of the project (the admin's own URLs only when asked)."""
    for name, converters in _walk(get_resolver().url_patterns):
        if name.startswith("admin:") and not include_admin:
            continue
        yield name, converters


def object_url_patterns():
    return [(n, c) for n, c in url_patterns() if OBJECT_ARGS & set(c) or any(a.endswith("_pk") for a in c)]


def is_child_url(name: str, converters: dict) -> bool:
    return "child_pk" in converters or (name.startswith("children:") and "pk" in converters)


def untaught_object_urls() -> list[str]:
    """Object URLs that are neither child URLs nor in OBJECT_KWARGS (test_object_urls fails while any exist)."""
    return [n for n, c in object_url_patterns() if not is_child_url(n, c) and n not in OBJECT_KWARGS]


def object_urls(world) -> list[tuple[str, str]]:
    """Every taught object URL of the project filled with the world's objects (child URLs through test_access's
    rules)."""
    child, items = world.child, world.items
    out = []
    for name, converters in object_url_patterns():
        if is_child_url(name, converters):
            child_arg = "child_pk" if "child_pk" in converters else "pk"
            for kw in _extra_kwargs(name, converters, items):
                out.append((name, reverse(name, kwargs={child_arg: child.pk, **kw})))
            continue
        if name not in OBJECT_KWARGS:
            continue  # reported by test_every_object_url_is_taught
        kwargs = {
            arg: key[1:] if key.startswith("=") else world.objects[key].pk for arg, key in OBJECT_KWARGS[name].items()
        }
        out.append((name, reverse(name, kwargs=kwargs)))
    return out


@pytest.fixture
def world(users, tree, archive):  # noqa: F811 - the imported fixture
    """The archive of test_access plus a referral, a report, a conference follow-up, a task plan and a transfer
    request."""
    from accounts.models import Notification
    from guardianship import casework, referrals, reports
    from guardianship.models import Report
    from tasks.models import Assignment, Plan
    from tasks.plans import PLAN_DIR, load_plan

    child, items = archive
    for key in ("problem", "care", "log", "visit"):  # as the forms that create them set it (edits need it)
        type(items[key]).objects.filter(pk=items[key].pk).update(created_by=users.director)
    now = timezone.now()
    referral = referrals.referral_send(
        user=users.county_staff,
        child=child,
        department=users.department,
        service="psychological",
        reason="情绪低落",
        due_on=TODAY + datetime.timedelta(days=14),
    )
    report = reports.report_file(
        user=users.director,
        report=Report(
            child=child,
            found_at=now,
            reported_at=now,
            what_found="淤青",
            harm_type="physical",
            reported_to="police",
        ),
    )
    casework.conference_create(
        user=users.county_staff,
        child=child,
        held_on=TODAY,
        participants="民政、学校",
        summary="商定方案",
        decisions=[("联系学校", users.director, TODAY + datetime.timedelta(days=7))],
    )
    follow_up = child.conferences.first().follow_ups.first()
    import json

    from django.core.files.base import ContentFile

    from children.models import Job

    job = Job.objects.create(kind="import_preview", user=users.county_staff, state="done", source_name="a.xlsx")
    job.output.save("out.xlsx", ContentFile(b"PK\x03\x04 test"), save=True)

    load_plan(json.loads((PLAN_DIR / "000_qingdao.json").read_text(encoding="utf-8")))  # one plan is enough
    plan = Plan.objects.filter(region__code__startswith="370").order_by("pk").first()
    assignment = Assignment.objects.filter(task__action__plan=plan).select_related("department").first()
    liaison_of_plan = UserFactory(username="plan_liaison", role="liaison", department=assignment.department)
    outsider_liaison = UserFactory(
        username="outsider_liaison", role="liaison", department=DepartmentFactory(area=tree.other_county)
    )
    # A transfer request for the child from a third county's director (not one of the outsiders: a requester
    # sees their own request).
    from accounts.models import AreaLevel
    from children import services, transfers
    from tests.factories import area

    township = area("370285001", "水集街道", AreaLevel.TOWNSHIP, area("370285", "莱西市", AreaLevel.COUNTY, tree.city))
    requester = UserFactory(
        username="third_director", role="director", areas=[area("370285001001", "东庄村", AreaLevel.VILLAGE, township)]
    )
    transfer_request = transfers.transfer_request_create(
        user=requester,
        token=services.lookup_token(user=requester, child_id=child.pk, name=child.name),
        to_village=requester.areas.get(),
        reason="随父母迁居",
    )
    objects = {
        "county": tree.county,
        "child": child,
        "transfer_request": transfer_request,
        "job": job,
        **items,
        "referral": referral,
        "report": report,
        "follow_up": follow_up,
        # The county's own notification (opening one is for its owner only).
        "notification": Notification.objects.create(
            user=users.county_staff, key="world", title="提醒", url=f"/children/{child.pk}/"
        ),
        "plan": plan,
        "assignment": assignment,
        **make_oversight_objects(users, tree, child),
        **make_approvals_objects(users, tree, child),
        **make_sites_objects(users, tree),
        **make_pairing_objects(users, tree, child),
        **make_exchange_objects(users, tree, child),
        **make_bulk_objects(users, tree, child),
    }
    return SimpleNamespace(
        child=child,
        items=items,
        objects=objects,
        users=users,
        tree=tree,
        plan_liaison=liaison_of_plan,
        outsider_liaison=outsider_liaison,
    )
