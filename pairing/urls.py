from django.urls import path

from . import views

app_name = "pairing"
urlpatterns = [
    path("helpers/", views.helper_list, name="helpers"),
    path("helpers/new/", views.helper_edit, name="helper_new"),
    path("helpers/<int:pk>/", views.helper_edit, name="helper_edit"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_edit, name="organisation_new"),
    path("organisations/<int:pk>/", views.organisation_edit, name="organisation_edit"),
    path("organisations/counties-missed/", views.counties_without_organisation, name="counties_missed"),
    path("child/<int:child_pk>/new/", views.pairing_new, name="pairing_new"),
    path("<int:pk>/", views.pairing_detail, name="pairing"),
    path("<int:pk>/contact/", views.contact_new, name="contact_new"),
    path("<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("no-contact/", views.quiet_pairings, name="quiet"),
]
