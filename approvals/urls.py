from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("", views.approval_list, name="list"),
    path("<int:pk>/", views.approval_detail, name="detail"),
    path("<int:pk>/approve/", views.approval_approve, name="approve"),
    path("<int:pk>/return/", views.approval_return, name="return"),
    path("<int:pk>/withdraw/", views.approval_withdraw, name="withdraw"),
]
