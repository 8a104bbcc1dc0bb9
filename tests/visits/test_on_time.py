"""The quarterly on-time rate (visits.selectors.compliance_by_township) is the schedule's "overdue" over the days of
the period (issue 14): a child is on time when it was overdue on no day of the period by the schedule's own due date,
new obligations included (visits.rules.overdue_in_period). Hand-counted cases, and the SQL against the Python
definition over generated children.
"""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from children.models import Child
from tests.factories import ChildFactory
from visits import rules, schedule, selectors
from visits.models import RuleSet, Visit, VisitRule, VisitSchedule

D = datetime.date
Q3 = (D(2026, 7, 1), D(2026, 9, 30))
LONG_AGO = D(2025, 1, 1)


@pytest.fixture
def rule_sets(tree):
    """Everyone: a home visit every 30 days; a red child every 7."""
    RuleSet.objects.all().delete()
    default = RuleSet.objects.create(name="默认", active=True)
    VisitRule.objects.create(rule_set=default, description="全部", source="测试", home_visit_days=30)
    VisitRule.objects.create(rule_set=default, description="红色", source="测试", colours="red", home_visit_days=7)


def home(child: Child, *days: datetime.date, kind: str = "home") -> None:
    for day in days:
        Visit.objects.create(
            child=child,
            kind=kind,
            visit_date=day,
            visited_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
        )


def on_time(*children: Child) -> list[bool]:
    found = selectors.on_time_by_child(Child.objects.all(), *Q3)
    return [found[c.pk] for c in children]


def child(village, *visits: datetime.date, registered_on: datetime.date = LONG_AGO) -> Child:
    made = ChildFactory(village=village, registered_on=registered_on, colour="green")
    home(made, *visits)
    schedule.refresh(child_ids=[made.pk], changed_on=registered_on)
    return made


def turns_red(made: Child, on: datetime.date, *visits_after: datetime.date) -> None:
    """Graded red on `on` (the schedule refreshed that day, as the service does), then visited."""
    Child.objects.filter(pk=made.pk).update(colour="red")
    schedule.refresh(child_ids=[made.pk], changed_on=on)
    home(made, *visits_after)
    schedule.refresh(child_ids=[made.pk], changed_on=max(visits_after, default=on))


def test_a_stricter_interval_since_mid_period_counts_from_the_change(tree, rule_sets):
    # Every 30 days until red on 15 August, then every 7: due min(15 Aug + 7, 10 Aug + 30) = 22 August.
    kept = child(tree.v1, D(2026, 6, 20), D(2026, 7, 18), D(2026, 8, 10))
    turns_red(kept, D(2026, 8, 15), *[D(2026, 8, 20) + datetime.timedelta(days=7 * k) for k in range(6)])
    row = VisitSchedule.objects.get(child=kept)
    assert (row.home_days, row.home_since, row.home_cap) == (7, D(2026, 8, 15), D(2026, 9, 9))
    # Visited on 25 August only: overdue on 23 and 24 August under the new obligation.
    late = child(tree.v1, D(2026, 6, 20), D(2026, 7, 18), D(2026, 8, 10))
    turns_red(late, D(2026, 8, 15), *[D(2026, 8, 25) + datetime.timedelta(days=7 * k) for k in range(6)])
    # The July gaps (28 and 23 days) are not held against the 7-day interval that came in August.
    assert on_time(kept, late) == [True, False]


def test_a_child_overdue_for_a_few_days_is_not_on_time(tree, rule_sets):
    # 12 July -> 13 August is 32 days: due 11 August, overdue on 12 August (one day) and visited on the 13th.
    late = child(tree.v1, D(2026, 6, 15), D(2026, 7, 12), D(2026, 8, 13), D(2026, 9, 10))
    # 12 July -> 11 August is 30 days: visited on the due date, never overdue.
    kept = child(tree.v1, D(2026, 6, 15), D(2026, 7, 12), D(2026, 8, 11), D(2026, 9, 10))
    # Overdue before the period (last visit 1 May, due 31 May) and visited only on 3 July: overdue on 1 and 2 July.
    carried = child(tree.v1, D(2026, 5, 1), D(2026, 7, 3), D(2026, 8, 1), D(2026, 8, 30), D(2026, 9, 28))
    # Overdue after the period only: the last visit 5 September is due 5 October.
    after = child(tree.v1, D(2026, 6, 10), D(2026, 7, 8), D(2026, 8, 6), D(2026, 9, 5))
    # Phone calls are not home visits: due 31 July from the 1 July visit, overdue from 1 August.
    home(after, D(2026, 9, 25), kind="contact")
    called = child(tree.v1, D(2026, 7, 1))
    home(called, D(2026, 7, 20), D(2026, 8, 20), D(2026, 9, 20), kind="contact")
    assert on_time(late, kept, carried, after, called) == [False, True, False, True, False]


def test_a_child_registered_mid_period_counts_from_its_registration(tree, rule_sets):
    # Registered 1 August, due 31 August: visited that day, then 30 September.
    kept = child(tree.v1, D(2026, 8, 31), D(2026, 9, 30), registered_on=D(2026, 8, 1))
    # Registered 1 August, first visited 2 September: overdue on 1 September.
    late = child(tree.v1, D(2026, 9, 2), registered_on=D(2026, 8, 1))
    # Registered 15 September, never visited: due 15 October, on time.
    new = child(tree.v1, registered_on=D(2026, 9, 15))
    assert on_time(kept, late, new) == [True, False, True]


def test_the_township_rate_counts_children_with_a_home_visit_interval(tree, users, rule_sets):
    child(tree.v1, D(2026, 6, 15), D(2026, 7, 12), D(2026, 8, 11), D(2026, 9, 10))  # on time
    child(tree.v2, D(2026, 9, 2), registered_on=D(2026, 8, 1))  # late
    child(tree.v3, D(2026, 8, 31), registered_on=D(2026, 8, 1))  # other township, on time
    child(tree.v1, registered_on=D(2026, 10, 2))  # registered after the period: not counted
    rows = {r["code"]: r for r in selectors.compliance_by_township(users.county_staff, *Q3)}
    assert {c: (r["children"], r["on_time"], r["rate"]) for c, r in rows.items()} == {
        tree.t1.code: (2, 1, 50.0),
        tree.t2.code: (1, 1, 100.0),
    }


# ---------------------------------------------------------------- the SQL against the Python definition

# Over two and a half years, so that a period's last visit before it may lie before `recent_since` (the first of
# January of the year before the period), where the SQL looks only for children with none since.
START = D(2024, 1, 1)
day = st.integers(min_value=0, max_value=900).map(lambda n: START + datetime.timedelta(days=n))
child_data = st.fixed_dictionaries(
    {
        "registered_on": day,
        "visits": st.lists(st.tuples(day, st.sampled_from(["home", "home", "contact", "school"])), max_size=8),
        "days": st.one_of(st.none(), st.sampled_from([0, 1, 7, 30]), st.integers(min_value=1, max_value=120)),
        "since": st.one_of(st.none(), day),
        "cap": st.one_of(st.none(), day),
    }
)
world = st.fixed_dictionaries(
    {
        "children": st.lists(child_data, min_size=1, max_size=8),
        "first": day,
        "length": st.integers(min_value=0, max_value=100),
    }
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=world)
# Two visits on one day and one on the period's last day, before a stricter interval whose cap has passed (late)
# and one whose cap has not (on time).
@example(
    data={
        "first": D(2026, 3, 1),
        "length": 10,
        "children": [
            {
                "registered_on": D(2026, 1, 1),
                "visits": [(D(2026, 3, 5), "home"), (D(2026, 3, 5), "home"), (D(2026, 3, 11), "home")],
                "days": 7,
                "since": D(2026, 3, 20),
                "cap": cap,
            }
            for cap in (D(2026, 3, 3), D(2026, 3, 30))
        ],
    }
)
# A last home visit before `recent_since` of the period (2025-01-01) that keeps a child with a 400-day interval on
# time: the SQL must still find it, looking further back only for children with none since.
@example(
    data={
        "first": D(2026, 1, 15),
        "length": 5,
        "children": [
            {
                "registered_on": D(2024, 6, 1),
                "visits": [(D(2024, 12, 31), "home")],
                "days": 400,
                "since": None,
                "cap": None,
            }
        ],
    }
)
def test_the_sql_is_the_python_definition(tree, data):
    with transaction.atomic():
        first, last = data["first"], data["first"] + datetime.timedelta(days=data["length"])
        expected = {}
        for item in data["children"]:
            made = ChildFactory(village=tree.v1, registered_on=item["registered_on"])
            for visit_day, kind in item["visits"]:
                home(made, visit_day, kind=kind)
            VisitSchedule.objects.create(
                child=made,
                village=tree.v1,
                home_days=item["days"],
                home_since=item["since"],
                home_cap=item["cap"],
            )
            if item["days"] is not None:
                expected[made.pk] = not rules.overdue_in_period(
                    first,
                    last,
                    registered_on=item["registered_on"],
                    visit_dates=[d for d, kind in item["visits"] if kind in rules.HOME_KINDS],
                    obligation=rules.Obligation(item["days"], item["since"], item["cap"]),
                )
        assert selectors.on_time_by_child(Child.objects.all(), first, last) == expected
        transaction.set_rollback(True)


def test_the_page_says_what_on_time_means(client, users, tree):
    from django.urls import reverse

    client.force_login(users.county_staff)
    body = client.get(reverse("visits:compliance")).content.decode()
    assert "本季度内没有一天逾期的儿童计为及时" in body
