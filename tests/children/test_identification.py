"""Facts recorded outside the category ticks propose categories (精准识别) and a parent back home proposes ending the
left-behind category (动态管理): by the saves that change the facts and by the daily sweep, idempotently; confirmed
through the category services (the schedule follows) or dismissed with a reason; listed for the director and the
county. Birth dates and ID numbers typed in."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from children import identification, services, sweep
from children.models import (
    CategoryProposal,
    CategoryProposalStatus,
    ChildCategory,
    FamilyMember,
)
from tests import idnumbers
from tests.factories import ChildFactory
from visits import schedule
from visits.models import VisitSchedule

D = datetime.date
TODAY = D(2026, 11, 29)


def pending(child):
    return sorted(
        (p.category, p.action)
        for p in CategoryProposal.objects.filter(child=child, status=CategoryProposalStatus.PENDING)
    )


@pytest.fixture
def kid(tree):
    c = ChildFactory(village=tree.v1, id_number="370283201506010043", birth_date=D(2015, 6, 1))
    schedule.refresh(child_ids=[c.pk])
    return c


def parent(user, child, relation, situation, away_since=None):
    return services.record_save(
        user=user,
        child=child,
        record=FamilyMember(relation=relation, name="王" + relation, situation=situation, away_since=away_since),
    )


@pytest.mark.django_db
def test_a_serious_illness_entered_in_health_proposes_the_category_once(users, kid):
    kid.health = "seriously_ill"
    services.child_update(user=users.director, child=kid, expected_version=None)
    assert pending(kid) == [("seriously_ill", "add")]
    services.child_update(user=users.director, child=kid, expected_version=None)  # saved again
    sweep.daily(TODAY)  # and the sweep
    assert CategoryProposal.objects.filter(child=kid).count() == 1
    assert CategoryProposal.objects.get(child=kid).history.count() == 1


@pytest.mark.django_db
def test_parents_imprisoned_and_missing_propose_de_facto_unsupported_and_confirming_tightens_the_schedule(users, kid):
    assert VisitSchedule.objects.get(child=kid).home_days == 90  # Qingdao's default for any child: 3 months
    parent(users.director, kid, "father", "imprisoned")
    assert pending(kid) == []  # one parent is not enough
    parent(users.director, kid, "mother", "missing")
    assert pending(kid) == [("de_facto_unsupported", "add")]
    proposal = CategoryProposal.objects.get(child=kid)
    assert proposal.fact_codes == ["father:imprisoned", "mother:missing"]

    identification.proposal_confirm(user=users.director, proposal=proposal, on=D(2026, 11, 20))

    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (CategoryProposalStatus.CONFIRMED, users.director)
    item = ChildCategory.objects.get(child=kid, category="de_facto_unsupported")
    assert item.started_on == D(2026, 11, 20) and item.ended_on is None
    assert VisitSchedule.objects.get(child=kid).home_days == 30  # 000 #27: every month
    assert pending(kid) == []
    with pytest.raises(ValidationError):
        identification.proposal_confirm(user=users.director, proposal=proposal)  # decided already


@pytest.mark.django_db
def test_both_parents_away_long_enough_propose_left_behind_and_the_sweep_sees_time_pass(users, kid):
    parent(users.director, kid, "father", "working_away", D(2026, 9, 1))
    parent(users.director, kid, "mother", "working_away", D(2026, 9, 1))
    assert pending(kid) == []  # under 3 months on the day it was saved (today is the real date)
    sweep.daily(D(2026, 11, 30))
    assert pending(kid) == []  # 2 months and 29 days
    sweep.daily(D(2026, 12, 1))
    assert pending(kid) == [("left_behind_rural", "add")]


@pytest.mark.django_db
def test_a_parent_back_home_proposes_ending_left_behind_and_dismissing_needs_a_reason(users, kid):
    services.category_add(user=users.director, child=kid, category="left_behind_rural", started_on=D(2026, 1, 5))
    father = parent(users.director, kid, "father", "working_away", D(2025, 1, 1))
    parent(users.director, kid, "mother", "working_away", D(2025, 1, 1))
    assert pending(kid) == []
    father.situation = "normal"
    services.record_save(user=users.director, child=kid, record=father)
    assert pending(kid) == [("left_behind_rural", "end")]
    proposal = CategoryProposal.objects.get(child=kid)

    with pytest.raises(ValidationError):
        identification.proposal_dismiss(user=users.director, proposal=proposal, reason="  ")
    identification.proposal_dismiss(user=users.director, proposal=proposal, reason="父亲只回家过年，月底再外出")
    proposal.refresh_from_db()
    assert proposal.status == CategoryProposalStatus.DISMISSED and proposal.reason.startswith("父亲")
    sweep.daily(TODAY)
    assert pending(kid) == []  # not proposed again for the same facts


@pytest.mark.django_db
def test_confirming_an_end_ends_the_category(users, kid):
    services.category_add(user=users.director, child=kid, category="left_behind_rural", started_on=D(2026, 1, 5))
    parent(users.director, kid, "father", "normal")
    proposal = CategoryProposal.objects.get(child=kid, status=CategoryProposalStatus.PENDING)
    identification.proposal_confirm(user=users.county_staff, proposal=proposal, on=D(2026, 11, 1))
    item = ChildCategory.objects.get(child=kid, category="left_behind_rural")
    assert item.ended_on == D(2026, 11, 1)
    kid.refresh_from_db()
    assert kid.category_flags == 0


@pytest.mark.django_db
def test_a_pending_proposal_lapses_when_the_facts_change_or_the_category_is_added_by_hand(users, kid):
    kid.health = "seriously_ill"
    services.child_update(user=users.director, child=kid, expected_version=None)
    kid.health = "ill"
    services.child_update(user=users.director, child=kid, expected_version=None)
    assert CategoryProposal.objects.get(child=kid).status == CategoryProposalStatus.LAPSED

    kid.disability, kid.disability_grade = "physical", 1
    services.child_update(user=users.director, child=kid, expected_version=None)
    assert pending(kid) == [("disabled", "add")]
    services.category_add(user=users.director, child=kid, category="disabled", started_on=D(2026, 11, 1))
    assert pending(kid) == []


@pytest.mark.django_db
def test_a_weekday_sweep_evaluates_only_whom_today_can_change(users, tree, kid):
    """Daily, only the children whose birthday it is or whose parent has been away for exactly the months: facts
    written without the services wait for Sunday's full sweep (issue 20: the sweep grows with the day's changes)."""
    monday = D(2026, 11, 30)
    assert monday.weekday() == 0
    silent = ChildFactory(village=tree.v2, id_number="370283201506020065", birth_date=D(2015, 6, 2))
    ChildFactory._meta.model.objects.filter(pk=silent.pk).update(disability="hearing")  # behind the services' back
    birth = D(2014, 11, 30)
    born = ChildFactory(village=tree.v1, id_number=idnumbers.make("370283", birth, 700), birth_date=birth)
    ChildFactory._meta.model.objects.filter(pk=born.pk).update(health="seriously_ill")
    table = identification.regions()
    assert set(identification.changing_today(monday, table).values_list("pk", flat=True)) == {born.pk}
    sweep.daily(monday)
    assert pending(silent) == []  # not today's
    assert pending(born) == [("seriously_ill", "add")]  # a birthday: evaluated
    sweep.daily(D(2026, 12, 6))  # Sunday: every candidate
    assert pending(silent) == [("disabled", "add")]


@pytest.mark.django_db
def test_the_sweep_finds_facts_written_without_the_services(users, tree, kid):
    """Imports and bulk writes skip the per-save proposal: Sunday's full sweep catches up, set-based."""
    assert TODAY.weekday() == 6
    imprisoned = ChildFactory(
        village=tree.v2, id_number="370283201506020065", birth_date=D(2015, 6, 2), disability="hearing"
    )
    FamilyMember.objects.create(child=kid, relation="father", name="王某", situation="dead")
    FamilyMember.objects.create(child=kid, relation="mother", name="李某", situation="dead")
    services._refresh_parent_flags(kid)
    plain = ChildFactory(village=tree.v1, id_number="370283201506030087", birth_date=D(2015, 6, 3))

    sweep.daily(TODAY)

    assert pending(imprisoned) == [("disabled", "add")]
    assert pending(kid) == [("orphan_scattered", "add")]
    assert pending(plain) == []
    assert set(identification.candidates().values_list("pk", flat=True)) == {imprisoned.pk, kid.pk}


@pytest.mark.django_db
def test_the_list_shows_each_user_their_area_and_outsiders_cannot_decide(client, users, tree, kid):
    other = ChildFactory(
        village=tree.v2, id_number="370283201506040007", birth_date=D(2015, 6, 4), health="seriously_ill"
    )
    kid.health = "seriously_ill"
    services.child_update(user=users.director, child=kid, expected_version=None)
    identification.evaluate([other.pk])

    client.force_login(users.director)
    page = client.get(reverse("children:proposals")).content.decode()
    assert kid.name in page and other.name not in page
    client.force_login(users.county_staff)
    page = client.get(reverse("children:proposals")).content.decode()
    assert kid.name in page and other.name in page

    proposal = CategoryProposal.objects.get(child=kid)
    url = reverse("children:proposal_confirm", args=[kid.pk, proposal.pk])
    for user in (users.other_director, users.other_county_staff, users.liaison):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"on": "2026-11-01"}).status_code == 404
    neighbour = ChildFactory(village=tree.v1, id_number="370283201506090055", birth_date=D(2015, 6, 9))
    client.force_login(users.director)  # a child of the director's, another child's proposal
    assert client.post(reverse("children:proposal_confirm", args=[neighbour.pk, proposal.pk])).status_code == 404
    assert CategoryProposal.objects.get(pk=proposal.pk).status == CategoryProposalStatus.PENDING

    client.force_login(users.director)
    detail = client.get(reverse("children:detail", args=[kid.pk])).content.decode()
    assert reverse("children:proposal_confirm", args=[kid.pk, proposal.pk]) in detail
    response = client.post(reverse("children:proposal_dismiss", args=[kid.pk, proposal.pk]), {"reason": ""})
    assert response.status_code == 200  # the reason is required
    response = client.post(
        reverse("children:proposal_dismiss", args=[kid.pk, proposal.pk]), {"reason": "诊断书显示已康复"}
    )
    assert response.status_code == 302
    assert CategoryProposal.objects.get(pk=proposal.pk).status == CategoryProposalStatus.DISMISSED


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_one_child_or_many(client, users, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    typed = [("370283201506050029", D(2015, 6, 5)), ("370283201506010043", D(2015, 6, 1))]
    typed.append(("370283201506020065", D(2015, 6, 2)))
    client.force_login(users.county_staff)
    client.get(reverse("children:proposals"))  # warm the session and menu caches
    counts = []
    for n, (id_number, birth) in enumerate(typed):
        c = ChildFactory(
            village=tree.v1 if n % 2 else tree.v3, id_number=id_number, birth_date=birth, health="seriously_ill"
        )
        identification.evaluate([c.pk])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("children:proposals")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[1] == counts[2]


@pytest.mark.django_db
def test_the_sweeps_sql_narrowing_keeps_every_child_the_rule_proposes_for(tree):
    """identification.candidates() narrows in SQL before children.rules.proposals runs: over varied facts, every
    child the rule finds something for is a candidate (a superset), so the sweep never misses one."""
    import itertools
    import random

    from children import rules
    from children.categories import CATEGORY_BITS, categories_in, parent_flags_for
    from children.models import Child, ParentSituation

    rng = random.Random(15)
    situations = [s.value for s in ParentSituation] + [None]
    held_choices = [[], ["left_behind_rural"], ["disabled"], ["seriously_ill"], ["de_facto_unsupported"]]
    rows = []
    for n, (f, m) in enumerate(itertools.product(situations, situations)):
        for held in held_choices:
            c = Child(
                name=f"性质{n}",
                id_number=f"P{n:03d}{len(rows):05d}",  # never validated here: no ID number is read
                sex="M",
                birth_date=D(2015, 6, 1),
                village=tree.v1,
                registered_on=D(2026, 1, 5),
                health=rng.choice(["healthy", "ill", "seriously_ill"]),
                disability=rng.choice(["", "", "physical"]),
                category_flags=sum(CATEGORY_BITS[h] for h in held),
            )
            c.disability_grade = rng.choice([None, 1, 4]) if c.disability else rng.choice([None, None, 2])
            rows.append((c, f, m))
    Child.objects.bulk_create([c for c, _f, _m in rows])
    family = []
    for c, f, m in rows:
        for relation, situation in (("father", f), ("mother", m)):
            if situation:
                away = D(2025, 1, 1) if situation == "working_away" else None
                family.append(
                    FamilyMember(child=c, relation=relation, name="家长", situation=situation, away_since=away)
                )
        c.parent_flags = parent_flags_for([s for s in (f, m) if s])
    FamilyMember.objects.bulk_create(family)
    Child.objects.bulk_update([c for c, _f, _m in rows], ["parent_flags"])

    found = set(identification.candidates().values_list("pk", flat=True))
    facts = identification._facts([c for c, _f, _m in rows])
    proposing = {c.pk for c, _f, _m in rows if rules.proposals(facts[c.pk], categories_in(c.category_flags), TODAY)}
    assert len(rows) == 405 and len(proposing) > 100
    assert proposing <= found
