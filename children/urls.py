from django.urls import path, register_converter

from . import file_views, proposal_views, transfer_views, views


class RecordKindConverter:
    regex = "|".join(views.RECORD_KINDS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RecordKindConverter, "record")

app_name = "children"
urlpatterns = [
    path("", views.child_list, name="list"),
    path("new/", views.child_register, name="register"),
    path("access-log/", views.access_log, name="access_log"),
    path("export/", file_views.export_children, name="export"),
    path("import/", file_views.import_children, name="import"),
    path("import/template/", file_views.import_template, name="import_template"),
    path("jobs/<int:job_pk>/", file_views.job_detail, name="job"),
    path("jobs/<int:job_pk>/confirm/", file_views.job_confirm, name="job_confirm"),
    path("jobs/<int:job_pk>/file/", file_views.job_output, name="job_output"),
    path("archives/", file_views.archive_batch, name="archive_batch"),
    path("transfer-requests/", transfer_views.transfer_request_list, name="transfer_requests"),
    path("transfer-requests/new/", transfer_views.transfer_request_new, name="transfer_request_new"),
    path("transfer-requests/<int:request_pk>/", transfer_views.transfer_request_detail, name="transfer_request"),
    path(
        "transfer-requests/<int:request_pk>/accept/",
        transfer_views.transfer_request_accept,
        name="transfer_request_accept",
    ),
    path(
        "transfer-requests/<int:request_pk>/decline/",
        transfer_views.transfer_request_decline,
        name="transfer_request_decline",
    ),
    path(
        "transfer-requests/<int:request_pk>/withdraw/",
        transfer_views.transfer_request_withdraw,
        name="transfer_request_withdraw",
    ),
    path("proposals/", proposal_views.proposal_list, name="proposals"),
    path("visit-form.pdf", file_views.blank_visit_form, name="blank_visit_form"),
    path("<int:pk>/pdf/", file_views.child_pdf, name="pdf"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/history/", views.child_history, name="history"),
    path("<int:pk>/edit/", views.child_edit, name="edit"),
    path("<int:pk>/close/", views.child_close, name="close"),
    path("<int:pk>/transfer/", views.child_transfer, name="transfer"),
    path("<int:pk>/colour/", views.child_colour, name="colour"),
    path("<int:pk>/categories/new/", views.category_add, name="category_add"),
    path("<int:pk>/categories/<int:item_pk>/end/", views.category_end, name="category_end"),
    path("<int:pk>/proposals/<int:item_pk>/confirm/", proposal_views.proposal_confirm, name="proposal_confirm"),
    path("<int:pk>/proposals/<int:item_pk>/dismiss/", proposal_views.proposal_dismiss, name="proposal_dismiss"),
    path("<int:pk>/caregiver/", views.entrusted_care_edit, name="entrusted_care"),
    path("<int:pk>/caregiver/agreement/", views.agreement_scan, name="agreement_scan"),
    path("<int:pk>/<record:kind>/new/", views.record_edit, name="record_add"),
    path("<int:pk>/<record:kind>/<int:item_pk>/edit/", views.record_edit, name="record_edit"),
]
