from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("", views.sources, name="sources"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("changes/", views.changes, name="changes"),
    path("export/", views.profile_export, name="profile_export"),
    path("changes/<int:pk>/confirm/", views.change_confirm, name="confirm"),
    path("changes/<int:pk>/dismiss/", views.change_dismiss, name="dismiss"),
]
