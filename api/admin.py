"""Registering API clients: the key is shown once, on the page that follows creation or rotation, never again (only
its hash is stored)."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .models import ApiClient, PostedVisit, Scope


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ApiClient
        fields = ["name", "department", "area", "user", "scopes", "rate_per_minute", "expires_on"]


def _show_key(request, client: ApiClient, key: str):
    response = TemplateResponse(
        request,
        "api/key_shown.html",
        {**admin.site.each_context(request), "client": client, "key": key, "title": _("API key")},
    )
    response["Cache-Control"] = "no-store"
    return response


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "department", "area", "user", "expires_on", "key_prefix", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name"]
    autocomplete_fields = []
    readonly_fields = ["key_prefix", "key_issued_at", "revoked_at", "last_used_at", "created_at"]
    actions = ["rotate_key", "revoke"]

    def response_add(self, request, obj, post_url_continue=None):
        return _show_key(request, obj, obj.issue_key())

    @admin.action(description=_("Issue a new key (the old one stops working; shown once)"))
    def rotate_key(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose one client at a time."), messages.ERROR)
            return None
        client = queryset.get()
        if client.revoked_at:
            self.message_user(request, _("This client is revoked."), messages.ERROR)
            return None
        return _show_key(request, client, client.issue_key())

    @admin.action(description=_("Revoke the selected clients"))
    def revoke(self, request, queryset):
        for client in queryset.filter(revoked_at__isnull=True):
            client.revoke()
        self.message_user(request, _("Revoked."), messages.SUCCESS)


@admin.register(PostedVisit)
class PostedVisitAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "client", "created_at"]
    readonly_fields = ["key", "user", "client", "fingerprint", "visits", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
