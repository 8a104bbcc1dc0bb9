from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("mine/", views.mine, name="mine"),
    path("import/", views.import_plan, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("assignments/<int:pk>/update/", views.update, name="update"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("plans/<int:plan_pk>/timeline/", views.timeline, name="timeline"),
    path("plans/<int:plan_pk>/report/", views.report, name="report"),
    path("plans/<int:plan_pk>/export.xlsx", views.export_xlsx, name="export"),
    path("plans/<int:plan_pk>/report.pdf", views.report_pdf, name="report_pdf"),
]
