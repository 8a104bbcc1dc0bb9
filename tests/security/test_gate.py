"""The access gate, walked over the whole URL configuration (so that a new view is covered without anyone
remembering it):

- a department liaison holding one child through an open referral (the *shared* level) opens only the reduced
  archive page and the referral itself; every other URL of a child's records answers 404, and no other page,
  list or export shows the child's personal data;
- every page of a child or of a record hanging off a child writes exactly one access-log row for the child
  (edit forms, guardianship pages, visit pages, referral, report, spot-check item, screening confirmation,
  activity, discovery list, and the admin's change pages);
- the gate's levels, directly.
"""

import io

import pytest
from django.contrib import admin
from django.urls import reverse

from children import access
from children.models import AccessLog, Child
from tests.security.conftest import is_child_url, object_urls, url_patterns

# ---------------------------------------------------------------------------------------------------- helpers


def _text(response) -> str:
    """What a person would read in a response: the page, or the cells of a workbook, or the CSV."""
    body = b"".join(response) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        rows = (row for ws in book.worksheets for row in ws.iter_rows(values_only=True))
        return "\n".join(" ".join("" if v is None else str(v) for v in row) for row in rows)
    if "pdf" in kind or "image" in kind or "zip" in kind:
        return ""  # checked by status only (a shared liaison opens no file of a child)
    return body.decode("utf-8", "replace")


def _plain_urls() -> list[tuple[str, str]]:
    """Every URL without arguments, as is and (for list pages that export) as .xlsx and .csv."""
    out = []
    for name, converters in url_patterns():
        if converters or name.startswith("admin:") or name in ("logout", "set_language"):
            continue
        url = reverse(name)
        out += [(name, url), (name, url + "?format=xlsx"), (name, url + "?format=csv")]
    return out


def _personal(child: Child) -> list[str]:
    """What identifies the child beyond its name: the full ID number, the full birth date, the address."""
    return [child.id_number, child.birth_date.isoformat(), child.birth_date.strftime("%Y年%-m月%-d日"), child.address]


# ------------------------------------------------------------------------------------- the shared liaison


# What a liaison holding a child through an open referral may open, and why. Everything else that names the child
# answers 404; every other page shows nothing of the child.
SHARED_MAY_OPEN = {
    "children:detail": "the reduced archive: sex, month of birth, village, school, the department's referrals",
    "guardianship:referral": "the referral the department handles",
    # The world's referral is for psychological counselling: psychology.access opens the record (read only) to the
    # receiving department while the referral is open (tests/security/test_psychology_and_sites.py closes it).
    "psychology:record": "the psychological record of a child referred to the department for psychological care",
}
# Pages of the liaison's own work that may name the child (name only, never the personal data in `_personal`).
SHARED_MAY_NAME = {
    **SHARED_MAY_OPEN,
    "guardianship:referrals": "the department's referral inbox",
    "accounts:notifications": "the notice of the referral",
    "api:referrals": "the department's referral inbox, through the API",
    "api:referral": "the referral the department handles, through the API",
    # The world's helper belongs to the liaison's department: its liaison records the helper's contacts with the
    # paired child (pairing.selectors.pairings_for), a page naming the child and the helper, not the archive.
    "pairing:pairing": "a pairing of a helper of the liaison's department",
    "pairing:contact_new": "recording a contact of a helper of the liaison's department",
}


@pytest.fixture
def shared_liaison(world):
    liaison = world.users.liaison
    assert access.level_for(liaison, world.child) == access.Level.SHARED  # through the world's open referral
    return liaison


def test_a_shared_liaison_opens_only_the_reduced_archive_and_the_referral(client, world, shared_liaison):
    child = Child.objects.get(pk=world.child.pk)
    client.force_login(shared_liaison)
    failures, opened = [], set()
    for name, url in object_urls(world) + _plain_urls():
        response = client.get(url)
        status = response.status_code
        if status >= 500:
            failures.append(f"{name} {url} -> {status}")
            continue
        child_url = any(name == n and is_child_url(n, c) for n, c in url_patterns())
        if child_url and name not in SHARED_MAY_OPEN:
            if status != 404:
                failures.append(f"{name} {url} -> {status}, expected 404")
            continue
        if status != 200:
            continue
        text = _text(response)
        opened.add(name)
        if name not in SHARED_MAY_NAME and child.name in text:
            failures.append(f"{name} {url} names the child")
        leaked = [p for p in _personal(child) if p and p in text]
        if leaked:
            failures.append(f"{name} {url} shows {leaked}")
    assert not failures, "\n".join(failures)
    assert {"children:detail", "guardianship:referral"} <= opened  # the positive control: the walk reached them


def test_the_reduced_archive_is_what_the_liaison_gets(client, world, shared_liaison):
    child = Child.objects.get(pk=world.child.pk)
    client.force_login(shared_liaison)
    body = client.get(reverse("children:detail", kwargs={"pk": child.pk})).content.decode()
    assert child.name in body and world.objects["referral"].reason in body
    assert child.id_number not in body and child.birth_date.isoformat() not in body
    assert "王大明" not in body  # the father, a record of the whole archive


def test_after_the_referral_closes_the_liaison_loses_the_child(client, world, shared_liaison):
    from guardianship import referrals

    referral = world.objects["referral"]
    for status in ("accepted", "in_progress", "done"):
        referrals.referral_move(user=shared_liaison, referral=referral, status=status, note="")
    client.force_login(shared_liaison)
    assert client.get(reverse("children:detail", kwargs={"pk": world.child.pk})).status_code == 404


# ------------------------------------------------------------------------------- one access-log row per view

# Object URLs that show no child's record (or only counts), each with the reason. Every other object URL of the
# project shows a child or a record of one and must write exactly one access-log row for it.
NOT_ABOUT_A_CHILD = {
    "visits:campaign": "a screening: per-village progress, names of pending children listed like any list",
    "tasks:update": "a department's task",
    "tasks:assignment": "a department's task",
    "tasks:timeline": "an action plan",
    "tasks:report": "an action plan",
    "tasks:export": "an action plan",
    "tasks:report_pdf": "an action plan",
    "children:job": "an import or print job",
    "notification_open": "a notification: marks it read and goes to the page it names, which logs its own view",
    "children:job_confirm": "an import or print job",
    "children:job_output": "an import or print job (a print job logs every child it holds: tested in children)",
    "dashboards:area": "figures",
    "dashboards:export": "figures",
    "oversight:spot_check": "a spot check: the sample's list",
    "oversight:director": "a director's ledger",
    "oversight:director_profile": "a director's ledger",
    "oversight:training_new": "a director's ledger",
    "oversight:evaluation": "a director's ledger",
    "oversight:activity_photo": "a photo of a village activity",
    "oversight:row_screen_out": "a candidate not (yet) registered",
    "oversight:discovery_list": "the world's list holds only a candidate: test_a_matched_list_logs_its_child",
    "guardianship:follow_up_done": "POST only",
    "api:assignment": "a department's task of the matrix, through the API",
    "oversight:finding_close": "POST only",
    "oversight:row_assign": "POST only",
    "oversight:row_screen_in": "POST only",
    "sites:detail": "a children's home or workstation",
    "sites:edit": "a children's home or workstation",
    "sites:staff_new": "a children's home or workstation",
    "sites:staff_end": "a children's home or workstation",
    "sites:opening_new": "a children's home or workstation",
    "pairing:helper_edit": "the registry of helpers",
    "pairing:organisation_edit": "the registry of social organisations",
    "exchange:submission": "a department's list: its figures only (the changes page logs the children it shows)",
    "bulk:run": "a bulk action's result, the user's own: the children named as the children list shows them (the "
    "action logged each child it let through: tests/bulk)",
}


def _viewer(world, name):
    if name in ("tasks:assignment", "tasks:update", "api:assignment"):
        return world.plan_liaison
    return world.users.county_staff


def test_every_view_of_a_child_writes_exactly_one_access_log_row(client, world):
    child = world.child
    failures, checked = [], 0
    for name, url in object_urls(world):
        client.force_login(_viewer(world, name))
        before = AccessLog.objects.count()
        response = client.get(url)
        rows = list(AccessLog.objects.order_by("id")[before:].values_list("child_id", flat=True))
        expected = [] if name in NOT_ABOUT_A_CHILD else [child.pk]
        if response.status_code not in (200, 405) and name not in NOT_ABOUT_A_CHILD:
            failures.append(f"{name} {url} -> {response.status_code}")
        elif response.status_code == 200 and rows != expected:
            failures.append(f"{name} {url}: {len(rows)} access-log rows {rows}, expected {expected}")
        checked += response.status_code == 200 and bool(expected)
    assert not failures, "\n".join(failures)
    assert checked >= 30


def test_a_matched_list_logs_its_child(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from oversight import discovery

    child = Child.objects.get(pk=world.child.pk)
    csv = f"姓名,身份证号\n{child.name},{child.id_number}\n".encode()
    outside = discovery.list_upload(
        user=world.users.county_staff,
        upload=SimpleUploadedFile("a.csv", csv),
        title="名单",
        source="学校",
        area=world.tree.t1,
    )
    client.force_login(world.users.county_staff)
    before = AccessLog.objects.count()
    assert client.get(reverse("oversight:discovery_list", args=[outside.pk])).status_code == 200
    assert list(AccessLog.objects.order_by("id")[before:].values_list("child_id", flat=True)) == [child.pk]


def test_every_reason_names_a_real_url():
    names = {n for n, _c in url_patterns()}
    assert set(NOT_ABOUT_A_CHILD) <= names


def _admin_objects(world):
    """(admin URL, child) for the admin's change page of every registered model that is a child or hangs off one."""
    from django.db.models import ForeignKey

    for model, _model_admin in admin.site._registry.items():
        if model is Child:
            obj = world.child
        else:
            fields = model._meta.get_fields()
            fk = next((f for f in fields if isinstance(f, ForeignKey) and f.related_model is Child), None)
            if fk is None:
                continue
            obj = model.objects.filter(**{fk.name: world.child}).first()
            if obj is None:
                continue
        yield reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]), model


def test_the_admins_change_pages_of_a_childs_records_write_one_row(client, world):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_staff=True, is_superuser=True, role="admin")
    client.force_login(root)
    seen = []
    for url, model in _admin_objects(world):
        if model._meta.model_name == "accesslog":
            continue
        before = AccessLog.objects.count()
        assert client.get(url).status_code == 200, url
        rows = list(AccessLog.objects.order_by("id")[before:].values_list("child_id", flat=True))
        assert rows == [world.child.pk], (url, rows)
        seen.append(model._meta.model_name)
    assert "child" in seen and "visit" in seen


# ---------------------------------------------------------------------------------------------- the levels


def test_levels(world):
    users, child = world.users, world.child
    L = access.Level
    assert access.level_for(users.director, child) == L.EDIT
    assert access.level_for(users.supervisor, child) == L.EDIT
    assert access.level_for(users.county_staff, child) == L.EDIT
    assert access.level_for(users.other_director, child) == L.NONE
    assert access.level_for(users.other_county_staff, child) == L.NONE
    assert access.level_for(world.outsider_liaison, child) == L.NONE
    assert access.level_for(users.liaison, child) == L.SHARED
    # Lists ask for the archive level: a shared child is in none of the liaison's lists.
    assert not access.visible_children(users.liaison).filter(pk=child.pk).exists()
    assert access.visible_children(users.liaison, level=L.SHARED).filter(pk=child.pk).exists()


def test_an_inactive_user_has_no_level(world):
    director = world.users.director
    director.is_active = False
    assert access.level_for(director, world.child) == access.Level.NONE


def test_reading_but_not_editing_says_so(client, world):
    """A reader below the edit level (an explicit share with a non-liaison) gets 403 on a change URL: the archive is
    no secret to them. Below the archive level it is 404."""
    from guardian.shortcuts import assign_perm

    reader = world.users.other_supervisor
    assign_perm("children.view_child", reader, world.child)
    client.force_login(reader)
    assert client.get(reverse("children:detail", kwargs={"pk": world.child.pk})).status_code == 200
    assert client.get(reverse("children:edit", kwargs={"pk": world.child.pk})).status_code == 403


def test_the_report_form_is_not_prefilled_from_a_visit_for_a_shared_liaison(client, world, shared_liaison):
    """The form pre-filled from a visit (`?child=&visit=`) shows the visit's observations: an archive read."""
    visit = world.items["visit"]
    client.force_login(shared_liaison)
    url = reverse("guardianship:report_new") + f"?child={world.child.pk}&visit={visit.pk}"
    assert client.get(url).status_code == 404
    client.force_login(world.users.director)
    assert client.get(url).status_code == 200  # the positive control


def test_no_link_or_redirect_carries_a_name_or_an_id_number(client, world):
    """Identity numbers and names never travel in URLs: every link, form action and redirect of every page that
    county staff (who see everything of the child) can open is scanned for the child's name and ID number."""
    import re
    from urllib.parse import unquote

    child = Child.objects.get(pk=world.child.pk)
    client.force_login(world.users.county_staff)
    failures, pages = [], 0
    for name, url in object_urls(world) + _plain_urls():
        response = client.get(url)
        targets = [response.get("Location", "")]
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            pages += 1
            targets += re.findall(r'(?:href|action|src)="([^"]*)"', response.content.decode())
        for target in targets:
            plain = unquote(target.replace("&amp;", "&"))
            if child.name in plain or child.id_number in plain:
                failures.append(f"{name} {url}: {target}")
    assert not failures, "\n".join(failures)
    assert pages >= 40


def test_the_list_scope_and_the_one_record_level_agree(world):
    """`scope_q` (lists) and `level_for` (one record) state the same rule: for every user and child, a child is in
    `visible_children(user, level=L)` exactly when `level_for(user, child) >= L`."""
    from guardian.shortcuts import assign_perm

    from tests.factories import ChildFactory, UserFactory

    tree, users = world.tree, world.users
    for village in (tree.v1, tree.v2, tree.v3, tree.v4):
        ChildFactory(village=village)
    shared_elsewhere = ChildFactory(village=tree.v4)
    assign_perm("children.view_child", users.other_supervisor, shared_elsewhere)  # a reader by share, not area
    inactive = UserFactory(username="gone", role="director", areas=[tree.v1], is_active=False)
    root = UserFactory(username="root2", is_superuser=True, is_staff=True, role="admin")
    people = [
        *(
            getattr(users, n)
            for n in (
                "director",
                "supervisor",
                "county_staff",
                "other_director",
                "other_supervisor",
                "other_county_staff",
                "liaison",
            )
        ),
        world.outsider_liaison,
        world.plan_liaison,
        inactive,
        root,
    ]
    children = list(Child.objects.all())
    assert len(children) >= 6
    for person in people:
        for level in (access.Level.SHARED, access.Level.ARCHIVE, access.Level.EDIT):
            listed = set(access.visible_children(person, level=level).values_list("pk", flat=True))
            one_by_one = {c.pk for c in children if access.level_for(person, c) >= level}
            assert listed == one_by_one, (person.username, level.name)
