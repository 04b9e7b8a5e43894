from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from competencies.models import CompetenceArea, Effect, GuidingQuestion, UsageFormat

from .base import WorkingMaterial, choices_check, rating_check, rating_field


class ClientQuerySet(models.QuerySet):
    def of_member(self, user):
        """Clients of the projects `user` is a member of: the only ones they may see or reuse.

        Client names are not unique: two consultancies may each serve a "Müller GmbH", and
        neither learns of the other's record or projects.
        """
        if not user.is_authenticated:
            return self.none()
        return self.filter(projects__memberships__user=user).distinct()


class Client(models.Model):
    name = models.CharField(_("client name"), max_length=200)
    industry = models.CharField(_("industry"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CONSULTANT = "consultant", _("Consultant")
    MANAGER = "manager", _("Manager")
    VIEWER = "viewer", _("Viewer")


class ReadinessStage(models.TextChoices):
    BOLT_ON = "bolt_on", _("Bolt-on: social media added beside the business")
    OPTIMISING_SOCIAL_MEDIA = "optimising_social_media", _("Optimising its social media")
    OPTIMISING_BUSINESS = "optimising_business", _("Optimising its business with social media")


class StrategyProjectQuerySet(models.QuerySet):
    def for_user(self, user):
        """Projects the user is a member of; everything else answers 404."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def for_member(self, user):
        """for_user, each with the user's role (user_role) read from the membership row it joins.

        A project has one membership per user, so the join adds no rows; on the project
        list this spares a correlated subquery per project.
        """
        return self.for_user(user).annotate(user_role=F("memberships__role"))

    def with_role_of(self, user):
        role = Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]
        return self.annotate(user_role=Subquery(role))

    def with_latest_version(self):
        from .versions import StrategyVersion

        latest = StrategyVersion.objects.filter(project=OuterRef("pk")).order_by("-number")
        return self.annotate(
            latest_version_status=Subquery(latest.values("status")[:1]),
            latest_version_name=Subquery(latest.values("name")[:1]),
        )


class StrategyProject(WorkingMaterial):
    """One client engagement: the working material of all nine areas and its versions."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="projects", verbose_name=_("client"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Step 1: potential
    readiness_stage = models.CharField(_("readiness stage"), max_length=30, choices=ReadinessStage.choices, blank=True)
    potential_notes = models.TextField(_("notes on the potential"), blank=True)
    # Step 9: community and crisis handling, review cadence
    netiquette = models.TextField(_("netiquette"), blank=True)
    monitoring = models.TextField(_("monitoring"), blank=True)
    escalation_path = models.TextField(_("escalation path"), blank=True)
    response_time_hours = models.PositiveSmallIntegerField(_("response time (hours)"), null=True, blank=True)
    review_cadence = models.CharField(_("review cadence"), max_length=200, blank=True)
    # "Continue where we stopped": the wizard step the team last opened.
    last_step = models.CharField(_("last step"), max_length=40, blank=True)

    objects = StrategyProjectQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["client__name", "title"]
        verbose_name = _("strategy project")
        verbose_name_plural = _("strategy projects")
        constraints = [
            models.UniqueConstraint(fields=["client", "title"], name="project_title_unique_per_client"),
            models.CheckConstraint(
                condition=Q(readiness_stage="") | Q(readiness_stage__in=[c[0] for c in ReadinessStage.choices]),
                name="project_readiness_stage_known",
            ),
            models.CheckConstraint(
                condition=Q(response_time_hours__isnull=True) | Q(response_time_hours__lte=720),
                name="project_response_time_at_most_30_days",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client.name}: {self.title}"

    def role_of(self, user) -> str | None:
        """The user's role here, cached on the instance for the request."""
        if not user.is_authenticated:
            return None
        cache = self.__dict__.setdefault("_role_cache", {})
        if user.pk not in cache:
            cache[user.pk] = self.memberships.filter(user=user).values_list("role", flat=True).first()
        return cache[user.pk]

    def remember_role(self, user, role: str | None) -> None:
        """Seed role_of() with a role loaded along with the project, saving a query."""
        self.__dict__.setdefault("_role_cache", {})[user.pk] = role

    # --- who may do what -----------------------------------------------------------------
    # The one truth: the rules predicates (strategies/rules.py), the services and the views
    # all ask these. Rights come from the membership alone, for superusers too: Django's
    # has_perm answers True for a superuser before any rule runs, so nothing here asks it.

    def can_view(self, user) -> bool:
        return self.role_of(user) is not None

    def can_edit(self, user) -> bool:
        """Change the working material (rows, answers, the step bookmark)."""
        return self.role_of(user) == Role.CONSULTANT

    def can_comment(self, user) -> bool:
        """Managers leave remarks on steps for the consultants."""
        return self.role_of(user) == Role.MANAGER

    def can_manage_versions(self, user) -> bool:
        """Start, edit, submit and reopen strategy versions."""
        return self.role_of(user) == Role.CONSULTANT

    def can_decide_versions(self, user) -> bool:
        """The client's side decides: only managers approve or reject."""
        return self.role_of(user) == Role.MANAGER

    def can_request_report(self, user) -> bool:
        return self.role_of(user) in (Role.CONSULTANT, Role.MANAGER)

    def can_share_versions(self, user) -> bool:
        """Make, list and revoke read-only links to the approved version (they reach people outside the project)."""
        return self.role_of(user) in (Role.CONSULTANT, Role.MANAGER)

    def can_export(self, user) -> bool:
        """An export carries everything, the approval record included: not for read-only viewers."""
        return self.role_of(user) in (Role.CONSULTANT, Role.MANAGER)

    def can_try_changes(self, user) -> bool:
        """Try what a change would do ("what if") without making it: those who shape or decide the strategy."""
        return self.role_of(user) in (Role.CONSULTANT, Role.MANAGER)

    # --- strategy management: after approval -----------------------------------------------

    def can_record_checkins(self, user) -> bool:
        """Record (and correct) any KPI's check-ins. A KPI's owner may record that KPI's too:
        ask KpiTracking.can_check_in for one KPI."""
        return self.role_of(user) in (Role.CONSULTANT, Role.MANAGER)

    def can_change_milestones(self, user) -> bool:
        """Move milestones (planned, in progress, done, blocked) after approval."""
        return self.role_of(user) in (Role.CONSULTANT, Role.MANAGER)

    def can_review(self, user) -> bool:
        """Record a strategy review and its decision; "adjust" starts the successor draft for the team."""
        return self.role_of(user) in (Role.CONSULTANT, Role.MANAGER)

    def can_manage_tracking(self, user) -> bool:
        """Set how a KPI is followed: tolerance, check-in cadence, owner."""
        return self.role_of(user) == Role.CONSULTANT

    # --- access guards: who may give whom which role (the one truth; services and rules ask these) ---
    #
    # The manager role decides on strategy versions, so it stays with the client side:
    # only a manager of the project grants or withdraws it (or staff in the Django admin, which
    # goes through the same services and audit), and nobody who is or ever was a consultant
    # of the project can become its manager. Consultants grant and withdraw the consultant
    # and viewer roles; managers the manager and viewer roles. Nobody changes their own role;
    # anyone who may withdraw their role may leave, as long as a consultant remains.

    def can_manage_members(self, user) -> bool:
        """Whether the members page offers `user` its forms (some changes may still be refused)."""
        return bool(self.grantable_roles(user))

    def grantable_roles(self, user) -> frozenset[str]:
        """The roles `user` may grant to and withdraw from others in this project."""
        return GRANTABLE_ROLES.get(self.role_of(user), frozenset())

    def access_change_refusal(
        self, *, actor, user, old_role: str | None, new_role: str | None, in_admin: bool = False
    ) -> str | None:
        """Why `actor` may not move `user` from `old_role` to `new_role`, or None if allowed.

        `old_role` None: `user` is being added; `new_role` None: `user` is being removed.

        `in_admin`: staff acting in the Django admin, whose model permissions Django checked;
        the rules about the roles themselves hold for them too.
        """
        if not in_admin and not self.can_manage_members(actor):
            return str(_("Only the project's consultants and managers can manage its members."))
        if old_role is not None and new_role is not None and actor.pk == user.pk:
            return str(_("Nobody can change their own role; ask another member who may."))
        if not in_admin:
            grantable = self.grantable_roles(actor)
            for role in (old_role, new_role):
                if role is not None and role not in grantable:
                    return str(ROLE_REFUSALS[role])
        if new_role == Role.MANAGER and old_role != Role.MANAGER and self.was_ever_consultant(user):
            return str(
                _(
                    "Someone who is or was a consultant of this project cannot become its manager: "
                    "decisions stay with the client."
                )
            )
        leaves_consultants = old_role == Role.CONSULTANT and new_role != Role.CONSULTANT
        if leaves_consultants and not self.memberships.consultants().exclude(user=user).exists():
            return str(_("A project needs at least one consultant; add another consultant first."))
        return None

    def was_ever_consultant(self, user) -> bool:
        """Consultant now, by the access record at any time, or by what only a consultant does here.

        The record begins with migration 0009; before it, creating the project or starting or
        submitting one of its versions is what shows a consultant.
        """
        from .access import AccessChange

        if self.created_by_id is not None and self.created_by_id == user.pk:
            return True
        if self.memberships.filter(user=user, role=Role.CONSULTANT).exists():
            return True
        if AccessChange.objects.ever_consultant(self, user):
            return True
        return self.versions.filter(Q(created_by=user) | Q(submitted_by=user)).exists()


GRANTABLE_ROLES = {
    Role.CONSULTANT: frozenset({Role.CONSULTANT, Role.VIEWER}),
    Role.MANAGER: frozenset({Role.MANAGER, Role.VIEWER}),
}

ROLE_REFUSALS = {
    Role.MANAGER: _("Only the project's managers can grant or withdraw the manager role."),
    Role.CONSULTANT: _("Only the project's consultants can grant or withdraw the consultant role."),
    Role.VIEWER: _("Only the project's consultants and managers can manage its members."),
}


class MembershipQuerySet(models.QuerySet):
    def consultants(self):
        return self.filter(role=Role.CONSULTANT)

    def managers(self):
        return self.filter(role=Role.MANAGER)


class Membership(models.Model):
    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["role", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_once_per_project"),
            choices_check("role", Role.choices, "membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class EffectRelevance(WorkingMaterial):
    """Step 1: how much an effect (information, dialogue, networking) matters for this client."""

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="effect_relevances")
    effect = models.ForeignKey(Effect, on_delete=models.PROTECT, related_name="+", verbose_name=_("effect"))
    relevance = rating_field(_("relevance"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["effect__order"]
        constraints = [
            models.UniqueConstraint(fields=["project", "effect"], name="effect_rated_once_per_project"),
            rating_check("relevance", "effect_relevance"),
        ]


class UsageFormatRelevance(WorkingMaterial):
    """Step 1: how much a usage format (audience, network, community) matters for this client."""

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="usage_format_relevances")
    usage_format = models.ForeignKey(
        UsageFormat, on_delete=models.PROTECT, related_name="+", verbose_name=_("usage format")
    )
    relevance = rating_field(_("relevance"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["usage_format__order"]
        constraints = [
            models.UniqueConstraint(fields=["project", "usage_format"], name="usage_format_rated_once_per_project"),
            rating_check("relevance", "usage_format_relevance"),
        ]


class ChecklistAnswer(models.Model):
    """A project's tick and notes on one guiding question of the catalogue."""

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="checklist_answers")
    # PROTECT: an answered question is deactivated in the catalogue, not deleted.
    question = models.ForeignKey(GuidingQuestion, on_delete=models.PROTECT, related_name="answers")
    done = models.BooleanField(_("done"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "question"], name="checklist_answer_once_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question}: {'done' if self.done else 'open'}"


class StepComment(models.Model):
    """A manager's remark on one wizard step, shown to the consultants."""

    project = models.ForeignKey(StrategyProject, on_delete=models.CASCADE, related_name="step_comments")
    area = models.ForeignKey(CompetenceArea, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("step comment")
        verbose_name_plural = _("step comments")

    def __str__(self) -> str:
        return self.text[:60]
