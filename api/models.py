"""API clients (a department's or an area's system) and the keys of posted visits (offline idempotency).

A client acts as one service account, a `User` the administrator picks: a department's client acts as that
department's liaison-role account, an area's client as a civil-affairs account of that area. So the access gate
(children.access), the masking rule (children.privacy) and every service's own checks apply to API calls exactly as
to that user's pages; the client's scopes only narrow which endpoints it may call.

Keys are shown once, when issued (on creation and on rotation), and stored as the SHA-256 of the key: a key is
`cs_<prefix>_<secret>` with 256 random bits of secret, so a fast hash is enough (no password stretching is needed
against guessing), and the 8-character prefix finds the row with one indexed lookup.
"""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_TAG = "cs"


class Scope(models.TextChoices):
    READ_CHILDREN = "read_children", _("Read the children of the area")
    READ_SCHEDULES = "read_schedules", _("Read visit schedules and overdue lists")
    POST_VISITS = "post_visits", _("Post visits")
    REFERRALS = "referrals", _("Read and update the department's referrals")
    ASSIGNMENTS = "assignments", _("Read and update the department's task assignments")
    CHANGES = "changes", _("Read the changes feed")
    SUBMIT_LISTS = "submit_lists", _("Submit the department's lists")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def split_key(key: str) -> tuple[str, str] | None:
    """(prefix, whole key) of a well-formed key, else None."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_TAG or len(parts[1]) != 8 or len(parts[2]) < 32:
        return None
    return parts[1], key


class ApiClient(models.Model):
    name = models.CharField(_("name"), max_length=100)
    # Exactly one of the two (a database constraint below): whose system this is.
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
    )
    area = models.ForeignKey(
        "accounts.Area", verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as user"),
        on_delete=models.PROTECT,
        related_name="api_clients",
        help_text=_(
            "A service account: for a department, a liaison of that department; for an area, a civil-affairs "
            "account serving exactly that area. The API sees and changes what this account may."
        ),
    )
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=120)
    expires_on = models.DateField(_("key expires on"))
    # Set when a key is issued; null before the first key (the admin issues one on creation).
    key_prefix = models.CharField(_("key prefix"), max_length=8, unique=True, null=True, blank=True, editable=False)
    key_hash = models.CharField(max_length=64, blank=True, editable=False)
    key_issued_at = models.DateTimeField(_("key issued at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False, area__isnull=True)
                | Q(department__isnull=True, area__isnull=False),
                name="apiclient_department_xor_area",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from accounts.models import Role

        errors = {}
        bad = [s for s in self.scopes or [] if s not in Scope.values]
        if not isinstance(self.scopes, list) or bad:
            errors["scopes"] = _("Unknown scope: %(scopes)s") % {"scopes": ", ".join(map(str, bad))}
        if bool(self.department_id) == bool(self.area_id):
            errors["area"] = _("Choose either a department or an area, not both.")
        elif self.user_id:
            user = self.user
            if user.is_superuser or user.role == Role.ADMIN:
                errors["user"] = _("An API client cannot act as an administrator.")
            elif self.department_id and not (user.role == Role.LIAISON and user.department_id == self.department_id):
                errors["user"] = _("A department's client acts as a liaison account of that department.")
            elif self.area_id and not (
                user.role == Role.CIVIL_AFFAIRS
                and user.pk
                and set(user.areas.values_list("code", flat=True)) == {self.area_id}
            ):
                errors["user"] = _("An area's client acts as a civil-affairs account serving exactly that area.")
        if errors:
            raise ValidationError(errors)

    def issue_key(self) -> str:
        """A new key (the old one stops working at once); returned once, only its hash is kept."""
        prefix = secrets.token_hex(4)
        key = f"{KEY_TAG}_{prefix}_{secrets.token_urlsafe(32)}"
        self.key_prefix, self.key_hash, self.key_issued_at = prefix, _digest(key), timezone.now()
        self.save(update_fields=["key_prefix", "key_hash", "key_issued_at"])
        return key

    def key_matches(self, key: str) -> bool:
        return bool(self.key_hash) and hmac.compare_digest(self.key_hash, _digest(key))

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    def usable_on(self, today: datetime.date) -> bool:
        """Whether the key works on `today`: issued, not revoked, not past its expiry date, its user active."""
        return bool(self.key_hash) and self.revoked_at is None and today <= self.expires_on and self.user.is_active

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class PostedVisit(models.Model):
    """A visit posted with a client key (the offline phone app's `Idempotency-Key`): posting it again gives back
    the visits made the first time instead of new ones. The key is unique per acting user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(_("client key"), max_length=100)
    # SHA-256 of the posted body: the same key with a different body is refused (409), not silently replayed.
    fingerprint = models.CharField(max_length=64)
    visits = models.ManyToManyField("visits.Visit", related_name="+", through="PostedVisitVisit")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("posted visit key")
        verbose_name_plural = _("posted visit keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="postedvisit_key_once_per_user")]

    def __str__(self) -> str:
        return self.key


class PostedVisitVisit(models.Model):
    """A visit a posted key made (the table Django made for the many-to-many, named as it was). Its visit is kept by
    a constraint trigger, not a foreign key: visits are partitioned by year on PostgreSQL (config/partitions.py)."""

    postedvisit = models.ForeignKey(PostedVisit, on_delete=models.CASCADE)
    visit = models.ForeignKey("visits.Visit", on_delete=models.CASCADE, related_name="+", db_constraint=False)

    class Meta:
        db_table = "api_postedvisit_visits"
        unique_together = [("postedvisit", "visit")]

    def __str__(self) -> str:
        return f"{self.postedvisit_id}: {self.visit_id}"
