"""A child's whole archive (一人一档) as PDF, the blank home-visit form, and batches of archives as one zip.

reportlab with the embedded CJK font of config/pdf.py; every page says "page n of m". Each section is a table of
the records' fields (verbose names as headers, choice labels as values); ID and phone numbers are shown as
children.privacy says for the reader (masked for the roles that see them masked). A fixed number of queries per archive.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from accounts.models import User
from config.pdf import cjk_font, numbered_canvas, paragraph, styles

from . import access, privacy
from .models import Child, EntrustedCare
from .services import area_path

WIDTH = A4[0] - 30 * mm


def _page_label(n: int, total: int) -> str:
    return _("Page %(n)d of %(total)d") % {"n": n, "total": total}


def _value(obj: models.Model, field: models.Field, full_ids: bool) -> str:
    value = getattr(obj, field.attname if isinstance(field, models.ForeignKey) else field.name)
    if value in (None, ""):
        return ""
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.ForeignKey):
        return str(getattr(obj, field.name))
    if isinstance(field, models.DateTimeField):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(field, models.DateField):
        return value.isoformat()
    kind = privacy.kind_of(obj, field.name)
    if kind is not None:
        return privacy.shown(value, kind, full=full_ids)
    if isinstance(field, models.FileField):
        return _("attached")
    return str(value)


class Builder:
    def __init__(self, *, full_ids: bool) -> None:
        self.font = cjk_font()
        self.st = styles(self.font)
        self.full_ids = full_ids
        self.story: list = []

    def p(self, text: str, style: str = "base") -> Paragraph:
        """Text (typed by a user, from the database, or ours) as a paragraph: never read as markup."""
        return paragraph(text, self.st[style])

    def cell(self, text: str, width: float, style: str = "small"):
        """A table cell: plain text when it fits on one line (fast), a wrapping paragraph otherwise."""
        size = self.st[style].fontSize
        if "\n" not in text and len(text) * size <= width - 6:
            return text
        return self.p(text, style)

    def heading(self, text: str) -> None:
        self.story.append(self.p(text, "h2"))

    def table(self, rows: list[list], widths: list[float] | None = None, header: bool = True) -> None:
        table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
        style = [
            ("FONT", (0, 0), (-1, -1), self.font, 8),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")))
        table.setStyle(TableStyle(style))
        self.story.append(table)

    def fields(self, obj: models.Model, names: Iterable[str]) -> None:
        """A two-column table of one object's fields: label, value."""
        rows = []
        for name in names:
            field = obj._meta.get_field(name)
            rows.append([str(field.verbose_name), self.cell(_value(obj, field, self.full_ids), WIDTH - 40 * mm)])
        self.table(rows, [40 * mm, WIDTH - 40 * mm], header=False)

    def records(
        self,
        title: str,
        objects: list[models.Model],
        names: list[str],
        extra: Iterable[tuple[str, Callable[[models.Model], str]]] = (),
    ) -> None:
        """A section: a table with a row per record, or a line saying there is none. `extra`: (header, value of a
        record) columns after the fields, for what no single field holds."""
        self.heading(title)
        if not objects:
            self.story.append(self.p(_("None recorded."), "small"))
            return
        meta = objects[0]._meta
        fields = [meta.get_field(n) for n in names]
        extra = list(extra)
        width = WIDTH / (len(fields) + len(extra))
        rows = [[self.cell(str(f.verbose_name), width) for f in fields] + [self.cell(h, width) for h, _fn in extra]]
        for obj in objects:
            rows.append(
                [self.cell(_value(obj, f, self.full_ids), width) for f in fields]
                + [self.cell(fn(obj), width) for _h, fn in extra]
            )
        self.table(rows, [width] * (len(fields) + len(extra)))

    def build(self, title: str) -> bytes:
        buf = io.BytesIO()
        SimpleDocTemplate(
            buf,
            pagesize=A4,
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=15 * mm,
            bottomMargin=16 * mm,
            title=title,
        ).build(self.story, canvasmaker=numbered_canvas(self.font, _page_label))
        return buf.getvalue()


def archive_pdf(child: Child, *, user: User | None = None, full_ids: bool | None = None) -> bytes:
    """The whole archive of one child. The caller has checked access. ID and phone numbers are printed as `user`
    may see them (children.privacy; no user: masked); `full_ids` overrides that."""
    if full_ids is None:
        full_ids = privacy.sees_full(user)
    b = Builder(full_ids=full_ids)
    _archive(b, child)
    return b.build(_("Child archive") + " " + child.name)


def archives_pdf(children: Iterable[Child], *, user: User | None = None) -> bytes:
    """Several whole archives in one document (a selection printed from a list), each starting on a new page. The
    caller has passed each child through the gate."""
    b = Builder(full_ids=privacy.sees_full(user))
    for i, child in enumerate(children):
        if i:
            b.story.append(PageBreak())
        _archive(b, child)
    return b.build(_("Child archives"))


def _archive(b: Builder, child: Child) -> None:
    full_ids = b.full_ids
    now = timezone.localtime()
    place = area_path(child.village)
    b.story += [
        Spacer(1, 60 * mm),
        b.p(_("Child archive"), "cover"),
        b.p(child.name, "cover"),
        Spacer(1, 10 * mm),
        b.p(place, "title"),
        b.p(_("ID number: %(number)s") % {"number": privacy.shown(child.id_number, privacy.ID_NUMBER, full=full_ids)}),
        b.p(_("Archive status: %(status)s") % {"status": child.get_status_display()}),
        Spacer(1, 30 * mm),
        b.p(_("Printed %(when)s. Contains a minor's personal data: keep it safe.") % {"when": f"{now:%Y-%m-%d %H:%M}"}),
        PageBreak(),
    ]
    b.heading(_("Basic information"))
    b.fields(
        child,
        [
            "name",
            "id_number",
            "sex",
            "birth_date",
            "ethnicity",
            "address",
            "status",
            "registered_on",
            "colour",
            "risk_grade",
            "enrolment",
            "school",
            "grade",
            "health",
            "health_notes",
            "disability",
            "disability_grade",
            "notes",
        ],
    )
    b.story.append(b.p(_("Village: %(place)s") % {"place": place}, "small"))
    b.records(
        _("Family and guardians"),
        list(child.family.all()),
        ["relation", "name", "id_number", "phone", "is_guardian", "situation", "work_destination", "contact_frequency"],
    )
    care = EntrustedCare.objects.filter(child=child).first()
    b.records(
        _("Entrusted caregiver"),
        [care] if care else [],
        ["caregiver_name", "relation", "phone", "agreement_signed", "agreement_date"],
    )
    b.records(_("Categories"), list(child.categories.all()), ["category", "started_on", "ended_on", "note"])
    b.records(
        _("Colour grade history"),
        list(child.colour_changes.select_related("changed_by")),
        ["changed_on", "colour", "reason", "changed_by"],
    )
    b.records(_("Welfare"), list(child.welfare.all()), ["kind", "started_on", "ended_on", "monthly_amount", "note"])
    b.records(
        _("Visits"),
        list(child.visits.order_by("-visit_date", "-id")[:200]),
        ["visit_date", "kind", "met_whom", "observations", "problems_found", "help_given", "follow_up"],
    )
    b.records(
        _("Guardianship assessments"),
        list(child.assessments.select_related("assessor")),
        ["assessed_on", "score", "grade", "narrative", "measures", "next_on", "assessor"],
    )
    b.records(
        _("Mandatory reports"),
        list(child.reports.all()),
        ["found_at", "what_found", "harm_type", "reported_to", "status", "outcome"],
    )
    b.records(
        _("Interventions"),
        list(child.interventions.all()),
        ["kind", "placement", "issuing_body", "issued_on", "ends_on", "review_on", "active", "notes"],
    )
    b.records(
        _("Referrals"),
        list(child.referrals.select_related("department", "organisation")),
        ["created_at", "department", "organisation", "service", "reason", "due_on", "status", "result"],
    )
    b.records(
        _("Problems and solutions"),
        list(child.problems.all()),
        ["found_on", "description", "solution", "resolved_on"],
    )
    b.records(_("Care records"), list(child.care_records.all()), ["date", "kind", "description", "provider"])
    b.records(_("Work log"), list(child.work_log.select_related("created_by")), ["date", "content", "created_by"])
    _help_plans(b, child)
    b.records(
        _("Transfers"),
        list(child.transfers.select_related("from_village", "to_village")),
        ["transferred_on", "from_village", "to_village", "reason"],
    )


def _help_plans(b: Builder, child: Child) -> None:
    """The help plans (一人一案): the plans, their measures with owners and their reviews (three queries)."""
    from plans import selectors as plan_selectors

    plans, measures, reviews = plan_selectors.archive_records(child)
    b.records(
        _("Help plans"),
        plans,
        ["kind", "status", "opened_on", "lead", "summary", "next_review_on", "closed_on", "close_reason"],
    )
    if not plans:
        return
    plan_column = (_("help plan"), lambda r: str(r.plan))
    b.records(
        _("Help-plan measures"),
        measures,
        ["description", "owner_kind", "due_on", "done_on", "result"],
        extra=[(_("owner"), lambda m: m.owner_label), plan_column],
    )
    b.records(_("Help-plan reviews"), reviews, ["reviewed_on", "decision", "notes", "reviewed_by"], extra=[plan_column])


def blank_visit_form() -> bytes:
    """A printable home-visit form for directors who visit where there is no signal."""
    b = Builder(full_ids=False)
    b.story.append(b.p(_("Home-visit record"), "title"))
    b.story.append(b.p(_("Fill in on paper during the visit and enter it in the system within three days."), "small"))
    b.story.append(Spacer(1, 4 * mm))
    line = " " * 40
    rows = [
        [b.p(_("Child's name")), line, b.p(_("Village")), line],
        [b.p(_("Date of the visit")), line, b.p(_("Kind of visit")), b.p(_("□ home visit □ phone/video □ school"))],
        [b.p(_("Met whom")), line, b.p(_("Guardian present")), b.p(_("□ yes □ no"))],
    ]
    b.table(rows, [30 * mm, WIDTH / 2 - 30 * mm, 30 * mm, WIDTH / 2 - 30 * mm], header=False)
    for title in (
        _("Living conditions"),
        _("Safety hazards"),
        _("Caregiver's situation"),
        _("Mood and behaviour"),
        _("Study"),
        _("Health"),
        _("Contact with the parents"),
        _("Problems found"),
        _("Help given"),
        _("Follow-up needed"),
    ):
        b.heading(title)
        b.table([[" "], [" "]], [WIDTH], header=False)
    b.heading(_("Signs of harm, neglect or abuse"))
    b.story.append(
        b.p(_("□ none □ found — report at once (mandatory report), by phone if there is no signal."), "base")
    )
    b.story.append(Spacer(1, 8 * mm))
    b.table(
        [[b.p(_("Child director (signature)")), line, b.p(_("Guardian (signature)")), line]],
        [35 * mm, WIDTH / 2 - 35 * mm, 35 * mm, WIDTH / 2 - 35 * mm],
        header=False,
    )
    return b.build(_("Home-visit record"))


def archives_zip(
    *, user: User, area_code: str, progress: Callable[[int, int], None] | None = None
) -> tuple[bytes, int]:
    """All open archives of an area (within what the user sees) as PDFs in one zip; (zip bytes, count)."""
    children = (
        access.visible_children(user)
        .filter(village__code__startswith=area_code, status="open")
        .select_related("village__parent__parent")
        .order_by("village_id", "name", "id")
    )
    full_ids = privacy.sees_full(user)
    ids = list(children.values_list("pk", flat=True))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as archive:
        for start in range(0, len(ids), 200):
            for child in children.filter(pk__in=ids[start : start + 200]):
                archive.writestr(
                    f"{child.village_id}-{child.name}-{child.pk}.pdf", archive_pdf(child, full_ids=full_ids)
                )
            if progress:
                progress(min(len(ids), start + 200), len(ids))
    return buf.getvalue(), len(ids)
