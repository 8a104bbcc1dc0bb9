from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("mine/", views.mine, name="mine"),
    path("assignments/<int:pk>/update/", views.update, name="update"),
]
