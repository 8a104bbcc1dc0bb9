"""The yearly task-matrix report as PDF: per action and department, status, progress notes and the record of
recurring tasks."""

import datetime
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from config.pdf import cjk_font, paragraph, styles

from .models import Assignment, Plan


def yearly_report_pdf(plan: Plan, year: int) -> bytes:
    font = cjk_font()
    st = styles(font)
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    assignments = (
        Assignment.objects.filter(task__action__plan=plan)
        .select_related("task__action", "department")
        .prefetch_related("notes", "period_records")
        .order_by("task__action__number", "task__order", "order")
    )
    story = [
        paragraph(plan.title, st["title"]),
        paragraph(
            _("Progress report %(year)d, printed %(date)s") % {"year": year, "date": timezone.localdate().isoformat()},
            st["base"],
        ),
        Spacer(1, 4 * mm),
    ]
    current = None
    rows: list = []

    def flush():
        if rows:
            table = Table(rows, colWidths=[14 * mm, 30 * mm, 18 * mm, 118 * mm], repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("FONT", (0, 0), (-1, -1), font, 8),
                        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(table)

    for a in assignments:
        if a.task.action_id != current:
            flush()
            rows = [[_("Task"), _("department"), _("status"), _("progress")]]
            current = a.task.action_id
            story.append(paragraph(f"{a.task.action.number}. {a.task.action.name}", st["h2"]))
        notes = [f"{n.date:%m-%d} {n.note}" for n in a.notes.all() if start <= n.date <= end]
        records = [
            f"{r.done_on:%m-%d} {r.place} {r.note} ({r.children_reached}/{r.guardians_reached})"
            for r in a.period_records.all()
            if start <= r.done_on <= end
        ]
        text = "\n".join(notes + records) or "—"
        rows.append(
            [a.task.number, paragraph(a.original_name, st["base"]), a.get_status_display(), paragraph(text, st["base"])]
        )
    flush()
    buf = io.BytesIO()

    def number_pages(canvas, doc):
        canvas.setFont(font, 8)
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, _("Page %(n)d") % {"n": doc.page})

    SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=plan.title,
    ).build(story, onFirstPage=number_pages, onLaterPages=number_pages)
    return buf.getvalue()
