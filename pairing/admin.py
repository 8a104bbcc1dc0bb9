"""The registries in the admin (no child data); pairings are records of a child, read through the gate and
read-only here, like the other records hanging off a child."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from children import access
from children.admin import GatedAdminMixin

from .models import Helper, Organisation, Pairing


@admin.register(Helper)
class HelperAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "unit", "department", "county", "from_on", "to_on"]
    list_filter = ["kind"]
    search_fields = ["name", "unit"]
    raw_id_fields = ["department", "county", "created_by"]
    list_select_related = ["department", "county"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "child_welfare", "county", "registration_number", "from_on", "to_on"]
    list_filter = ["kind", "child_welfare"]
    search_fields = ["name", "=registration_number"]
    raw_id_fields = ["county", "created_by"]
    list_select_related = ["county"]


@admin.register(Pairing)
class PairingAdmin(GatedAdminMixin, admin.ModelAdmin):
    list_display = ["child", "helper", "from_on", "to_on", "last_contact_on"]
    raw_id_fields = ["child", "helper", "created_by"]
    list_select_related = ["child", "helper"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(child__in=access.visible_children(request.user).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
