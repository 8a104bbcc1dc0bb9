"""Receiving a submission: read its rows, load them in bulk, match them against every archive and diff them against
the source's previous submission, all set-based, then write the proposals and candidates (issue 16).

`submission_receive` is the one pipeline of the API (POST /api/v1/submissions/) and of the upload page. On
PostgreSQL the rows are COPYed, then loaded, matched and diffed in one INSERT … SELECT (exchange.sql). Elsewhere
(SQLite, the default for development and tests) the same steps run as ORM statements: INSERTs of the rows in
chunks; one UPDATE matching the rows with an ID number (Child.id_number, indexed) and one those without (name and
date of birth, child_name_birth_idx), preferring an open archive, then the newest, as oversight.discovery does; one
UPDATE taking each row's status on the previous list (SubmissionRow (submission, key) index). Then, on either: one
count of the previous list's keys now absent; one read of the changed rows of open archives; the proposals and
their history in chunks; the candidates (oversight's outside list) in chunks."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from accounts.models import Department, Notification, Role, User
from children import access
from children.categories import categories_in
from children.models import ArchiveStatus, Child, WelfareCoverage
from oversight.models import ListRow, MatchKind, Outcome, OutsideList

from . import rules, sql
from .models import ChangeProposal, ChangeStatus, MappingProfile, RowStatus, Source, Submission, SubmissionRow
from .profiles import Reader

CHUNK = 5000
PROPOSAL_CHUNK = 2000


# ------------------------------------------------------------------------------------------------ who submits
def can_submit(user: User, source: Source) -> bool:
    """The department's liaisons, and civil-affairs staff whose areas hold the department's region."""
    if not user.is_active or not source.active:
        return False
    if user.is_administrator:
        return True
    if user.role == Role.LIAISON:
        return user.department_id == source.department_id
    return user.role == Role.CIVIL_AFFAIRS and access.in_user_areas(user, source.department.area_id)


def sources_for(user: User):
    """The active sources the user may submit to (the upload form's choices)."""
    qs = Source.objects.filter(active=True).select_related("department")
    if user.is_administrator:
        return qs
    if user.role == Role.LIAISON:
        return qs.filter(department_id=user.department_id) if user.department_id else qs.none()
    if user.role == Role.CIVIL_AFFAIRS:
        return qs.filter(access.in_areas_q(user, "department__area__code"))
    return qs.none()


def departments_for(user: User):
    """The departments the user submits lists for (the upload form's choices)."""
    qs = Department.objects.select_related("area")
    if user.is_administrator:
        return qs
    if user.role == Role.LIAISON:
        return qs.filter(pk=user.department_id) if user.department_id else qs.none()
    if user.role == Role.CIVIL_AFFAIRS:
        return qs.filter(access.in_areas_q(user, "area__code"))
    return qs.none()


def source_for(*, user: User, department: Department, kind: str) -> Source:
    """The department's source of this kind, made on its first list; only for those who may submit for it."""
    if not can_submit(user, Source(department=department, kind=kind)):
        raise PermissionDenied(_("You may submit only your own department's lists."))
    return Source.objects.get_or_create(department=department, kind=kind)[0]


# ------------------------------------------------------------------------------------------------ reading
def _clean_rows(records: Iterable[tuple[int, dict]], profile: MappingProfile | None) -> list[dict]:
    reader = Reader(profile)
    rows, seen = [], {}
    for number, record in records:
        row = reader.row(number, record)
        if row is None:
            continue
        first = seen.setdefault(row["key"], number)
        if first != number:
            reader.fail(gettext_lazy("Row %(row)d: the same person as row %(first)d."), row=number, first=first)
            continue
        rows.append(row)
    reader.raise_errors()
    if not rows:
        raise ValidationError(gettext_lazy("The list has no rows."))
    return rows


# ------------------------------------------------------------------------------------------------ set-based steps
def _best_child(**match: Any) -> Subquery:
    """The archive a row names: an open one first, then the newest (as oversight.discovery._best)."""
    open_first = Case(When(status=ArchiveStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return Subquery(Child.objects.filter(**match).order_by(open_first, "-pk").values("pk")[:1])


def _match(submission: Submission) -> None:
    rows = SubmissionRow.objects.filter(submission=submission)
    rows.exclude(id_number="").update(child_id=_best_child(id_number=OuterRef("id_number")))
    rows.filter(id_number="").update(child_id=_best_child(name=OuterRef("name"), birth_date=OuterRef("birth_date")))
    rows.filter(child__isnull=False).update(
        matched_by=Case(When(id_number="", then=Value("name_birth")), default=Value("id_number"))
    )


def _diff(submission: Submission, previous: Submission | None) -> int:
    """Each row's status on the previous list (null: absent there); returns how many of the previous list's
    people are no longer on this one."""
    if previous is None:
        return 0
    rows = SubmissionRow.objects.filter(submission=submission)
    before = SubmissionRow.objects.filter(submission=previous, key=OuterRef("key"))
    rows.update(previous_status=Subquery(before.values("status")[:1]))
    return _gone(submission, previous)


def _gone(submission: Submission, previous: Submission | None) -> int:
    """How many of the previous list's people are no longer on this one (one anti-join)."""
    if previous is None:
        return 0
    now = SubmissionRow.objects.filter(submission=submission, key=OuterRef("key"))
    return SubmissionRow.objects.filter(submission=previous).filter(~Exists(now)).count()


CHANGED = Q(previous_status__isnull=True) | ~Q(previous_status=F("status"))


def _pending_keys(child_ids: list[int]) -> set[tuple[int, str, str]]:
    """(child, kind, relation) of the pending proposals of these children (one query per PROPOSAL_CHUNK)."""
    keys = set()
    for i in range(0, len(child_ids), PROPOSAL_CHUNK):
        keys.update(
            ChangeProposal.objects.filter(
                child_id__in=child_ids[i : i + PROPOSAL_CHUNK], status=ChangeStatus.PENDING
            ).values_list("child_id", "kind", "relation")
        )
    return keys


def _on_roll() -> Exists:
    """Whether the row's archive records a current coverage of the welfare a roll lists (welfare child index)."""
    return Exists(
        WelfareCoverage.objects.filter(
            child_id=OuterRef("child_id"), kind__in=rules.ROLL_WELFARE, ended_on__isnull=True
        )
    )


def _propose(submission: Submission, previous: Submission | None) -> list[ChangeProposal]:
    """Proposals for the changed rows of open archives, where `rules.change_for` finds one, and for the people of
    the previous list absent from this one, where `rules.change_when_gone` does; none where one is pending."""
    flagged = (
        SubmissionRow.objects.filter(
            submission=submission, child__status=ArchiveStatus.OPEN, status__in=list(rules.CHANGE_OF_STATUS)
        )
        .filter(CHANGED)
        .annotate(on_roll=_on_roll())
        .values_list("pk", "child_id", "status", "previous_status", "relation", "child__category_flags", "on_roll")
        .order_by("row_number")
    )
    wanted: dict[tuple[int, str, str], int] = {}
    for pk, child_id, status, previous_status, relation, flags, on_roll in flagged.iterator(chunk_size=CHUNK):
        kind = rules.change_for(status, previous_status, set(categories_in(flags)), on_roll)
        if kind is not None:
            wanted.setdefault((child_id, kind, relation), pk)
    if previous is not None:  # the previous list's rows of people now absent (one anti-join): a roll's leavers
        now = SubmissionRow.objects.filter(submission=submission, key=OuterRef("key"))
        gone = (
            SubmissionRow.objects.filter(submission=previous, child__status=ArchiveStatus.OPEN)
            .filter(status__in=list(rules.CHANGE_WHEN_GONE))
            .filter(~Exists(now))
            .annotate(on_roll=_on_roll())
            .values_list("pk", "child_id", "status", "on_roll")
            .order_by("row_number")
        )
        for pk, child_id, status, on_roll in gone.iterator(chunk_size=CHUNK):
            kind = rules.change_when_gone(status, on_roll)
            if kind is not None:
                wanted.setdefault((child_id, kind, ""), pk)
    for key in _pending_keys(sorted({k[0] for k in wanted})):
        wanted.pop(key, None)
    new = [
        ChangeProposal(child_id=child_id, kind=kind, relation=relation, row_id=row_id)
        for (child_id, kind, relation), row_id in wanted.items()
    ]
    made = []
    for i in range(0, len(new), PROPOSAL_CHUNK):
        chunk = new[i : i + PROPOSAL_CHUNK]
        try:
            with transaction.atomic():
                made += bulk_create_with_history(
                    chunk, ChangeProposal, batch_size=PROPOSAL_CHUNK, default_change_reason="list"
                )
        except IntegrityError:  # another source's list proposed the same change meanwhile: keep theirs
            taken = _pending_keys([p.child_id for p in chunk])
            rest = [
                ChangeProposal(child_id=p.child_id, kind=p.kind, relation=p.relation, row_id=p.row_id)
                for p in chunk
                if (p.child_id, p.kind, p.relation) not in taken
            ]
            made += bulk_create_with_history(rest, ChangeProposal, default_change_reason="list")
    return made


def _candidates(submission: Submission, user: User | None) -> int:
    """Unregistered children who may need help, as an outside list whose candidates are screened as today's."""
    rows = SubmissionRow.objects.filter(
        submission=submission, child__isnull=True, status__in=sorted(rules.NEEDS_HELP)
    ).order_by("row_number")
    if not rows.exists():
        return 0
    source = submission.source
    labels = dict(RowStatus.choices)
    with translation.override(settings.LANGUAGE_CODE):  # stored text: in the system's language
        status_header = str(_("status"))
        outside = OutsideList.objects.create(
            title=f"{source} {timezone.localdate():%Y-%m-%d}"[:200],
            source=str(source.department)[:100],
            area_id=source.department.area_id,
            extra_columns=[status_header],
            uploaded_by=user,
        )
        made = 0
        batch = []
        for number, name, id_number, birth, status in rows.values_list(
            "row_number", "name", "id_number", "birth_date", "status"
        ).iterator(chunk_size=CHUNK):
            batch.append(
                ListRow(
                    outside_list=outside,
                    row_number=number,
                    name=name,
                    id_number=id_number,
                    birth_date=birth,
                    extra={status_header: str(labels[status])},
                    match=MatchKind.CANDIDATE,
                    outcome=Outcome.OPEN,
                )
            )
            if len(batch) >= CHUNK:
                ListRow.objects.bulk_create(batch)
                made += len(batch)
                batch = []
        ListRow.objects.bulk_create(batch)
        made += len(batch)
    submission.outside_list = outside
    return made


def _notify_directors(submission: Submission, proposals: list[ChangeProposal]) -> None:
    """One message per director of the villages of the children with a new proposal."""
    if not proposals:
        return
    ids = [p.child_id for p in proposals]
    per_village = dict(Child.objects.filter(pk__in=ids).values_list("village_id").annotate(n=Count("pk")).order_by())
    directors = User.objects.filter(role=Role.DIRECTOR, is_active=True, areas__code__in=list(per_village)).values_list(
        "pk", "areas__code"
    )
    counts: dict[int, int] = {}
    for pk, village in directors:
        counts[pk] = counts.get(pk, 0) + per_village[village]
    url = reverse("exchange:changes")
    with translation.override(settings.LANGUAGE_CODE):
        Notification.objects.bulk_create(
            [
                Notification(
                    user_id=pk,
                    key=f"exchange:submission:{submission.pk}",
                    title=_("A department's list reports %(n)d changes for your children") % {"n": n},
                    body=str(submission.source.get_kind_display()),
                    url=url,
                )
                for pk, n in counts.items()
            ],
            ignore_conflicts=True,
        )


# ------------------------------------------------------------------------------------------------ the service
@transaction.atomic
def submission_receive(
    *,
    user: User,
    source: Source,
    records: Iterable[tuple[int, dict]],
    via: str,
    profile: MappingProfile | None = None,
    client_id: int | None = None,
) -> Submission:
    """Store, match and diff one complete list from `source`; any bad row refuses the whole list (nothing stored).
    `records` are (row number, {field or header: value}) as exchange.profiles reads them from JSON or a sheet."""
    if not can_submit(user, source):
        raise PermissionDenied(_("You may submit only your own department's lists."))
    rows = _clean_rows(records, profile)
    source = Source.objects.select_for_update().select_related("department").get(pk=source.pk)  # one at a time
    previous = Submission.objects.filter(source=source).order_by("-id").first()
    submission = Submission.objects.create(
        source=source, previous=previous, via=via, profile=profile, received_by=user, client_id=client_id
    )
    if connection.vendor == "postgresql":
        sql.load_and_match(
            submission.pk, previous.pk if previous else None, rows, previous_rows=previous.rows_n if previous else 0
        )
        submission.gone_n = _gone(submission, previous)
    else:
        for i in range(0, len(rows), CHUNK):
            SubmissionRow.objects.bulk_create([SubmissionRow(submission=submission, **r) for r in rows[i : i + CHUNK]])
        _match(submission)
        submission.gone_n = _diff(submission, previous)
    proposals = _propose(submission, previous)
    submission.candidates_n = _candidates(submission, user)
    figures = SubmissionRow.objects.filter(submission=submission).aggregate(
        rows=Count("pk"), matched=Count("pk", filter=Q(child__isnull=False)), changed=Count("pk", filter=CHANGED)
    )
    submission.rows_n, submission.matched_n = figures["rows"], figures["matched"]
    submission.changed_n = figures["changed"] if previous else 0
    submission.proposals_n = len(proposals)
    submission.save()
    source.last_received_at = submission.received_at
    source.save(update_fields=["last_received_at"])
    _notify_directors(submission, proposals)
    return submission
