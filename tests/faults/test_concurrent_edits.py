"""Two users editing the same archive: the second save is refused with a clear Chinese message, and nothing of
the first save is lost. Every edit form of the archive that overwrites something is covered: the basic
information, each kind of record (family member, welfare, problem, care record, work log) and the entrusted
caregiver."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from children.models import CareRecord, EntrustedCare, FamilyMember, Problem, WelfareCoverage, WorkLogEntry
from tests.security.test_forms_escaping import PAYLOAD, FormParser, _form_data

STALE = (
    "Someone else changed this archive after you opened it. Reload the page, check their changes and enter yours again."
)
D = datetime.date(2026, 2, 1)


def _records(child, by):
    return {
        "family": (FamilyMember.objects.create(child=child, relation="father", name="王大明"), "name"),
        "welfare": (WelfareCoverage.objects.create(child=child, kind="dibao", started_on=D), "note"),
        "problem": (
            Problem.objects.create(child=child, found_on=D, description="作业无人辅导", created_by=by),
            "description",
        ),
        "care": (
            CareRecord.objects.create(child=child, date=D, kind="study", description="辅导功课", created_by=by),
            "description",
        ),
        "log": (WorkLogEntry.objects.create(child=child, date=D, content="电话联系父亲", created_by=by), "content"),
    }


def _open(client, url, world_like) -> dict:
    parser = FormParser()
    parser.feed(client.get(url).content.decode())
    form = parser.forms[-1]
    data, _fields = _form_data("children:edit", form, world_like)
    return data


def _cases(child, by):
    yield (
        "children:edit",
        reverse("children:edit", args=[child.pk]),
        "address",
        lambda: child.__class__.objects.get(pk=child.pk),
    )
    for kind, (record, field) in _records(child, by).items():
        url = reverse("children:record_edit", kwargs={"pk": child.pk, "kind": kind, "item_pk": record.pk})
        yield f"record {kind}", url, field, lambda r=record: type(r).objects.get(pk=r.pk)
    EntrustedCare.objects.create(child=child, caregiver_name="王奶奶", relation="grandparent")
    yield (
        "entrusted care",
        reverse("children:entrusted_care", args=[child.pk]),
        "caregiver_name",
        lambda: EntrustedCare.objects.get(child=child),
    )


def test_the_second_of_two_racing_saves_is_refused_and_the_first_kept(users, tree, child):
    from types import SimpleNamespace

    world_like = SimpleNamespace(tree=tree)
    first, second = Client(), Client()
    first.force_login(users.director)
    second.force_login(users.supervisor)  # both may edit this village's archives
    with translation.override("zh-hans"):
        message = gettext(STALE)
    assert message != STALE  # the refusal is in Chinese
    checked = []
    for name, url, field, fresh in _cases(child, users.director):
        a, b = _open(first, url, world_like), _open(second, url, world_like)  # both open the form
        assert "version" in a, f"{name}: the form carries no version"
        a.update({k: [v[0].replace(PAYLOAD, "原有内容")] for k, v in a.items() if v and PAYLOAD in v[0]})
        b.update({k: [v[0].replace(PAYLOAD, "原有内容")] for k, v in b.items() if v and PAYLOAD in v[0]})
        a[field], b[field] = ["甲的修改"], ["乙的修改"]
        response = first.post(url, a)
        assert response.status_code == 302, (name, response.context["form"].errors if response.context else "")
        response = second.post(url, b)
        assert response.status_code == 200, name  # refused: the form again, with the message
        assert message in response.content.decode(), name
        assert getattr(fresh(), field) == "甲的修改", f"{name}: the first save was lost"
        checked.append(name)
        # After reloading, the second user's save goes through (the refusal is not a lock-out).
        b = _open(second, url, world_like)
        b.update({k: [v[0].replace(PAYLOAD, "原有内容")] for k, v in b.items() if v and PAYLOAD in v[0]})
        b[field] = ["乙的修改"]
        assert second.post(url, b).status_code == 302, name
        assert getattr(fresh(), field) == "乙的修改"
    assert len(checked) == 7


@pytest.mark.parametrize("kind", ["family", "log"])
def test_adding_a_record_is_not_refused_by_another_users_change(client, users, child, kind):
    """Adding overwrites nothing, so it is not held to the version the form was opened with."""
    from django.db.models import F

    from children.models import Child

    url = reverse("children:record_add", kwargs={"pk": child.pk, "kind": kind})
    client.force_login(users.director)
    opened = child.version
    Child.objects.filter(pk=child.pk).update(version=F("version") + 1)  # someone else saved meanwhile
    data = {
        "family": {"relation": "mother", "name": "李芳", "situation": "working_away", "work_destination": "上海"},
        "log": {"date": "2026-03-01", "content": "电话联系"},
    }[kind]
    response = client.post(url, {**data, "version": str(opened)})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
