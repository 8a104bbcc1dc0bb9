"""Views for files in and out of the archives: roster import, list export, PDF archives, background jobs."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from config.forms import errors_at_top, submitted

from . import access, imports, jobs, pdf, roster_format, search, selectors
from .exports import attachment, export_response, log_export
from .forms import ArchiveBatchForm, ChildFilterForm, ImportForm
from .models import AccessAction, Job, JobKind
from .resources import ChildResource

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_import(user) -> None:
    if not jobs.can_import(user):
        raise PermissionDenied(_("Only civil-affairs staff import rosters."))


@login_required
@require_http_methods(["GET", "POST"])
def import_children(request):
    _require_import(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    # start_import_check's refusals all name the field "file", so they are shown under it.
    done, job = submitted(
        request, form, lambda: jobs.start_import_check(user=request.user, upload=form.cleaned_data["file"])
    )
    if done:
        return redirect("children:job", job_pk=job.pk)
    recent = Job.objects.filter(user=request.user).order_by("-id")[:10]
    return render(
        request,
        "children/import.html",
        {"form": form, "recent": recent, "columns": roster_format.COLUMNS, "max_mb": settings.UPLOAD_MAX_BYTES >> 20},
    )


@login_required
def import_template(request):
    _require_import(request.user)
    return attachment(imports.template_workbook(), filename="儿童名单导入模板.xlsx", content_type=XLSX)


def _own_job(request, job_pk: int) -> Job:
    return get_object_or_404(Job, pk=job_pk, user=request.user)


@login_required
def job_detail(request, job_pk: int):
    job = _own_job(request, job_pk)
    return render(request, "children/job.html", {"job": job, "progress": jobs.progress_of(job)})


@login_required
@require_POST
def job_confirm(request, job_pk: int):
    preview = _own_job(request, job_pk)  # someone else's job is not found (404), whatever their role
    _require_import(request.user)
    try:
        job = jobs.start_import(user=request.user, preview=preview, valid_only=request.POST.get("valid_only") == "1")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("children:job", job_pk=preview.pk)
    return redirect("children:job", job_pk=job.pk)


@login_required
def job_output(request, job_pk: int):
    job = _own_job(request, job_pk)
    if not job.output:
        raise Http404
    if job.kind == JobKind.ARCHIVES:
        children = access.visible_children(request.user).filter(
            village__code__startswith=job.params["area"], status="open"
        )
        log_export(request.user, children, action=AccessAction.PDF)
    response = FileResponse(job.output.open("rb"), as_attachment=True, filename=job.output_name or job.output.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def export_children(request):
    form = ChildFilterForm(search.filters_data(request) or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.child_list_for(request.user, filters)
    resource = ChildResource(user=request.user)
    return export_response(request, resource=resource, queryset=queryset, basename="儿童名单")


@login_required
def child_pdf(request, pk: int):
    child = access.child_for(request, pk, action=AccessAction.PDF)
    content = pdf.archive_pdf(child, user=request.user)
    return attachment(content, filename=f"档案-{child.name}.pdf", content_type="application/pdf")


@login_required
def blank_visit_form(request):
    return attachment(pdf.blank_visit_form(), filename="入户走访记录表.pdf", content_type="application/pdf")


@login_required
@require_http_methods(["GET", "POST"])
def archive_batch(request):
    form = ArchiveBatchForm(request.POST or None, user=request.user)
    done, job = submitted(
        request,
        form,
        lambda: jobs.start_archives(user=request.user, area_code=form.cleaned_data["area"]),
        show=errors_at_top,
    )
    if done:
        return redirect("children:job", job_pk=job.pk)
    recent = Job.objects.filter(user=request.user).order_by("-id")[:10]
    return render(request, "children/archive_batch.html", {"form": form, "recent": recent})
