"""The weekly check of the stored visit schedules against the visit history (issue 20).

Every write that changes what a schedule depends on refreshes that child's row in its own transaction (a visit, a
category, a parent's situation, risk, colour, disability, a transfer, closing: children.services, visits.services,
guardianship.services, children.sweep; a rule set: visits.schedule_jobs), so the daily sweep reads the stored due
dates and never re-aggregates the visit history. This check recomputes every schedule from the history in one
statement inside a transaction and reports the rows that would change: there must be none. It fixes them when asked
(beat runs it weekly with fix, and logs an error for each difference: it means a writer forgot to refresh).
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from children.models import ArchiveStatus

from . import schedule
from .models import VisitSchedule

log = logging.getLogger("care.visits")


@dataclass
class CheckResult:
    differing: list[int] = field(default_factory=list)  # children whose stored row differed from the history's
    closed_with_row: list[int] = field(default_factory=list)  # closed archives that still had a row
    fixed: bool = False

    @property
    def ok(self) -> bool:
        return not self.differing and not self.closed_with_row


def check(*, fix: bool = False) -> CheckResult:
    result = CheckResult(fixed=fix)
    with transaction.atomic():
        result.closed_with_row = sorted(
            VisitSchedule.objects.exclude(child__status=ArchiveStatus.OPEN).values_list("child_id", flat=True)
        )
        before = timezone.now() - datetime.timedelta(microseconds=1)
        schedule.refresh()  # writes only the rows that differ, stamping them with the time of this refresh
        result.differing = sorted(
            VisitSchedule.objects.filter(refreshed_at__gt=before).values_list("child_id", flat=True)
        )
        transaction.set_rollback(not fix)  # a check only: the recomputed rows are not kept
    if not result.ok:
        log.error(
            "visit schedules differ from the history: %d rows, %d closed archives with a row (%s)",
            len(result.differing),
            len(result.closed_with_row),
            "fixed" if fix else "not fixed",
        )
    return result
