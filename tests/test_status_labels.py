"""Every status of every model says in Chinese what it is: a closed mandatory report is 报告办结, not the archive's
已销档 (issue 15). The map is built over every TextChoices class named *Status or *State in the project (and the
status-like classes named otherwise, listed below), so a new one is checked without editing this test; two statuses
of different classes may share a Chinese word only where the allow-list says why that cannot mislead."""

import importlib
import pkgutil

from django.db import models
from django.utils import translation

APPS = ("accounts", "children", "visits", "guardianship", "tasks", "oversight", "dashboards")

# Chinese word -> why sharing it between these statuses is right (none needs to share one today).
ALLOWED_SHARED: dict[str, str] = {}
# Statuses whose class name does not say so: module.class.
ALSO = {"oversight.models.Outcome"}


def _status_classes() -> list[type]:
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            importlib.import_module(info.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted(
        {
            c
            for c in subclasses(models.TextChoices)
            if c.__module__.split(".")[0] in APPS
            and (c.__name__.endswith(("Status", "State")) or f"{c.__module__}.{c.__name__}" in ALSO)
        },
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def _chinese_words() -> dict[str, set[tuple[str, str]]]:
    words: dict[str, set[tuple[str, str]]] = {}
    with translation.override("zh-hans"):
        for cls in _status_classes():
            for value, label in cls.choices:
                words.setdefault(str(label), set()).add((f"{cls.__module__}.{cls.__qualname__}", value))
    return words


def test_the_walk_finds_the_status_classes():
    names = {c.__name__ for c in _status_classes()}
    assert {"ArchiveStatus", "ReportStatus", "ReferralStatus", "Status", "JobState", "Outcome"} <= names


def test_no_two_statuses_of_different_models_share_a_chinese_word_unless_allowed():
    clashes = {
        word: sorted(owners)
        for word, owners in _chinese_words().items()
        if len({cls for cls, _value in owners}) > 1 and word not in ALLOWED_SHARED
    }
    assert not clashes, clashes


def test_a_closed_report_is_not_a_closed_archive():
    from children.models import ArchiveStatus
    from guardianship.models import ReferralStatus, ReportStatus

    with translation.override("zh-hans"):
        assert str(ArchiveStatus.CLOSED.label) == "已销档"
        assert str(ReportStatus.CLOSED.label) == "报告办结"
        assert str(ReferralStatus.DONE.label) == "转介完成"
    with translation.override("en"):
        assert str(ReportStatus.CLOSED.label) == "Closed"  # the English source is unchanged (no migration needed)


def test_every_status_label_is_translated():
    with translation.override("zh-hans"):
        untranslated = [
            (cls.__name__, value) for cls in _status_classes() for value, label in cls.choices if str(label).isascii()
        ]
    assert not untranslated, untranslated
