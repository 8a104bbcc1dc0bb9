from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.index, name="index"),
    path("spot-checks/", views.spot_check_list, name="spot_checks"),
    path("spot-checks/record/", views.spot_check_record, name="spot_check_record"),
    path("spot-checks/<int:pk>/", views.spot_check_detail, name="spot_check"),
    path("spot-checks/<int:pk>/items/<int:item_pk>/", views.spot_check_item, name="spot_check_item"),
    path("findings/<int:pk>/close/", views.finding_close, name="finding_close"),
    path("directors/", views.ledger_list, name="ledger"),
    path("directors/<int:pk>/", views.director_detail, name="director"),
    path("directors/<int:pk>/profile/", views.director_profile, name="director_profile"),
    path("directors/<int:pk>/trainings/new/", views.training_new, name="training_new"),
    path("directors/<int:pk>/evaluation/", views.evaluation_edit, name="evaluation"),
    path("coverage/", views.coverage_view, name="coverage"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/photos/<int:photo_pk>/", views.activity_photo, name="activity_photo"),
    path("duties/", views.duties, name="duties"),
    path("discovery/", views.discovery_lists, name="discovery"),
    path("discovery/mine/", views.my_candidates, name="my_candidates"),
    path("discovery/<int:pk>/", views.discovery_list, name="discovery_list"),
    path("discovery/rows/<int:pk>/assign/", views.row_assign, name="row_assign"),
    path("discovery/rows/<int:pk>/screen-out/", views.row_screen_out, name="row_screen_out"),
    path("discovery/rows/<int:pk>/screen-in/", views.row_screen_in, name="row_screen_in"),
]
