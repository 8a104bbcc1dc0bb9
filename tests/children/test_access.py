"""Every URL that shows or changes a child answers 404 to users of other areas.

The URL list is read from the URL configuration: any pattern with a `pk` in the children namespace or a
`child_pk` anywhere is a child URL. A new URL is covered without editing this test; a new kind of extra
argument must be taught to `_extra_kwargs` below (the test fails until it is).
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from guardian.shortcuts import assign_perm, remove_perm

from children.models import (
    CareRecord,
    ChildCategory,
    EntrustedCare,
    FamilyMember,
    Problem,
    WelfareCoverage,
    WorkLogEntry,
)
from children.views import RECORD_KINDS


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", dict(p.pattern.converters)


def child_url_patterns():
    found = []
    for name, converters in _walk(get_resolver().url_patterns):
        if "child_pk" in converters or (name.startswith("children:") and "pk" in converters):
            found.append((name, converters))
    return found


@pytest.fixture
def archive(child, settings, tmp_path):
    """A child with one record of every kind, so that every item URL can be filled in."""
    settings.MEDIA_ROOT = tmp_path
    d = datetime.date(2026, 2, 1)
    care = EntrustedCare(
        child=child, caregiver_name="王奶奶", relation="grandparent", agreement_signed=True, agreement_date=d
    )
    care.agreement_scan.save("scan.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    care.save()
    items = {
        "category": ChildCategory.objects.create(child=child, category="left_behind_rural", started_on=d),
        "family": FamilyMember.objects.create(child=child, relation="father", name="王大明"),
        "welfare": WelfareCoverage.objects.create(child=child, kind="dibao", started_on=d),
        "problem": Problem.objects.create(child=child, found_on=d, description="作业无人辅导"),
        "care": CareRecord.objects.create(child=child, date=d, kind="study", description="辅导功课"),
        "log": WorkLogEntry.objects.create(child=child, date=d, content="电话联系父亲"),
    }
    from django.utils import timezone

    from visits.models import ScreeningCampaign, Visit, VisitPhoto

    at = timezone.make_aware(datetime.datetime(2026, 2, 1, 10))
    items["visit"] = Visit.objects.create(child=child, visited_at=at, visit_date=d)
    photo = VisitPhoto(visit=items["visit"])
    photo.image.save("p.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    photo.save()
    items["photo"] = photo
    from guardianship.models import Assessment, Instrument

    items["assessment"] = Assessment.objects.create(
        child=child, instrument=Instrument.objects.first(), assessed_on=d, score=3, grade="low"
    )
    items["campaign"] = ScreeningCampaign.objects.create(
        name="2026年第二次排查", area=child.village.parent.parent, starts_on=d, deadline=d
    )
    from visits.models import CategoryEndProposal, ScreeningConfirmation

    confirmation = ScreeningConfirmation.objects.create(campaign=items["campaign"], child=child, still_eligible=False)
    items["screening_proposal"] = CategoryEndProposal.objects.create(
        confirmation=confirmation,
        child=child,
        categories="left_behind_rural",
    )
    from guardianship.models import TemporaryPlacement

    items["placement"] = TemporaryPlacement.objects.create(
        child=child, kind="relatives", institution="外祖母家", from_on=d, review_on=datetime.date(2026, 12, 1)
    )
    from children.models import CategoryProposal

    items["proposal"] = CategoryProposal.objects.create(
        child=child, category="disabled", action="add", facts="child:disability"
    )
    from plans.models import HelpPlan, Measure
    from tests.factories import UserFactory

    # The plan's responsible person serves no area here, so the fixture adds nobody to the child's village.
    lead = UserFactory(username="plan_lead", role="civil_affairs")
    items["help_plan"] = HelpPlan.objects.create(child=child, opened_on=d, lead=lead)
    items["measure"] = Measure.objects.create(
        plan=items["help_plan"], description="每周陪伴", owner_kind="helper", owner_name="王老师", due_on=d
    )
    return child, items


# Which object of the archive a URL's `pk` names, when the child is `child_pk`.
PK_OBJECTS = {
    "visits:detail": "visit",
    "visits:edit": "visit",
    "visits:photo": "visit",
    "visits:campaign_confirm": "campaign",
    "visits:no_report": "visit",
    "visits:proposal": "screening_proposal",
    "guardianship:assessment": "assessment",
    "guardianship:placement_end": "placement",
    **{f"plans:{n}": "help_plan" for n in ("detail", "need_new", "goal_new", "measure_new", "review_new")},
}


def _extra_kwargs(name: str, converters: dict, items: dict) -> list[dict]:
    """All argument combinations for one URL of the archive."""
    kwargs_list = [{}]
    if "kind" in converters:
        kwargs_list = [{"kind": kind} for kind in RECORD_KINDS]
    out = []
    for kw in kwargs_list:
        kw = dict(kw)
        for arg in converters:
            if arg in ("child_pk", "kind") or (arg == "pk" and "child_pk" not in converters):
                continue
            if arg == "pk":  # with a child_pk, `pk` is an object of the child's
                kw["pk"] = items[PK_OBJECTS[name]].pk
            elif arg == "photo_pk":
                kw["photo_pk"] = items["photo"].pk
            elif arg == "item_pk":
                key = kw.get("kind") or {
                    "children:category_end": "category",
                    "children:proposal_confirm": "proposal",
                    "children:proposal_dismiss": "proposal",
                }.get(name)
                assert key, f"teach test_access which object {name}'s item_pk is"
                kw["item_pk"] = items[key].pk
            else:
                raise AssertionError(f"teach test_access how to fill <{arg}> of {name}")
        out.append(kw)
    return out


def _urls(child, items):
    for name, converters in child_url_patterns():
        child_arg = "child_pk" if "child_pk" in converters else "pk"
        for kw in _extra_kwargs(name, converters, items):
            yield name, reverse(name, kwargs={child_arg: child.pk, **kw})


def test_the_walk_finds_the_archive_urls():
    names = {name for name, _c in child_url_patterns()}
    assert {
        "children:detail",
        "children:edit",
        "children:close",
        "children:transfer",
        "children:record_edit",
        "children:agreement_scan",
    } <= names


@pytest.mark.parametrize("who", ["other_director", "other_supervisor", "other_county_staff", "liaison"])
def test_users_of_other_areas_get_404_on_every_child_url(client, users, archive, who):
    child, items = archive
    client.force_login(getattr(users, who))
    checked = 0
    for name, url in _urls(child, items):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404, f"{who} {method.__name__.upper()} {name} {url}"
            checked += 1
    assert checked >= 20


def test_own_area_staff_reach_every_child_url(client, users, archive):
    """The positive control: the same URLs answer the child's own director, supervisor and county."""
    child, items = archive
    for user in (users.director, users.supervisor, users.county_staff):
        client.force_login(user)
        for name, url in _urls(child, items):
            assert client.get(url).status_code == 200, f"{user} {name} {url}"


def test_a_liaison_sees_a_shared_child_only_while_it_is_shared(client, users, archive):
    child, items = archive
    client.force_login(users.liaison)
    detail = reverse("children:detail", kwargs={"pk": child.pk})
    assert client.get(detail).status_code == 404
    assign_perm("children.view_child", users.liaison, child)
    assert client.get(detail).status_code == 200
    # Shared means read-only: every change URL is refused and nothing changes.
    edit = reverse("children:edit", kwargs={"pk": child.pk})
    assert client.post(edit, {"name": "改名"}).status_code == 404  # below the archive level: not there at all
    child.refresh_from_db()
    assert child.name != "改名"
    remove_perm("children.view_child", users.liaison, child)
    assert client.get(detail).status_code == 404


def test_sharing_with_a_group_shares_with_its_members(client, users, archive):
    from django.contrib.auth.models import Group

    child, _items = archive
    group = Group.objects.create(name="教育局联络员")
    users.liaison.groups.add(group)
    assign_perm("children.view_child", group, child)
    client.force_login(users.liaison)
    assert client.get(reverse("children:detail", kwargs={"pk": child.pk})).status_code == 200


def test_only_the_view_permission_shares_and_only_with_its_holder(client, users, archive):
    from django.contrib.auth.models import Group

    child, _items = archive
    detail = reverse("children:detail", kwargs={"pk": child.pk})
    assign_perm("children.change_child", users.liaison, child)  # another permission of the same child
    group = Group.objects.create(name="公安联络员")
    users.liaison.groups.add(group)
    assign_perm("children.change_child", group, child)
    other = Group.objects.create(name="别的组")
    assign_perm("children.view_child", other, child)  # a group the liaison is not in
    client.force_login(users.liaison)
    assert client.get(detail).status_code == 404
    other.user_set.add(users.liaison)
    assert client.get(detail).status_code == 200


def test_list_shows_only_own_area(client, users, tree):
    from tests.factories import ChildFactory

    mine = ChildFactory(village=tree.v1, name="本村孩子")
    ChildFactory(village=tree.v2, name="邻村孩子")
    ChildFactory(village=tree.v4, name="外县孩子")
    client.force_login(users.director)
    body = client.get(reverse("children:list")).content.decode()
    assert mine.name in body and "邻村孩子" not in body and "外县孩子" not in body
    client.force_login(users.supervisor)
    body = client.get(reverse("children:list")).content.decode()
    assert "本村孩子" in body and "邻村孩子" in body and "外县孩子" not in body
    client.force_login(users.liaison)
    body = client.get(reverse("children:list")).content.decode()
    assert "本村孩子" not in body
