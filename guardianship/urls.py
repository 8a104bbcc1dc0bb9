from django.urls import path

from . import views

app_name = "guardianship"
urlpatterns = [
    path("child/<int:child_pk>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("child/<int:child_pk>/assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("child/<int:child_pk>/referrals/new/", views.referral_new, name="referral_new"),
    path("child/<int:child_pk>/interventions/new/", views.intervention_new, name="intervention_new"),
    path("child/<int:child_pk>/conferences/new/", views.conference_new, name="conference_new"),
    path("child/<int:child_pk>/placements/<int:pk>/end/", views.placement_end, name="placement_end"),
    path("child/<int:child_pk>/placements/new/", views.placement_new, name="placement_new"),
    path("harm-unreported/", views.unreported_harm, name="unreported_harm"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
]
