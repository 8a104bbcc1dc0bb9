from django.urls import path

from . import views

app_name = "bulk"
urlpatterns = [
    path("", views.runs, name="runs"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("children/", views.children_action, name="children"),
    path("transfer/", views.transfer, name="transfer"),
    path("screening/", views.screening_confirm, name="screening_confirm"),
    path("reassign/", views.reassign, name="reassign"),
]
