from django.contrib import admin

from .models import MappingProfile, Source


@admin.register(MappingProfile)
class MappingProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "note"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["department", "kind", "expected_every_days", "active", "last_received_at"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["department"]
