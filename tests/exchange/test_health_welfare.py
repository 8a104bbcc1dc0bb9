"""Health's serious-illness list, the disabled persons' federation's register and a welfare roll (issue 16): for a
registered child they propose a change to its director (the serious-illness or disability category, DOMAIN.md §2;
the welfare coverage started or ended), each from two consecutive submissions of a source; confirming changes the
archive through the children services, nothing changes before. Figures counted by hand from the rows typed in."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from accounts.models import Role
from children.models import ChildCategory, WelfareCoverage
from exchange import services
from exchange.models import ChangeProposal, ChangeStatus, Source
from tests.exchange.conftest import ID_DETAINED, ID_DROPOUT, ID_PUPIL, ID_UNREGISTERED, receive
from tests.factories import CategoryFactory, ChildFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

# Typed in (tests/idnumbers.py KNOWN_VALID).
ID_ILL = "370283201011300292"  # 2010-11-30
ID_OFF_ROLL = "370283201109090158"  # 2011-09-09


@pytest.fixture
def sources(tree, users, lists):
    def liaison(name, kind):
        department = DepartmentFactory(area=tree.county, name=name, kind=kind)
        return department, UserFactory(role=Role.LIAISON, department=department)

    health, health_liaison = liaison("平度市卫生健康局", "health")
    federation, federation_liaison = liaison("平度市残疾人联合会", "disabled_persons_federation")
    civil, civil_liaison = liaison("平度市民政局", "civil_affairs")
    ill = ChildFactory(village=tree.v1, id_number=ID_ILL, birth_date=datetime.date(2010, 11, 30), name="钱小病")
    off_roll = ChildFactory(
        village=tree.v1, id_number=ID_OFF_ROLL, birth_date=datetime.date(2011, 9, 9), name="郑小保"
    )
    WelfareCoverage.objects.create(child=off_roll, kind="dibao", started_on=datetime.date(2025, 1, 1))
    return SimpleNamespace(
        health=Source.objects.create(department=health, kind="health"),
        health_liaison=health_liaison,
        federation=Source.objects.create(department=federation, kind="disability"),
        federation_liaison=federation_liaison,
        welfare=Source.objects.create(department=civil, kind="welfare", expected_every_days=31),
        civil_liaison=civil_liaison,
        ill=ill,
        off_roll=off_roll,
    )


def _kinds(child) -> list[tuple[str, str]]:
    return sorted(ChangeProposal.objects.filter(child=child).values_list("kind", "status"))


def _current(child) -> set[str]:
    return set(ChildCategory.objects.filter(child=child, ended_on__isnull=True).values_list("category", flat=True))


def test_serious_illness_between_two_lists(users, lists, sources):
    CategoryFactory(child=lists.pupil, category="seriously_ill", started_on=datetime.date(2026, 1, 5))
    first = receive(
        sources.health_liaison,
        sources.health,
        [
            {"name": "钱小病", "id_number": ID_ILL, "status": "seriously_ill"},
            {"name": "孙小学", "id_number": ID_PUPIL, "status": "seriously_ill"},  # holds the category already
        ],
    )
    assert (first.rows_n, first.matched_n, first.proposals_n) == (2, 2, 1)
    second = receive(
        sources.health_liaison,
        sources.health,
        [
            {"name": "钱小病", "id_number": ID_ILL, "status": "seriously_ill"},  # as before: nothing new
            {"name": "孙小学", "id_number": ID_PUPIL, "status": "seriously_ill"},
            {"name": "李小辍", "id_number": ID_DROPOUT, "status": "seriously_ill"},  # new on the list
            {"name": "周小新", "id_number": ID_UNREGISTERED, "status": "seriously_ill"},  # no archive: a candidate
        ],
    )
    assert (second.rows_n, second.matched_n, second.changed_n, second.proposals_n, second.candidates_n) == (
        4,
        3,
        2,
        1,
        1,
    )
    assert _kinds(sources.ill) == [("seriously_ill", "pending")]
    assert _kinds(lists.dropout) == [("seriously_ill", "pending")]
    assert _kinds(lists.pupil) == []
    # Nothing changed before a person decides; the supervisor's confirmation records the illness and the category.
    sources.ill.refresh_from_db()
    assert sources.ill.health == "healthy" and _current(sources.ill) == set()
    proposal = ChangeProposal.objects.get(child=sources.ill)
    services.change_confirm(user=users.supervisor, proposal=proposal, on=datetime.date(2026, 11, 2))
    sources.ill.refresh_from_db()
    assert sources.ill.health == "seriously_ill" and _current(sources.ill) == {"seriously_ill"}
    assert ChildCategory.objects.get(child=sources.ill).started_on == datetime.date(2026, 11, 2)


def test_disability_register_between_two_lists(users, lists, sources):
    CategoryFactory(child=lists.pupil, category="disabled", started_on=datetime.date(2026, 1, 5))
    first = receive(
        sources.federation_liaison,
        sources.federation,
        [{"name": "孙小学", "id_number": ID_PUPIL, "status": "disabled"}],  # holds the category already
    )
    assert (first.matched_n, first.proposals_n) == (1, 0)
    second = receive(
        sources.federation_liaison,
        sources.federation,
        [
            {"name": "孙小学", "id_number": ID_PUPIL, "status": "disabled"},
            {"name": "张小押", "id_number": ID_DETAINED, "status": "disabled"},
        ],
    )
    assert (second.changed_n, second.gone_n, second.proposals_n) == (1, 0, 1)
    assert _kinds(lists.detained) == [("disabled", "pending")]
    assert _current(lists.detained) == set()
    services.change_confirm(user=users.supervisor, proposal=ChangeProposal.objects.get(child=lists.detained))
    assert _current(lists.detained) == {"disabled"}
    # A director's confirmation of the same change waits for the supervisor's approval (approvals).
    third = receive(
        sources.federation_liaison,
        sources.federation,
        [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "disabled"}],
    )
    assert third.proposals_n == 1
    services.change_confirm(user=users.director, proposal=ChangeProposal.objects.get(child=lists.dropout))
    assert _current(lists.dropout) == set()
    assert lists.dropout.approvals.get().kind == "category_add"


def test_welfare_roll_on_and_off_between_two_lists(users, lists, sources):
    first = receive(
        sources.civil_liaison,
        sources.welfare,
        [
            {"name": "郑小保", "id_number": ID_OFF_ROLL, "status": "on_roll"},  # coverage recorded: nothing
            {"name": "孙小学", "id_number": ID_PUPIL, "status": "on_roll"},  # none recorded: record it
            {"name": "张小押", "id_number": ID_DETAINED, "status": "on_roll"},  # likewise; off the next roll
        ],
    )
    assert (first.matched_n, first.proposals_n) == (3, 2)
    assert _kinds(lists.pupil) == [("welfare_started", "pending")]
    second = receive(
        sources.civil_liaison,
        sources.welfare,
        [{"name": "孙小学", "id_number": ID_PUPIL, "status": "on_roll"}],
    )
    assert (second.rows_n, second.changed_n, second.gone_n, second.proposals_n) == (1, 0, 2, 1)
    assert _kinds(sources.off_roll) == [("welfare_ended", "pending")]
    # Off the roll with no coverage recorded: nothing to end.
    assert _kinds(lists.detained) == _kinds(lists.pupil) == [("welfare_started", "pending")]
    coverage = WelfareCoverage.objects.get(child=sources.off_roll)
    assert coverage.ended_on is None
    services.change_confirm(
        user=users.director,
        proposal=ChangeProposal.objects.get(child=sources.off_roll),
        on=datetime.date(2026, 11, 3),
    )
    coverage.refresh_from_db()
    assert coverage.ended_on == datetime.date(2026, 11, 3)
    assert coverage.history.first().history_change_reason.startswith("来自")
    # Back on the next roll: the archive records no current coverage, so recording it is proposed.
    third = receive(
        sources.civil_liaison,
        sources.welfare,
        [
            {"name": "孙小学", "id_number": ID_PUPIL, "status": "on_roll"},
            {"name": "郑小保", "id_number": ID_OFF_ROLL, "status": "on_roll"},
        ],
    )
    assert third.proposals_n == 1
    assert _kinds(sources.off_roll) == [("welfare_ended", "confirmed"), ("welfare_started", "pending")]


def test_confirming_a_child_newly_on_a_roll_leads_to_the_coverage_form(client, users, lists, sources):
    receive(sources.civil_liaison, sources.welfare, [{"name": "孙小学", "id_number": ID_PUPIL, "status": "on_roll"}])
    proposal = ChangeProposal.objects.get(child=lists.pupil)
    director = UserFactory(role=Role.DIRECTOR, areas=[lists.pupil.village])
    client.force_login(director)
    response = client.post(reverse("exchange:confirm", args=[proposal.pk]))
    assert response.status_code == 302
    assert response.url == reverse("children:record_add", args=[lists.pupil.pk, "welfare"])
    proposal.refresh_from_db()
    assert proposal.status == ChangeStatus.CONFIRMED
    assert not WelfareCoverage.objects.filter(child=lists.pupil).exists()  # which welfare: the director records it
