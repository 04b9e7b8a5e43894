from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ..exceptions import DomainError
from .base import choices_check
from .options import ActionOption
from .project import Role, StrategyProject


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


# Statuses whose content is a fixed record: only their snapshot counts.
FROZEN_STATUSES = (VersionStatus.SUBMITTED, VersionStatus.APPROVED, VersionStatus.REJECTED, VersionStatus.SUPERSEDED)


# The only moves a version's status makes; everything else about a version
# that left the draft stage is fixed (also enforced by a PostgreSQL trigger).
ALLOWED_TRANSITIONS = {
    (VersionStatus.DRAFT, VersionStatus.SUBMITTED),
    (VersionStatus.SUBMITTED, VersionStatus.APPROVED),
    (VersionStatus.SUBMITTED, VersionStatus.REJECTED),
    (VersionStatus.APPROVED, VersionStatus.SUPERSEDED),
}
# Fields a transition out of a fixed state may write (with status).
TRANSITION_FIELDS = {"status", "decided_at", "updated_at"}
STATUS_RULE = _(
    "A version's status only moves from draft to submitted, from submitted to approved or rejected, "
    "and from approved to superseded."
)
FIXED_RECORD = _("A submitted or decided version is a fixed record; start a successor version to change it.")


class StrategyVersionQuerySet(models.QuerySet):
    def drafts(self):
        return self.filter(status=VersionStatus.DRAFT)

    def submitted(self):
        return self.filter(status=VersionStatus.SUBMITTED)

    def approved(self):
        return self.filter(status=VersionStatus.APPROVED)

    def frozen(self):
        return self.filter(status__in=FROZEN_STATUSES)

    def update(self, **kwargs):
        """Bulk updates obey the same rules as save(): see StrategyVersion.save()."""
        if "status" in kwargs:
            moves = self.exclude(status=kwargs["status"]).values_list("status", flat=True).distinct()
            if any((stored, kwargs["status"]) not in ALLOWED_TRANSITIONS for stored in moves):
                raise DomainError(STATUS_RULE)
        if set(kwargs) - TRANSITION_FIELDS and self.exclude(status=VersionStatus.DRAFT).exists():
            raise DomainError(FIXED_RECORD)
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(status=VersionStatus.DRAFT).exists():
            raise DomainError(_("Only draft versions can be deleted."))
        return super().delete()

    def for_listing(self):
        """Versions with their number of selected options, without the (large) snapshots.

        A subquery, not Count(): grouping by every column would group by the snapshot JSON.
        """
        selected = (
            VersionOption.objects.filter(version=OuterRef("pk"), included=True)
            .order_by()
            .values("version")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.select_related("based_on")
            .defer("snapshot", "based_on__snapshot")
            .annotate(selected_count=Coalesce(Subquery(selected, output_field=models.IntegerField()), 0))
        )


class StrategyVersion(models.Model):
    """A proposed selection of action options that management approves or rejects."""

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="successors", verbose_name=_("based on")
    )
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    rationale = models.TextField(_("rationale"), blank=True)
    assumptions = models.TextField(_("assumptions"), blank=True)
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    snapshot = models.JSONField(_("frozen snapshot"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = StrategyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["project", "-number"]
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="version_number_unique_per_project"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(status="approved"), name="one_approved_version_per_project"
            ),
            choices_check("status", VersionStatus.choices, "version"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(snapshot__isnull=False), name="version_frozen_has_snapshot"
            ),
        ]

    def __str__(self) -> str:
        return f"V{self.number} {self.name}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_status = instance.__dict__.get("status")
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        # Otherwise a version approved elsewhere since it was loaded would
        # still pass the save() guard with its stale stored status.
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or "status" in fields:
            self._stored_status = self.__dict__.get("status")

    # --- state guards ------------------------------------------------------
    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    def can_edit(self, user) -> bool:
        return self.status == VersionStatus.DRAFT and self.project.role_of(user) == Role.CONSULTANT

    def can_submit(self, user) -> bool:
        return self.can_edit(user)

    def can_decide(self, user) -> bool:
        """Managers decide on submitted versions, never on one they submitted themselves."""
        return (
            self.status == VersionStatus.SUBMITTED
            and self.project.role_of(user) == Role.MANAGER
            and self.submitted_by_id != user.pk
        )

    can_approve = can_decide
    can_reject = can_decide

    def can_reopen(self, user) -> bool:
        return self.status == VersionStatus.REJECTED and self.project.role_of(user) == Role.CONSULTANT

    def save(self, *args, **kwargs):
        """Guard: the status moves only along ALLOWED_TRANSITIONS, and once a version
        left the draft stage nothing but its next transition is written."""
        stored = getattr(self, "_stored_status", None)
        if stored is not None and self.status != stored and (stored, self.status) not in ALLOWED_TRANSITIONS:
            raise DomainError(STATUS_RULE)
        if stored not in (None, VersionStatus.DRAFT):
            update_fields = kwargs.get("update_fields")
            if update_fields is None or not set(update_fields) <= TRANSITION_FIELDS or self.status == stored:
                raise DomainError(FIXED_RECORD)
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args, **kwargs):
        if self.status != VersionStatus.DRAFT:
            raise DomainError(_("Only draft versions can be deleted."))
        return super().delete(*args, **kwargs)


class VersionOptionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.exclude(version__status=VersionStatus.DRAFT).exists():
            raise DomainError(_("The options of a submitted or decided version are fixed."))
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(version__status=VersionStatus.DRAFT).exists():
            raise DomainError(_("The options of a submitted or decided version are fixed."))
        return super().delete()


class VersionOption(models.Model):
    """Whether an action option is in or out of a version, and why."""

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="version_options")
    # RESTRICT: an option a version names cannot be deleted on its own, but
    # deleting the whole project (which cascades to both) still works.
    option = models.ForeignKey(ActionOption, on_delete=models.RESTRICT, related_name="version_options")
    included = models.BooleanField(_("included"), default=True)
    rationale = models.TextField(_("reason"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionOptionQuerySet.as_manager()

    class Meta:
        ordering = ["option__topic__block__order", "option__topic__order", "option__order"]
        verbose_name = _("version option")
        verbose_name_plural = _("version options")
        constraints = [models.UniqueConstraint(fields=["version", "option"], name="option_once_per_version")]

    def __str__(self) -> str:
        return f"{self.option} ({'in' if self.included else 'out'})"

    def _refuse_unless_draft(self):
        status = StrategyVersion.objects.filter(pk=self.version_id).values_list("status", flat=True).first()
        if status not in (None, VersionStatus.DRAFT):
            raise DomainError(_("The options of a submitted or decided version are fixed."))

    def save(self, *args, **kwargs):
        self._refuse_unless_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_unless_draft()
        return super().delete(*args, **kwargs)


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")


class VersionDecision(models.Model):
    """Management's decision on a submitted version: the approval record."""

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Kept as text so the record survives the user's deletion.
    actor_name = models.CharField(_("decided by"), max_length=300)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("version decision")
        verbose_name_plural = _("version decisions")
        constraints = [choices_check("decision", Decision.choices, "version_decision")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.actor_name}"


class VersionTransition(models.Model):
    """One step in a version's life: who moved it from which status to which, when, and why."""

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Kept as text so the record survives the user's deletion.
    actor_name = models.CharField(_("by"), max_length=300)
    from_status = models.CharField(_("from"), max_length=20, choices=VersionStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=VersionStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("version transition")
        verbose_name_plural = _("version transitions")

    def __str__(self) -> str:
        return f"{self.version}: {self.from_status or '—'} → {self.to_status} ({self.actor_name})"
