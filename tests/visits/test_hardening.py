"""Regression tests for the review findings: uploads, masking, dates, emails, concurrent refresh."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from children import services as child_services
from children.models import Child
from tests.factories import CategoryFactory, ChildFactory, valid_id, visit_fields
from visits import reminders, schedule, services
from visits.models import Visit, VisitSchedule


def test_an_html_file_disguised_as_a_photo_is_stored_and_served_as_an_image(client, users, child):
    evil = SimpleUploadedFile("x.html", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", content_type="text/html")
    (visit,) = services.visit_create(
        user=users.director, child=child, visit=Visit(**visit_fields(visited_at=timezone.now())), photos=[evil]
    )
    photo = visit.photos.get()
    assert photo.image.name.endswith(".png")
    client.force_login(users.supervisor)
    response = client.get(reverse("visits:photo", args=[child.pk, visit.pk, photo.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_masked_roles_find_a_child_only_by_the_whole_id_number(client, users, child):
    client.force_login(users.supervisor)
    url = reverse("children:list")
    assert client.post(url, {"q": child.id_number[:10]}, follow=True).context["page"].paginator.count == 0
    assert client.post(url, {"q": child.id_number.lower()}, follow=True).context["page"].paginator.count == 1
    client.force_login(users.director)
    assert client.post(url, {"q": child.id_number[:10]}, follow=True).context["page"].paginator.count == 1


def test_history_masks_id_numbers_for_masked_roles_and_shows_labels(client, users, child):
    child.id_number = valid_id()
    child.save()  # a changed number in the history
    Child.objects.filter(pk=child.pk).update()
    c = Child.objects.get(pk=child.pk)
    c.colour = "red"
    c.save()
    client.force_login(users.supervisor)
    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert child.id_number not in body
    assert "红" in body and "→ red" not in body


def test_supervisors_cannot_see_or_change_the_full_number_in_the_edit_form(client, users, child):
    client.force_login(users.supervisor)
    body = client.get(reverse("children:edit", args=[child.pk])).content.decode()
    assert child.id_number not in body and 'name="id_number"' not in body


def test_editing_cannot_move_a_child_to_another_village(client, users, tree, child):
    client.force_login(users.county_staff)
    form = client.get(reverse("children:edit", args=[child.pk])).context["form"]
    assert "village" not in form.fields
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"village": tree.v3.code, "health": "healthy", "version": child.version})
    client.post(reverse("children:edit", args=[child.pk]), data)
    child.refresh_from_db()
    assert child.village_id == tree.v1.code


def test_a_transfer_to_another_county_by_village_code(client, users, tree, child):
    client.force_login(users.director)
    response = client.post(
        reverse("children:transfer", args=[child.pk]),
        {"to_village": tree.v4.code, "transferred_on": timezone.localdate().isoformat(), "reason": "随父母迁居胶州"},
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.village_id == tree.v4.code and child.transfers.count() == 1


@pytest.mark.parametrize("call", ["category_end", "colour", "adult"])
def test_impossible_dates_are_refused(users, tree, child, call):
    future = timezone.localdate() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError):
        if call == "category_end":
            item = CategoryFactory(child=child, category="dropout")
            child_services.category_end(user=users.director, item=item, ended_on=future)
        elif call == "colour":
            child_services.colour_set(user=users.director, child=child, colour="red", on=future, reason="x")
        else:
            adult = Child(
                name="成年人",
                id_number=valid_id(birth=datetime.date(2000, 1, 1)),
                sex="M",
                birth_date=datetime.date(2000, 1, 1),
                village=tree.v1,
            )
            child_services.child_register(user=users.director, child=adult)


def test_a_failed_email_is_sent_by_the_next_run_and_never_twice(users, tree, monkeypatch):
    users.director.email = "d@example.cn"
    users.director.save()
    Notification.objects.create(user=users.director, key="visits-due:x", title="本周待访")
    calls = {"n": 0}
    real = reminders.send_mail

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("mail server down")
        return real(*args, **kwargs)

    monkeypatch.setattr(reminders, "send_mail", flaky)
    assert reminders.send_pending_emails() == 0
    assert Notification.objects.get().emailed_at is None
    assert reminders.send_pending_emails() == 1
    assert reminders.send_pending_emails() == 0
    assert len(mail.outbox) == 1


def test_an_older_refresh_never_overwrites_a_newer_schedule(users, tree):
    from django.db import connection

    child = ChildFactory(village=tree.v1, registered_on=datetime.date(2025, 1, 1))
    CategoryFactory(child=child, category="orphan_scattered")
    services.visit_create(user=users.director, child=child, visit=Visit(**visit_fields(visited_at=timezone.now())))
    fresh = VisitSchedule.objects.get(child=child)
    # A sweep that read the data before that visit (simulated: without the visit) and writes later:
    Visit.objects.filter(child=child).update(kind="other")
    with connection.cursor() as cursor:
        cursor.execute(
            *schedule.statement(
                "AND c.id = %s",
                [child.pk],
                12,
                refreshed_at=fresh.refreshed_at - datetime.timedelta(seconds=30),
                changed_on=timezone.localdate(),
            )
        )
    assert VisitSchedule.objects.get(child=child).last_home_on == fresh.last_home_on
