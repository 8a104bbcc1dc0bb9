import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from children.models import FamilyMember
from dashboards.models import ComplianceSnapshot
from oversight import ledger, spotchecks
from oversight.models import Activity, DirectorProfile, Training
from tests.factories import ChildFactory
from visits.models import VisitSchedule

TODAY = datetime.date.today()


def test_county_staff_edit_the_ledger_of_their_county_only(users, tree):
    profile = DirectorProfile(
        appointed_on=datetime.date(2024, 3, 1),
        contact="13800000000",
        qualification="assistant",
        certificate_number="ZS-001",
        entry_checked_on=datetime.date(2024, 2, 20),
        entry_check_result="clear",
    )
    ledger.profile_save(user=users.county_staff, director=users.director, profile=profile)
    assert DirectorProfile.objects.get(director=users.director).certificate_number == "ZS-001"
    for who in ("other_county_staff", "supervisor", "director"):
        with pytest.raises(PermissionDenied):
            ledger.training_add(
                user=getattr(users, who),
                director=users.director,
                training=Training(course="x", date=TODAY, hours=Decimal("2")),
            )


def test_bad_ledger_input_is_refused(users):
    with pytest.raises(ValidationError):  # a result without the check's date
        ledger.profile_save(
            user=users.county_staff, director=users.director, profile=DirectorProfile(entry_check_result="clear")
        )
    with pytest.raises(ValidationError):
        ledger.training_add(
            user=users.county_staff, director=users.director, training=Training(course="x", date=TODAY, hours=0)
        )
    with pytest.raises(ValidationError):
        ledger.evaluation_save(user=users.county_staff, director=users.director, year=TODAY.year, satisfaction=101)
    assert not DirectorProfile.objects.exists() and not Training.objects.exists()


def test_trained_this_year_flag_and_hours(users):
    Training.objects.create(director=users.director, course="A", date=TODAY.replace(month=1, day=5), hours=4)
    Training.objects.create(director=users.director, course="B", date=TODAY.replace(month=1, day=6), hours="3.5")
    Training.objects.create(
        director=users.other_director, course="C", date=datetime.date(TODAY.year - 1, 6, 1), hours=8
    )
    rows = {d.username: d for d in ledger.ledger_for(users.county_staff, TODAY.year)}
    assert rows["director"].trained and rows["director"].training_hours == Decimal("7.5")
    assert not rows["other_director"].trained
    # Who reads what: a director only their own entry; another county nobody of ours.
    assert [d.username for d in ledger.ledger_for(users.director, TODAY.year)] == ["director"]
    assert list(ledger.ledger_for(users.other_county_staff, TODAY.year)) == []


def test_the_yearly_evaluation_is_computed_from_the_systems_data(users, tree):
    complete = ChildFactory(village=tree.v1, enrolment="enrolled")
    FamilyMember.objects.create(child=complete, relation="mother", name="母亲", is_guardian=True)
    incomplete = ChildFactory(village=tree.v1)  # no enrolment, no guardian
    ChildFactory(village=tree.v2, enrolment="enrolled")  # the other director's
    VisitSchedule.objects.create(child=complete, village=tree.v1, due_on=TODAY + datetime.timedelta(days=3))
    VisitSchedule.objects.create(child=incomplete, village=tree.v1, due_on=TODAY - datetime.timedelta(days=3))
    Activity.objects.create(kind="safety_education", date=TODAY, area=tree.v1, place="x", topic="t")
    check = spotchecks.spot_check_start(user=users.county_staff, county=tree.county, per_township=10, seed=5)
    item = check.items.get(child=incomplete)
    spotchecks.item_record(
        user=users.county_staff,
        item=item,
        results={**dict.fromkeys(spotchecks.CHECK_FIELDS, True), "family_current": False},
        finding="监护人信息缺失",
        due_on=TODAY,
    )
    # Month-end compliance over the year (the dashboards' snapshots): 3 of 4, then 1 of 4; last year's is ignored.
    ComplianceSnapshot.objects.create(month=datetime.date(TODAY.year, 3, 1), village=tree.v1, children=4, compliant=3)
    ComplianceSnapshot.objects.create(month=datetime.date(TODAY.year, 4, 1), village=tree.v1, children=4, compliant=1)
    ComplianceSnapshot.objects.create(
        month=datetime.date(TODAY.year - 1, 12, 1), village=tree.v1, children=4, compliant=0
    )
    ComplianceSnapshot.objects.create(month=datetime.date(TODAY.year, 3, 1), village=tree.v2, children=2, compliant=2)
    ledger.evaluation_save(user=users.county_staff, director=users.director, year=TODAY.year, satisfaction=92)
    scores = ledger.evaluations_for([users.director, users.other_director], TODAY.year)
    mine = scores[users.director.pk]
    assert (mine.children, mine.on_time_pct, mine.complete_pct) == (2, 50, 50)
    assert (mine.year_children, mine.year_compliant, mine.year_on_time_pct) == (8, 4, 50)
    assert (mine.activities, mine.findings, mine.findings_open, mine.satisfaction) == (1, 1, 1, 92)
    theirs = scores[users.other_director.pk]
    assert (theirs.children, theirs.complete_pct, theirs.activities, theirs.findings) == (1, 0, 0, 0)
    assert theirs.satisfaction is None and theirs.year_on_time_pct == 100


def test_ledger_pages(client, users, tree):
    Training.objects.create(director=users.director, course="儿童权益保护", date=TODAY, hours=6)
    client.force_login(users.county_staff)
    body = client.get(reverse("oversight:ledger")).content.decode()
    assert f'data-director="{users.director.pk}"' in body and f'data-director="{users.other_director.pk}"' in body
    response = client.post(
        reverse("oversight:training_new", args=[users.other_director.pk]),
        {"course": "心理健康", "date": TODAY.isoformat(), "hours": "4", "exam_result": "passed"},
    )
    assert response.status_code == 302 and users.other_director.trainings.count() == 1
    response = client.post(
        reverse("oversight:evaluation", args=[users.director.pk]) + f"?year={TODAY.year}", {"satisfaction": 88}
    )
    assert response.status_code == 302 and users.director.evaluations.get().satisfaction == 88
    assert "儿童权益保护" in client.get(reverse("oversight:director", args=[users.director.pk])).content.decode()
