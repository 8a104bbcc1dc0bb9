"""Duties the archive records but nothing checked (issue 15): parents away who contact the child less than weekly
(001 §6, 003 §5), left-behind children without a signed entrusted-care agreement (002, 003 §5), villages and
townships without parents' training in the year (001 §2), and the 30 June 2024 screening milestone (001 §10, 003 §8,
004 §三(二)) against the screenings and registrations that happened. Figures counted by hand from the data below."""

import datetime
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import Notification, Role
from children.models import AccessLog, ContactFrequency, EntrustedCare
from oversight import duties, rules
from oversight.models import Activity, ScreeningMilestone
from tests.factories import CategoryFactory, ChildFactory, FamilyMemberFactory, UserFactory
from visits.models import ScreeningCampaign

D = datetime.date
SEEDS = Path("/work/shared/seeds")


def _child(village, category="left_behind_rural", **kwargs):
    child = ChildFactory(village=village, **kwargs)
    if category:
        CategoryFactory(child=child, category=category)
    return child


def _parent(child, frequency, relation="father", **kwargs):
    return FamilyMemberFactory(child=child, relation=relation, contact_frequency=frequency, **kwargs)


def _care(child, signed):
    return EntrustedCare.objects.create(
        child=child, caregiver_name="李奶奶", relation="grandparent", agreement_signed=signed
    )


def _training(area_, day):
    return Activity.objects.create(
        kind="parent_training", date=day, area=area_, place="村委会", topic="家长心理健康培训"
    )


@pytest.fixture
def families(users, tree):
    """Seven children; by hand:
    a (东关村, rural left-behind): father away, monthly (miss); mother away, weekly; agreement signed.
    b (东关村, urban left-behind): mother away, never (miss); agreement signed.
    c (西关村, rural left-behind): father away, frequency not recorded; agreement not signed (miss).
    d (东关村, scattered orphan): father away, rarely — not left-behind: not listed; no agreement needed.
    e (东关村, rural left-behind, archive closed): father away, never — closed: not listed.
    f (南村, rural left-behind): grandparent away (not a guardian), never — not a parent: not listed; father daily;
      no entrusted caregiver at all (miss).
    g (北关村, the other county): father away, monthly (miss there); no agreement (miss there)."""
    a = _child(tree.v1)
    _parent(a, "monthly")
    _parent(a, "weekly", relation="mother", name="李芳")
    _care(a, True)
    b = _child(tree.v1, category="left_behind_urban")
    _parent(b, "never", relation="mother", name="赵丽")
    _care(b, True)
    c = _child(tree.v2)
    _parent(c, "")
    _care(c, False)
    d = _child(tree.v1, category="orphan_scattered")
    _parent(d, "rarely")
    e = _child(tree.v1, status="closed")
    _parent(e, "never")
    f = _child(tree.v3)
    _parent(f, "never", relation="grandparent", name="王爷爷")
    _parent(f, "daily")
    g = _child(tree.v4)
    _parent(g, "monthly")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}


def test_every_contact_frequency_is_either_weekly_or_below_it():
    assert set(rules.WEEKLY_OR_MORE) | set(rules.BELOW_WEEKLY) == set(ContactFrequency.values)
    assert not set(rules.WEEKLY_OR_MORE) & set(rules.BELOW_WEEKLY)
    assert rules.contact_below_weekly("monthly") is True
    assert rules.contact_below_weekly("weekly") is False
    assert rules.contact_below_weekly("") is None


def test_parents_away_contacting_less_than_weekly_are_listed_per_area(users, tree, families):
    gaps = duties.recorded_gaps(users.county_staff, 2026, today=D(2026, 11, 22))
    assert sorted((m.child_id, m.relation) for m in gaps["contact_missed"]) == sorted(
        [(families["a"].pk, "father"), (families["b"].pk, "mother")]
    )
    assert gaps["contact_missed_n"] == 2
    assert gaps["contact_unrecorded_n"] == 1  # c's father
    mine = duties.recorded_gaps(users.director, 2026, today=D(2026, 11, 22))
    assert mine["contact_missed_n"] == 2 and mine["contact_unrecorded_n"] == 0
    other = duties.recorded_gaps(users.other_director, 2026, today=D(2026, 11, 22))
    assert other["contact_missed_n"] == 0 and other["contact_unrecorded_n"] == 1
    there = duties.recorded_gaps(users.other_county_staff, 2026, today=D(2026, 11, 22))
    assert [m.child_id for m in there["contact_missed"]] == [families["g"].pk]


def test_left_behind_children_without_a_signed_agreement_are_listed(users, tree, families):
    gaps = duties.recorded_gaps(users.county_staff, 2026, today=D(2026, 11, 22))
    assert sorted(c.pk for c in gaps["agreement_missed"]) == sorted([families["c"].pk, families["f"].pk])
    assert gaps["agreement_missed_n"] == 2
    assert duties.recorded_gaps(users.director, 2026, today=D(2026, 11, 22))["agreement_missed_n"] == 0
    EntrustedCare.objects.filter(child=families["c"]).update(agreement_signed=True)
    assert duties.recorded_gaps(users.other_director, 2026, today=D(2026, 11, 22))["agreement_missed_n"] == 0


def test_villages_and_townships_without_parents_training_in_the_year(users, tree):
    _training(tree.v1, D(2025, 11, 1))  # last year: does not count for 2026
    _training(tree.t2, D(2026, 5, 1))  # 南村镇: counts for the township and its village 南村
    _training(tree.other_county, D(2026, 4, 1))  # 胶州市: not ours
    gaps = duties.recorded_gaps(users.county_staff, 2026, today=D(2026, 11, 22))
    assert [v.code for v in gaps["training_villages"]] == [tree.v1.code, tree.v2.code]
    assert gaps["training_villages_n"] == 2
    assert [t.code for t in gaps["training_townships"]] == [tree.t1.code]
    # A training in one village of 东阁街道 covers the township, not its other village.
    _training(tree.v1, D(2026, 3, 1))
    gaps = duties.recorded_gaps(users.county_staff, 2026, today=D(2026, 11, 22))
    assert [v.code for v in gaps["training_villages"]] == [tree.v2.code]
    assert gaps["training_townships"] == []
    # 2025: only 东关村 held one, so 西关村 and 南村 missed it and both townships... 东阁街道 did (in 东关村).
    last_year = duties.recorded_gaps(users.county_staff, 2025, today=D(2026, 11, 22))
    assert [v.code for v in last_year["training_villages"]] == [tree.v2.code, tree.v3.code]
    assert [t.code for t in last_year["training_townships"]] == [tree.t2.code]
    # A future year lists nothing yet.
    assert duties.recorded_gaps(users.county_staff, 2027, today=D(2026, 11, 22))["training_villages_n"] == 0


def test_a_county_wide_training_covers_every_village(users, tree):
    _training(tree.county, D(2026, 6, 1))
    gaps = duties.recorded_gaps(users.county_staff, 2026, today=D(2026, 11, 22))
    assert gaps["training_villages"] == [] and gaps["training_townships"] == []


# ------------------------------------------------------------------ the milestone


@pytest.mark.django_db
def test_the_shipped_milestones_quote_their_seeds_word_for_word():
    shipped = {m.area_id: m for m in ScreeningMilestone.objects.all()}
    assert set(shipped) == {"370000", "330903", "120116"}  # 000 and 002 give no date
    for code, seed, source in (
        ("370000", "001", "001 §10"),
        ("330903", "003", "003 §8"),
        ("120116", "004", "004 §三(二)"),
    ):
        text = next(SEEDS.glob(f"{seed}_*.txt")).read_text(encoding="utf-8")
        assert shipped[code].source == source
        assert shipped[code].clause in text
        assert shipped[code].due_on == D(2024, 6, 30)
    assert shipped["120116"].reading and not shipped["370000"].reading  # 004 says only 6月前: the reading is ours


@pytest.mark.django_db
def test_the_nearest_milestone_applies():
    milestones = list(ScreeningMilestone.objects.select_related("area"))
    assert duties.milestone_for("370283", milestones).source == "001 §10"  # Qingdao's county: Shandong's plan
    assert duties.milestone_for("330903", milestones).source == "003 §8"
    assert duties.milestone_for("320115", milestones) is None  # Jiangsu: no date in 002


def test_the_milestone_table_counts_screenings_and_registrations_per_county(users, tree):
    city_staff = UserFactory(username="city_staff", role=Role.CIVIL_AFFAIRS, areas=[tree.city])
    for name, area_, start, end in (
        ("县排查", tree.county, D(2024, 5, 1), D(2024, 6, 20)),  # whole county, started and ended by 30 June
        ("市排查", tree.city, D(2024, 6, 15), D(2024, 7, 15)),  # whole county, started by, ended after
        ("街道排查", tree.t1, D(2024, 3, 1), D(2024, 4, 1)),  # part of the county
        ("下半年", tree.county, D(2024, 7, 1), D(2024, 8, 1)),  # after the date: not counted
        ("胶州", tree.other_county, D(2024, 5, 1), D(2024, 6, 1)),  # the other county only
    ):
        ScreeningCampaign.objects.create(name=name, area=area_, starts_on=start, deadline=end)
    for day in (D(2024, 1, 3), D(2024, 6, 30), D(2023, 9, 1), D(2024, 7, 1), D(2026, 1, 5)):
        ChildFactory(village=tree.v1, registered_on=day)
    ChildFactory(village=tree.v3, registered_on=D(2024, 6, 1), status="closed")  # closed since: still registered by
    ChildFactory(village=tree.v4, registered_on=D(2024, 8, 1))
    rows = {r.county.code: r for r in duties.milestone_table(city_staff)}
    pingdu = rows["370283"]
    assert (pingdu.whole_started, pingdu.whole_finished, pingdu.part_started) == (2, 1, 1)
    assert (pingdu.registered_by, pingdu.registered_after) == (4, 2)
    assert pingdu.status == "met" and pingdu.milestone.source == "001 §10"
    jiaozhou = rows["370281"]
    # Its own screening and the city's (started 15 June, ended after the date).
    assert (jiaozhou.whole_started, jiaozhou.whole_finished, jiaozhou.part_started) == (2, 1, 0)
    assert (jiaozhou.registered_by, jiaozhou.registered_after) == (0, 1)
    # The county sees its own row only; a director none.
    assert [r.county.code for r in duties.milestone_table(users.county_staff)] == ["370283"]
    assert duties.milestone_table(users.director) == []


def test_a_county_with_a_screening_only_started_by_the_date_has_not_met_it(users, tree):
    ScreeningCampaign.objects.create(name="市排查", area=tree.city, starts_on=D(2024, 6, 15), deadline=D(2024, 7, 15))
    (row,) = duties.milestone_table(users.county_staff)
    assert row.status == "started"
    ScreeningCampaign.objects.all().delete()
    (row,) = duties.milestone_table(users.county_staff)
    assert row.status == "missed"


# ------------------------------------------------------------------ the page and the reminder


def test_the_duties_page_shows_the_lists_and_logs_the_children_shown(client, users, tree, families):
    client.force_login(users.county_staff)
    response = client.get(reverse("oversight:duties"), {"year": 2026})
    assert response.status_code == 200
    body = response.content.decode()
    for key in ("a", "b"):
        assert f'data-child="{families[key].pk}"' in body
    assert 'id="milestone"' in body and 'data-county="370283"' in body
    logged = set(AccessLog.objects.filter(user=users.county_staff).values_list("child_id", flat=True))
    assert logged == {families["a"].pk, families["b"].pk, families["c"].pk, families["f"].pk}
    client.force_login(users.liaison)
    assert client.get(reverse("oversight:duties")).status_code == 404


def test_the_duties_page_reads_a_fixed_number_of_queries(client, users, tree, families):
    from tests.oversight.conftest import count_queries

    client.force_login(users.county_staff)
    before = count_queries(client, reverse("oversight:duties"), {"year": 2026})
    for _ in range(3):
        extra = _child(tree.v2)
        _parent(extra, "monthly")
    AccessLog.objects.all().delete()
    after = count_queries(client, reverse("oversight:duties"), {"year": 2026})
    assert after == before


def test_the_weekly_reminder_tells_directors_and_county_staff_once_a_week(users, tree, families):
    monday = D(2026, 11, 23)
    counts = duties.reminder_counts(monday)
    # (children whose parents away contact them less than weekly, left-behind without a signed agreement, villages
    # without parents' training this year): no training anywhere, so 平度市 has 3 villages and 胶州市 1.
    assert counts[users.director.pk] == (2, 0, 0)
    assert counts[users.other_director.pk] == (0, 1, 0)
    assert counts[users.county_staff.pk] == (2, 2, 3)
    assert counts[users.other_county_staff.pk] == (1, 1, 1)
    assert users.supervisor.pk not in counts
    assert duties.send_reminders(today=monday)["notified"] == 4
    duties.send_reminders(today=D(2026, 11, 25))  # the same ISO week: nothing new
    assert Notification.objects.filter(key="duties-recorded:2026-W48").count() == 4
    duties.send_reminders(today=D(2026, 11, 30))
    assert Notification.objects.filter(key="duties-recorded:2026-W49").count() == 4


def test_nobody_is_reminded_when_nothing_is_missed(users, tree):
    _training(tree.province, D(2026, 1, 10))  # every village covered; no left-behind children
    ChildFactory(village=tree.v1)
    assert duties.send_reminders(today=D(2026, 11, 23))["notified"] == 0


def test_the_reminder_task_runs_for_a_given_date(users, tree, families):
    from oversight.tasks import duty_reminders

    assert duty_reminders("2026-11-23")["notified"] == 4


def test_the_reminder_is_scheduled_weekly_and_registered(db):
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    from config.celery import app

    migration = importlib.import_module("oversight.migrations.0002_screening_milestones")
    migration.ship(apps, None)  # a transactional test elsewhere may have flushed the rows; twice creates nothing new
    migration.ship(apps, None)
    task = PeriodicTask.objects.get(task="oversight.tasks.duty_reminders")
    assert task.enabled and (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("7", "40", "1")
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    assert ScreeningMilestone.objects.count() == 3
    app.loader.import_default_modules()
    assert "oversight.tasks.duty_reminders" in app.tasks
