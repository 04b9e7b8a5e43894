from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..exceptions import DomainError
from .base import choices_check
from .options import ActionOption
from .project import StrategyProject


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
# Fields a transition out of a fixed state may write (with status): a decision also
# writes when it was made; superseding changes nothing but the status (as the trigger demands).
TRANSITION_FIELDS = {"status", "decided_at", "updated_at"}
FIELDS_WRITTEN_LEAVING = {
    VersionStatus.SUBMITTED: TRANSITION_FIELDS,
    VersionStatus.APPROVED: {"status", "updated_at"},
}
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
        """The approved version in force: approved here. An imported approval is history of the
        installation it came from (see imported_from) and never stands for a local decision."""
        return self.filter(status=VersionStatus.APPROVED, imported_from="")

    def frozen(self):
        return self.filter(status__in=FROZEN_STATUSES)

    def update(self, **kwargs):
        """Bulk updates obey the same rules as save(): see StrategyVersion.save().

        Drafts take any update; every row that left the draft stage must make an allowed
        move with it and write nothing but that move's fields.
        """
        stored = set(self.order_by().values_list("status", flat=True).distinct())
        _refuse_writes(stored, kwargs.get("status", _UNCHANGED), set(kwargs))
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(status=VersionStatus.DRAFT).exists():
            raise DomainError(_("Only draft versions can be deleted."))
        _refuse_with_fixed_successors(StrategyVersion._base_manager.filter(based_on__in=self.values("pk")))
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


_UNCHANGED = object()


def _refuse_writes(stored_statuses, new_status, fields) -> None:
    """DomainError unless rows in the stored statuses may take `fields` (with `new_status`, or _UNCHANGED)."""
    if new_status is not _UNCHANGED and any(
        stored != new_status and (stored, new_status) not in ALLOWED_TRANSITIONS for stored in stored_statuses
    ):
        raise DomainError(STATUS_RULE)
    for stored in set(stored_statuses) - {VersionStatus.DRAFT}:
        # A fixed record is only written by its next transition, and only with that move's fields.
        if new_status is _UNCHANGED or new_status == stored or not fields <= FIELDS_WRITTEN_LEAVING.get(stored, set()):
            raise DomainError(FIXED_RECORD)


def _refuse_with_fixed_successors(successors) -> None:
    """Deleting a draft would clear the based_on of the versions built on it: refuse if one is a fixed record."""
    fixed = successors.exclude(status=VersionStatus.DRAFT).order_by("number").values_list("number", flat=True).first()
    if fixed is not None:
        raise DomainError(
            _("V%(number)s builds on this draft and is a fixed record, so the draft cannot be deleted.")
            % {"number": fixed}
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
    # Set by an import for a version decided elsewhere: where its decision record comes from. Such a
    # version is read-only history; its decision names no local user and counts as no local approval.
    imported_from = models.CharField(_("imported from"), max_length=300, blank=True, editable=False)

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

    def _stored_status(self) -> str | None:
        """The status the row has in the database now (None: no row yet).

        Read on every save() and delete() rather than remembered from loading: an instance
        loaded before the version was approved elsewhere, one loaded with only() or defer(),
        or one built with the pk of an existing row must not slip past the guards.
        """
        if self.pk is None:
            return None
        return type(self)._base_manager.filter(pk=self.pk).values_list("status", flat=True).first()

    # --- state guards ------------------------------------------------------
    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    @property
    def is_imported(self) -> bool:
        """Decided in another installation: its record is history from there, not a decision made here."""
        return bool(self.imported_from)

    @property
    def is_approved_here(self) -> bool:
        return self.status == VersionStatus.APPROVED and not self.is_imported

    # The project's guards say who; these add what the version's status allows.
    def can_edit(self, user) -> bool:
        return self.status == VersionStatus.DRAFT and self.project.can_manage_versions(user)

    def can_submit(self, user) -> bool:
        return self.can_edit(user)

    def reasons_needing_review(self):
        """The choices whose reason was taken over from the predecessor and whose choice flipped since:
        the old reason ("too costly for the first year") argues for the other choice, so it must be
        edited or kept on purpose before the version goes to the managers."""
        return self.version_options.needing_review()

    def can_decide(self, user) -> bool:
        """Managers decide on submitted versions, never on one they submitted themselves."""
        return (
            self.status == VersionStatus.SUBMITTED
            and self.project.can_decide_versions(user)
            and self.submitted_by_id != user.pk
        )

    def can_share(self, user) -> bool:
        """A read-only link is made only to a version approved here (share_links.ShareLink says what it opens)."""
        return self.is_approved_here and self.project.can_share_versions(user)

    def can_reopen(self, user) -> bool:
        return self.status == VersionStatus.REJECTED and self.project.can_manage_versions(user)

    def can_comment(self, user) -> bool:
        """Remarks on a version, in any status: they live beside its record and never change it.
        Who may write them is who may comment on the workshop's steps."""
        return self.project.can_comment(user)

    def save(self, *args, **kwargs):
        """Guard: the status moves only along ALLOWED_TRANSITIONS, and once a version
        left the draft stage nothing but its next transition is written (with
        update_fields naming only that move's fields)."""
        stored = self._stored_status()
        if stored is not None:
            update_fields = kwargs.get("update_fields")
            # Without update_fields every (loaded) field is written.
            fields = {f.name for f in self._meta.concrete_fields} if update_fields is None else set(update_fields)
            _refuse_writes({stored}, self.status, fields)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = self._stored_status()
        if (stored if stored is not None else self.status) != VersionStatus.DRAFT:
            raise DomainError(_("Only draft versions can be deleted."))
        if self.pk is not None:
            _refuse_with_fixed_successors(type(self)._base_manager.filter(based_on=self.pk))
        return super().delete(*args, **kwargs)


OPTIONS_FIXED = _("The options of a submitted or decided version are fixed.")


def _refuse_unless_drafts(version_ids) -> None:
    """DomainError if any of these versions left the draft stage: only drafts' options change."""
    ids = {pk for pk in version_ids if pk is not None}
    if ids and StrategyVersion._base_manager.filter(pk__in=ids).exclude(status=VersionStatus.DRAFT).exists():
        raise DomainError(OPTIONS_FIXED)


class VersionOptionQuerySet(models.QuerySet):
    def needing_review(self):
        """Reasons still as taken over whose choice differs from the one they were given for.

        A flipped choice without a reason carries nothing stale and is not among them.
        """
        return (
            self.filter(included_at_takeover__isnull=False)
            .exclude(rationale="")
            .exclude(included=F("included_at_takeover"))
        )

    def update(self, **kwargs):
        if self.exclude(version__status=VersionStatus.DRAFT).exists():
            raise DomainError(OPTIONS_FIXED)
        # Moving choices over to another version is writing that version's options too.
        for key in ("version", "version_id"):
            if key in kwargs:
                target = kwargs[key]
                if hasattr(target, "resolve_expression"):
                    raise DomainError(OPTIONS_FIXED)  # a computed target (bulk_update) cannot be checked
                _refuse_unless_drafts([getattr(target, "pk", target)])
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(version__status=VersionStatus.DRAFT).exists():
            raise DomainError(OPTIONS_FIXED)
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        _refuse_unless_drafts(obj.version_id for obj in objs)
        return super().bulk_create(objs, *args, **kwargs)


class VersionOption(models.Model):
    """Whether an action option is in or out of a version, and why."""

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="version_options")
    # RESTRICT: an option a version names cannot be deleted on its own, but
    # deleting the whole project (which cascades to both) still works.
    option = models.ForeignKey(ActionOption, on_delete=models.RESTRICT, related_name="version_options")
    included = models.BooleanField(_("included"), default=True)
    rationale = models.TextField(_("reason"), blank=True)
    # Set when a successor copies the reason from its predecessor: the choice the reason was
    # written for. Null once the reason is edited or kept on purpose (and for reasons written
    # here): a null means nobody has to look at the reason again.
    included_at_takeover = models.BooleanField(_("included when the reason was taken over"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionOptionQuerySet.as_manager()

    class Meta:
        ordering = ["option__topic__block__order", "option__topic__order", "option__order"]
        verbose_name = _("version option")
        verbose_name_plural = _("version options")
        constraints = [models.UniqueConstraint(fields=["version", "option"], name="option_once_per_version")]

    def __str__(self) -> str:
        return f"{self.option} ({'in' if self.included else 'out'})"

    @property
    def reason_needs_review(self) -> bool:
        return self.needs_review(
            included=self.included, rationale=self.rationale, included_at_takeover=self.included_at_takeover
        )

    @staticmethod
    def needs_review(*, included: bool, rationale: str, included_at_takeover: bool | None) -> bool:
        """The rule of VersionOptionQuerySet.needing_review() for values at hand (a page row)."""
        return included_at_takeover is not None and bool(rationale) and included != included_at_takeover

    def _refuse_unless_draft(self):
        """Only drafts' options change: the version it names now and, for a stored row, the one it is stored under."""
        version_ids = {self.version_id}
        if self.pk is not None:
            version_ids.update(type(self)._base_manager.filter(pk=self.pk).values_list("version_id", flat=True))
        _refuse_unless_drafts(version_ids)

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


class VersionComment(models.Model):
    """A remark on a strategy version for the consultants (as a step comment is on a step).

    Beside the version, never part of its content or snapshot: a fixed record takes comments too.
    """

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("version comment")
        verbose_name_plural = _("version comments")

    def __str__(self) -> str:
        return self.text[:60]
