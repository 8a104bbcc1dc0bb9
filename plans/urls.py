from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("missing/", views.missing, name="missing"),
    path("measures/<int:pk>/done/", views.measure_done, name="measure_done"),
    path("child/<int:child_pk>/new/", views.plan_new, name="new"),
    path("child/<int:child_pk>/<int:pk>/", views.plan_detail, name="detail"),
    path("child/<int:child_pk>/<int:pk>/needs/new/", views.need_new, name="need_new"),
    path("child/<int:child_pk>/<int:pk>/goals/new/", views.goal_new, name="goal_new"),
    path("child/<int:child_pk>/<int:pk>/measures/new/", views.measure_new, name="measure_new"),
    path("child/<int:child_pk>/<int:pk>/review/", views.review_new, name="review_new"),
]
