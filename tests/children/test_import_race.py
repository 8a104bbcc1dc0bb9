"""Two confirmations of one check at the same moment, on PostgreSQL: one import, the other told (issue 15)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import translation

from children import jobs
from children.models import Job, JobKind, JobState

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_confirmations_at_once_start_one_import(require_postgres, users, tree, monkeypatch):
    """The first confirmation is held between its checks and the creation of its job while the second arrives:
    the second waits on the check's row, then sees the first import and is refused with a message."""
    preview = Job(kind=JobKind.IMPORT_PREVIEW, user=users.county_staff, state=JobState.DONE)
    preview.summary = {"totals": {"new": 2, "invalid": 0}}
    preview.source.save("roster.xlsx", ContentFile(b"not read here"), save=True)
    monkeypatch.setattr(jobs, "dispatch", lambda job, inline: None)
    create = Job.objects.create
    first_inside, second_started = threading.Event(), threading.Event()

    def held_create(**kwargs):
        if not first_inside.is_set():
            first_inside.set()
            second_started.wait(5)
            threading.Event().wait(0.5)  # the second confirmation is now running its checks (or waiting)
        return create(**kwargs)

    monkeypatch.setattr(Job.objects, "create", held_create)
    outcomes: dict[str, object] = {}

    def confirm(name: str) -> None:
        try:
            with translation.override("zh-hans"):
                outcomes[name] = jobs.start_import(user=users.county_staff, preview=preview, valid_only=False)
        except ValidationError as exc:
            outcomes[name] = exc.messages[0]
        finally:
            connection.close()

    first = threading.Thread(target=confirm, args=("first",))
    first.start()
    assert first_inside.wait(5)
    second = threading.Thread(target=confirm, args=("second",))
    second.start()
    second_started.set()
    first.join(10)
    second.join(10)
    assert isinstance(outcomes["first"], Job)
    assert outcomes["second"] == "此文件正在导入，请等待该次导入完成。"
    assert Job.objects.filter(kind=JobKind.IMPORT, params__preview=preview.pk).count() == 1
