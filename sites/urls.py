from django.urls import path

from . import views

app_name = "sites"
urlpatterns = [
    path("", views.site_list, name="list"),
    path("new/", views.site_new, name="new"),
    path("holiday-safety/", views.holiday_safety, name="holiday_safety"),
    path("<int:pk>/", views.site_detail, name="detail"),
    path("<int:pk>/edit/", views.site_edit, name="edit"),
    path("<int:pk>/staff/new/", views.staff_new, name="staff_new"),
    path("<int:pk>/staff/<int:staff_pk>/end/", views.staff_end, name="staff_end"),
    path("<int:pk>/openings/new/", views.opening_new, name="opening_new"),
]
