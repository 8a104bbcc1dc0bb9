from django.urls import path

from . import views

app_name = "guardianship"
urlpatterns = [
    path("child/<int:child_pk>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("child/<int:child_pk>/assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
]
