from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County or district")
    TOWNSHIP = "township", _("Township or sub-district")
    VILLAGE = "village", _("Village or community")


# How many leading digits of a GB/T 2260-style code identify an area's subtree.
PREFIX_LENGTH = {
    AreaLevel.PROVINCE: 2,
    AreaLevel.CITY: 4,
    AreaLevel.COUNTY: 6,
    AreaLevel.TOWNSHIP: 9,
    AreaLevel.VILLAGE: 12,
}
CODE_LENGTH = {
    AreaLevel.PROVINCE: 6,
    AreaLevel.CITY: 6,
    AreaLevel.COUNTY: 6,
    AreaLevel.TOWNSHIP: 9,
    AreaLevel.VILLAGE: 12,
}
LEVEL_ORDER = [AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]


def enclosing_code(code: str, level: str) -> str:
    """The code of the area of `level` that holds the area `code` (its leading PREFIX_LENGTH digits, padded with
    zeros to the level's CODE_LENGTH): 370283001001 -> county 370283, township 370283001, city 370200."""
    return code[: PREFIX_LENGTH[level]].ljust(CODE_LENGTH[level], "0")


class Area(models.Model):
    """An administrative area. The code is the primary key so that a child's `village_id` *is* its code
    and "children of this subtree" is `village_id LIKE '<prefix>%'` on an index, with no join."""

    code = models.CharField(_("area code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent area"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The leading digits shared by every code in this subtree (see PREFIX_LENGTH).
    prefix = models.CharField(_("code prefix"), max_length=12, db_index=True, editable=False)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.prefix = self.code[: PREFIX_LENGTH[AreaLevel(self.level)]]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        expected = CODE_LENGTH[AreaLevel(self.level)]
        if not self.code.isdigit() or len(self.code) != expected:
            raise ValidationError({"code": _("An area code of this level has %(n)d digits.") % {"n": expected}})
        if self.parent_id and not self.code.startswith(self.parent.prefix):
            raise ValidationError({"code": _("The code must start with the parent area's code.")})

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)


class DepartmentKind(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    EDUCATION = "education", _("Education")
    PUBLIC_SECURITY = "public_security", _("Public security")
    JUSTICE = "justice", _("Justice")
    HEALTH = "health", _("Health commission")
    WOMENS_FEDERATION = "womens_federation", _("Women's federation")
    YOUTH_LEAGUE = "youth_league", _("Communist Youth League")
    DISABLED_PERSONS_FEDERATION = "disabled_persons_federation", _("Disabled persons' federation")
    CYBERSPACE = "cyberspace", _("Cyberspace administration")
    HUMAN_RESOURCES = "human_resources", _("Human resources and social security")
    EMERGENCY = "emergency", _("Emergency management")
    COURT = "court", _("Court")
    PROCURATORATE = "procuratorate", _("Procuratorate")
    OTHER = "other", _("Other")


class Department(models.Model):
    """A department of one region (e.g. 青岛市教育局). `kind` normalises it across levels; the task
    matrix (tasks/) may add kinds of its own in `kind` as free codes."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=40)
    area = models.ForeignKey(Area, verbose_name=_("region"), on_delete=models.PROTECT, related_name="departments")

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["area_id", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="department_unique_name_per_area")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    DIRECTOR = "director", _("Child director")
    SUPERVISOR = "supervisor", _("Child supervisor")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil-affairs staff")
    LIAISON = "liaison", _("Department liaison")
    ADMIN = "admin", _("Administrator")


# Which level of area each role works at.
ROLE_AREA_LEVELS = {
    Role.DIRECTOR: {AreaLevel.VILLAGE},
    Role.SUPERVISOR: {AreaLevel.TOWNSHIP},
    Role.CIVIL_AFFAIRS: {AreaLevel.COUNTY, AreaLevel.CITY, AreaLevel.PROVINCE},
}


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.DIRECTOR)
    areas = models.ManyToManyField(Area, verbose_name=_("areas served"), blank=True, related_name="users")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaisons",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Set when an administrator creates the user or resets the password; cleared when the user chooses their own.
    # While set, every page leads to the password-change page (PasswordChangeRequiredMiddleware).
    must_change_password = models.BooleanField(_("must change password at next sign-in"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese names: family name first, no space.
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


class Notification(models.Model):
    """An in-app message. `key` makes writing one idempotent: the same key is never written twice."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=120)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_unique_key")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


class UserSession(models.Model):
    """Which session belongs to which user, written at sign-in, so that disabling a user ends every session of
    theirs with one DELETE instead of decoding every session in the table."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="session_keys")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("user session")
        verbose_name_plural = _("user sessions")
        indexes = [models.Index(fields=["user"], name="usersession_user_idx")]

    def __str__(self) -> str:
        return self.session_key[:8]
