import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guardianship import rules, services
from guardianship.models import Assessment, Instrument, Option
from tests.factories import CategoryFactory, ChildFactory
from tests.visits.test_rules import village_in
from visits.models import VisitSchedule

TODAY = datetime.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("scores", "critical", "grade"),
    [
        ([0, 0, 0], False, "low"),
        ([3, 3, 1], False, "low"),  # 7: below medium (8)
        ([3, 3, 2], False, "medium"),  # 8: the threshold itself
        ([3, 3, 3, 3, 3], False, "medium"),  # 15
        ([3, 3, 3, 3, 3, 1], False, "high"),  # 16
        ([0, 0, 3], True, "high"),  # a critical answer: high whatever the total
    ],
)
def test_score_to_grade(scores, critical, grade):
    answers = [rules.Answer(s) for s in scores[:-1]] + [rules.Answer(scores[-1], critical)]
    assert rules.grade_for(answers, {"medium": 8, "high": 16}) == (sum(scores), grade)


@pytest.fixture
def instrument(db):
    return Instrument.objects.get(version="2024.1")


def _answers(instrument, pick):
    """Choose, for every item, the option at index `pick(item)` (clamped)."""
    out = {}
    for dim in instrument.dimensions.all():
        for item in dim.items.all():
            opts = list(item.options.all())
            out[item.pk] = opts[min(pick(item), len(opts) - 1)].pk
    return out


def test_the_default_instrument_is_shipped_with_six_dimensions(instrument):
    assert instrument.dimensions.count() == 6
    assert Option.objects.filter(item__dimension__instrument=instrument, critical=True).count() == 2
    assert "本地规范" in instrument.source


def test_an_assessment_grades_the_child_and_makes_putuo_visits_more_frequent(users, instrument):
    from accounts.models import Role
    from tests.factories import UserFactory

    village = village_in("330903")
    child = ChildFactory(village=village, registered_on=datetime.date(2026, 1, 1))
    CategoryFactory(child=child, category="left_behind_rural")
    staff = UserFactory(role=Role.CIVIL_AFFAIRS, areas=[village.parent.parent])
    from visits import schedule

    schedule.refresh(child_ids=[child.pk])
    assert VisitSchedule.objects.get(child=child).home_days == 90
    # Middle answers everywhere: medium risk.
    a = services.assessment_create(
        user=staff, child=child, instrument=instrument, assessed_on=TODAY, answers=_answers(instrument, lambda item: 1)
    )
    child.refresh_from_db()
    assert a.grade == "medium" and child.risk_grade == "medium"
    assert VisitSchedule.objects.get(child=child).home_days == 14  # 003 §8: more often for medium risk
    assert rules.PROPOSED_COLOUR[a.grade] == "orange"


def test_a_critical_answer_makes_the_grade_high(users, child, instrument):
    critical = Option.objects.filter(item__dimension__instrument=instrument, critical=True).first()
    answers = _answers(instrument, lambda item: 0)
    answers[critical.item_id] = critical.pk
    a = services.assessment_create(
        user=users.director, child=child, instrument=instrument, assessed_on=TODAY, answers=answers
    )
    assert a.grade == "high" and a.score == critical.score


def test_incomplete_or_foreign_answers_are_refused_and_nothing_is_written(users, child, instrument):
    answers = _answers(instrument, lambda item: 0)
    first_item = next(iter(answers))
    incomplete = dict(answers)
    del incomplete[first_item]
    with pytest.raises(ValidationError):
        services.assessment_create(
            user=users.director, child=child, instrument=instrument, assessed_on=TODAY, answers=incomplete
        )
    wrong = dict(answers)
    wrong[first_item] = answers[list(answers)[1]]  # an option of another item
    with pytest.raises(ValidationError):
        services.assessment_create(
            user=users.director, child=child, instrument=instrument, assessed_on=TODAY, answers=wrong
        )
    with pytest.raises(PermissionDenied):
        services.assessment_create(
            user=users.other_director, child=child, instrument=instrument, assessed_on=TODAY, answers=answers
        )
    assert not Assessment.objects.exists()


def test_assessing_through_the_form(client, users, child, instrument):
    from django.urls import reverse

    client.force_login(users.director)
    url = reverse("guardianship:assessment_new", args=[child.pk])
    form = client.get(url).context["form"]
    data = {"assessed_on": "2026-11-20", "narrative": "祖母年迈，照料吃力"}
    for _item_pk, name in form.item_fields:
        data[name] = form.fields[name].choices[1][0]  # the second option everywhere
    response = client.post(url, data)
    a = Assessment.objects.get(child=child)
    assert response.status_code == 302 and a.grade == "medium" and a.narrative == "祖母年迈，照料吃力"
    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert reverse("guardianship:assessment", args=[child.pk, a.pk]) in body
    del data[form.item_fields[0][1]]
    response = client.post(url, data)
    assert response.status_code == 200 and Assessment.objects.count() == 1  # unanswered: refused
