from django.urls import path

from . import views

app_name = "visits"
urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("overdue/", views.overdue, name="overdue"),
    path("compliance/", views.compliance, name="compliance"),
    path("screenings/", views.campaigns, name="campaigns"),
    path("screenings/<int:pk>/", views.campaign_detail, name="campaign"),
    path("screenings/<int:pk>/confirm/<int:child_pk>/", views.campaign_confirm, name="campaign_confirm"),
    path("screenings/proposals/", views.proposals, name="proposals"),
    path("child/<int:child_pk>/proposals/<int:pk>/", views.proposal, name="proposal"),
    path("child/<int:child_pk>/", views.child_visit_list, name="child_list"),
    path("child/<int:child_pk>/new/", views.visit_new, name="new"),
    path("child/<int:child_pk>/<int:pk>/", views.visit_detail, name="detail"),
    path("child/<int:child_pk>/<int:pk>/edit/", views.visit_edit, name="edit"),
    path("child/<int:child_pk>/<int:pk>/no-report/", views.visit_no_report, name="no_report"),
    path("child/<int:child_pk>/<int:pk>/photos/<int:photo_pk>/", views.visit_photo, name="photo"),
]
