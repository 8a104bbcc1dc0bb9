from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from exchange.api import SubmissionCreate

from . import docs, errors, views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("docs/redoc/", docs.RedocView.as_view(url_name="api:schema"), name="redoc"),
    path("children/", views.ChildList.as_view(), name="children"),
    path("children/<int:pk>/", views.ChildDetail.as_view(), name="child"),
    path("children/<int:pk>/help-plans/", views.HelpPlanList.as_view(), name="child_help_plans"),
    path("schedules/", views.Worklist.as_view(), name="worklist"),
    path("schedules/overdue/", views.OverdueList.as_view(), name="overdue"),
    path("visits/", views.VisitCreate.as_view(), name="visits"),
    path("referrals/", views.ReferralList.as_view(), name="referrals"),
    path("referrals/<int:pk>/", views.ReferralDetail.as_view(), name="referral"),
    path("assignments/", views.AssignmentList.as_view(), name="assignments"),
    path("assignments/<int:pk>/", views.AssignmentDetail.as_view(), name="assignment"),
    path("changes/", views.ChangeList.as_view(), name="changes"),
    path("submissions/", SubmissionCreate.as_view(), name="submissions"),
    re_path(r"", errors.NotFoundView.as_view()),  # last: any other URL here is a 404 in the API's error shape
]
