import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from tests.factories import CategoryFactory, ChildFactory, visit_fields
from visits import services
from visits.models import Visit, VisitPhoto, VisitSchedule

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _visit(kind="home", days_ago=0):
    at = timezone.now() - datetime.timedelta(days=days_ago)
    return Visit(**visit_fields(kind, visited_at=at))


@pytest.fixture
def orphan(tree):
    child = ChildFactory(village=tree.v1, registered_on=datetime.date(2025, 1, 1), address="东关村1号")
    CategoryFactory(child=child, category="orphan_scattered")
    return child


def test_a_home_visit_moves_the_due_date(users, orphan):
    from visits import schedule

    schedule.refresh(child_ids=[orphan.pk])
    assert VisitSchedule.objects.get(child=orphan).due_on < timezone.localdate()  # overdue since registration
    services.visit_create(user=users.director, child=orphan, visit=_visit())
    s = VisitSchedule.objects.get(child=orphan)
    assert s.last_home_on == timezone.localdate()
    assert s.home_due_on == timezone.localdate() + datetime.timedelta(days=30)


def test_a_phone_contact_is_not_a_home_visit(users, orphan):
    services.visit_create(user=users.director, child=orphan, visit=_visit("contact"))
    s = VisitSchedule.objects.get(child=orphan)
    assert s.last_home_on is None and s.last_contact_on == timezone.localdate()


def test_household_visit_makes_one_row_per_child(users, tree, orphan):
    sibling = ChildFactory(village=tree.v1, address=orphan.address)
    made = services.visit_create(user=users.director, child=orphan, visit=_visit(), household=[sibling])
    assert {v.child_id for v in made} == {orphan.pk, sibling.pk}
    assert made[0].household_key and made[0].household_key == made[1].household_key
    assert VisitSchedule.objects.get(child=sibling).last_home_on == timezone.localdate()


def test_future_visits_are_refused_and_nothing_is_written(users, orphan):
    with pytest.raises(ValidationError):
        services.visit_create(user=users.director, child=orphan, visit=_visit(days_ago=-2))
    assert not Visit.objects.exists()


def test_a_photo_that_is_not_an_image_is_refused(users, orphan):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as excinfo:
        services.visit_create(user=users.director, child=orphan, visit=_visit(), photos=[fake])
    assert "photos" in excinfo.value.message_dict
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()


def test_photos_are_stored_with_random_names(users, orphan):
    photo = SimpleUploadedFile("张三家.png", PNG, content_type="image/png")
    (visit,) = services.visit_create(user=users.director, child=orphan, visit=_visit(), photos=[photo])
    stored = visit.photos.get().image.name
    assert "张三" not in stored and stored.endswith(".png")


def test_a_liaison_cannot_log_visits(users, orphan):
    from guardian.shortcuts import assign_perm

    assign_perm("children.view_child", users.liaison, orphan)
    with pytest.raises(PermissionDenied):
        services.visit_create(user=users.liaison, child=orphan, visit=_visit())


def test_editing_a_visit_keeps_history_and_entry_time(users, orphan):
    (visit,) = services.visit_create(user=users.director, child=orphan, visit=_visit(days_ago=3))
    entered = visit.created_at
    visit.problems_found = "家中无人照看"
    services.visit_update(user=users.director, visit=visit)
    visit.refresh_from_db()
    assert visit.created_at == entered
    assert visit.history.count() == 2
    assert visit.history.last().problems_found == ""


def test_back_dated_entry_is_visible(users, orphan):
    (visit,) = services.visit_create(user=users.director, child=orphan, visit=_visit(days_ago=5))
    assert visit.is_back_dated
    (today,) = services.visit_create(user=users.director, child=orphan, visit=_visit())
    assert not today.is_back_dated


def test_screening_confirmation_is_once_per_child(users, tree, orphan):
    campaign = services.campaign_create(
        user=users.county_staff,
        name="2026年下半年排查",
        area=tree.county,
        starts_on=datetime.date(2026, 7, 1),
        deadline=datetime.date(2026, 12, 31),
    )
    services.screening_confirm(
        user=users.director, campaign=campaign, child=orphan, still_eligible=True, data_current=True
    )
    with pytest.raises(ValidationError):
        services.screening_confirm(
            user=users.director, campaign=campaign, child=orphan, still_eligible=True, data_current=True
        )
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            user=users.director,
            name="x",
            area=tree.v1,
            starts_on=datetime.date(2026, 1, 1),
            deadline=datetime.date(2026, 2, 1),
        )


# The least a visit says (issue 15).

HOME_FIELDS = {"met_whom", "living_conditions", "caregiver_status", "safety_hazards", "mood"}


def _overdue_by_79_days(orphan) -> None:
    """Last home visit 109 days ago under a 30-day rule (000 #27, scattered orphans): 79 days overdue."""
    from visits import schedule

    at = timezone.now() - datetime.timedelta(days=109)
    Visit.objects.create(child=orphan, kind="home", visited_at=at, visit_date=timezone.localdate(at), met_whom="奶奶")
    schedule.refresh(child_ids=[orphan.pk])
    due = VisitSchedule.objects.get(child=orphan).home_due_on
    assert (timezone.localdate() - due).days == 79


def test_an_empty_home_visit_is_refused_field_by_field_and_clears_nobody(users, orphan):
    _overdue_by_79_days(orphan)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        services.visit_create(user=users.director, child=orphan, visit=Visit(kind="home", visited_at=timezone.now()))
    errors = excinfo.value.message_dict
    assert set(errors) == HOME_FIELDS
    assert errors["met_whom"] == ["请填写见到或联系了谁（儿童本人、父母、监护人或照护人等）。"]
    assert errors["safety_hazards"] == ["请填写看到的安全隐患；没有隐患请填写“无”。"]
    assert errors["mood"] == ["请选择儿童的情绪和行为情况。"]
    assert Visit.objects.filter(child=orphan).count() == 1
    assert (timezone.localdate() - VisitSchedule.objects.get(child=orphan).home_due_on).days == 79


def test_a_home_visit_missing_one_observation_is_refused_for_that_field(users, orphan):
    visit = _visit()
    visit.caregiver_status = ""
    visit.met_whom = "   "  # blank is blank
    with pytest.raises(ValidationError) as excinfo:
        services.visit_create(user=users.director, child=orphan, visit=visit)
    assert set(excinfo.value.message_dict) == {"caregiver_status", "met_whom"}
    assert not Visit.objects.exists()


def test_a_contact_needs_whom_and_how_and_no_home_observations(users, orphan):
    with pytest.raises(ValidationError) as excinfo:
        services.visit_create(user=users.director, child=orphan, visit=Visit(kind="contact", visited_at=timezone.now()))
    assert set(excinfo.value.message_dict) == {"met_whom", "channel"}
    at = timezone.now()
    (made,) = services.visit_create(
        user=users.director, child=orphan, visit=Visit(kind="contact", visited_at=at, met_whom="母亲", channel="phone")
    )
    assert made.living_conditions == "" and made.get_channel_display()


def test_an_edit_cannot_empty_a_visit(users, orphan):
    (visit,) = services.visit_create(user=users.director, child=orphan, visit=_visit())
    visit.mood = ""
    visit.safety_hazards = ""
    with pytest.raises(ValidationError) as excinfo:
        services.visit_update(user=users.director, visit=visit)
    assert set(excinfo.value.message_dict) == {"mood", "safety_hazards"}
    visit.refresh_from_db()
    assert visit.mood == "good" and visit.safety_hazards == "无"


# The future, in dates of Asia/Shanghai (issue 15).

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_visit_after_midnight_is_refused_before_midnight(users, orphan):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 23, 55, tzinfo=SHANGHAI), tick=False):
        tomorrow = datetime.datetime(2026, 3, 11, 0, 5, tzinfo=SHANGHAI)  # 10 minutes ahead, but tomorrow
        with pytest.raises(ValidationError) as excinfo:
            services.visit_create(user=users.director, child=orphan, visit=Visit(**visit_fields(visited_at=tomorrow)))
        assert set(excinfo.value.message_dict) == {"visited_at"}
        assert not Visit.objects.exists()
        # The allowance for a phone's clock still holds within today.
        (made,) = services.visit_create(
            user=users.director,
            child=orphan,
            visit=Visit(**visit_fields(visited_at=datetime.datetime(2026, 3, 10, 23, 59, tzinfo=SHANGHAI))),
        )
        assert made.visit_date == datetime.date(2026, 3, 10)


def test_an_edit_cannot_move_a_visit_past_midnight(users, orphan):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 23, 55, tzinfo=SHANGHAI), tick=False):
        (visit,) = services.visit_create(user=users.director, child=orphan, visit=_visit())
        visit.visited_at = datetime.datetime(2026, 3, 11, 0, 1, tzinfo=SHANGHAI)
        with pytest.raises(ValidationError):
            services.visit_update(user=users.director, visit=visit)
