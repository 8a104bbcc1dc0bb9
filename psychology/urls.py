from django.urls import path

from . import views

app_name = "psychology"
urlpatterns = [
    path("", views.follow_ups, name="follow_ups"),
    path("children/<int:child_pk>/", views.record, name="record"),
    path("children/<int:child_pk>/screenings/new/", views.screening_new, name="screening_new"),
    path("children/<int:child_pk>/follow-up/", views.follow_up, name="follow_up"),
    path("children/<int:child_pk>/refer/", views.refer, name="refer"),
    path("children/<int:child_pk>/sessions/new/", views.session_new, name="session_new"),
]
