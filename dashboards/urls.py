from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/", views.area, name="area"),
    path("<str:code>/export/<slug:table>.xlsx", views.export, name="export"),
]
