from django.urls import path, register_converter

from . import views


class RecordKindConverter:
    regex = "|".join(views.RECORD_KINDS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RecordKindConverter, "record")

app_name = "children"
urlpatterns = [
    path("", views.child_list, name="list"),
    path("new/", views.child_register, name="register"),
    path("access-log/", views.access_log, name="access_log"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/edit/", views.child_edit, name="edit"),
    path("<int:pk>/close/", views.child_close, name="close"),
    path("<int:pk>/transfer/", views.child_transfer, name="transfer"),
    path("<int:pk>/colour/", views.child_colour, name="colour"),
    path("<int:pk>/categories/new/", views.category_add, name="category_add"),
    path("<int:pk>/categories/<int:item_pk>/end/", views.category_end, name="category_end"),
    path("<int:pk>/caregiver/", views.entrusted_care_edit, name="entrusted_care"),
    path("<int:pk>/caregiver/agreement/", views.agreement_scan, name="agreement_scan"),
    path("<int:pk>/<record:kind>/new/", views.record_edit, name="record_add"),
    path("<int:pk>/<record:kind>/<int:item_pk>/edit/", views.record_edit, name="record_edit"),
]
