"""People and organisations who help (issue 18 part C).

- `Helper` and `Pairing` (结对帮扶, 000 #33–34, 001 §13, 002, 004 §10): a registry of helpers kept by the county's
  civil affairs — teachers, volunteers, 爱心妈妈, party members — with their unit and the period they serve; a child
  is paired with one or more of them, and each contact the helper has with the child is a `PairingContact`, recorded
  by the child director or by the helper's department through its liaison. A pairing with no contact for a while is
  listed (pairing.rules.without_contact, pairing.selectors.quiet_pairings_for).
- `Organisation` (000 #22, #52, 001 §22, 003 §17): social organisations and social-work agencies registered per
  county; referrals can go to them as to departments (guardianship.Referral.organisation), and the yearly check of
  000 #52 (每年至少培育和发展1家儿童福利领域社会组织) lists the counties without a new child-welfare organisation.

Nothing is deleted through the UI: a helper, a pairing or an organisation ends (`to_on`), history is kept.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Area, Department
from children.models import Child

User = settings.AUTH_USER_MODEL


class HelperKind(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    VOLUNTEER = "volunteer", _("Volunteer")
    CARING_MOTHER = "caring_mother", _("Caring mother")
    PARTY_MEMBER = "party_member", _("Party member")
    YOUTH_LEAGUE = "youth_league", _("Youth League member")
    OTHER = "other", _("Other")


class Helper(models.Model):
    """One person who helps children, registered by the civil affairs of a county."""

    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind of helper"), max_length=20, choices=HelperKind.choices)
    unit = models.CharField(_("work unit"), max_length=100, blank=True)
    # The department the helper belongs to (a school's 教育局, the 妇联 of the 爱心妈妈…): its liaisons record the
    # helper's contacts. Blank for a helper answering to no department (then the director records them).
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="helpers",
    )
    county = models.ForeignKey(Area, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("telephone"), max_length=20, blank=True)
    from_on = models.DateField(_("serves from"))
    to_on = models.DateField(_("serves until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("helper")
        verbose_name_plural = _("helpers")
        ordering = ["county_id", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_on__isnull=True) | Q(to_on__gte=F("from_on")), name="helper_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class Pairing(models.Model):
    """A child paired with a helper (结对) from → to. `last_contact_on` is the latest contact's date, written by
    pairing.services.contact_record, so the no-contact list filters a column instead of aggregating contacts."""

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="pairings")
    helper = models.ForeignKey(Helper, verbose_name=_("helper"), on_delete=models.PROTECT, related_name="pairings")
    aims = models.CharField(_("help agreed"), max_length=200, blank=True)
    from_on = models.DateField(_("paired from"))
    to_on = models.DateField(_("paired until"), null=True, blank=True)
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["last_contact_on"])

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["-from_on", "-id"]
        constraints = [
            # A child is paired with the same helper once at a time.
            models.UniqueConstraint(
                fields=["child", "helper"], condition=Q(to_on__isnull=True), name="pairing_one_open_per_helper"
            ),
            models.CheckConstraint(
                condition=Q(to_on__isnull=True) | Q(to_on__gte=F("from_on")), name="pairing_ends_after_start"
            ),
        ]
        indexes = [
            # The no-contact list scans the current pairings only.
            models.Index(fields=["last_contact_on"], condition=Q(to_on__isnull=True), name="pairing_open_contact_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.helper_id} ↔ {self.child_id} {self.from_on}"

    @property
    def is_current(self) -> bool:
        return self.to_on is None


class ContactKind(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    SCHOOL = "school", _("Meeting at school")
    PHONE = "phone", _("Phone call")
    WECHAT = "wechat", _("WeChat (voice, video or messages)")
    ACTIVITY = "activity", _("Activity together")
    OTHER = "other", _("Other")


class PairingContact(models.Model):
    """One contact of the helper with the paired child."""

    pairing = models.ForeignKey(Pairing, verbose_name=_("pairing"), on_delete=models.PROTECT, related_name="contacts")
    contacted_on = models.DateField(_("date of contact"))
    kind = models.CharField(_("how"), max_length=20, choices=ContactKind.choices)
    summary = models.TextField(_("what was done"))
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pairing contact")
        verbose_name_plural = _("pairing contacts")
        ordering = ["-contacted_on", "-id"]
        indexes = [models.Index(fields=["pairing", "-contacted_on"], name="pairing_contact_latest_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.contacted_on}"


class OrganisationKind(models.TextChoices):
    # 000 #52 / 001 §22: 公益慈善组织、志愿服务组织、专业社会工作服务机构.
    CHARITY = "charity", _("Charity")
    VOLUNTEER = "volunteer", _("Volunteer service organisation")
    SOCIAL_WORK = "social_work", _("Social-work agency")
    OTHER = "other", _("Other social organisation")


class Organisation(models.Model):
    """A social organisation or social-work agency registered in a county (its registry is kept by the county's
    civil affairs). `child_welfare` marks an organisation of the child-welfare field, the kind 000 #52 counts."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind of organisation"), max_length=20, choices=OrganisationKind.choices)
    child_welfare = models.BooleanField(_("child-welfare organisation"), default=True)
    county = models.ForeignKey(Area, verbose_name=_("county"), on_delete=models.PROTECT, related_name="organisations")
    # 统一社会信用代码: 18 characters (pairing.rules.credit_code_error checks the form).
    registration_number = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    services = models.TextField(_("services offered"))
    service_area = models.CharField(_("service area"), max_length=200)
    contact_phone = models.CharField(_("telephone"), max_length=20, blank=True)
    # The day the county fostered or first registered it: the year 000 #52 counts it in.
    from_on = models.DateField(_("fostered or registered on"))
    to_on = models.DateField(_("serves until"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("social organisation")
        verbose_name_plural = _("social organisations")
        ordering = ["county_id", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_on__isnull=True) | Q(to_on__gte=F("from_on")), name="organisation_ends_after_start"
            ),
        ]
        indexes = [
            # The yearly check of 000 #52: child-welfare organisations of a county by the year they were fostered.
            models.Index(
                fields=["county", "from_on"], condition=Q(child_welfare=True), name="organisation_fostered_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name
