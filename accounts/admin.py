from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ROLE_AREA_LEVELS, Area, Department, Notification, Role, User
from .services import user_sessions_end, users_disable


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["area"]
    list_select_related = ["area"]


class UserRoleForm(UserChangeForm):
    """A user works at the level of their role: a director at villages, a supervisor at townships, civil affairs
    at counties, cities or provinces; a liaison belongs to a department."""

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        role, areas, department = cleaned.get("role"), cleaned.get("areas"), cleaned.get("department")
        levels = ROLE_AREA_LEVELS.get(role)
        if levels is not None:
            if not areas:
                self.add_error("areas", _("This role needs at least one area."))
            elif any(a.level not in levels for a in areas):
                self.add_error("areas", _("These areas do not match the role's level."))
        if role == Role.LIAISON and not department:
            self.add_error("department", _("A liaison belongs to a department."))
        return cleaned


class InitialPasswordForm(AdminUserCreationForm):
    """A user created by an administrator must change the initial password at the first sign-in."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user.must_change_password = True
        if commit:
            user.save()
            self.save_m2m()
        return user


class ResetPasswordForm(AdminPasswordChangeForm):
    """A password reset by an administrator must be changed by the user at the next sign-in."""

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit=commit)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserRoleForm
    add_form = InitialPasswordForm
    change_password_form = ResetPasswordForm
    actions = ["disable_users"]
    list_display = ["username", "get_full_name", "role", "department", "is_active", "must_change_password"]
    list_filter = ["role", "is_active", "is_staff"]
    filter_horizontal = ["areas", "groups", "user_permissions"]
    raw_id_fields = ["department"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Role and areas"), {"fields": ["role", "areas", "department", "phone"]}),
        (_("Sign-in"), {"fields": ["must_change_password"]}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Role and areas"), {"fields": ["role", "last_name", "first_name", "areas", "department"]}),
    )

    def has_delete_permission(self, request, obj=None):
        return False  # users are disabled, never deleted: their history, visits and logs keep pointing at them

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_sessions_end(user_ids=[obj.pk])
        changed = set(form.changed_data)
        if obj.role == Role.LIAISON and obj.is_active and (not change or changed & {"is_active", "role", "department"}):
            # A department's new (or re-activated) liaison hears of its open reports and referrals at once.
            from guardianship.notify import liaison_catch_up

            liaison_catch_up(user=obj)

    @admin.action(description=_("Disable the selected users and end their sessions"))
    def disable_users(self, request, queryset):
        ids = list(queryset.exclude(pk=request.user.pk).values_list("pk", flat=True))
        count = users_disable(user_ids=ids)
        self.message_user(
            request,
            ngettext("%(count)d user disabled.", "%(count)d users disabled.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "read_at", "emailed_at"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
    show_full_result_count = False
