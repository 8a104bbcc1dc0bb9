"""The psychological record of a child (000 #5, 001 §2, 003 §2: screening, "一人一档", individual counselling and
the referral of children who need diagnosis or treatment): screening results and counselling sessions. Who reads
them is decided in psychology.access (need to know), not by the archive's level alone."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from children.models import CareRecord, CategoryProposal, Child


class ResultLevel(models.TextChoices):
    # Context-qualified: the words are not another model's statuses (tests/test_status_labels.py).
    NORMAL = "normal", pgettext_lazy("screening result", "No sign of difficulty")
    ATTENTION = "attention", pgettext_lazy("screening result", "Needs attention")
    POSITIVE = "positive", pgettext_lazy("screening result", "Positive: needs professional assessment")


class Screening(models.Model):
    """One psychological screening of a child: who screened, with which instrument, the result level and the
    follow-up. A positive result proposes the psychological category (children.CategoryProposal) and, when sent,
    links the referral to a department (guardianship.Referral)."""

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    screened_on = models.DateField(_("screened on"))
    screener = models.CharField(_("screened by (person and organisation)"), max_length=100)
    instrument = models.CharField(_("instrument"), max_length=100)
    score = models.CharField(_("score as reported"), max_length=50, blank=True)
    level = models.CharField(_("result level"), max_length=10, choices=ResultLevel.choices)
    follow_up = models.TextField(_("follow-up planned"), blank=True)
    follow_up_due = models.DateField(_("follow-up due by"), null=True, blank=True)
    follow_up_done_on = models.DateField(_("follow-up done on"), null=True, blank=True)
    follow_up_note = models.CharField(_("what was done"), max_length=300, blank=True)
    proposal = models.ForeignKey(
        CategoryProposal, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    referral = models.ForeignKey(
        "guardianship.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("psychological screening")
        verbose_name_plural = _("psychological screenings")
        ordering = ["-screened_on", "-id"]
        indexes = [
            # A child's record, newest first.
            models.Index(fields=["child", "screened_on"], name="screening_child_date_idx"),
            # The follow-up worklist: open follow-ups by due date.
            models.Index(fields=["follow_up_done_on", "follow_up_due"], name="screening_follow_up_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.screened_on} {self.instrument}"


class CounsellingSession(models.Model):
    """A counselling session. It is also a care record of the archive (kind psychological, with the counsellor
    but not the notes), so the archive shows that support was given; the notes stay here."""

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    care_record = models.OneToOneField(CareRecord, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("held on"))
    counsellor = models.CharField(_("counsellor (person and organisation)"), max_length=100)
    notes = models.TextField(_("notes (seen only in the psychological record)"), blank=True)
    next_on = models.DateField(_("next session"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("counselling session")
        verbose_name_plural = _("counselling sessions")
        ordering = ["-held_on", "-id"]
        # A child's sessions, newest first.
        indexes = [models.Index(fields=["child", "held_on"], name="counselling_child_date_idx")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.counsellor}"
